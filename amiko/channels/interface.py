"""The channel-type interface: what every channel offers the layers above it.

Amiko Pay's idea: routing and payments know nothing of how a channel works inside. A
channel of any type (the Lightning channel of BOLT 2/3, the trust channel, ...) can:

- lock an amount under a payment hash with a deadline (`offer_htlc`),
- settle a lock the peer offered with the preimage (`settle_htlc`),
- roll a lock the peer offered back (`fail_htlc`, `fail_malformed_htlc`),

and reports, through a `ChannelListener`, what the peer did with the locks:

- `htlc_arriving`: the peer proposed a lock, not committed yet (a hint: a type may send
  it or not; it lets the layer above prepare its decision, e.g. peel the onion),
- `htlc_incoming`: the peer's lock is irrevocably committed; decide what to do with it,
- `htlc_settled`: the peer settled our lock (the preimage is known from this moment),
- `htlc_failed`: our lock is irrevocably rolled back (safe to roll back upstream).

Deadlines are block heights (`cltv_expiry`), for every type: a channel without a
blockchain still follows the node's chain tip as its clock.

Nothing in this file is specific to any channel type, and nothing above the channel
layer may look further into a channel than this.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

ONION_PACKET_SIZE = 1366  # BOLT #4: version (1) + public key (33) + hop payloads (1300) + hmac (32)


@dataclass(frozen=True, slots=True)
class HtlcOffer:
    """A lock to place on a channel: pay `amount_msat` against `payment_hash`, to be
    settled or rolled back before block `cltv_expiry`; `onion` tells the next node what
    to do with it."""

    amount_msat: int
    payment_hash: bytes
    cltv_expiry: int
    onion: bytes


class RefusalReason(enum.Enum):
    """Why a channel refused to place a lock (the switch maps these to BOLT 4 failures)."""

    CHANNEL_NOT_USABLE = "channel_not_usable"  # not open, peer offline, closing
    AMOUNT_BELOW_MINIMUM = "amount_below_minimum"  # below the peer's htlc_minimum_msat
    INSUFFICIENT_BALANCE = "insufficient_balance"  # would break our reserve or fees
    TOO_MANY_HTLCS = "too_many_htlcs"  # the peer's max_accepted_htlcs
    IN_FLIGHT_LIMIT = "in_flight_limit"  # the peer's max_htlc_value_in_flight_msat
    DUST_EXPOSURE = "dust_exposure"  # our limit of value in trimmed HTLCs
    EXPIRY_TOO_SOON = "expiry_too_soon"
    EXPIRY_TOO_FAR = "expiry_too_far"


@dataclass(frozen=True, slots=True)
class Refused:
    reason: RefusalReason
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Offered:
    """The lock is placed (pending until the peer commits it); `htlc_id` names it."""

    htlc_id: int


OfferResult = Offered | Refused


@dataclass(frozen=True, slots=True)
class FailureReason:
    """How a lock was rolled back: either an encrypted BOLT 4 failure onion (`onion`),
    or a malformed-onion report (`failure_code` with BADONION and `sha256_of_onion`)."""

    onion: bytes | None = None
    failure_code: int | None = None
    sha256_of_onion: bytes | None = None
    local: bytes | None = None  # a failure message of this node's own (e.g. resolved on chain)


@dataclass(frozen=True, slots=True)
class IncomingHtlc:
    channel_id: bytes
    htlc_id: int
    amount_msat: int
    payment_hash: bytes
    cltv_expiry: int
    onion: bytes


class ChannelState(enum.Enum):
    """The coarse state every type maps its own states to, for views and routing."""

    OPENING = "opening"  # negotiating, or waiting for funding to confirm
    NORMAL = "normal"  # usable for payments
    SHUTTING_DOWN = "shutting_down"  # no new locks; pending ones resolve
    CLOSING = "closing"  # closing transaction negotiated or broadcast
    CLOSED = "closed"
    FAILED = "failed"  # unusable after an error; funds being recovered


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    """A snapshot for routing decisions and `listchannels`."""

    channel_id: bytes
    peer_id: bytes
    type_name: str
    state: ChannelState
    short_channel_id: int | None
    capacity_msat: int | None  # None: unbounded or unknown (e.g. a credit line both ways)
    local_msat: int  # our balance, not counting locks in flight
    remote_msat: int
    can_send_msat: int  # the largest single lock we could place now
    can_receive_msat: int
    htlc_minimum_msat: int  # the smallest lock the peer accepts
    htlcs_in_flight: int
    peer_connected: bool

    @property
    def usable(self) -> bool:
        return self.state is ChannelState.NORMAL and self.peer_connected


class Channel(Protocol):
    """One channel of any type, as the switch and the payer use it."""

    @property
    def channel_id(self) -> bytes: ...

    @property
    def peer_id(self) -> bytes: ...

    def status(self) -> ChannelStatus: ...

    def offer_htlc(self, offer: HtlcOffer) -> OfferResult:
        """Place a lock towards the peer. Never raises for a lock the channel cannot
        carry: returns `Refused` and changes nothing."""
        ...

    def settle_htlc(self, htlc_id: int, preimage: bytes) -> None:
        """Settle the peer's lock `htlc_id` with its preimage (idempotent)."""
        ...

    def fail_htlc(self, htlc_id: int, reason: FailureReason) -> None:
        """Roll back the peer's lock `htlc_id` (idempotent)."""
        ...

    def pending_outgoing(self) -> dict[int, bytes]:
        """Our locks that still exist (proposed, committed or being removed): id -> payment
        hash. After a restart, a lock we recorded but the channel does not hold was never
        committed, and will not resolve by itself."""
        ...

    def pending_incoming(self) -> list[IncomingHtlc]:
        """The peer's locks that are irrevocably committed and that we have neither settled
        nor rolled back (after a restart, the switch decides about them again)."""
        ...


class ChannelListener(Protocol):
    """What a channel reports upward (the switch implements it)."""

    def htlc_arriving(self, channel: Channel, htlc: IncomingHtlc) -> None:
        """The peer proposed this lock; it is not committed and may still vanish (a
        disconnection forgets it), so nothing may be done with it: only work that prepares
        the decision `htlc_incoming` will take."""
        ...

    def htlc_incoming(self, channel: Channel, htlc: IncomingHtlc) -> None: ...

    def htlc_settled(self, channel: Channel, htlc_id: int, preimage: bytes) -> None: ...

    def htlc_failed(self, channel: Channel, htlc_id: int, reason: FailureReason) -> None: ...

    def channel_changed(self, channel: Channel) -> None:
        """State, balance or connectivity changed (for routing and views)."""
        ...
