"""Bech32 (BIP 173) and Bech32m (BIP 350) encoding.

`encode`/`decode` work on 5-bit groups and know nothing about segwit (see address.py).
BOLT 11 invoices use the same code with `max_length=None`: BOLT #11 says "the
human-readable part ... and the data part ... encoded using bech32" without BIP 173's
90-character limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum
from functools import cache

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_INVALID = 0xFF
# bytes.translate tables (the conversions run in C): a lowercase data character -> its
# value (_INVALID for a character outside the charset), and a 5-bit value -> the digit
# int(..., 32) reads for it (b"!" for a value out of range).
_CHAR_TO_VALUE = bytes(CHARSET.find(chr(b)) if chr(b) in CHARSET else _INVALID for b in range(256))
_VALUE_TO_DIGIT = b"0123456789abcdefghijklmnopqrstuv" + b"!" * 224
_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)

MAX_LENGTH = 90  # BIP 173: "A Bech32 string is at most 90 characters long"
CHECKSUM_LENGTH = 6


class Encoding(Enum):
    """Which checksum constant a string uses."""

    BECH32 = 1
    BECH32M = 0x2BC830A3


class Bech32Error(ValueError):
    """A string is not valid bech32/bech32m, or 5-bit data does not convert."""


def _gen_table() -> tuple[int, ...]:
    """The generator terms folded in for each value of the checksum's top 5 bits."""
    table = []
    for top in range(32):
        mask = 0
        for i in range(5):
            if (top >> i) & 1:
                mask ^= _GEN[i]
        table.append(mask)
    return tuple(table)


_GEN_TABLE = _gen_table()
# Two steps at once: what the top 10 bits fold in over two values (the step is linear,
# and the second step's top bits depend on the first's top 10 bits only).
_GEN_TABLE2 = tuple(((_GEN_TABLE[t >> 5] & 0x1FFFFFF) << 5) ^ _GEN_TABLE[(t & 31) ^ (_GEN_TABLE[t >> 5] >> 25)]
                    for t in range(1024))


def _polymod(values: Sequence[int]) -> int:
    """BIP 173's checksum function, value by value: the reference `_polymod_fast` agrees with
    (and falls back to for inputs longer than its masks)."""
    chk = 1
    odd = len(values) & 1
    if odd:
        chk = ((chk & 0x1FFFFFF) << 5) ^ values[0] ^ _GEN_TABLE[chk >> 25]
    table = _GEN_TABLE2
    for a, b in zip(values[odd::2], values[odd + 1::2], strict=True):
        chk = ((chk & 0xFFFFF) << 10) ^ (a << 5) ^ b ^ table[chk >> 20]
    return chk


# The checksum is linear over GF(2) in the bits of its input (the generator terms are
# XORed in), so it can also be computed as parities: with the input as one integer (the
# last value in the lowest 5 bits), bit j of the checksum is the parity of the input's
# bits under mask j, XORed with what the starting value 1 becomes after as many steps as
# there are values. The masks cover inputs of up to _MASKED_VALUES values (longer ones
# take the loop); they are made at the first use.
_MASKED_VALUES = 1024
_BITS_AS_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def _step(chk: int) -> int:
    return ((chk & 0x1FFFFFF) << 5) ^ _GEN_TABLE[chk >> 25]


@cache
def _checksum_masks() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(the 30 masks, what the starting value becomes after n steps for each n)."""
    starts = [1]
    for _ in range(_MASKED_VALUES):
        starts.append(_step(starts[-1]))
    # a value's bit b at distance k from the end ends up as step^k(1 << b)
    images = []
    column = [1 << b for b in range(5)]
    for _ in range(_MASKED_VALUES):
        images.extend(column)
        column = [_step(v) for v in column]
    masks = tuple(int(bytes((v >> j) & 1 for v in reversed(images)).translate(_BITS_AS_DIGITS), 2)
                  for j in range(30))
    return masks, tuple(starts)


def _polymod_fast(values: bytes) -> int:
    """`_polymod` of 5-bit values given as bytes, by parities (the checksum's linearity)."""
    if len(values) > _MASKED_VALUES or not values:
        return _polymod(values)
    masks, starts = _checksum_masks()
    number = int(values.translate(_VALUE_TO_DIGIT), 32)
    chk = starts[len(values)]
    for j, mask in enumerate(masks):
        chk ^= ((number & mask).bit_count() & 1) << j
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _create_checksum(hrp: str, data: Sequence[int], encoding: Encoding) -> list[int]:
    polymod = _polymod_fast(bytes([*_hrp_expand(hrp), *data, 0, 0, 0, 0, 0, 0])) ^ encoding.value
    return [(polymod >> 5 * (5 - i)) & 31 for i in range(CHECKSUM_LENGTH)]


def encode(
    hrp: str,
    data: Sequence[int],
    encoding: Encoding = Encoding.BECH32,
    *,
    max_length: int | None = MAX_LENGTH,
) -> str:
    """Encode 5-bit groups `data` under human-readable part `hrp` (returned lowercase)."""
    if not hrp:
        raise Bech32Error("empty human-readable part")
    if min(hrp) < "!" or max(hrp) > "~":
        raise Bech32Error("human-readable part character out of range")
    if hrp.lower() != hrp and hrp.upper() != hrp:
        raise Bech32Error("mixed-case human-readable part")
    hrp = hrp.lower()
    if data and (min(data) < 0 or max(data) > 31):
        raise Bech32Error("data value out of 5-bit range")
    out = hrp + "1" + "".join(map(CHARSET.__getitem__, [*data, *_create_checksum(hrp, data, encoding)]))
    if max_length is not None and len(out) > max_length:
        raise Bech32Error(f"encoded string longer than {max_length} characters")
    return out


def decode(bech: str, *, max_length: int | None = MAX_LENGTH) -> tuple[str, list[int], Encoding]:
    """Split a bech32/bech32m string into (hrp lowercase, 5-bit data without checksum, encoding).

    Raises Bech32Error for every rule of BIP 173/350: characters 33..126, no mixed case,
    a non-empty hrp, a data part of at least 6 characters, the length limit (unless
    `max_length` is None) and a valid checksum of either kind.
    """
    if bech and (min(bech) < "!" or max(bech) > "~"):
        raise Bech32Error("character out of range")
    if bech.lower() != bech and bech.upper() != bech:
        raise Bech32Error("mixed case")
    if max_length is not None and len(bech) > max_length:
        raise Bech32Error(f"longer than {max_length} characters")
    bech = bech.lower()
    pos = bech.rfind("1")
    if pos < 0:
        raise Bech32Error("no separator character")
    if pos == 0:
        raise Bech32Error("empty human-readable part")
    if pos + 1 + CHECKSUM_LENGTH > len(bech):
        raise Bech32Error("checksum too short")
    hrp = bech[:pos]
    values = bech[pos + 1:].encode("ascii").translate(_CHAR_TO_VALUE)
    bad = values.find(_INVALID)
    if bad >= 0:
        raise Bech32Error(f"invalid data character {bech[pos + 1 + bad]!r}")
    check = _polymod_fast(bytes(_hrp_expand(hrp)) + values)
    for encoding in Encoding:
        if check == encoding.value:
            return hrp, list(values[:-CHECKSUM_LENGTH]), encoding
    raise Bech32Error("invalid checksum")


def convertbits(data: Iterable[int], frombits: int, tobits: int, pad: bool = True) -> list[int]:
    """Regroup a sequence of `frombits`-bit values into `tobits`-bit values.

    With pad=False (decoding 5-bit data back to bytes) leftover bits must be fewer than
    `frombits` and all zero, as BIP 173 requires; otherwise Bech32Error.
    """
    if (frombits, tobits) in ((8, 5), (5, 8)):
        return _regroup(data, frombits, tobits, pad)
    acc = 0
    bits = 0
    out: list[int] = []
    maxv = (1 << tobits) - 1
    max_acc = (1 << (frombits + tobits - 1)) - 1
    for value in data:
        if value < 0 or value >> frombits:
            raise Bech32Error("value out of range")
        acc = ((acc << frombits) | value) & max_acc
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    return _finish(out, acc, bits, frombits, tobits, pad)


def _finish(out: list[int], acc: int, bits: int, frombits: int, tobits: int, pad: bool) -> list[int]:
    """The leftover `bits` of `acc`: padded into one more group, or checked to be padding."""
    maxv = (1 << tobits) - 1
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits:
        raise Bech32Error("excess padding")
    elif (acc << (tobits - bits)) & maxv:
        raise Bech32Error("non-zero padding")
    return out


_SHIFTS_8_TO_5 = tuple(range(35, -1, -5))


def _regroup(data: Iterable[int], frombits: int, tobits: int, pad: bool) -> list[int]:
    """convertbits between bytes and 5-bit groups with the work done by int conversions
    (an invoice is hundreds of groups; a loop per bit group costs more than its checks)."""
    try:
        values = data if isinstance(data, (bytes, bytearray)) else bytes(list(data))
    except ValueError:  # a value outside 0..255
        raise Bech32Error("value out of range") from None
    if not values:
        return []
    count = len(values)
    if frombits == 5:
        return list(_five_to_eight(bytes(values), pad))
    raw = bytes(values)
    whole, bits = divmod(8 * count, 5)
    padded = raw + bytes(-count % 5)
    out = []
    for i in range(0, len(padded), 5):
        block = int.from_bytes(padded[i:i + 5], "big")
        out.extend([(block >> s) & 31 for s in _SHIFTS_8_TO_5])
    if not bits:
        return out[:whole]
    return _finish(out[:whole], raw[-1] & ((1 << bits) - 1), bits, frombits, tobits, pad)


def bytes_to_5bit(data: bytes) -> list[int]:
    return convertbits(data, 8, 5, pad=True)


def _five_to_eight(values: bytes, pad: bool) -> bytes:
    """5-bit values to bytes by one int conversion; the leftover bits padded into one more
    byte (`pad`), or checked to be padding: under 5 bits, all zero."""
    if not values:
        return b""
    digits = values.translate(_VALUE_TO_DIGIT)
    if b"!" in digits:
        raise Bech32Error("value out of range")
    number = int(digits, 32)
    whole, bits = divmod(5 * len(values), 8)
    out = (number >> bits).to_bytes(whole, "big")
    rest = number & ((1 << bits) - 1)
    if pad:
        return out + bytes(((rest << (8 - bits)) & 0xFF,)) if bits else out
    if bits >= 5:
        raise Bech32Error("excess padding")
    if rest:
        raise Bech32Error("non-zero padding")
    return out


def five_bit_to_bytes(data: Sequence[int]) -> bytes:
    """5-bit groups back to bytes; padding must be under 5 bits and zero."""
    try:
        values = data if isinstance(data, bytes) else bytes(data)
    except ValueError:  # a value outside 0..255
        raise Bech32Error("value out of range") from None
    return _five_to_eight(values, pad=False)
