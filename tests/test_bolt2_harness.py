"""Two BOLT 2 channel cores wired back to back, with explicit message delivery.

Used by the other tests/test_bolt2_*.py modules. Each `Node` keeps:
- `core`: its BoltChannel;
- `persisted`: the bytes of its last persisted state (what survives a kill -9);
- `outbox`: messages sent and not yet delivered to the peer (in order);
- `events`: every event its core emitted.

`Node.apply(outputs)` enforces the persist-before-send rule: an `Outputs` carrying a
`commitment_signed` or `revoke_and_ack` must have `persist` set; the bytes are taken
before the messages are queued.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from amiko.bitcoin.networks import REGTEST
from amiko.bitcoin.script import p2wpkh
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.chain.devchain.scripts import ScriptVerifier
from amiko.channels.bolt.core import BoltChannel
from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.bolt.htlcs import Side
from amiko.channels.bolt.keys import ChannelKeys
from amiko.channels.bolt.outputs import (
    Broadcast,
    FundingNeeded,
    HtlcFailed,
    HtlcIncoming,
    HtlcSettled,
    Outputs,
)
from amiko.channels.bolt.params import LocalParams
from amiko.channels.bolt.states import Phase
from amiko.channels.interface import HtlcOffer, Offered, OfferResult
from amiko.crypto.keys import pubkey_of
from amiko.link.features import Features
from amiko.wire.messages import CommitmentSigned, OpenChannel, RevokeAndAck
from amiko.wire.registry import decode_message

CHAIN_HASH = REGTEST.chain_hash
ROOT_A = hashlib.sha256(b"amiko test node A").digest()
ROOT_B = hashlib.sha256(b"amiko test node B").digest()
KEYS_A = ChannelKeys.derive(ROOT_A, 0)
KEYS_B = ChannelKeys.derive(ROOT_B, 0)
PEER_A = pubkey_of(hashlib.sha256(b"node id A").digest())
PEER_B = pubkey_of(hashlib.sha256(b"node id B").digest())
SCRIPT_A = p2wpkh(pubkey_of(hashlib.sha256(b"close A").digest()))
SCRIPT_B = p2wpkh(pubkey_of(hashlib.sha256(b"close B").digest()))
FEATURES = Features.of("option_static_remotekey", "option_anchors", "option_channel_type",
                       "option_shutdown_anysegwit", "option_scid_alias", "option_zeroconf",
                       "option_upfront_shutdown_script", "var_onion_optin")
SIMPLE_CLOSE = FEATURES | Features.of("option_simple_close")
TEMP_ID = bytes(range(32))
FEERATE = 2500
HEIGHT = 1000
VERIFIER = ScriptVerifier()
ONION = bytes(1366)


def preimage_of(n: int) -> bytes:
    return hashlib.sha256(b"preimage %d" % n).digest()


def hash_of(preimage: bytes) -> bytes:
    return hashlib.sha256(preimage).digest()


def roundtrip(msg: Any) -> Any:
    """Every message crosses the wire: encode and decode it."""
    return decode_message(msg.encode())


@dataclass
class Node:
    name: str
    keys: ChannelKeys
    core: BoltChannel | None = None
    persisted: bytes | None = None
    outbox: deque[Any] = field(default_factory=deque)
    events: list[Any] = field(default_factory=list)
    connected: bool = True

    @property
    def c(self) -> BoltChannel:
        assert self.core is not None
        return self.core

    def apply(self, out: Outputs) -> Outputs:
        for msg in out.messages:
            if isinstance(msg, CommitmentSigned | RevokeAndAck):
                assert out.persist, f"{self.name}: {type(msg).__name__} sent without persist"
        if out.persist and self.core is not None:
            self.persisted = self.core.to_bytes()
        if self.connected:
            self.outbox.extend(roundtrip(m) for m in out.messages)
        self.events.extend(out.events)
        return out

    def events_of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    # commands
    def offer(self, amount_msat: int, n: int, cltv: int = HEIGHT + 100) -> OfferResult:
        result, out = self.c.offer_htlc(HtlcOffer(amount_msat, hash_of(preimage_of(n)), cltv,
                                                  ONION))
        self.apply(out)
        return result

    def sign(self) -> Outputs:
        return self.apply(self.c.sign_pending())

    def crash_and_restore(self) -> None:
        """kill -9: only the last persisted bytes survive."""
        assert self.persisted is not None
        self.core = BoltChannel.from_bytes(self.persisted, self.keys)
        self.outbox.clear()
        self.connected = False


@dataclass
class Pair:
    a: Node
    b: Node

    def other(self, n: Node) -> Node:
        return self.b if n is self.a else self.a

    def deliver(self, sender: Node) -> bool:
        """Deliver the oldest message `sender` sent; False if none."""
        if not sender.outbox:
            return False
        msg = sender.outbox.popleft()
        receiver = self.other(sender)
        receiver.apply(receiver.c.receive(msg))
        return True

    def flush(self, sign: bool = True, limit: int = 10_000) -> None:
        """Deliver everything (and sign pending changes when `sign`) until quiet."""
        for _ in range(limit):
            progress = self.deliver(self.a) or self.deliver(self.b)
            if not progress and sign:
                for n in (self.a, self.b):
                    if n.connected and n.sign().messages:
                        progress = True
            if not progress:
                return
        raise AssertionError("the channel never went quiet")

    def disconnect(self) -> None:
        for n in (self.a, self.b):
            n.outbox.clear()
            n.connected = False
            n.apply(n.c.peer_disconnected())

    def reconnect(self) -> None:
        for n in (self.a, self.b):
            n.connected = True
            n.apply(n.c.peer_connected())
        # the reestablish messages first, then whatever follows
        self.flush(sign=False)


def open_channel(*, funding_sat: int = 1_000_000, push_msat: int = 0,
                 commitment_type: CommitmentType = CommitmentType.ANCHORS,
                 features: Features = FEATURES, params_a: LocalParams | None = None,
                 params_b: LocalParams | None = None, announce: bool = False,
                 upfront_a: bytes | None = None, upfront_b: bytes | None = None,
                 lock_in: bool = True, zero_conf: bool = False,
                 feerate: int = FEERATE) -> Pair:
    """A opens a channel to B (A funds it); both cores are past channel_ready when
    `lock_in`."""
    params_a = params_a or LocalParams()
    params_b = params_b or LocalParams()
    a, b = Node("A", KEYS_A), Node("B", KEYS_B)
    core_a, out = BoltChannel.open_outbound(
        params=params_a, keys=KEYS_A, peer_id=PEER_B, chain_hash=CHAIN_HASH,
        temporary_channel_id=TEMP_ID, funding_sat=funding_sat, push_msat=push_msat,
        commitment_type=commitment_type, negotiated=features, feerate_per_kw=feerate,
        announce=announce, upfront_shutdown_script=upfront_a, current_height=HEIGHT,
        zero_conf=zero_conf, close_script=SCRIPT_A)
    a.core = core_a
    a.apply(out)
    open_msg = roundtrip(a.outbox.popleft())
    assert isinstance(open_msg, OpenChannel)
    core_b, out = BoltChannel.accept_inbound(
        open_msg, params=params_b, keys=KEYS_B, peer_id=PEER_A, chain_hash=CHAIN_HASH,
        negotiated=features, feerate_range=(253, 50_000), current_height=HEIGHT,
        upfront_shutdown_script=upfront_b, close_script=SCRIPT_B)
    assert core_b is not None, out.messages
    b.core = core_b
    b.apply(out)
    pair = Pair(a, b)
    pair.deliver(b)  # accept_channel
    needed = a.events_of(FundingNeeded)[-1]
    funding_tx = Transaction(
        version=2,
        inputs=(TxIn(OutPoint(hashlib.sha256(b"fake utxo").digest(), 0), b"", 0xFFFFFFFD),),
        outputs=(TxOut(needed.amount_sat, needed.script_pubkey),
                 TxOut(50_000, p2wpkh(pubkey_of(hashlib.sha256(b"change").digest())))),
        locktime=0)
    a.apply(a.c.funding_tx_ready(funding_tx.txid, 0, funding_tx))
    pair.deliver(a)  # funding_created
    pair.deliver(b)  # funding_signed
    assert a.c.state is Phase.AWAIT_LOCKIN and b.c.state is Phase.AWAIT_LOCKIN
    if lock_in:
        depth = max(a.c.minimum_depth, 1)
        scid = (HEIGHT + depth) << 40 | 1 << 16
        for n in (a, b):
            n.apply(n.c.funding_depth(depth, scid))
        pair.flush()
        assert a.c.state is Phase.NORMAL and b.c.state is Phase.NORMAL
    return pair


# -- verification with Bitcoin Core's script interpreter -----------------------------------

def funding_output(core: BoltChannel) -> TxOut:
    spk = core.funding_script_pubkey
    assert spk is not None
    return TxOut(core.funding_sat, spk)


def verify_commitment(core: BoltChannel) -> Transaction:
    """Our latest commitment transaction is fully signed and spends the funding output."""
    tx = core.latest_commitment_tx()
    assert tx is not None
    assert VERIFIER.verify(tx, [funding_output(core)]) is None
    return tx


def verify_htlc_txs(core: BoltChannel, preimages: dict[bytes, bytes]) -> int:
    """Every HTLC transaction of our latest commitment is valid with both signatures
    (HTLC-success with the preimage when we know it). Returns how many were checked."""
    commitment_tx = verify_commitment(core)
    checked = 0
    for htx, remote_sig, local_sig in core.latest_htlc_txs():
        preimage = None
        if htx.is_success:
            preimage = preimages.get(htx.payment_hash)
            if preimage is None:
                continue
        tx = htx.signed_tx(remote_sig, local_sig, preimage)
        spent = commitment_tx.outputs[htx.commitment_output_index]
        assert VERIFIER.verify(tx, [spent]) is None
        checked += 1
    return checked


def verify_broadcast(node: Node, core: BoltChannel) -> Transaction:
    """The last `Broadcast` event's transaction spends the funding output."""
    tx = node.events_of(Broadcast)[-1].tx
    assert VERIFIER.verify(tx, [funding_output(core)]) is None
    return tx


def balances(core: BoltChannel) -> tuple[int, int]:
    d = core.data
    return d.base_local_msat, d.base_remote_msat


def htlc_summary(core: BoltChannel, flip: bool = False) -> set[tuple[str, int, int, bytes]]:
    out = set()
    for h in core.data.htlcs.values():
        owner = h.owner if not flip else (Side.REMOTE if h.owner is Side.LOCAL else Side.LOCAL)
        out.add((owner.value, h.htlc_id, h.amount_msat, h.payment_hash))
    return out


def settled_ids(node: Node) -> list[int]:
    return [e.htlc_id for e in node.events_of(HtlcSettled)]


def failed_ids(node: Node) -> list[int]:
    return [e.htlc_id for e in node.events_of(HtlcFailed)]


def incoming(node: Node) -> list[int]:
    return [e.htlc.htlc_id for e in node.events_of(HtlcIncoming)]


def offered_id(result: OfferResult) -> int:
    assert isinstance(result, Offered), result
    return result.htlc_id


def test_harness_opens_a_channel() -> None:
    pair = open_channel()
    verify_commitment(pair.a.c)
    verify_commitment(pair.b.c)
    assert pair.a.c.channel_id == pair.b.c.channel_id != TEMP_ID
