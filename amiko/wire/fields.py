"""Machine-readable description of generated classes' fields (`FIELDS` class variables).

Generated code does not walk this metadata at run time (it is straight-line code); it is
for tests (property-based generators), tooling and debugging.

A `Field` names one dataclass attribute:

- `type` is the spec element type: an integer type (`u16`, `byte`, `short_channel_id`, ...),
  a fixed-size byte type (`point`, `sha256`, `sha256[..4]` = first 4 bytes of a sha256, ...),
  `bigsize`, `tu16`/`tu32`/`tu64`, `utf8`, `sciddir_or_pubkey`, the name of a subtype / TLV
  stream / multi-field TLV record (then `ref` is its class), or one of the pseudo types
  `flag` (a TLV record without data, held as `bool`) and `extension` (raw bytes after the
  last known field of a message that defines no TLV stream, kept as `bytes`).
- `count` is None for a single element, an int for a fixed-size array, `"..."` for an
  array taking the rest of the enclosing message/record, or the spec name of the length
  field (whose own type is `count_type`). Arrays of `byte`/`u8` are `bytes`, arrays of
  `utf8` are `str`, other arrays are tuples.
- `tlv_type` is set for the fields of TLV stream classes (the record type); they are
  Optional (None = absent), except `flag` records (False = absent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, TypeAlias

# name -> (size in bytes, min, max); decoded as int.
INT_TYPES: Final[dict[str, tuple[int, int, int]]] = {
    "byte": (1, 0, 0xFF),
    "u8": (1, 0, 0xFF),
    "u16": (2, 0, 0xFFFF),
    "u32": (4, 0, 0xFFFFFFFF),
    "u64": (8, 0, 0xFFFFFFFFFFFFFFFF),
    "s8": (1, -(1 << 7), (1 << 7) - 1),
    "s16": (2, -(1 << 15), (1 << 15) - 1),
    "s32": (4, -(1 << 31), (1 << 31) - 1),
    "s64": (8, -(1 << 63), (1 << 63) - 1),
    "short_channel_id": (8, 0, 0xFFFFFFFFFFFFFFFF),
}

# struct format character of each integer type.
INT_CODES: Final[dict[str, str]] = {
    "byte": "B",
    "u8": "B",
    "u16": "H",
    "u32": "I",
    "u64": "Q",
    "s8": "b",
    "s16": "h",
    "s32": "i",
    "s64": "q",
    "short_channel_id": "Q",
}

# truncated integers: name -> maximum size.
TRUNCATED_TYPES: Final[dict[str, int]] = {"tu16": 2, "tu32": 4, "tu64": 8}

# fixed-size byte strings: name -> size.
FIXED_BYTES_TYPES: Final[dict[str, int]] = {
    "point": 33,
    "signature": 64,
    "bip340sig": 64,
    "sha256": 32,
    "chain_hash": 32,
    "channel_id": 32,
    "preimage": 32,
}

# element types whose arrays are `bytes`.
BYTE_TYPES: Final = frozenset({"byte", "u8"})

REST: Final = "..."

# the class of a nested subtype / TLV stream / record (`type` is shadowed inside Field)
AnyClass: TypeAlias = type[Any]


def truncated_bytes_size(type_name: str) -> int | None:
    """Size of a `T[..N]` type (the first N bytes of a fixed-size T), else None."""
    if type_name.endswith("]") and "[.." in type_name:
        base, _, rest = type_name.partition("[..")
        if base in FIXED_BYTES_TYPES and rest[:-1].isdigit():
            return int(rest[:-1])
    return None


def bytes_size(type_name: str) -> int | None:
    """Size of a fixed-size byte-string element type, or None."""
    size = FIXED_BYTES_TYPES.get(type_name)
    if size is not None:
        return size
    return truncated_bytes_size(type_name)


@dataclass(frozen=True, slots=True)
class Field:
    """One attribute of a generated dataclass (see the module docstring)."""

    name: str
    type: str
    count: int | str | None = None
    count_type: str | None = None
    ref: AnyClass | None = None
    tlv_type: int | None = None

    @property
    def is_array(self) -> bool:
        return self.count is not None

    @property
    def is_rest(self) -> bool:
        return self.count == REST

    def max_count(self) -> int | None:
        """Upper bound of the array length given by the length field's type (None: no
        bound from the encoding itself, e.g. rest-of-record arrays)."""
        if isinstance(self.count, int):
            return self.count
        if self.count_type is None:
            return None
        if self.count_type == "bigsize":
            return (1 << 64) - 1
        return INT_TYPES[self.count_type][2]
