"""Errors raised by the wire layer.

Every malformed input raises a subclass of `DecodeError`; the layer above decides what to
do (BOLT #1: a known message that cannot be parsed, or an invalid `extension`, means the
connection MUST be closed). Building a message from values that cannot be encoded raises
`EncodeError`: that is a bug in the caller, never the peer's fault.
"""

from __future__ import annotations


class DecodeError(ValueError):
    """Base class: the bytes are not a valid encoding of what was expected."""


class TruncatedError(DecodeError):
    """The input ended before the field being read (BOLT #1: "insufficient length")."""


class NonCanonicalError(DecodeError):
    """A BigSize or truncated integer was not minimally encoded."""


class UnknownEvenTypeError(DecodeError):
    """A TLV stream held an unknown even record type ("it's ok to be odd")."""

    def __init__(self, stream: str, tlv_type: int) -> None:
        super().__init__(f"{stream}: unknown even TLV type {tlv_type}")
        self.stream = stream
        self.tlv_type = tlv_type


class TlvOrderError(DecodeError):
    """TLV record types were not strictly increasing (includes duplicates)."""


class TrailingBytesError(DecodeError):
    """Bytes were left over where the encoding must be consumed exactly.

    Raised for a TLV record whose `length` is greater than its known encoding, and by
    the exact `decode()` of subtypes and records.
    """


class InvalidValueError(DecodeError):
    """The bytes have the right length but are not a valid value of the type
    (bad UTF-8, bad `sciddir_or_pubkey` prefix, ...)."""


class InvalidPointError(InvalidValueError):
    """A `point` does not start with 0x02 or 0x03 (not SEC1 compressed).

    Only the encoding is checked here; whether the point lies on the curve is checked by
    the layer that uses the key.
    """


class EncodeError(ValueError):
    """A value cannot be encoded (wrong length, out of range, duplicate TLV type...)."""
