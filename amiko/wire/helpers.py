"""Small helpers called by the generated codecs in `messages.py`.

Fixed-size runs of fields are decoded inline by the generated code with precompiled
`struct.Struct`s; these functions cover the variable-size parts. Decoders take
`(data, pos, end, ...)` and return `(value, new_pos)`; they never read beyond `end`.
`ctx` is the dotted name of the field, used in error messages.
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from amiko.wire.errors import (
    EncodeError,
    InvalidPointError,
    InvalidValueError,
    TrailingBytesError,
    TruncatedError,
)
from amiko.wire.primitives import truncated

T = TypeVar("T")


# --- decoding ------------------------------------------------------------------------


def slot_setters(cls: type[Any]) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot descriptors' setters of a frozen slots dataclass, in field order.

    Generated decoders build instances with `object.__new__` and these setters: a frozen
    dataclass's `__init__` goes through `object.__setattr__` per field, which costs about
    twice as much. The values come from a decoder, so `__init__` has nothing to check.
    """
    return tuple(cls.__dict__[f.name].__set__ for f in dataclasses.fields(cls))


def bad_point(ctx: str) -> InvalidPointError:
    """BOLT #1: `point` is "a 33-byte Elliptic Curve point (compressed encoding as per
    SEC 1 standard)": the first byte must be 0x02 or 0x03."""
    return InvalidPointError(f"{ctx}: not a compressed point (prefix must be 02 or 03)")


def trailing(ctx: str, extra: int) -> TrailingBytesError:
    return TrailingBytesError(f"{ctx}: {extra} bytes beyond the known encoding")


def read_chunks(
    data: bytes, pos: int, end: int, count: int, size: int, ctx: str
) -> tuple[tuple[bytes, ...], int]:
    """`count` consecutive byte strings of `size` bytes."""
    stop = pos + count * size
    if stop > end:
        raise truncated(ctx, count * size, end - pos)
    return tuple(data[i : i + size] for i in range(pos, stop, size)), stop


def read_rest_chunks(data: bytes, pos: int, end: int, size: int, ctx: str) -> tuple[bytes, ...]:
    """Byte strings of `size` bytes up to `end` (a `...*T` array)."""
    extra = (end - pos) % size
    if extra:
        raise TruncatedError(f"{ctx}: {extra} bytes left, not a whole {size}-byte element")
    return tuple(data[i : i + size] for i in range(pos, end, size))


def check_points(items: tuple[bytes, ...], ctx: str) -> tuple[bytes, ...]:
    for item in items:
        if (item[0] | 1) != 3:
            raise bad_point(ctx)
    return items


def read_int_array(
    data: bytes, pos: int, end: int, count: int, code: str, size: int, ctx: str
) -> tuple[tuple[int, ...], int]:
    stop = pos + count * size
    if stop > end:
        raise truncated(ctx, count * size, end - pos)
    return struct.unpack_from(f">{count}{code}", data, pos), stop


def read_rest_ints(
    data: bytes, pos: int, end: int, code: str, size: int, ctx: str
) -> tuple[int, ...]:
    n, extra = divmod(end - pos, size)
    if extra:
        raise TruncatedError(f"{ctx}: {extra} bytes left, not a whole {size}-byte element")
    return struct.unpack_from(f">{n}{code}", data, pos)


def decode_utf8(raw: bytes, ctx: str) -> str:
    """BOLT #1: for `utf8`, "a reader MAY reject any messages containing an array of these
    which is not a valid UTF-8 string". We reject, so that decode/encode is lossless."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidValueError(f"{ctx}: not valid UTF-8 ({exc.reason})") from None


def read_sciddir_or_pubkey(data: bytes, pos: int, end: int, ctx: str) -> tuple[bytes, int]:
    """BOLT #1: `sciddir_or_pubkey` is "either 9 or 33 bytes": first byte 0 or 1 means an
    8-byte `short_channel_id` follows; 2 or 3 means a 33-byte `point`."""
    if pos >= end:
        raise truncated(ctx, 1, 0)
    first = data[pos]
    if first <= 1:
        size = 9
    elif first <= 3:
        size = 33
    else:
        raise InvalidValueError(f"{ctx}: sciddir_or_pubkey cannot start with {first:#04x}")
    stop = pos + size
    if stop > end:
        raise truncated(ctx, size, end - pos)
    return data[pos:stop], stop


# --- encoding ------------------------------------------------------------------------


def encode_failed(ctx: str, exc: Exception) -> EncodeError:
    return EncodeError(f"{ctx}: {exc}")


def check_len(value: bytes, size: int, ctx: str) -> bytes:
    if not isinstance(value, bytes) or len(value) != size:
        raise EncodeError(f"{ctx}: expected {size} bytes, got {_describe(value)}")
    return value


def check_point(value: bytes, ctx: str) -> bytes:
    if not isinstance(value, bytes) or len(value) != 33 or (value[0] | 1) != 3:
        raise EncodeError(f"{ctx}: expected a 33-byte compressed point, got {_describe(value)}")
    return value


def check_bytes(value: bytes, ctx: str) -> bytes:
    if not isinstance(value, bytes):
        raise EncodeError(f"{ctx}: expected bytes, got {type(value).__name__}")
    return value


def check_count(items: Sequence[T], count: int, ctx: str) -> Sequence[T]:
    if len(items) != count:
        raise EncodeError(f"{ctx}: expected {count} elements, got {len(items)}")
    return items


def check_len_each(items: Sequence[bytes], size: int, ctx: str) -> Sequence[bytes]:
    for item in items:
        check_len(item, size, ctx)
    return items


def check_point_each(items: Sequence[bytes], ctx: str) -> Sequence[bytes]:
    for item in items:
        check_point(item, ctx)
    return items


def join_fixed(items: Sequence[bytes], size: int, ctx: str) -> bytes:
    return b"".join(check_len_each(items, size, ctx))


def join_points(items: Sequence[bytes], ctx: str) -> bytes:
    return b"".join(check_point_each(items, ctx))


def pack_int_array(items: Sequence[int], code: str, ctx: str) -> bytes:
    try:
        return struct.pack(f">{len(items)}{code}", *items)
    except struct.error as exc:
        raise encode_failed(ctx, exc) from None


def encode_utf8(value: str, ctx: str) -> bytes:
    if not isinstance(value, str):
        raise EncodeError(f"{ctx}: expected str, got {type(value).__name__}")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EncodeError(f"{ctx}: not encodable as UTF-8 ({exc.reason})") from None


def check_sciddir_or_pubkey(value: bytes, ctx: str) -> bytes:
    ok = isinstance(value, bytes) and (
        (len(value) == 9 and value[0] <= 1) or (len(value) == 33 and value[0] in (2, 3))
    )
    if not ok:
        raise EncodeError(f"{ctx}: not a sciddir_or_pubkey: {_describe(value)}")
    return value


def check_length_fits(length: int, limit: int, ctx: str) -> int:
    if length > limit:
        raise EncodeError(f"{ctx}: length {length} exceeds {limit}")
    return length


def _describe(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return f"{len(value)} bytes ({bytes(value[:4]).hex()}...)"
    return type(value).__name__
