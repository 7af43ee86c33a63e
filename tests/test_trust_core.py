"""Two trust channel cores back to back in memory, with explicit delivery: opening (accepted
and refused by policy), many locks both ways in random interleavings with balance
conservation and limits, collisions, deadlines, closing and settlement, proofs.

`Pair` is also the harness of tests/test_trust_crash.py."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import random
from collections import deque
from dataclasses import dataclass, field

import pytest

from amiko.channels.interface import (
    ONION_PACKET_SIZE,
    FailureReason,
    HtlcOffer,
    IncomingHtlc,
    Offered,
    RefusalReason,
    Refused,
)
from amiko.channels.trust.changes import AddHtlc
from amiko.channels.trust.channel_type import TrustPolicy, check_open
from amiko.channels.trust.core import TrustChannel
from amiko.channels.trust.data import Phase, decode_data
from amiko.channels.trust.messages import TrustAck, TrustRefuse, TrustSign, TrustUpdate
from amiko.channels.trust.outputs import (
    Disconnect,
    HtlcFailed,
    HtlcIncoming,
    HtlcSettled,
    NeedSettlementAddress,
    Outputs,
    PaySettlement,
    WatchSettlement,
)
from amiko.channels.trust.state import (
    SignedState,
    check_state,
    encode_state,
    state_digest,
    verify_trust_proof,
)
from amiko.crypto.keys import pubkey_of
from amiko.wire.messages import WarningMsg
from amiko.wire.registry import decode_message

CHAIN = bytes.fromhex("06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f")
ONION = bytes(ONION_PACKET_SIZE)


@dataclass
class Side:
    name: str
    secret: bytes
    core: TrustChannel | None = None
    stored: bytes | None = None  # the last durable state (what survives a kill -9)
    offers: dict[int, tuple[int, bytes]] = field(default_factory=dict)  # our lock id -> (msat, hash)
    settled: dict[int, bytes] = field(default_factory=dict)  # our locks the peer settled
    failed: set[int] = field(default_factory=set)
    lost: set[int] = field(default_factory=set)  # our locks a crash lost before they were stored
    incoming: dict[int, IncomingHtlc] = field(default_factory=dict)  # the peer's locks we saw
    decided: dict[int, str] = field(default_factory=dict)
    todo: list[int] = field(default_factory=list)  # incoming locks waiting for our decision
    signed: dict[int, bytes] = field(default_factory=dict)  # state number -> digest we signed
    stored_numbers: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    payments: list[tuple[str, int]] = field(default_factory=list)

    @property
    def node_id(self) -> bytes:
        return pubkey_of(self.secret)


class Pair:
    """Node A (the opener) and node B, wired back to back."""

    def __init__(self, rng: random.Random | None = None, *, a_limit: int = 10_000_000,
                 b_request: int = 6_000_000, b_accepts: int | None = 5_000_000) -> None:
        self.rng = rng or random.Random(1)
        self.a = Side("A", os.urandom(32))
        self.b = Side("B", os.urandom(32))
        self.wire: dict[str, deque[bytes]] = {"A": deque(), "B": deque()}
        self.connected = True
        self.preimages: dict[bytes, bytes] = {}
        self.policy = TrustPolicy({} if b_accepts is None else {self.a.node_id: b_accepts})
        core, out = TrustChannel.open_outbound(
            secret=self.a.secret, local_id=self.a.node_id, remote_id=self.b.node_id, chain_hash=CHAIN,
            nonce=os.urandom(32), limit_msat=a_limit, requested_msat=b_request)
        self.a.core = core
        self.run(self.a, out)
        self.deliver_open()

    def other(self, side: Side) -> Side:
        return self.b if side is self.a else self.a

    def deliver_open(self) -> None:
        msg = decode_message(self.wire["B"].popleft())
        assert check_open(msg, self.a.node_id, CHAIN) is None
        grant = self.policy.grant(self.a.node_id, msg.requested_msat)
        if grant is None:
            self.wire["A"].append(TrustRefuse(msg.channel_id, "no").encode())
            return
        core, out = TrustChannel.accept_inbound(msg, secret=self.b.secret, local_id=self.b.node_id,
                                                remote_id=self.a.node_id, grant_msat=grant)
        self.b.core = core
        self.run(self.b, out)

    # -- running outputs as the driver would

    def run(self, side: Side, out: Outputs) -> None:
        core = side.core
        assert core is not None
        if out.persist:
            side.stored = core.to_bytes()
            d = decode_data(side.stored)
            side.stored_numbers.append(-1 if d.current is None else d.current.state.number)
        durable = decode_data(side.stored) if side.stored is not None else None
        for msg in out.messages:
            if isinstance(msg, TrustSign | TrustAck):
                # A state is durable before the signature that commits to it leaves.
                assert durable is not None
                held = [s for s in (durable.current.state if durable.current else None,
                                    durable.pending.state if durable.pending else None) if s is not None]
                match = [s for s in held if s.number == msg.number]
                assert match, f"{side.name} signs state {msg.number} that is not stored"
                digest = state_digest(match[0])
                assert side.signed.setdefault(msg.number, digest) == digest, "two states signed with one number"
            if isinstance(msg, WarningMsg):
                side.warnings.append(msg.data.decode())
            if self.connected:
                self.wire[self.other(side).name].append(msg.encode())
        for event in out.events:
            self.event(side, event)

    def event(self, side: Side, event: object) -> None:
        core = side.core
        assert core is not None
        if isinstance(event, HtlcIncoming):
            h = event.htlc
            side.incoming.setdefault(h.htlc_id, h)
            if h.htlc_id not in side.decided:
                side.todo.append(h.htlc_id)
        elif isinstance(event, HtlcSettled):
            assert event.htlc_id not in side.failed
            assert side.settled.setdefault(event.htlc_id, event.preimage) == event.preimage
            core.delivered(event.seq)
        elif isinstance(event, HtlcFailed):
            assert event.htlc_id not in side.settled
            side.failed.add(event.htlc_id)
            core.delivered(event.seq)
        elif isinstance(event, Disconnect):
            self.disconnect()
        elif isinstance(event, NeedSettlementAddress):
            addr = f"addr-{side.name}-{len(side.addresses)}"
            side.addresses.append(addr)
            self.run(side, core.set_settlement_address(addr))
        elif isinstance(event, PaySettlement):
            side.payments.append((event.address, event.amount_sat))
            self.run(side, core.settlement_paid(hashlib.sha256(event.address.encode()).digest()))

    # -- actions

    def offer(self, side: Side, amount: int, cltv: int = 1000) -> Offered | Refused:
        preimage = os.urandom(32)
        h = hashlib.sha256(preimage).digest()
        self.preimages[h] = preimage
        assert side.core is not None
        result, out = side.core.offer_htlc(HtlcOffer(amount, h, cltv, ONION))
        self.run(side, out)
        if isinstance(result, Offered):
            assert result.htlc_id not in side.offers, "a lock id was used twice"
            side.offers[result.htlc_id] = (amount, h)
        return result

    def decide(self, side: Side, htlc_id: int) -> None:
        """Settle locks whose amount is even, fail odd ones (deterministic, so a decision
        lost in a crash is taken again the same way)."""
        assert side.core is not None
        h = side.incoming[htlc_id]
        if h.amount_msat % 2 == 0:
            side.decided[htlc_id] = "settle"
            self.run(side, side.core.settle_htlc(htlc_id, self.preimages[h.payment_hash]))
        else:
            side.decided[htlc_id] = "fail"
            self.run(side, side.core.fail_htlc(htlc_id, FailureReason(onion=b"\x11" * 292)))

    def deliver(self, side: Side) -> bool:
        if not self.wire[side.name]:
            return False
        data = self.wire[side.name].popleft()
        assert side.core is not None
        self.run(side, side.core.receive(decode_message(data)))
        return True

    def propose(self, side: Side) -> bool:
        assert side.core is not None
        out = side.core.propose()
        self.run(side, out)
        return bool(out)

    def disconnect(self) -> None:
        if not self.connected:
            return
        self.connected = False
        self.wire["A"].clear()
        self.wire["B"].clear()
        for s in (self.a, self.b):
            if s.core is not None:
                s.core.peer_disconnected()

    def connect(self) -> None:
        self.disconnect()
        self.connected = True
        for s in (self.a, self.b):
            assert s.core is not None
            self.run(s, s.core.peer_connected())

    def crash(self, side: Side) -> None:
        """kill -9: the side comes back from its last durable bytes."""
        self.disconnect()
        assert side.stored is not None and side.core is not None
        side.core = TrustChannel.from_bytes(side.stored, side.secret)
        side.todo = []
        side.decided = {}
        self.run(side, Outputs(persist=True))  # the driver's resume(): store the new id counter
        # the switch's resume(): a lock the channel does not hold was lost in the crash
        held = side.core.pending_outgoing()
        for htlc_id, (_amount, payment_hash) in side.offers.items():
            if htlc_id in side.settled or htlc_id in side.failed or htlc_id in side.lost:
                continue
            if htlc_id in held:
                assert held[htlc_id] == payment_hash
            else:
                side.lost.add(htlc_id)
        for event in side.core.undelivered():  # the driver's resume()
            self.event(side, event)
        for h in side.core.pending_incoming():  # the switch decides again after a restart
            side.incoming.setdefault(h.htlc_id, h)
            side.todo.append(h.htlc_id)

    def pump(self, limit: int = 100_000, *, decide: bool = True) -> None:
        """Deliver and propose until nothing moves (decisions included unless `decide` is
        False: then the locks wait in `todo`, as a switch holding them)."""
        for _ in range(limit):
            moved = False
            for s in (self.a, self.b):
                if s.core is None:
                    continue
                while decide and s.todo:
                    self.decide(s, s.todo.pop(0))
                    moved = True
                moved = self.deliver(s) or moved
                moved = self.propose(s) or moved
            if not moved:
                return
        raise AssertionError("no quiescence")

    # -- checks

    def check_agreement(self) -> SignedState:
        ca, cb = self.a.core, self.b.core
        assert ca is not None and cb is not None
        assert ca.current is not None and cb.current is not None
        assert encode_state(ca.current.state) == encode_state(cb.current.state)
        assert ca.current.verify() and cb.current.verify()
        assert ca.current == cb.current
        check_state(ca.current.state)
        return ca.current

    def check_conservation(self) -> None:
        """All locks resolved: each balance is what the peer's settled locks paid us."""
        cur = self.check_agreement()
        s = cur.state
        assert not s.htlcs
        a, b = self.a, self.b
        a_paid = sum(a.offers[i][0] for i in a.settled)
        b_paid = sum(b.offers[i][0] for i in b.settled)
        assert a.core is not None
        assert s.balance(a.core.we) == b_paid - a_paid
        assert s.balance(a.core.they) == a_paid - b_paid
        for side in (a, b):
            peer = self.other(side)
            # every lock the peer saw came back to us as settled or failed, never both
            for htlc_id in peer.incoming:
                assert (htlc_id in side.settled) != (htlc_id in side.failed)
                assert htlc_id not in side.lost  # what the switch failed back never arrived
            # and every lock was resolved, or lost before anyone saw it
            assert set(side.offers) == set(side.settled) | set(side.failed) | side.lost
            assert side.core is not None and not side.core.pending_outgoing()
            # settled exactly when the receiver decided so (even amounts)
            for htlc_id in side.settled:
                assert side.offers[htlc_id][0] % 2 == 0
            for htlc_id in side.failed:
                assert side.offers[htlc_id][0] % 2 == 1


def opened(rng: random.Random | None = None, **kw: int) -> Pair:
    pair = Pair(rng, **kw)
    pair.pump()
    assert pair.a.core is not None and pair.b.core is not None
    assert pair.a.core.phase is Phase.NORMAL and pair.b.core.phase is Phase.NORMAL
    return pair


# -- opening ---------------------------------------------------------------------------------

def test_open_accepted_by_policy_gives_co_signed_state_zero():
    pair = opened(a_limit=10_000_000, b_request=6_000_000, b_accepts=5_000_000)
    cur = pair.check_agreement()
    assert cur.state.number == 0
    a, b = pair.a.core, pair.b.core
    assert a is not None and b is not None
    # A extends 10 000 000 to B; B extends min(asked 6 000 000, policy 5 000 000) back
    assert cur.state.limit(a.we) == 10_000_000 and cur.state.limit(b.we) == 5_000_000
    assert a.status().can_send_msat == 5_000_000 and a.status().can_receive_msat == 10_000_000
    assert b.status().can_send_msat == 10_000_000
    assert a.status().capacity_msat == 15_000_000
    assert a.status().type_name == "trust" and a.status().usable
    assert a.status().short_channel_id == b.status().short_channel_id
    assert a.status().short_channel_id >> 40 >= 1 << 23  # alias range, above any real block
    assert a.status_extra()["limit_msat"] == 10_000_000
    assert a.status_extra()["peer_limit_msat"] == 5_000_000


def test_open_refused_by_default_policy():
    pair = Pair(b_accepts=None)
    pair.pump()
    assert pair.b.core is None
    assert pair.a.core is not None and pair.a.core.phase is Phase.REFUSED
    assert pair.a.core.status().state.value == "closed"


def test_open_with_forged_channel_id_is_refused():
    pair = Pair()
    a = pair.a.core
    assert a is not None
    from amiko.channels.trust.messages import TrustOpen

    forged = TrustOpen(b"\x00" * 32, CHAIN, b"\x01" * 32, 1, 1)
    assert check_open(forged, pair.a.node_id, CHAIN) is not None
    assert check_open(forged.__class__(a.channel_id, b"\x00" * 32, a.data.nonce, 1, 1),
                      pair.a.node_id, CHAIN) == "unknown chain"


# -- locks -----------------------------------------------------------------------------------

def test_payments_both_ways_within_limits():
    pair = opened()
    assert isinstance(pair.offer(pair.a, 2_000_000), Offered)
    assert isinstance(pair.offer(pair.b, 4_000_000), Offered)
    pair.pump()
    pair.check_conservation()
    a = pair.a.core
    assert a is not None
    assert a.status().local_msat == 2_000_000  # B paid 4 000 000, A paid 2 000 000
    # A may now send up to B's credit (5 000 000) plus what B owes it (2 000 000)
    assert a.status().can_send_msat == 7_000_000
    refused = pair.offer(pair.a, 7_000_001)
    assert isinstance(refused, Refused) and refused.reason is RefusalReason.INSUFFICIENT_BALANCE
    assert isinstance(pair.offer(pair.a, 7_000_000), Offered)
    pair.pump()
    assert a.status().local_msat == -5_000_000 and a.status().can_send_msat == 0


def test_limit_counts_locks_in_flight():
    pair = opened()
    assert isinstance(pair.offer(pair.a, 3_000_000), Offered)
    assert isinstance(pair.offer(pair.a, 2_000_000), Offered)
    r = pair.offer(pair.a, 2)
    assert isinstance(r, Refused) and r.reason is RefusalReason.INSUFFICIENT_BALANCE
    assert isinstance(pair.offer(pair.b, 1), Offered)


def test_offer_refusals_change_nothing():
    pair = opened()
    b = pair.b.core
    assert b is not None
    before = b.to_bytes()
    for offer, reason in [
        (HtlcOffer(0, b"\x00" * 32, 100, ONION), RefusalReason.AMOUNT_BELOW_MINIMUM),
        (HtlcOffer(10, b"\x00" * 31, 100, ONION), RefusalReason.CHANNEL_NOT_USABLE),
        (HtlcOffer(10, b"\x00" * 32, 100, b"x"), RefusalReason.CHANNEL_NOT_USABLE),
        (HtlcOffer(10**19, b"\x00" * 32, 100, ONION), RefusalReason.INSUFFICIENT_BALANCE),
        (HtlcOffer(10, b"\x00" * 32, 1 << 40, ONION), RefusalReason.EXPIRY_TOO_FAR),
    ]:
        result, out = b.offer_htlc(offer)
        assert isinstance(result, Refused) and result.reason is reason
        assert not out
    assert b.to_bytes() == before
    pair.disconnect()
    r, _ = b.offer_htlc(HtlcOffer(10, b"\x00" * 32, 100, ONION))
    assert isinstance(r, Refused) and r.reason is RefusalReason.CHANNEL_NOT_USABLE


@pytest.mark.parametrize("seed", range(12))
def test_random_interleavings_conserve_balances(seed):
    rng = random.Random(seed)
    pair = opened(rng, a_limit=rng.randrange(0, 50_000_000), b_request=rng.randrange(0, 50_000_000),
                  b_accepts=rng.randrange(0, 50_000_000))
    for _ in range(600):
        x = rng.random()
        side = pair.a if rng.random() < 0.5 else pair.b
        if x < 0.3:
            pair.offer(side, rng.randrange(1, 8_000_000))
        elif x < 0.45 and side.todo:
            pair.decide(side, side.todo.pop(rng.randrange(len(side.todo))))
        elif x < 0.8:
            pair.deliver(side)
        elif x < 0.97:
            pair.propose(side)
        else:
            pair.connect()  # drop the connection (in-flight messages are lost) and reconnect
        for s in (pair.a, pair.b):
            assert s.core is not None
            if s.core.current is not None:
                check_state(s.core.current.state)
    pair.connect()
    pair.pump()
    pair.check_conservation()
    assert not pair.a.warnings and not pair.b.warnings


def test_simultaneous_proposals_one_goes_first():
    pair = opened()
    pair.offer(pair.a, 1000)
    pair.offer(pair.b, 2000)
    assert pair.propose(pair.a) and pair.propose(pair.b)  # both propose on state 0
    pair.pump()
    pair.check_conservation()
    a = pair.a.core
    assert a is not None and a.current is not None
    assert a.current.state.number == 4  # two adds, then two settles... in four rounds at most
    assert not pair.a.warnings and not pair.b.warnings


def test_peer_update_beyond_our_limit_is_refused_and_changes_nothing():
    pair = opened()
    a, b = pair.a.core, pair.b.core
    assert a is not None and b is not None and b.current is not None
    before = b.to_bytes()
    # A (extended 5 000 000 by B) proposes a lock of 5 000 001: B must not sign it
    bad = TrustUpdate(b.channel_id, 0, (AddHtlc(0, 5_000_001, b"\x00" * 32, 500, ONION),))
    out = b.receive(bad)
    assert not out.persist
    assert not any(isinstance(m, TrustSign) for m in out.messages)
    assert any(isinstance(m, WarningMsg) for m in out.messages)
    assert any(isinstance(e, Disconnect) for e in out.events)
    assert b.to_bytes() == before
    # a settle with a wrong preimage, and an update on a future state, likewise
    for msg in (TrustUpdate(b.channel_id, 7, (AddHtlc(0, 1, b"\x00" * 32, 500, ONION),)),
                TrustUpdate(b.channel_id, 0, ())):
        out = b.receive(msg)
        assert not out.persist and b.to_bytes() == before


def test_forged_signature_is_refused():
    pair = opened()
    pair.offer(pair.a, 1000)
    pair.propose(pair.a)
    pair.deliver(pair.b)  # B signs: a trust_sign is on its way to A
    data = pair.wire["A"].popleft()
    msg = decode_message(data)
    assert isinstance(msg, TrustSign)
    a = pair.a.core
    assert a is not None
    before = a.to_bytes()
    out = a.receive(TrustSign(msg.channel_id, msg.number, bytes(63) + b"\x01"))
    assert not out.persist and a.to_bytes() == before
    pair.run(pair.a, a.receive(msg))
    pair.pump()
    pair.check_conservation()


# -- deadlines ---------------------------------------------------------------------------------

def test_expired_lock_is_taken_back_by_agreement():
    pair = opened()
    a, b = pair.a.core, pair.b.core
    assert a is not None and b is not None
    r = pair.offer(pair.a, 1000, cltv=150)
    assert isinstance(r, Offered)
    pair.pump(decide=False)  # B's switch holds the lock (never decides)
    assert a.current is not None and len(a.current.state.htlcs) == 1
    b.block_height(100)
    pair.run(pair.a, a.block_height(150))
    pair.pump(decide=False)
    # B's tip (100) is too far below the deadline: it refuses to sign the expiry
    assert pair.b.warnings and len(a.current.state.htlcs) == 1
    b.block_height(148)  # within the tolerance of a few blocks
    pair.connect()
    pair.pump(decide=False)
    assert a.current.state.htlcs == ()
    assert r.htlc_id in pair.a.failed
    assert a.current.state.balance(a.we) == 0
    # B's switch deciding late changes nothing
    pair.run(pair.b, b.settle_htlc(r.htlc_id, pair.preimages[pair.a.offers[r.htlc_id][1]]))
    assert not pair.propose(pair.b)


def test_offer_past_deadline_is_refused():
    pair = opened()
    a = pair.a.core
    assert a is not None
    a.block_height(500)
    r = pair.offer(pair.a, 10, cltv=500)
    assert isinstance(r, Refused) and r.reason is RefusalReason.EXPIRY_TOO_SOON


# -- proofs ------------------------------------------------------------------------------------

def test_trust_proof_verifies_and_tampering_fails():
    pair = opened()
    pair.offer(pair.a, 4000)
    pair.offer(pair.b, 1000)
    pair.pump()
    pair.offer(pair.b, 7)  # pending in the proof
    pair.pump(decide=False)
    cur = pair.check_agreement()
    proof = cur.to_proof()
    text = json.dumps(proof)
    assert verify_trust_proof(text) and verify_trust_proof(proof) and verify_trust_proof(text.encode())
    assert len(proof["htlcs"]) == 1
    # tamper with a readable field, with the signed bytes, with a signature
    for key, value in [("balance_1_msat", proof["balance_1_msat"] + 1), ("state_number", 99),
                       ("final", True)]:
        bad = copy.deepcopy(proof)
        bad[key] = value
        assert not verify_trust_proof(bad)
    raw = bytearray(bytes.fromhex(proof["state"]))
    raw[200] ^= 1
    bad = dict(proof, state=raw.hex())
    assert not verify_trust_proof(bad)
    sig = bytearray(bytes.fromhex(proof["signature_2"]))
    sig[5] ^= 1
    assert not verify_trust_proof(dict(proof, signature_2=sig.hex()))
    assert not verify_trust_proof(dict(proof, signature_1=None))
    # the signature of one state does not carry over to the next
    a = pair.a.core
    assert a is not None
    older = SignedState(cur.state, cur.sig_1, cur.sig_2).to_proof()
    assert verify_trust_proof(older)
    for junk in ("", "{}", "[]", "null", '{"format": "amiko-trust-proof", "version": 1, "state": "zz"}', b"\xff"):
        assert not verify_trust_proof(junk)


# -- closing and settlement --------------------------------------------------------------------

def test_close_and_settle_on_chain():
    pair = opened()
    pair.offer(pair.a, 3_000_000)  # A comes to owe B 3 000 000 msat
    pair.pump()
    a, b = pair.a.core, pair.b.core
    assert a is not None and b is not None
    pair.run(pair.a, a.close(settle_onchain=True))
    r = pair.offer(pair.a, 2)
    assert isinstance(r, Refused)  # closing: no new locks
    pair.pump()
    assert a.current is not None and a.current.state.final
    pair.check_agreement()
    # B (creditor) named an address; A (debtor) paid 3000 sat there; both wait for it
    assert pair.b.addresses and pair.a.payments == [(pair.b.addresses[0], 3000)]
    assert a.phase is Phase.FINAL and b.phase is Phase.FINAL
    watched_a, watched_b = a.watched_settlement(), b.watched_settlement()
    assert watched_a is not None and watched_b is not None and watched_a.txid == watched_b.txid
    assert isinstance(watched_b, WatchSettlement)
    pair.run(pair.a, a.settlement_confirmed(watched_a.txid))
    pair.run(pair.b, b.settlement_confirmed(watched_b.txid))
    assert a.phase is Phase.CLOSED and b.phase is Phase.CLOSED
    # nothing moves after the final state
    assert isinstance(pair.offer(pair.b, 1), Refused)
    assert verify_trust_proof(b.current.to_proof() if b.current else {})


def test_close_keeping_the_final_state_and_zero_balance_close():
    pair = opened()
    pair.offer(pair.b, 1_000_000)
    pair.pump()
    a, b = pair.a.core, pair.b.core
    assert a is not None and b is not None
    pair.run(pair.b, b.close())
    pair.pump()
    assert a.phase is Phase.FINAL and b.phase is Phase.FINAL
    pair.run(pair.b, b.close(keep=True))  # B owes: it keeps the signed state instead of paying
    pair.run(pair.a, a.close(keep=True))
    pair.pump()
    assert a.phase is Phase.CLOSED and b.phase is Phase.CLOSED
    assert not pair.b.payments
    # zero balance: closed as soon as both hold the final state
    pair2 = opened()
    assert pair2.a.core is not None and pair2.b.core is not None
    pair2.run(pair2.a, pair2.a.core.close())
    pair2.pump()
    assert pair2.a.core.phase is Phase.CLOSED and pair2.b.core.phase is Phase.CLOSED


def test_close_waits_for_locks_and_peer_changes_go_first():
    pair = opened()
    a, b = pair.a.core, pair.b.core
    assert a is not None and b is not None
    pair.offer(pair.b, 2000)
    pair.pump(decide=False)  # A holds B's lock undecided
    pair.run(pair.a, a.close())
    pair.pump(decide=False)
    assert a.phase is Phase.CLOSING  # a lock is pending: no final state yet
    pair.offer(pair.b, 4000)  # B does not know; its lock is signed and resolved first
    pair.propose(pair.b)
    pair.run(pair.a, a.propose())  # nothing to propose while B's lock is pending
    pair.pump(decide=False)
    assert a.phase is Phase.CLOSING and len(pair.a.todo) == 2
    pair.pump()
    assert a.phase is Phase.FINAL and b.phase is Phase.FINAL
    pair.check_conservation()
