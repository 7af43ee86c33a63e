"""The stored form of a channel: `ChannelData` as versioned, self-describing binary.

    MAGIC (b"\\xffAMIKO-BOLT") | version (one byte, 2) | value

A value is a tag byte and its content:

    0x00 None    0x01 False    0x02 True
    0x03 int     varint length, then the two's complement big-endian bytes
    0x04 bytes   varint length, the bytes
    0x05 str     varint length, UTF-8
    0x06 list    varint count, the values
    0x07 record  varint count, then per field: varint name length, the name (ASCII), value

(varint: unsigned LEB128.) Every field of `ChannelData` (and of the records it holds) is
written under its own name: enums by value, tuples and lists as lists, the HTLC table as
the list of its records, the peer's secrets in their compact BOLT 3 storage form. Decoding
follows the field types, so adding a field with a default is backwards compatible;
anything else bumps `VERSION` and gets a migration in `_MIGRATIONS`.

A channel is stored after every update, so encoding must not cost more than the update:
the records of HTLCs (immutable; a state change makes a new record) and of the peer's
secrets are encoded once and reused while the channel holds them.

Version 1 (read, never written) was JSON of the same tree, bytes as hex strings:

    {"format": "amiko-bolt-channel", "version": 1, "data": {...}}
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from collections.abc import Callable, Iterable
from functools import cache
from itertools import compress
from operator import attrgetter, is_not, not_
from typing import Any

from amiko.channels.bolt.data import ChannelData
from amiko.channels.bolt.htlcs import Htlc, Side
from amiko.channels.bolt.shachain import ShachainStore

__all__ = ["FORMAT", "MAGIC", "VERSION", "SerializeError", "decode", "encode", "encode_v1"]

FORMAT = "amiko-bolt-channel"
MAGIC = b"\xffAMIKO-BOLT"
VERSION = 2
JSON_VERSION = 1
# Migrations of a decoded binary tree (records as dicts) from version N to N+1 (N >= 2).
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

_NONE, _FALSE, _TRUE, _INT, _BYTES, _STR, _LIST, _RECORD = range(8)


class SerializeError(ValueError):
    """Stored channel bytes that do not decode."""


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _stored_fields(cls: type) -> tuple[str, ...]:
    """The fields that are stored (not the caches: `metadata={"stored": False}`)."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get("stored", True))


# -- encoding (version 2) -------------------------------------------------------------------


def _varint(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


@cache
def _field_prefixes(cls: type) -> tuple[tuple[str, bytes], ...]:
    names = _stored_fields(cls)
    return tuple((name, _varint(len(name)) + name.encode()) for name in names)


@cache
def _record_head(cls: type) -> bytes:
    return bytes((_RECORD,)) + _varint(len(_stored_fields(cls)))


_CONST = {None: b"\x00", False: b"\x01", True: b"\x02"}


def _int(value: int) -> bytes:
    n = (value.bit_length() + 8) // 8
    return bytes((_INT,)) + _varint(n) + value.to_bytes(n, "big", signed=True)


def _bytes(value: bytes) -> bytes:
    return bytes((_BYTES,)) + _varint(len(value)) + value


def _str(value: str) -> bytes:
    raw = value.encode()
    return bytes((_STR,)) + _varint(len(raw)) + raw


class _Encoder:
    """Encodes values; records of immutable types (HTLCs, parameters, the peer's secrets...)
    through `cache`: id(record) -> its bytes, with `pinned` holding each record so that its
    id stays its own while the entry lives. A new record of an HTLC (its next state)
    reuses the bytes of the fields it shares with the HTLC's last record (`htlc_fields`)."""

    def __init__(self, onions: bool = True) -> None:
        self.onions = onions  # False: HTLC records are written with an empty onion
        self.cache: dict[int, bytes] = {}
        self.pinned: dict[int, Any] = {}
        self.htlc_fields: dict[tuple[Side, int], tuple[tuple[Any, ...], list[bytes]]] = {}

    def prune(self, htlcs: dict[tuple[Side, int], Htlc]) -> None:
        """Forget the records the channel no longer holds (the cache pins them)."""
        live = set(map(id, htlcs.values()))
        for key in [k for k in self.cache if k not in live]:
            del self.cache[key]
            del self.pinned[key]
        for hkey in [k for k in self.htlc_fields if k not in htlcs]:
            del self.htlc_fields[hkey]

    def value(self, v: Any) -> bytes:
        t: type = type(v)
        simple = _SIMPLE.get(t)
        if simple is not None:
            return simple(v)
        if isinstance(v, enum.Enum):
            blob = _ENUM_BLOBS.get(v)
            if blob is None:
                blob = _ENUM_BLOBS[v] = self.value(v.value)
            return blob
        if t is tuple or t is list:
            return bytes((_LIST,)) + _varint(len(v)) + b"".join([self.value(x) for x in v])
        if t is dict:  # the HTLC table, stored as its records
            return b"".join(self.records(tuple(v.values())))
        if t is ShachainStore or _frozen(t):
            return self.cached(v)
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return self.record(v)
        raise TypeError(f"cannot store {t.__name__}")

    def records(self, values: tuple[Any, ...]) -> list[bytes]:
        """A list of immutable records, each encoded once while it lives (in parts)."""
        found = list(map(self.cache.get, map(id, values)))
        for i in compress(range(len(found)), map(not_, found)):  # not encoded yet
            found[i] = self.cached(values[i])
        found.insert(0, bytes((_LIST,)) + _varint(len(values)))
        return typing.cast(list[bytes], found)

    def record(self, v: Any) -> bytes:
        t: type = type(v)
        head, getter, prefixes = _layout(t)
        value = self.value
        parts = [head]
        for prefix, x in zip(prefixes, getter(v), strict=True):
            parts.append(prefix)
            parts.append(value(x))
        return b"".join(parts)

    def htlc_record(self, h: Htlc) -> bytes:
        head, getter, prefixes = _layout(Htlc)
        values = getter(h)
        if not self.onions:
            values = (*values[:_ONION], b"", *values[_ONION + 1:])
        key = (h.owner, h.htlc_id)
        last = self.htlc_fields.get(key)
        if last is None:
            blobs = [prefix + self.value(x) for prefix, x in zip(prefixes, values, strict=True)]
        else:
            old_values, blobs = last
            blobs = list(blobs)
            for i in compress(range(len(values)), map(is_not, values, old_values)):
                blobs[i] = prefixes[i] + self.value(values[i])
        self.htlc_fields[key] = (values, blobs)
        return head + b"".join(blobs)

    def cached(self, v: Any) -> bytes:
        key = id(v)
        blob = self.cache.get(key)
        if blob is None:
            t = type(v)
            if t is Htlc:
                blob = self.htlc_record(v)
            elif t is ShachainStore:
                blob = _bytes(v.serialize())
            else:
                blob = self.record(v)
            self.cache[key] = blob
            self.pinned[key] = v
        return blob


_ONION = _stored_fields(Htlc).index("onion")  # its place in an HTLC record's values

_SIMPLE: dict[type, Callable[[Any], bytes]] = {
    int: _int, bytes: _bytes, str: _str, bool: _CONST.__getitem__, type(None): _CONST.__getitem__,
}
_ENUM_BLOBS: dict[enum.Enum, bytes] = {}


@cache
def _layout(t: type) -> tuple[bytes, Callable[[Any], tuple[Any, ...]], tuple[bytes, ...]]:
    """(record head, the getter of its stored fields' values, each field's name prefix)."""
    prefixes = _field_prefixes(t)
    names = [name for name, _ in prefixes]
    getter = attrgetter(*names) if len(names) > 1 else (lambda v: (getattr(v, names[0]),))
    return _record_head(t), getter, tuple(prefix for _, prefix in prefixes)


@cache
def _frozen(t: type) -> bool:
    params = getattr(t, "__dataclass_params__", None)
    return params is not None and bool(params.frozen)


_MUTABLE = (dict, list, set, bytearray)


def encode(d: ChannelData, *, onions: bool = True) -> bytes:
    """The stored form of `d` (`onions=False`: its HTLCs' onions left out, as the channel
    table stores them apart). A field holding the same object as at the last encoding of
    this channel reuses its bytes (but the fields of a mutable type: the HTLC table and
    the fee updates, which are encoded every time, record by record)."""
    memo = d.memo
    name = "encoder" if onions else "encoder-without-onions"
    enc = memo.get(name)
    if not isinstance(enc, _Encoder):
        enc = memo[name] = _Encoder(onions)
    head, getter, prefixes = _layout(ChannelData)
    values = getter(d)
    fields_name = "fields" if onions else "fields-without-onions"
    last = memo.get(fields_name)
    if last is None:
        blobs = [b""] * len(values)
        changed: Iterable[int] = range(len(values))
        always = set(_mutable_fields())
    else:
        old_values, blobs, always = last
        changed = set(compress(range(len(values)), map(is_not, values, old_values)))
        changed.update(always)
    table = _table_field()
    for i in changed:
        v = values[i]
        if isinstance(v, _MUTABLE):
            always.add(i)  # may change in place: encode it every time
        if i != table:
            blobs[i] = prefixes[i] + enc.value(v)
    memo[fields_name] = (values, blobs, always)
    # the HTLC table, the bulk of the state: its records' bytes go in without a copy
    htlcs = enc.records(tuple(d.htlcs.values()))
    if len(enc.cache) > 2 * len(d.htlcs) + 64:
        enc.prune(d.htlcs)
    return b"".join([MAGIC, bytes((VERSION,)), head, *blobs[:table], prefixes[table], *htlcs,
                     *blobs[table + 1:]])


@cache
def _table_field() -> int:
    """The position of the HTLC table in `_layout(ChannelData)`."""
    return _stored_fields(ChannelData).index("htlcs")


@cache
def _mutable_fields() -> tuple[int, ...]:
    """The positions of the fields of a mutable type (dict, list) in `_layout(ChannelData)`."""
    hints = _hints(ChannelData)
    return tuple(i for i, name in enumerate(_stored_fields(ChannelData))
                 if typing.get_origin(hints[name]) in (dict, list))


# -- decoding ---------------------------------------------------------------------------------


class _Reader:
    def __init__(self, data: bytes, pos: int) -> None:
        self.data = data
        self.pos = pos

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise SerializeError("truncated channel state")
        out = self.data[self.pos:end]
        self.pos = end
        return out

    def varint(self) -> int:
        n = shift = 0
        while True:
            byte = self.take(1)[0]
            n |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return n
            shift += 7
            if shift > 63:
                raise SerializeError("varint too long")

    def value(self) -> Any:
        tag = self.take(1)[0]
        if tag == _NONE:
            return None
        if tag == _FALSE:
            return False
        if tag == _TRUE:
            return True
        if tag == _INT:
            return int.from_bytes(self.take(self.varint()), "big", signed=True)
        if tag == _BYTES:
            return self.take(self.varint())
        if tag == _STR:
            return self.take(self.varint()).decode()
        if tag == _LIST:
            return [self.value() for _ in range(self.varint())]
        if tag == _RECORD:
            fields: dict[str, Any] = {}
            for _ in range(self.varint()):
                name = self.take(self.varint()).decode("ascii")
                fields[name] = self.value()
            return fields
        raise SerializeError(f"unknown tag {tag}")


def _from_tree(tp: Any, value: Any, hex_bytes: bool) -> Any:
    """The typed value of a decoded tree (version 1: bytes are hex strings)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        return _from_tree(next(a for a in typing.get_args(tp) if a is not type(None)), value, hex_bytes)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_from_tree(args[0], v, hex_bytes) for v in value)
        return tuple(_from_tree(a, v, hex_bytes) for a, v in zip(args, value, strict=True))
    if origin is list:
        return [_from_tree(typing.get_args(tp)[0], v, hex_bytes) for v in value]
    if origin is dict:  # the HTLC table, stored as its records
        htlcs = [_from_tree(Htlc, v, hex_bytes) for v in value]
        return {(h.owner, h.htlc_id): h for h in htlcs}
    if tp is bytes or tp is ShachainStore:
        if hex_bytes:
            if not isinstance(value, str):
                raise SerializeError(f"expected a hex string, got {value!r}")
            raw = bytes.fromhex(value)
        else:
            if not isinstance(value, bytes):
                raise SerializeError(f"expected bytes, got {value!r}")
            raw = value
        return ShachainStore.parse(raw) if tp is ShachainStore else raw
    if tp is bool:
        if not isinstance(value, bool):
            raise SerializeError(f"expected a boolean, got {value!r}")
        return value
    if tp is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise SerializeError(f"expected an integer, got {value!r}")
        return value
    if tp is str:
        return str(value)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise SerializeError(f"expected a record for {tp.__name__}")
        hints = _hints(tp)
        kwargs = {name: _from_tree(hints[name], value[name], hex_bytes)
                  for name in _stored_fields(tp) if name in value}
        return tp(**kwargs)
    raise SerializeError(f"cannot load type {tp!r}")


def decode(data: bytes) -> ChannelData:
    try:
        if data.startswith(MAGIC):
            reader = _Reader(data, len(MAGIC) + 1)
            version = data[len(MAGIC)] if len(data) > len(MAGIC) else 0
            if version > VERSION:
                raise SerializeError(f"stored channel version {version} is newer than {VERSION}")
            body = reader.value()
            if reader.pos != len(data):
                raise SerializeError("trailing bytes after the channel state")
            while version < VERSION:
                if version not in _MIGRATIONS:
                    raise SerializeError(f"unknown stored channel version {version}")
                body = _MIGRATIONS[version](body)
                version += 1
            hex_bytes = False
        else:
            doc = json.loads(data)
            if not isinstance(doc, dict) or doc.get("format") != FORMAT:
                raise SerializeError("not a stored BOLT channel")
            version = doc["version"]
            if version != JSON_VERSION:
                raise SerializeError(f"stored channel version {version} is not a JSON version")
            body = doc["data"]
            hex_bytes = True
        d = _from_tree(ChannelData, body, hex_bytes)
    except SerializeError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise SerializeError(f"corrupt channel state: {exc}") from exc
    assert isinstance(d, ChannelData)
    if any(key != (h.owner, h.htlc_id) or not isinstance(h.owner, Side)
           for key, h in d.htlcs.items()):
        raise SerializeError("corrupt HTLC table")
    return d


# -- version 1 (JSON), for tests of old stored states ----------------------------------------


def _to_json(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return [_to_json(v) for v in value.values()]
    if isinstance(value, ShachainStore):
        return value.serialize().hex()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _to_json(getattr(value, name)) for name in _stored_fields(type(value))}
    raise TypeError(f"cannot store {type(value).__name__}")


def encode_v1(d: ChannelData) -> bytes:
    """The version 1 (JSON) form, as amiko stored channels before version 2."""
    doc = {"format": FORMAT, "version": JSON_VERSION, "data": _to_json(d)}
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
