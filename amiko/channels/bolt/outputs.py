"""What the BOLT 2 channel core returns from every input: messages, a persist flag, events.

The core is sans-IO (`core.BoltChannel`): every input (a peer message, a command, a block,
a connection change) returns one `Outputs`. The driver then, in this order:

1. if `persist` is True: writes `core.to_bytes()` durably (BOLT 2 / DESIGN: a
   `commitment_signed` or `revoke_and_ack` leaves only after the state it commits to is
   on disk). `persist` is set whenever something changed that must survive a restart:
   everything we send (our updates, signatures, revocations, shutdown, closing messages),
   every commitment or revocation we receive, a preimage we learn, the channel's phase.
   It is not set for the peer's `update_*` messages alone: BOLT 2 has them forgotten on
   disconnection until a `commitment_signed` covers them ("the receiving node only needs
   to store updates upon receipt of `commitment_signed`"), and a restored channel does
   forget them;
2. sends `messages` to the peer, in order;
3. handles `events` (in order): HTLC events go to the switch, chain events to the
   wallet / watcher, `Disconnect` closes the connection, `ForgetChannel` deletes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from amiko.bitcoin.tx import OutPoint, Transaction
from amiko.channels.interface import FailureReason, IncomingHtlc
from amiko.channels.outputs import CoreOutputs

__all__ = [
    "Broadcast",
    "BroadcastFunding",
    "ChannelFailed",
    "CloseScriptNeeded",
    "Disconnect",
    "Event",
    "ForgetChannel",
    "FundingNeeded",
    "HtlcArriving",
    "HtlcFailed",
    "HtlcIncoming",
    "HtlcSettled",
    "Outputs",
    "StateChanged",
    "WatchFunding",
]


@dataclass(frozen=True, slots=True)
class HtlcArriving:
    """The peer proposed this HTLC (its `update_add_htlc` passed every check; nothing is
    committed yet): a hint that lets the switch prepare its decision, e.g. peel the onion
    while we wait for the peer's signature (`ChannelListener.htlc_arriving`)."""

    htlc: IncomingHtlc


@dataclass(frozen=True, slots=True)
class HtlcIncoming:
    """The peer's HTLC is irrevocably committed (BOLT 2 "Forwarding HTLCs": the commitment
    with it is committed to by both nodes and both previous ones are revoked): the switch
    decides to settle, fail or forward it.

    `dust_exposure_exceeded`: accepting it put a commitment's trimmed-HTLC total over our
    `max_dust_htlc_exposure_msat`.
    # BOLT #2: SHOULD fail this HTLC once it's committed; SHOULD NOT reveal a preimage for
    # this HTLC
    """

    htlc: IncomingHtlc
    dust_exposure_exceeded: bool = False


@dataclass(frozen=True, slots=True)
class HtlcSettled:
    """The peer fulfilled our HTLC `htlc_id` with a valid preimage (emitted as soon as the
    `update_fulfill_htlc` arrives: the preimage is known from that moment)."""

    htlc_id: int
    preimage: bytes


@dataclass(frozen=True, slots=True)
class HtlcFailed:
    """The removal of our HTLC `htlc_id` (failed, not fulfilled) is irrevocably committed:
    the incoming HTLC it came from may be failed now."""

    htlc_id: int
    reason: FailureReason


@dataclass(frozen=True, slots=True)
class StateChanged:
    """The channel's phase changed (values of `states.Phase`)."""

    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class FundingNeeded:
    """Opener, after `accept_channel`: build (but do NOT broadcast) a funding transaction
    paying exactly `amount_sat` to `script_pubkey`, then call `core.funding_tx_ready`."""

    script_pubkey: bytes
    amount_sat: int


@dataclass(frozen=True, slots=True)
class BroadcastFunding:
    """Opener: the peer's `funding_signed` is valid and persisted; broadcast the funding
    transaction now (`tx` when it was given to `funding_tx_ready`).

    # BOLT #2: MUST NOT broadcast the funding transaction before receipt of a valid
    # `funding_signed`. on receipt of a valid `funding_signed`: SHOULD broadcast the
    # funding transaction.
    """

    txid: bytes
    tx: Transaction | None


@dataclass(frozen=True, slots=True)
class WatchFunding:
    """Watch the funding output; call `core.funding_depth(confirmations, scid)` as it
    confirms (and `core.block_height` on every block)."""

    outpoint: OutPoint
    script_pubkey: bytes
    min_depth: int


@dataclass(frozen=True, slots=True)
class Broadcast:
    """Broadcast a transaction: a mutual closing transaction, or our latest commitment
    transaction when the channel failed (then the watcher/sweeper of BOLT 5 takes over)."""

    tx: Transaction
    reason: str


@dataclass(frozen=True, slots=True)
class ChannelFailed:
    """The channel is failed (an `error` went out or came in).

    `broadcast_commitment` False: the peer proved we lost state (data loss protection);
    broadcasting our commitment would hand it all funds, so we MUST NOT; wait for the peer
    to close.
    """

    reason: str
    broadcast_commitment: bool


@dataclass(frozen=True, slots=True)
class Disconnect:
    """Close the connection to the peer (after sending `messages`, e.g. a `warning`).
    Uncommitted updates are forgotten; the channel reestablishes on the next connection."""

    reason: str


@dataclass(frozen=True, slots=True)
class ForgetChannel:
    """Nothing is at stake any more: the channel never got funded (opening failed, or the
    fundee gave up waiting for the funding transaction). Delete it."""

    reason: str


@dataclass(frozen=True, slots=True)
class CloseScriptNeeded:
    """The peer started a cooperative close and we have no closing script: call
    `core.shutdown(script_pubkey)` with a fresh wallet script."""


Event = (HtlcArriving | HtlcIncoming | HtlcSettled | HtlcFailed | StateChanged | FundingNeeded
         | BroadcastFunding | WatchFunding | Broadcast | ChannelFailed | Disconnect
         | ForgetChannel | CloseScriptNeeded)


class Outputs(CoreOutputs[Event]):
    """What one input produced (see amiko/channels/outputs.py)."""

    __slots__ = ()
