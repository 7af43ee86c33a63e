"""A trust channel's phases (with their transition table) and the data the core keeps.

    opener:   OPEN_SENT --trust_accept--> NORMAL        (--trust_refuse--> REFUSED)
    acceptor: ACCEPT_SENT --trust_ack(0)--> NORMAL
    NORMAL --closetrust--> CLOSING --final state co-signed--> FINAL --settled/kept--> CLOSED
    NORMAL --the peer's close co-signed--> FINAL
    any open phase --error, or lost state--> FAILED

The stored form (`encode_data` / `decode_data`) is versioned JSON; states are kept in their
canonical signed bytes and change lists in their wire encoding, so what is stored is
exactly what was signed.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Any

from amiko.channels.interface import ChannelState
from amiko.channels.trust.changes import Change, decode_changes, encode_changes
from amiko.channels.trust.state import SignedState, TrustState, decode_state, encode_state

__all__ = [
    "ID_GAP_ON_RESTORE",
    "PHASE_TRANSITIONS",
    "IllegalPhaseTransition",
    "Pending",
    "Phase",
    "SerializeError",
    "Settlement",
    "TrustData",
    "decode_data",
    "encode_data",
]

FORMAT = "amiko-trust-channel"
VERSION = 1
# Lock ids handed out but not yet stored are lost in a crash; the switch may have recorded
# them. After a restart new ids start this far above the stored counter, so no id is ever
# used twice (ids only have to increase).
ID_GAP_ON_RESTORE = 1 << 20


class Phase(enum.Enum):
    OPEN_SENT = "open_sent"  # opener: trust_open sent, waiting for trust_accept
    ACCEPT_SENT = "accept_sent"  # acceptor: state 0 signed, waiting for trust_ack
    NORMAL = "normal"
    CLOSING = "closing"  # closetrust: no new locks; the final state is proposed when clear
    FINAL = "final"  # the final state is co-signed; settlement may be pending
    CLOSED = "closed"
    REFUSED = "refused"  # the peer refused the open
    FAILED = "failed"  # an error, or we lost state: the latest co-signed state is kept

    @property
    def coarse(self) -> ChannelState:
        return _COARSE[self]


_COARSE = {
    Phase.OPEN_SENT: ChannelState.OPENING,
    Phase.ACCEPT_SENT: ChannelState.OPENING,
    Phase.NORMAL: ChannelState.NORMAL,
    Phase.CLOSING: ChannelState.SHUTTING_DOWN,
    Phase.FINAL: ChannelState.CLOSING,
    Phase.CLOSED: ChannelState.CLOSED,
    Phase.REFUSED: ChannelState.CLOSED,
    Phase.FAILED: ChannelState.FAILED,
}

P = Phase
PHASE_TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    P.OPEN_SENT: frozenset((P.NORMAL, P.REFUSED, P.CLOSED, P.FAILED)),
    P.ACCEPT_SENT: frozenset((P.NORMAL, P.CLOSED, P.FAILED)),
    P.NORMAL: frozenset((P.CLOSING, P.FINAL, P.FAILED)),
    P.CLOSING: frozenset((P.FINAL, P.FAILED)),
    P.FINAL: frozenset((P.CLOSED, P.FAILED)),
    P.CLOSED: frozenset(),
    P.REFUSED: frozenset(),
    P.FAILED: frozenset(),
}


class IllegalPhaseTransition(RuntimeError):
    pass


@dataclass
class Pending:
    """The proposal in flight. `ours`: we proposed `changes` (nobody signed yet). Not ours:
    the peer proposed them and we signed `state` (`our_sig`), waiting for its trust_ack."""

    ours: bool
    changes: tuple[Change, ...]
    state: TrustState
    our_sig: bytes | None = None


@dataclass
class Settlement:
    """What happens to the final balance. `amount_sat`: the debt rounded up to whole sat."""

    creditor: bool  # we are owed
    amount_sat: int
    address: str | None = None  # the creditor's address for an on-chain payment
    address_sent: bool = False
    pay_requested: bool = False  # debtor: pay on chain once the address is known
    pay_attempted: bool = False  # durable before the wallet is asked to pay
    txid: bytes | None = None
    confirmed: bool = False
    keep: bool = False  # end with the final co-signed state, no on-chain payment


@dataclass
class TrustData:
    chain_hash: bytes
    channel_id: bytes
    local_id: bytes
    remote_id: bytes
    opener: bool
    phase: Phase
    nonce: bytes = b""  # opener: channel_id = SHA256(our id || nonce)
    offered_limit: int = 0  # the credit we extend to the peer
    requested_limit: int = 0  # opener: the credit we asked for
    current: SignedState | None = None  # the latest state both signed
    pending: Pending | None = None
    queue: list[Change] = field(default_factory=list)  # our changes not yet proposed
    next_offer_id: int = 0
    onions: dict[int, bytes] = field(default_factory=dict)  # the peer's locks' onions
    # resolutions of our locks not yet handed to the listener: (seq, change, payment hash)
    outbox: list[tuple[int, Change, bytes]] = field(default_factory=list)
    next_seq: int = 0
    close_requested: bool = False
    settle_onchain: bool = False
    peer_has_final: bool = False
    settlement: Settlement | None = None
    height: int = 0
    failure: str = ""


class SerializeError(ValueError):
    """Stored channel bytes that do not decode."""


def _signed_json(s: SignedState | None) -> Any:
    if s is None:
        return None
    return {"state": encode_state(s.state).hex(),
            "sig_1": None if s.sig_1 is None else s.sig_1.hex(),
            "sig_2": None if s.sig_2 is None else s.sig_2.hex()}


def _opt_hex(v: Any) -> bytes | None:
    return None if v is None else bytes.fromhex(v)


def _change(c: Change) -> str:
    return encode_changes([c]).hex()


def encode_data(d: TrustData) -> bytes:
    p = d.pending
    s = d.settlement
    body = {
        "chain_hash": d.chain_hash.hex(), "channel_id": d.channel_id.hex(), "local_id": d.local_id.hex(),
        "remote_id": d.remote_id.hex(), "opener": d.opener, "phase": d.phase.value, "nonce": d.nonce.hex(),
        "offered_limit": d.offered_limit, "requested_limit": d.requested_limit,
        "current": _signed_json(d.current),
        "pending": None if p is None else {
            "ours": p.ours, "changes": encode_changes(p.changes).hex(),
            "state": encode_state(p.state).hex(), "our_sig": None if p.our_sig is None else p.our_sig.hex()},
        "queue": encode_changes(d.queue).hex(),
        "next_offer_id": d.next_offer_id,
        "onions": [[k, v.hex()] for k, v in sorted(d.onions.items())],
        "outbox": [[seq, _change(c), h.hex()] for seq, c, h in d.outbox],
        "next_seq": d.next_seq, "close_requested": d.close_requested, "settle_onchain": d.settle_onchain,
        "peer_has_final": d.peer_has_final,
        "settlement": None if s is None else {
            "creditor": s.creditor, "amount_sat": s.amount_sat, "address": s.address,
            "address_sent": s.address_sent, "pay_requested": s.pay_requested,
            "pay_attempted": s.pay_attempted, "txid": None if s.txid is None else s.txid.hex(),
            "confirmed": s.confirmed, "keep": s.keep},
        "height": d.height, "failure": d.failure,
    }
    doc = {"format": FORMAT, "version": VERSION, "data": body}
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def _int(v: Any) -> int:
    if not isinstance(v, int) or isinstance(v, bool):
        raise SerializeError(f"expected an integer, got {v!r}")
    return v


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise SerializeError(f"expected a boolean, got {v!r}")
    return v


def _signed(v: Any) -> SignedState | None:
    if v is None:
        return None
    return SignedState(decode_state(bytes.fromhex(v["state"])), _opt_hex(v["sig_1"]), _opt_hex(v["sig_2"]))


def decode_data(raw: bytes) -> TrustData:
    try:
        doc = json.loads(raw)
        if doc.get("format") != FORMAT:
            raise SerializeError("not a stored trust channel")
        if doc.get("version") != VERSION:
            raise SerializeError(f"stored trust channel version {doc.get('version')} is not {VERSION}")
        b = doc["data"]
        p = b["pending"]
        s = b["settlement"]
        return TrustData(
            chain_hash=bytes.fromhex(b["chain_hash"]), channel_id=bytes.fromhex(b["channel_id"]),
            local_id=bytes.fromhex(b["local_id"]), remote_id=bytes.fromhex(b["remote_id"]),
            opener=_bool(b["opener"]), phase=Phase(b["phase"]), nonce=bytes.fromhex(b["nonce"]),
            offered_limit=_int(b["offered_limit"]), requested_limit=_int(b["requested_limit"]),
            current=_signed(b["current"]),
            pending=None if p is None else Pending(
                _bool(p["ours"]), decode_changes(bytes.fromhex(p["changes"])),
                decode_state(bytes.fromhex(p["state"])), _opt_hex(p["our_sig"])),
            queue=list(decode_changes(bytes.fromhex(b["queue"]))),
            next_offer_id=_int(b["next_offer_id"]),
            onions={_int(k): bytes.fromhex(v) for k, v in b["onions"]},
            outbox=[(_int(seq), decode_changes(bytes.fromhex(c))[0], bytes.fromhex(h))
                    for seq, c, h in b["outbox"]],
            next_seq=_int(b["next_seq"]), close_requested=_bool(b["close_requested"]),
            settle_onchain=_bool(b["settle_onchain"]), peer_has_final=_bool(b["peer_has_final"]),
            settlement=None if s is None else Settlement(
                _bool(s["creditor"]), _int(s["amount_sat"]), s["address"], _bool(s["address_sent"]),
                _bool(s["pay_requested"]), _bool(s["pay_attempted"]), _opt_hex(s["txid"]),
                _bool(s["confirmed"]), _bool(s["keep"])),
            height=_int(b["height"]), failure=str(b["failure"]),
        )
    except SerializeError:
        raise
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise SerializeError(f"corrupt trust channel state: {exc}") from exc
