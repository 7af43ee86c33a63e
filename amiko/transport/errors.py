"""Exceptions of the transport layer. Catch :class:`TransportError` to catch them all."""

from __future__ import annotations

__all__ = [
    "ConnectFailed",
    "ConnectionClosed",
    "DecryptionFailed",
    "FramingError",
    "HandshakeFailed",
    "HandshakeTimeout",
    "MessageTooLong",
    "TransportError",
]


class TransportError(Exception):
    """Base class of the transport layer's errors."""


class ConnectFailed(TransportError):
    """The TCP connection could not be opened (refused, unreachable, ...)."""


class HandshakeFailed(TransportError):
    """The BOLT 8 handshake did not complete: bad act, peer hung up, or timeout."""


class HandshakeTimeout(HandshakeFailed):
    """The handshake did not complete within its time limit."""


class ConnectionClosed(TransportError):
    """The connection is closed: by the peer (EOF, possibly mid-frame) or by us."""


class FramingError(TransportError):
    """A frame from the peer could not be accepted; the connection has been closed."""


class DecryptionFailed(FramingError):
    """A frame's MAC did not check (tampering, or a peer out of sync)."""


class MessageTooLong(TransportError, ValueError):
    """A message longer than 65535 bytes was given to send; nothing was sent."""
