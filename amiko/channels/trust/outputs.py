"""What the trust channel core returns from every input: messages, a persist flag, events.

The same shape as the Lightning channel's (`amiko/channels/bolt/outputs.py`). The driver,
in this order:

1. if `persist`: writes `core.to_bytes()` durably (a `trust_sign` or `trust_ack` leaves only
   once the state it commits to is on disk);
2. sends `messages` to the peer, in order;
3. handles `events` in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from amiko.channels.interface import FailureReason, IncomingHtlc
from amiko.channels.outputs import CoreOutputs
from amiko.channels.trust.changes import Change, ExpireHtlc, FailHtlc, FailMalformedHtlc, SettleHtlc

__all__ = [
    "ChannelFailed",
    "Disconnect",
    "Event",
    "HtlcFailed",
    "HtlcIncoming",
    "HtlcSettled",
    "NeedSettlementAddress",
    "Outputs",
    "PaySettlement",
    "PhaseChanged",
    "WatchSettlement",
    "resolution_event",
]

# Reported for our own lock taken back after its deadline: a failure packet no hop
# authenticates, which the origin attributes to the next hop (the peer that let it expire).
EXPIRED_FAILURE = FailureReason(onion=bytes(292))


@dataclass(frozen=True, slots=True)
class HtlcIncoming:
    """The peer's lock is in a state both signed: the switch decides about it."""

    htlc: IncomingHtlc


@dataclass(frozen=True, slots=True)
class HtlcSettled:
    """The peer settled our lock `htlc_id` (emitted as soon as its proposal is checked and
    our signature of it is durable). `seq` numbers it in the core's outbox: the driver
    calls `core.delivered(seq)` once the listener has it (replayed after a crash)."""

    htlc_id: int
    preimage: bytes
    seq: int


@dataclass(frozen=True, slots=True)
class HtlcFailed:
    """Our lock `htlc_id` is rolled back in a state both signed."""

    htlc_id: int
    reason: FailureReason
    seq: int


@dataclass(frozen=True, slots=True)
class PhaseChanged:
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class NeedSettlementAddress:
    """We are owed money after the final state: call `core.set_settlement_address(addr)`
    with a fresh wallet address for the debtor's on-chain payment."""


@dataclass(frozen=True, slots=True)
class PaySettlement:
    """We owe money after the final state and were asked to pay on chain: pay
    `amount_sat` to `address`, then call `core.settlement_paid(txid)`. The attempt is
    durable before this event: after a crash it is never repeated by itself."""

    address: str
    amount_sat: int


@dataclass(frozen=True, slots=True)
class WatchSettlement:
    """Follow `txid` until it has enough confirmations (paying `amount_sat` to `address`),
    then call `core.settlement_confirmed(txid)`."""

    txid: bytes
    address: str
    amount_sat: int


@dataclass(frozen=True, slots=True)
class Disconnect:
    reason: str


@dataclass(frozen=True, slots=True)
class ChannelFailed:
    reason: str


Event = (HtlcIncoming | HtlcSettled | HtlcFailed | PhaseChanged | NeedSettlementAddress
         | PaySettlement | WatchSettlement | Disconnect | ChannelFailed)


class Outputs(CoreOutputs[Event]):
    """What one input produced (see amiko/channels/outputs.py)."""

    __slots__ = ()


def resolution_event(seq: int, c: Change) -> HtlcSettled | HtlcFailed:
    """The listener's event for a resolution of our lock kept in the outbox."""
    if isinstance(c, SettleHtlc):
        return HtlcSettled(c.htlc_id, c.preimage, seq)
    if isinstance(c, FailHtlc):
        return HtlcFailed(c.htlc_id, FailureReason(onion=c.reason), seq)
    if isinstance(c, FailMalformedHtlc):
        return HtlcFailed(c.htlc_id, FailureReason(failure_code=c.failure_code,
                                                   sha256_of_onion=c.sha256_of_onion), seq)
    if isinstance(c, ExpireHtlc):
        return HtlcFailed(c.htlc_id, EXPIRED_FAILURE, seq)
    raise ValueError(f"not a resolution: {c!r}")
