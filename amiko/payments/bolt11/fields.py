"""The data part of a BOLT 11 invoice as 5-bit groups: tagged fields, packing, signing.

BOLT #11: "Each Tagged Field is of the form: 1. `type` (5 bits) 1. `data_length` (10 bits,
big-endian) 1. `data` (`data_length` x 5 bits)". A `TaggedField` keeps the raw groups so
that a decoded invoice, unknown and skipped fields included, serializes back to the very
string it came from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from amiko.bitcoin import bech32

# BOLT #11: Currently defined tagged fields (type = the bech32 value of the letter).
TAG_P = 1  # payment_hash
TAG_R = 3  # route hint
TAG_9 = 5  # features
TAG_X = 6  # expiry
TAG_F = 9  # fallback address
TAG_D = 13  # description
TAG_S = 16  # payment_secret
TAG_N = 19  # payee node id
TAG_H = 23  # description hash
TAG_C = 24  # min_final_cltv_expiry_delta
TAG_M = 27  # payment metadata
KNOWN_TAGS = frozenset({TAG_P, TAG_R, TAG_9, TAG_X, TAG_F, TAG_D, TAG_S, TAG_N, TAG_H, TAG_C, TAG_M})

# BOLT #11: "the maximum length of a Tagged Field's `data` is constricted by the maximum
# value of `data_length`. This is 1023 x 5 bits, or 639 bytes."
MAX_DATA_LENGTH = 1023
MAX_DATA_BYTES = MAX_DATA_LENGTH * 5 // 8

# BOLT #11: `timestamp`: seconds-since-1970 (35 bits, big-endian)
TIMESTAMP_GROUPS = 7
MAX_TIMESTAMP = (1 << 35) - 1
# BOLT #11: `signature` ... (520 bits: 64-byte R||S + 1-byte recovery id)
SIGNATURE_GROUPS = 104


def tag_letter(tag: int) -> str:
    """The bech32 character naming field type `tag` (1 -> 'p')."""
    return bech32.CHARSET[tag]


def letter_tag(letter: str) -> int:
    """The field type named by a bech32 character ('p' -> 1)."""
    index = bech32.CHARSET.find(letter.lower())
    if len(letter) != 1 or index < 0:
        raise ValueError(f"{letter!r} is not a bech32 character")
    return index


@dataclass(frozen=True, slots=True)
class TaggedField:
    """One tagged field exactly as written: its type and its `data` as 5-bit groups."""

    tag: int
    data: tuple[int, ...]

    def __post_init__(self) -> None:
        if not 0 <= self.tag < 32:
            raise ValueError(f"field type {self.tag} is not a 5-bit value")
        if len(self.data) > MAX_DATA_LENGTH:
            raise ValueError(
                f"{self.letter} field data is {len(self.data)} groups; data_length is at most "
                f"{MAX_DATA_LENGTH}"
            )
        if self.data and (min(self.data) < 0 or max(self.data) > 31):
            raise ValueError(f"{self.letter} field data holds a value out of 5-bit range")

    @classmethod
    def of(cls, letter: str, data: Iterable[int]) -> TaggedField:
        return cls(letter_tag(letter), tuple(data))

    @property
    def letter(self) -> str:
        return tag_letter(self.tag)

    def to_5bit(self) -> list[int]:
        n = len(self.data)
        return [self.tag, n >> 5, n & 31, *self.data]


# -- integers and bytes as 5-bit groups --------------------------------------------------------

def int_to_5bit(value: int, groups: int | None = None) -> list[int]:
    """Big-endian base-32 digits of `value`: exactly `groups` of them, or the fewest (none
    for 0): BOLT #11 "MUST use the minimum `data_length` possible, i.e. no leading 0
    field-elements"."""
    if value < 0:
        raise ValueError("negative value")
    out: list[int] = []
    while value:
        out.append(value & 31)
        value >>= 5
    if groups is not None:
        if len(out) > groups:
            raise ValueError(f"value does not fit in {groups} groups")
        out.extend([0] * (groups - len(out)))
    return out[::-1]


def int_from_5bit(groups: Sequence[int]) -> int:
    value = 0
    for g in groups:
        value = (value << 5) | g
    return value


def bytes_to_5bit(data: bytes) -> list[int]:
    """BOLT #11: "MUST pad field data to a multiple of 5 bits, using 0s"."""
    return bech32.bytes_to_5bit(data)


def serialize(hrp: str, timestamp: int, fields: Sequence[TaggedField], signature65: bytes) -> str:
    """The bech32 string of an invoice (lowercase), from its parts and its 65-byte signature."""
    if len(signature65) != 65:
        raise ValueError("the signature is 64 bytes R || S and a 1-byte recovery id")
    data = [*data_without_signature(timestamp, fields), *bytes_to_5bit(signature65)]
    # BOLT #11: A writer MAY exceed the 90-character limit specified in BIP-0173.
    return bech32.encode(hrp, data, bech32.Encoding.BECH32, max_length=None)


def data_without_signature(timestamp: int, fields: Sequence[TaggedField]) -> list[int]:
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise ValueError(f"timestamp {timestamp} does not fit in 35 bits")
    out = int_to_5bit(timestamp, TIMESTAMP_GROUPS)
    for field in fields:
        out.extend(field.to_5bit())
    return out


def signing_data(hrp: str, data5: Sequence[int]) -> bytes:
    """BOLT #11: "the human-readable part (as UTF-8 bytes) concatenated with the data part
    (excluding the signature), with 0 bits appended to pad to a byte boundary"."""
    return hrp.encode() + bytes(bech32.convertbits(data5, 5, 8, pad=True))


def signing_hash(hrp: str, data5: Sequence[int]) -> bytes:
    """BOLT #11: the signature is over "the SHA-256 hash of" `signing_data`."""
    return hashlib.sha256(signing_data(hrp, data5)).digest()
