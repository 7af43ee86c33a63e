"""Generic TLV stream codec (BOLT #1 "Type-Length-Value Format") and custom records.

The generated TLV stream classes in `messages.py` use `split_tlv_stream` and
`encode_tlv_records`; hand-written codecs can use them too.

Custom records: a channel type (or any extension) may register extra record types for a
generated stream with `register_tlv_record`. A registered record is "known": an even
registered type no longer fails the stream. Its value stays in the stream object's
`unknown` tuple as raw bytes (so encoding is byte-exact and the generated dataclasses stay
fixed); `custom_record` decodes it with the registered decoder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar, Protocol, Self

from amiko.wire.errors import EncodeError, TlvOrderError, TruncatedError, UnknownEvenTypeError
from amiko.wire.primitives import decode_bigsize, encode_bigsize


class TlvStream(Protocol):
    """What a generated TLV stream class offers."""

    NAME: ClassVar[str]
    KNOWN_TYPES: ClassVar[frozenset[int]]

    @property
    def unknown(self) -> tuple[tuple[int, bytes], ...]: ...

    def encode(self) -> bytes: ...

    @classmethod
    def decode(cls, data: bytes) -> Self: ...


def split_tlv_stream(data: bytes, ctx: str = "tlv_stream") -> list[tuple[int, bytes]]:
    """Split a TLV stream into (type, value) pairs, enforcing BOLT #1's receiving rules
    that do not depend on the record types:

    - "if zero bytes remain before parsing a `type`: MUST stop parsing the `tlv_stream`."
    - "if a `type` or `length` is not minimally encoded: MUST fail to parse"
      (`NonCanonicalError`).
    - "if decoded `type`s are not strictly-increasing (including situations when two or
      more occurrences of the same `type` are met): MUST fail to parse" (`TlvOrderError`).
    - "if `length` exceeds the number of bytes remaining in the message: MUST fail to
      parse" (`TruncatedError`).
    """
    out: list[tuple[int, bytes]] = []
    pos = 0
    end = len(data)
    last = -1
    while pos < end:
        first = data[pos]
        if first < 0xFD:  # fast path: one-byte type
            tlv_type = first
            pos += 1
        else:
            tlv_type, pos = decode_bigsize(data, pos, end, f"{ctx}: type")
        if tlv_type <= last:
            raise TlvOrderError(
                f"{ctx}: TLV type {tlv_type} after {last} (types must strictly increase)"
            )
        last = tlv_type
        if pos < end and data[pos] < 0xFD:
            length = data[pos]
            pos += 1
        else:
            length, pos = decode_bigsize(data, pos, end, f"{ctx}: length of type {tlv_type}")
        stop = pos + length
        if stop > end:
            raise TruncatedError(
                f"{ctx}: value of type {tlv_type} truncated (length {length}, {end - pos} bytes left)"
            )
        out.append((tlv_type, data[pos:stop]))
        pos = stop
    return out


def encode_record(tlv_type: int, value: bytes) -> bytes:
    """One TLV record; BOLT #1: "MUST minimally encode `type` and `length`"."""
    return encode_bigsize(tlv_type) + encode_bigsize(len(value)) + value


def encode_tlv_records(
    known: list[tuple[int, bytes]],
    unknown: tuple[tuple[int, bytes], ...] = (),
    ctx: str = "tlv_stream",
) -> bytes:
    """Encode records given as (type, value). `known` must already be in increasing type
    order (generated code emits it so); `unknown` records are merged in.

    BOLT #1: the sending node "MUST order `tlv_record`s in a `tlv_stream` by
    strictly-increasing `type`, hence MUST not produce more than a single TLV record with
    the same `type`".
    """
    records = known
    if unknown:
        records = sorted([*known, *unknown], key=_type_of)
        for i in range(1, len(records)):
            if records[i][0] == records[i - 1][0]:
                raise EncodeError(f"{ctx}: TLV type {records[i][0]} appears twice")
        if records[0][0] < 0:
            raise EncodeError(f"{ctx}: negative TLV type {records[0][0]}")
    parts: list[bytes] = []
    for tlv_type, value in records:
        if not isinstance(value, bytes):
            raise EncodeError(f"{ctx}: value of TLV type {tlv_type} is not bytes")
        if tlv_type < 0xFD and len(value) < 0xFD:
            parts.append(bytes((tlv_type, len(value))))
        else:
            parts.append(encode_bigsize(tlv_type) + encode_bigsize(len(value)))
        parts.append(value)
    return b"".join(parts)


def _type_of(record: tuple[int, bytes]) -> int:
    return record[0]


def check_sorted_records(records: Iterable[tuple[int, bytes]], ctx: str) -> None:
    """Raise EncodeError unless record types strictly increase."""
    last = -1
    for tlv_type, _ in records:
        if tlv_type <= last:
            raise EncodeError(f"{ctx}: TLV types must strictly increase ({tlv_type} after {last})")
        last = tlv_type


# ---------------------------------------------------------------------------------------
# Custom records
# ---------------------------------------------------------------------------------------

# stream NAME -> {tlv type: decoder}. The decoder must raise DecodeError on bad input.
_CUSTOM: dict[str, dict[int, Callable[[bytes], object]]] = {}


def register_tlv_record(
    stream: type[TlvStream], tlv_type: int, decoder: Callable[[bytes], object]
) -> None:
    """Make `tlv_type` a known record of `stream`, decoded by `decoder`.

    BOLT #1: "`type` identifiers greater than or equal to 2^16 are available for custom
    records." Registering a type the spec defines for that stream, or one already
    registered, raises ValueError.
    """
    if not 0 <= tlv_type < 1 << 64:
        raise ValueError(f"TLV type {tlv_type} is not a u64")
    if tlv_type in stream.KNOWN_TYPES:
        raise ValueError(f"{stream.NAME}: TLV type {tlv_type} is defined by the spec")
    table = _CUSTOM.setdefault(stream.NAME, {})
    if tlv_type in table:
        raise ValueError(f"{stream.NAME}: TLV type {tlv_type} is already registered")
    table[tlv_type] = decoder


def unregister_tlv_record(stream: type[TlvStream], tlv_type: int) -> None:
    """Undo `register_tlv_record` (KeyError if it was not registered)."""
    del _CUSTOM[stream.NAME][tlv_type]


def check_unknown_record(stream: str, tlv_type: int, value: bytes) -> tuple[int, bytes]:
    """Called by generated decoders for a record type the spec does not define.

    BOLT #1: "otherwise, if `type` is unknown: if `type` is even: MUST fail to parse the
    `tlv_stream`. otherwise, if `type` is odd: MUST discard the next `length` bytes."
    (We keep odd records, so that the stream re-encodes exactly, e.g. for signatures.)
    A registered custom record is validated by its decoder.
    """
    table = _CUSTOM.get(stream)
    if table is not None:
        decoder = table.get(tlv_type)
        if decoder is not None:
            decoder(value)  # raises DecodeError if the value is malformed
            return tlv_type, value
    if not tlv_type & 1:
        raise UnknownEvenTypeError(stream, tlv_type)
    return tlv_type, value


def custom_record(stream: TlvStream, tlv_type: int) -> object | None:
    """The decoded value of registered custom record `tlv_type` in `stream`, or None if
    absent. KeyError if the type was never registered for this stream."""
    decoder = _CUSTOM.get(stream.NAME, {})[tlv_type]
    for t, value in stream.unknown:
        if t == tlv_type:
            return decoder(value)
    return None
