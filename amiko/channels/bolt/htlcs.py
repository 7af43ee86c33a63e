"""The HTLC state machine of BOLT 2 (one per update, per direction), as data.

# BOLT #2: Thus each update traverses through the following states:
# 1. pending on the receiver
# 2. in the receiver's latest commitment transaction
# 3. ... and the receiver's previous commitment transaction has been revoked,
#    and the update is pending on the sender
# 4. ... and in the sender's latest commitment transaction
# 5. ... and the sender's previous commitment transaction has been revoked

Each HTLC goes through those five steps twice: once for its addition and once for its
removal. The states are named as in Core Lightning, from our point of view (SENT_ = a
message we sent, RCVD_ = one we received). An HTLC we offered ("ours", owner LOCAL):

    SENT_ADD_HTLC -> SENT_ADD_COMMIT -> RCVD_ADD_REVOCATION -> RCVD_ADD_ACK_COMMIT
      -> SENT_ADD_ACK_REVOCATION (irrevocably committed; the peer may now remove it)
      -> RCVD_REMOVE_HTLC -> RCVD_REMOVE_COMMIT -> SENT_REMOVE_REVOCATION
      -> SENT_REMOVE_ACK_COMMIT -> RCVD_REMOVE_ACK_REVOCATION (removal irrevocable: gone)

and one the peer offered ("theirs", owner REMOTE) the mirror image (RCVD_ADD_HTLC ...
RCVD_ADD_ACK_REVOCATION, then SENT_REMOVE_HTLC ... SENT_REMOVE_ACK_REVOCATION).

An `update_fee` walks the add half of the same machine (owner: the funder) and stops when
irrevocably committed.

Four channel-wide events move every update at once (`TRANSITIONS`): we send or receive a
`commitment_signed`, we send or receive a `revoke_and_ack`; updates a given event does not
concern stay where they are. Starting a removal is a per-HTLC event that is only legal in
the irrevocably-committed state; anything else raises `IllegalTransition` at once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields, replace

__all__ = [
    "Event",
    "FeeUpdate",
    "Htlc",
    "HtlcState",
    "IllegalTransition",
    "Removal",
    "RemovalKind",
    "Side",
    "advance",
    "flags",
    "step",
]


class Side(enum.Enum):
    LOCAL = "local"  # us
    REMOTE = "remote"  # the peer

    # Members are singletons: hash them by identity (Enum's own hash runs Python code, and
    # these are hashed on every HTLC table lookup).
    __hash__ = object.__hash__

    def other(self) -> Side:
        return Side.REMOTE if self is Side.LOCAL else Side.LOCAL


class HtlcState(enum.Enum):
    # ours (offered by us)
    SENT_ADD_HTLC = "SENT_ADD_HTLC"
    SENT_ADD_COMMIT = "SENT_ADD_COMMIT"
    RCVD_ADD_REVOCATION = "RCVD_ADD_REVOCATION"
    RCVD_ADD_ACK_COMMIT = "RCVD_ADD_ACK_COMMIT"
    SENT_ADD_ACK_REVOCATION = "SENT_ADD_ACK_REVOCATION"
    RCVD_REMOVE_HTLC = "RCVD_REMOVE_HTLC"
    RCVD_REMOVE_COMMIT = "RCVD_REMOVE_COMMIT"
    SENT_REMOVE_REVOCATION = "SENT_REMOVE_REVOCATION"
    SENT_REMOVE_ACK_COMMIT = "SENT_REMOVE_ACK_COMMIT"
    RCVD_REMOVE_ACK_REVOCATION = "RCVD_REMOVE_ACK_REVOCATION"
    # theirs (offered by the peer)
    RCVD_ADD_HTLC = "RCVD_ADD_HTLC"
    RCVD_ADD_COMMIT = "RCVD_ADD_COMMIT"
    SENT_ADD_REVOCATION = "SENT_ADD_REVOCATION"
    SENT_ADD_ACK_COMMIT = "SENT_ADD_ACK_COMMIT"
    RCVD_ADD_ACK_REVOCATION = "RCVD_ADD_ACK_REVOCATION"
    SENT_REMOVE_HTLC = "SENT_REMOVE_HTLC"
    SENT_REMOVE_COMMIT = "SENT_REMOVE_COMMIT"
    RCVD_REMOVE_REVOCATION = "RCVD_REMOVE_REVOCATION"
    RCVD_REMOVE_ACK_COMMIT = "RCVD_REMOVE_ACK_COMMIT"
    SENT_REMOVE_ACK_REVOCATION = "SENT_REMOVE_ACK_REVOCATION"

    __hash__ = object.__hash__  # see Side

    @property
    def owner(self) -> Side:
        return _FLAGS[self].owner

    @property
    def irrevocably_added(self) -> bool:
        """The addition is irrevocably committed (and no removal has started)."""
        return self in (HtlcState.SENT_ADD_ACK_REVOCATION, HtlcState.RCVD_ADD_ACK_REVOCATION)

    @property
    def final(self) -> bool:
        """The removal is irrevocably committed: the HTLC is in neither commitment and
        never will be again."""
        return self in (HtlcState.RCVD_REMOVE_ACK_REVOCATION,
                        HtlcState.SENT_REMOVE_ACK_REVOCATION)

    @property
    def removing(self) -> bool:
        return _FLAGS[self].removing


class Event(enum.Enum):
    SEND_COMMIT = "send_commitment_signed"
    RECV_REVOKE = "recv_revoke_and_ack"
    RECV_COMMIT = "recv_commitment_signed"
    SEND_REVOKE = "send_revoke_and_ack"
    RECV_REMOVE = "recv_update_fulfill/fail"  # the peer removes our HTLC
    SEND_REMOVE = "send_update_fulfill/fail"  # we remove the peer's HTLC
    REVERT_REMOVE = "disconnect"  # BOLT 2: reverse the peer's uncommitted removal

    __hash__ = object.__hash__  # see Side


class IllegalTransition(RuntimeError):
    """An event that is not allowed in the state (a bug, or a peer's message the caller
    should have rejected)."""


S = HtlcState
E = Event

# The explicit transition table. The commitment events (SEND_COMMIT, RECV_REVOKE,
# RECV_COMMIT, SEND_REVOKE) concern every update at once: a state without an entry for one
# of them stays as it is. The per-HTLC events (RECV_REMOVE, SEND_REMOVE, REVERT_REMOVE)
# are illegal where the table has no entry.
TRANSITIONS: dict[tuple[HtlcState, Event], HtlcState] = {
    # ours: addition
    (S.SENT_ADD_HTLC, E.SEND_COMMIT): S.SENT_ADD_COMMIT,
    (S.SENT_ADD_COMMIT, E.RECV_REVOKE): S.RCVD_ADD_REVOCATION,
    (S.RCVD_ADD_REVOCATION, E.RECV_COMMIT): S.RCVD_ADD_ACK_COMMIT,
    (S.RCVD_ADD_ACK_COMMIT, E.SEND_REVOKE): S.SENT_ADD_ACK_REVOCATION,
    # ours: removal by the peer
    (S.SENT_ADD_ACK_REVOCATION, E.RECV_REMOVE): S.RCVD_REMOVE_HTLC,
    (S.RCVD_REMOVE_HTLC, E.REVERT_REMOVE): S.SENT_ADD_ACK_REVOCATION,
    (S.RCVD_REMOVE_HTLC, E.RECV_COMMIT): S.RCVD_REMOVE_COMMIT,
    (S.RCVD_REMOVE_COMMIT, E.SEND_REVOKE): S.SENT_REMOVE_REVOCATION,
    (S.SENT_REMOVE_REVOCATION, E.SEND_COMMIT): S.SENT_REMOVE_ACK_COMMIT,
    (S.SENT_REMOVE_ACK_COMMIT, E.RECV_REVOKE): S.RCVD_REMOVE_ACK_REVOCATION,
    # theirs: addition
    (S.RCVD_ADD_HTLC, E.RECV_COMMIT): S.RCVD_ADD_COMMIT,
    (S.RCVD_ADD_COMMIT, E.SEND_REVOKE): S.SENT_ADD_REVOCATION,
    (S.SENT_ADD_REVOCATION, E.SEND_COMMIT): S.SENT_ADD_ACK_COMMIT,
    (S.SENT_ADD_ACK_COMMIT, E.RECV_REVOKE): S.RCVD_ADD_ACK_REVOCATION,
    # theirs: removal by us
    (S.RCVD_ADD_ACK_REVOCATION, E.SEND_REMOVE): S.SENT_REMOVE_HTLC,
    (S.SENT_REMOVE_HTLC, E.SEND_COMMIT): S.SENT_REMOVE_COMMIT,
    (S.SENT_REMOVE_COMMIT, E.RECV_REVOKE): S.RCVD_REMOVE_REVOCATION,
    (S.RCVD_REMOVE_REVOCATION, E.RECV_COMMIT): S.RCVD_REMOVE_ACK_COMMIT,
    (S.RCVD_REMOVE_ACK_COMMIT, E.SEND_REVOKE): S.SENT_REMOVE_ACK_REVOCATION,
}

_BATCH_EVENTS = frozenset((E.SEND_COMMIT, E.RECV_REVOKE, E.RECV_COMMIT, E.SEND_REVOKE))


def advance(state: HtlcState, event: Event) -> HtlcState:
    """The state after a commitment event (unchanged if the event does not concern it)."""
    if event not in _BATCH_EVENTS:
        raise IllegalTransition(f"{event} is not a commitment event")
    return TRANSITIONS.get((state, event), state)


def step(state: HtlcState, event: Event) -> HtlcState:
    """A per-HTLC transition; raises IllegalTransition if the table does not allow it."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(f"{event.value} is illegal in state {state.value}") from None


@dataclass(frozen=True, slots=True)
class StateFlags:
    """Where an update stands in each side's *latest* commitment transaction."""

    owner: Side
    added_local: bool  # the addition is in our latest commitment
    added_remote: bool  # ... in the peer's latest commitment
    removed_local: bool  # the removal is in our latest commitment
    removed_remote: bool
    removing: bool = False  # a removal has started


def _f(owner: Side, al: int, ar: int, rl: int = 0, rr: int = 0, rm: int = 0) -> StateFlags:
    return StateFlags(owner, bool(al), bool(ar), bool(rl), bool(rr), bool(rm))


L, R = Side.LOCAL, Side.REMOTE
_FLAGS: dict[HtlcState, StateFlags] = {
    S.SENT_ADD_HTLC: _f(L, 0, 0),
    S.SENT_ADD_COMMIT: _f(L, 0, 1),
    S.RCVD_ADD_REVOCATION: _f(L, 0, 1),
    S.RCVD_ADD_ACK_COMMIT: _f(L, 1, 1),
    S.SENT_ADD_ACK_REVOCATION: _f(L, 1, 1),
    S.RCVD_REMOVE_HTLC: _f(L, 1, 1, 0, 0, 1),
    S.RCVD_REMOVE_COMMIT: _f(L, 1, 1, 1, 0, 1),
    S.SENT_REMOVE_REVOCATION: _f(L, 1, 1, 1, 0, 1),
    S.SENT_REMOVE_ACK_COMMIT: _f(L, 1, 1, 1, 1, 1),
    S.RCVD_REMOVE_ACK_REVOCATION: _f(L, 1, 1, 1, 1, 1),
    S.RCVD_ADD_HTLC: _f(R, 0, 0),
    S.RCVD_ADD_COMMIT: _f(R, 1, 0),
    S.SENT_ADD_REVOCATION: _f(R, 1, 0),
    S.SENT_ADD_ACK_COMMIT: _f(R, 1, 1),
    S.RCVD_ADD_ACK_REVOCATION: _f(R, 1, 1),
    S.SENT_REMOVE_HTLC: _f(R, 1, 1, 0, 0, 1),
    S.SENT_REMOVE_COMMIT: _f(R, 1, 1, 0, 1, 1),
    S.RCVD_REMOVE_REVOCATION: _f(R, 1, 1, 0, 1, 1),
    S.RCVD_REMOVE_ACK_COMMIT: _f(R, 1, 1, 1, 1, 1),
    S.SENT_REMOVE_ACK_REVOCATION: _f(R, 1, 1, 1, 1, 1),
}


def flags(state: HtlcState) -> StateFlags:
    return _FLAGS[state]


def initial_state(owner: Side) -> HtlcState:
    return S.SENT_ADD_HTLC if owner is Side.LOCAL else S.RCVD_ADD_HTLC


def fully_added_state(owner: Side) -> HtlcState:
    return S.SENT_ADD_ACK_REVOCATION if owner is Side.LOCAL else S.RCVD_ADD_ACK_REVOCATION


class RemovalKind(enum.Enum):
    FULFILL = "fulfill"
    FAIL = "fail"
    FAIL_MALFORMED = "fail_malformed"


@dataclass(frozen=True, slots=True)
class Removal:
    """How an HTLC is being removed (the content of the update_fulfill/fail message)."""

    kind: RemovalKind
    seq: int  # order among all updates (for retransmission in the original order)
    preimage: bytes = b""
    reason: bytes = b""  # update_fail_htlc's encrypted reason
    sha256_of_onion: bytes = b""
    failure_code: int = 0


@dataclass(frozen=True, slots=True)
class Htlc:
    """One HTLC and where it stands. Immutable: transitions return a new record."""

    owner: Side
    htlc_id: int
    amount_msat: int
    payment_hash: bytes
    cltv_expiry: int
    onion: bytes
    state: HtlcState
    seq: int  # order of the update_add_htlc among all updates
    removal: Removal | None = None
    preimage: bytes = b""  # ours: learned from the peer's fulfill (kept even if reverted)
    dust_exposure_exceeded: bool = False
    blinding_point: bytes = b""  # update_add_htlc's `blinded_path` TLV, if any

    def moved(self, event: Event) -> Htlc:
        """After a commitment event."""
        new = advance(self.state, event)
        if new is self.state:
            return self
        return Htlc(self.owner, self.htlc_id, self.amount_msat, self.payment_hash, self.cltv_expiry,
                    self.onion, new, self.seq, self.removal, self.preimage,
                    self.dust_exposure_exceeded, self.blinding_point)

    def stepped(self, event: Event, removal: Removal | None = None,
                preimage: bytes | None = None) -> Htlc:
        """After a per-HTLC event (raises IllegalTransition); `removal` replaces the record
        of the removal (REVERT_REMOVE clears it), `preimage` is remembered."""
        new_removal = None if event is Event.REVERT_REMOVE else (removal or self.removal)
        return replace(self, state=step(self.state, event), removal=new_removal,
                       preimage=self.preimage if preimage is None else preimage)

    @property
    def fulfilled(self) -> bool:
        return self.removal is not None and self.removal.kind is RemovalKind.FULFILL


# `Htlc.moved` lists the fields itself (faster than `dataclasses.replace`): keep it in step.
assert tuple(f.name for f in fields(Htlc)) == (
    "owner", "htlc_id", "amount_msat", "payment_hash", "cltv_expiry", "onion", "state", "seq",
    "removal", "preimage", "dust_exposure_exceeded", "blinding_point")


@dataclass(frozen=True, slots=True)
class FeeUpdate:
    """An `update_fee` on its way into both commitments (owner: the funder)."""

    feerate_per_kw: int
    state: HtlcState
    seq: int

    @property
    def owner(self) -> Side:
        return self.state.owner

    def moved(self, event: Event) -> FeeUpdate:
        new = advance(self.state, event)
        return self if new is self.state else replace(self, state=new)

    @property
    def final(self) -> bool:
        return self.state is fully_added_state(self.owner)
