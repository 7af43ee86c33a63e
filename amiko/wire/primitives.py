"""Fundamental types of BOLT #1: fixed-size integers, truncated integers, BigSize.

BOLT #1: "All data fields are unsigned big-endian unless otherwise specified."
Signed integers "use standard big-endian two's complement representation".

Decoding functions take `(data, pos)` and return `(value, new_pos)`; they never read past
`len(data)` (or the `end` given) and raise `TruncatedError` instead. `Reader` wraps the same
functions for hand-written codecs (custom messages of a channel type).
"""

from __future__ import annotations

from struct import Struct
from typing import Final

from amiko.wire.errors import (
    DecodeError,
    EncodeError,
    InvalidPointError,
    NonCanonicalError,
    TrailingBytesError,
    TruncatedError,
)

U8: Final = Struct(">B")
U16: Final = Struct(">H")
U32: Final = Struct(">I")
U64: Final = Struct(">Q")
S8: Final = Struct(">b")
S16: Final = Struct(">h")
S32: Final = Struct(">i")
S64: Final = Struct(">q")

# BOLT #1: "milli-satoshi amounts MUST be at most `0x1d24b2dfac520000`",
# "satoshi amounts MUST be at most `0x000775f05a074000`". The wire layer does not enforce
# these (the fields are plain u64 on the wire); channel logic checks amounts it accepts.
MAX_MSAT: Final = 0x1D24B2DFAC520000
MAX_SAT: Final = 0x000775F05A074000


def truncated(ctx: str, need: int, have: int) -> TruncatedError:
    """The error for a read of `need` bytes with only `have` left (`ctx` names the field)."""
    if have <= 0:
        return TruncatedError(f"{ctx}: unexpected EOF (need {need} bytes, none left)")
    return TruncatedError(f"{ctx}: unexpected EOF (need {need} bytes, have {have})")


# ---------------------------------------------------------------------------------------
# BigSize (BOLT #1 appendix A)
# ---------------------------------------------------------------------------------------


def encode_bigsize(value: int) -> bytes:
    """BOLT #1: uint8(x) if x < 0xfd; 0xfd+be16 if x < 0x10000; 0xfe+be32 if
    x < 0x100000000; 0xff+be64 otherwise."""
    if value < 0xFD:
        if value < 0:
            raise EncodeError(f"bigsize cannot encode negative value {value}")
        return bytes((value,))
    if value < 0x10000:
        return b"\xfd" + value.to_bytes(2, "big")
    if value < 0x100000000:
        return b"\xfe" + value.to_bytes(4, "big")
    if value < 1 << 64:
        return b"\xff" + value.to_bytes(8, "big")
    raise EncodeError(f"bigsize cannot encode {value} (more than 64 bits)")


def decode_bigsize(
    data: bytes, pos: int = 0, end: int = -1, ctx: str = "bigsize"
) -> tuple[int, int]:
    """Read a BigSize at `pos`; return (value, position after it).

    BOLT #1: "All values decoded with BigSize should be checked to ensure they are
    minimally encoded."
    """
    if end < 0:
        end = len(data)
    if pos >= end:
        raise truncated(ctx, 1, 0)
    first = data[pos]
    if first < 0xFD:
        return first, pos + 1
    if first == 0xFD:
        size, minimum = 2, 0xFD
    elif first == 0xFE:
        size, minimum = 4, 0x10000
    else:
        size, minimum = 8, 0x100000000
    stop = pos + 1 + size
    if stop > end:
        raise truncated(ctx, size, end - pos - 1)
    value = int.from_bytes(data[pos + 1 : stop], "big")
    if value < minimum:
        raise NonCanonicalError(f"{ctx}: decoded bigsize is not canonical")
    return value, stop


def bigsize_len(value: int) -> int:
    """Number of bytes `encode_bigsize(value)` produces."""
    if value < 0xFD:
        return 1
    if value < 0x10000:
        return 3
    if value < 0x100000000:
        return 5
    return 9


# ---------------------------------------------------------------------------------------
# Truncated integers
# ---------------------------------------------------------------------------------------


def encode_tu(value: int, max_bytes: int) -> bytes:
    """tu16/tu32/tu64: BOLT #1 "Leading zeros in truncated integers MUST be omitted"."""
    if not 0 <= value < 1 << (8 * max_bytes):
        raise EncodeError(f"tu{8 * max_bytes} cannot encode {value}")
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def encode_tu16(value: int) -> bytes:
    return encode_tu(value, 2)


def encode_tu32(value: int) -> bytes:
    return encode_tu(value, 4)


def encode_tu64(value: int) -> bytes:
    return encode_tu(value, 8)


def decode_tu(data: bytes, pos: int, end: int, max_bytes: int, ctx: str) -> int:
    """Decode a truncated integer occupying data[pos:end] (it is always the final value
    of a TLV record, so it takes the rest of the record)."""
    n = end - pos
    if n > max_bytes:
        # BOLT #1 appendix B: "greater than encoding length" is a decoding failure.
        raise TrailingBytesError(f"{ctx}: {n} bytes is longer than tu{8 * max_bytes}")
    if n and data[pos] == 0:
        # BOLT #1: "Leading zeros in truncated integers MUST be omitted".
        raise NonCanonicalError(f"{ctx}: truncated integer is not minimal")
    return int.from_bytes(data[pos:end], "big")


# ---------------------------------------------------------------------------------------
# Fixed-size integers (encoding helpers for hand-written codecs)
# ---------------------------------------------------------------------------------------


def _pack(st: Struct, name: str, value: int) -> bytes:
    try:
        return st.pack(value)
    except Exception as exc:  # struct.error, or not an int
        raise EncodeError(f"{name} cannot encode {value!r}") from exc


def encode_u8(value: int) -> bytes:
    return _pack(U8, "u8", value)


def encode_u16(value: int) -> bytes:
    return _pack(U16, "u16", value)


def encode_u32(value: int) -> bytes:
    return _pack(U32, "u32", value)


def encode_u64(value: int) -> bytes:
    return _pack(U64, "u64", value)


def encode_s8(value: int) -> bytes:
    return _pack(S8, "s8", value)


def encode_s16(value: int) -> bytes:
    return _pack(S16, "s16", value)


def encode_s32(value: int) -> bytes:
    return _pack(S32, "s32", value)


def encode_s64(value: int) -> bytes:
    return _pack(S64, "s64", value)


def is_point_encoding(value: bytes) -> bool:
    """True if `value` has the form of a SEC1 compressed point (33 bytes, 0x02/0x03)."""
    return len(value) == 33 and (value[0] | 1) == 3


# ---------------------------------------------------------------------------------------
# Reader
# ---------------------------------------------------------------------------------------


class Reader:
    """Sequential reader over bytes; every read is exact or raises `TruncatedError`.

    Meant for hand-written codecs. Call `finish()` when the encoding must be consumed
    exactly (TLV record values, whole subtypes).
    """

    __slots__ = ("ctx", "data", "end", "pos")

    def __init__(
        self, data: bytes, ctx: str = "reader", pos: int = 0, end: int | None = None
    ) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end
        self.ctx = ctx

    def remaining(self) -> int:
        return self.end - self.pos

    def at_end(self) -> bool:
        return self.pos >= self.end

    def read(self, n: int) -> bytes:
        stop = self.pos + n
        if n < 0 or stop > self.end:
            raise truncated(self.ctx, n, self.end - self.pos)
        out = self.data[self.pos : stop]
        self.pos = stop
        return out

    def rest(self) -> bytes:
        out = self.data[self.pos : self.end]
        self.pos = self.end
        return out

    def _fixed(self, st: Struct) -> int:
        stop = self.pos + st.size
        if stop > self.end:
            raise truncated(self.ctx, st.size, self.end - self.pos)
        (value,) = st.unpack_from(self.data, self.pos)
        self.pos = stop
        return int(value)

    def u8(self) -> int:
        return self._fixed(U8)

    def u16(self) -> int:
        return self._fixed(U16)

    def u32(self) -> int:
        return self._fixed(U32)

    def u64(self) -> int:
        return self._fixed(U64)

    def s8(self) -> int:
        return self._fixed(S8)

    def s16(self) -> int:
        return self._fixed(S16)

    def s32(self) -> int:
        return self._fixed(S32)

    def s64(self) -> int:
        return self._fixed(S64)

    def bigsize(self) -> int:
        value, self.pos = decode_bigsize(self.data, self.pos, self.end, self.ctx)
        return value

    def tu(self, max_bytes: int) -> int:
        """Truncated integer taking the rest of the input."""
        value = decode_tu(self.data, self.pos, self.end, max_bytes, self.ctx)
        self.pos = self.end
        return value

    def point(self) -> bytes:
        value = self.read(33)
        if (value[0] | 1) != 3:
            raise InvalidPointError(f"{self.ctx}: not a compressed point")
        return value

    def finish(self) -> None:
        """Raise `TrailingBytesError` unless everything was read."""
        if self.pos != self.end:
            raise TrailingBytesError(f"{self.ctx}: {self.end - self.pos} unexpected trailing bytes")


__all__ = [
    "MAX_MSAT",
    "MAX_SAT",
    "S8",
    "S16",
    "S32",
    "S64",
    "U8",
    "U16",
    "U32",
    "U64",
    "DecodeError",
    "Reader",
    "bigsize_len",
    "decode_bigsize",
    "decode_tu",
    "encode_bigsize",
    "encode_s8",
    "encode_s16",
    "encode_s32",
    "encode_s64",
    "encode_tu",
    "encode_tu16",
    "encode_tu32",
    "encode_tu64",
    "encode_u8",
    "encode_u16",
    "encode_u32",
    "encode_u64",
    "is_point_encoding",
    "truncated",
]
