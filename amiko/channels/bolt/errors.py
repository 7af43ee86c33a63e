"""Channel errors: what went wrong, and what BOLT 2 says to do about it.

Most receiver requirements of BOLT 2 end in one of two consequences:

# BOLT #2: MUST send a `warning` and close the connection, or send an `error` and fail
# the channel.

`ChannelError` carries the chosen consequence (`ErrorAction`). Handlers raise it; the core
catches it at the edge of `receive` / the commands, rolls the state back to what it was
before the input, and turns the error into messages and events (see `core`). Bad input
from the peer therefore never raises out of the core.
"""

from __future__ import annotations

import enum

__all__ = [
    "ChannelError",
    "ErrorAction",
    "FailChannel",
    "IgnoreMessage",
    "WarnAndDisconnect",
]


class ErrorAction(enum.Enum):
    IGNORE = "ignore"  # drop the message (optionally with a warning), keep going
    WARN_DISCONNECT = "warn_disconnect"  # `warning` + close the connection; state unchanged
    FAIL_CHANNEL = "fail_channel"  # `error` + fail the channel (broadcast our commitment)
    FAIL_NO_BROADCAST = "fail_no_broadcast"  # `error`; we are behind: MUST NOT broadcast


class ChannelError(Exception):
    """A peer (or caller) broke a rule; `action` is the response."""

    action: ErrorAction = ErrorAction.FAIL_CHANNEL

    def __init__(self, message: str, action: ErrorAction | None = None,
                 send_warning: bool = True) -> None:
        super().__init__(message)
        self.message = message
        if action is not None:
            self.action = action
        self.send_warning = send_warning


class FailChannel(ChannelError):
    """Send an `error` and fail the channel."""

    action = ErrorAction.FAIL_CHANNEL


class WarnAndDisconnect(ChannelError):
    """Send a `warning` and close the connection."""

    action = ErrorAction.WARN_DISCONNECT


class IgnoreMessage(ChannelError):
    """Ignore the message (with a `warning` if `send_warning`)."""

    action = ErrorAction.IGNORE
