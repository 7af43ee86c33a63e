"""Exceptions of the onion package.

Malformed bytes given to a decoder here raise :class:`OnionDecodeError` (a
``amiko.wire.errors.DecodeError``); values that cannot be encoded raise
:class:`OnionEncodeError` (an ``EncodeError``: a bug in the caller). Problems a *peer* causes
while we process its onion (bad HMAC, bad payload, ...) are not exceptions: ``peel_onion``
returns them as values that say which failure to send back.
"""

from __future__ import annotations

from amiko.wire.errors import DecodeError, EncodeError

__all__ = ["FailureDecodeError", "OnionDecodeError", "OnionEncodeError", "OnionError"]


class OnionError(ValueError):
    """Base class of every exception raised by ``amiko.payments.onion``."""


class OnionDecodeError(OnionError, DecodeError):
    """Bytes that are not a valid encoding of what was expected."""


class FailureDecodeError(OnionDecodeError):
    """A BOLT #4 failure message (``failuremsg``) that cannot be parsed."""


class OnionEncodeError(OnionError, EncodeError):
    """Values that cannot be encoded: a route too long for 1300 bytes, a field out of range..."""
