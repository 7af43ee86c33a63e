"""The phases of a BOLT 2 channel, and the explicit table of the moves between them.

    opener:  WAIT_ACCEPT -> WAIT_FUNDING_TX -> WAIT_FUNDING_SIGNED -+
    fundee:  WAIT_FUNDING_CREATED ----------------------------------+-> AWAIT_LOCKIN
    AWAIT_LOCKIN -> NORMAL -> SHUTDOWN -> NEGOTIATING -> CLOSING
    (AWAIT_LOCKIN -> SHUTDOWN: BOLT 2 lets a node send `shutdown` before `channel_ready`)
    any funded phase -> FAILED (an `error` sent or received)
    any unfunded phase -> ABORTED (nothing at stake: the channel is forgotten)

`AWAIT_LOCKIN` covers waiting for the funding depth and for the peer's `channel_ready`
(two flags of the channel data say which `channel_ready` went which way).
"""

from __future__ import annotations

import enum

from amiko.channels.interface import ChannelState

__all__ = ["PHASE_TRANSITIONS", "IllegalPhaseTransition", "Phase", "check_phase_transition"]


class Phase(enum.Enum):
    WAIT_ACCEPT = "wait_accept"  # opener: open_channel sent
    WAIT_FUNDING_TX = "wait_funding_tx"  # opener: accept_channel received, wallet builds
    WAIT_FUNDING_SIGNED = "wait_funding_signed"  # opener: funding_created sent
    WAIT_FUNDING_CREATED = "wait_funding_created"  # fundee: accept_channel sent
    AWAIT_LOCKIN = "await_lockin"  # funding signed both ways; channel_ready exchange
    NORMAL = "normal"
    SHUTDOWN = "shutdown"  # shutdown sent and/or received; HTLCs clearing
    NEGOTIATING = "negotiating"  # closing fee negotiation
    CLOSING = "closing"  # a mutual closing transaction is signed and broadcast
    FAILED = "failed"
    ABORTED = "aborted"

    __hash__ = object.__hash__  # members are singletons (Enum's hash runs Python code)

    @property
    def funded(self) -> bool:
        """Both commitment transactions 0 are signed: the channel must be remembered."""
        return self not in _UNFUNDED

    @property
    def coarse(self) -> ChannelState:
        return _COARSE[self]


_UNFUNDED = frozenset((Phase.WAIT_ACCEPT, Phase.WAIT_FUNDING_TX, Phase.WAIT_FUNDING_SIGNED,
                       Phase.WAIT_FUNDING_CREATED, Phase.ABORTED))

_COARSE = {
    Phase.WAIT_ACCEPT: ChannelState.OPENING,
    Phase.WAIT_FUNDING_TX: ChannelState.OPENING,
    Phase.WAIT_FUNDING_SIGNED: ChannelState.OPENING,
    Phase.WAIT_FUNDING_CREATED: ChannelState.OPENING,
    Phase.AWAIT_LOCKIN: ChannelState.OPENING,
    Phase.NORMAL: ChannelState.NORMAL,
    Phase.SHUTDOWN: ChannelState.SHUTTING_DOWN,
    Phase.NEGOTIATING: ChannelState.SHUTTING_DOWN,
    Phase.CLOSING: ChannelState.CLOSING,
    Phase.FAILED: ChannelState.FAILED,
    Phase.ABORTED: ChannelState.CLOSED,
}

P = Phase
PHASE_TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    P.WAIT_ACCEPT: frozenset((P.WAIT_FUNDING_TX, P.ABORTED)),
    P.WAIT_FUNDING_TX: frozenset((P.WAIT_FUNDING_SIGNED, P.ABORTED)),
    P.WAIT_FUNDING_SIGNED: frozenset((P.AWAIT_LOCKIN, P.ABORTED)),
    P.WAIT_FUNDING_CREATED: frozenset((P.AWAIT_LOCKIN, P.ABORTED)),
    P.AWAIT_LOCKIN: frozenset((P.NORMAL, P.SHUTDOWN, P.FAILED, P.ABORTED)),
    P.NORMAL: frozenset((P.SHUTDOWN, P.FAILED)),
    P.SHUTDOWN: frozenset((P.NEGOTIATING, P.FAILED)),
    P.NEGOTIATING: frozenset((P.CLOSING, P.FAILED)),
    P.CLOSING: frozenset((P.FAILED,)),
    P.FAILED: frozenset(),
    P.ABORTED: frozenset(),
}


class IllegalPhaseTransition(RuntimeError):
    pass


def check_phase_transition(old: Phase, new: Phase) -> None:
    """Raise at once if the table does not allow `old` -> `new`."""
    if new not in PHASE_TRANSITIONS[old]:
        raise IllegalPhaseTransition(f"channel phase {old.value} -> {new.value} is illegal")
