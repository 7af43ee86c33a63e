"""The stored form of a channel: versioned JSON of `ChannelData`.

    {"format": "amiko-bolt-channel", "version": 1, "data": {...}}

Every field of `ChannelData` (and of the records it holds) is written under its own name:
bytes as hex strings, enums by value, optional values as null, tuples and lists as arrays,
the HTLC table as an array of records, the peer's secrets in their compact BOLT 3 storage
form. Decoding follows the field types, so adding a field with a default is backwards
compatible; anything else bumps `VERSION` and gets a migration in `_MIGRATIONS`.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from functools import cache
from typing import Any

from amiko.channels.bolt.data import ChannelData
from amiko.channels.bolt.htlcs import Htlc, Side
from amiko.channels.bolt.shachain import ShachainStore

__all__ = ["FORMAT", "VERSION", "SerializeError", "decode", "encode"]

FORMAT = "amiko-bolt-channel"
VERSION = 1
_MIGRATIONS: dict[int, typing.Callable[[dict[str, Any]], dict[str, Any]]] = {}


class SerializeError(ValueError):
    """Stored channel bytes that do not decode."""


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


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
        return {name: _to_json(getattr(value, name)) for name in _field_names(type(value))}
    raise TypeError(f"cannot store {type(value).__name__}")


def _from_json(tp: Any, value: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        return _from_json(next(a for a in typing.get_args(tp) if a is not type(None)), value)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_from_json(args[0], v) for v in value)
        return tuple(_from_json(a, v) for a, v in zip(args, value, strict=True))
    if origin is list:
        return [_from_json(typing.get_args(tp)[0], v) for v in value]
    if origin is dict:  # the HTLC table, stored as its records
        htlcs = [_from_json(Htlc, v) for v in value]
        return {(h.owner, h.htlc_id): h for h in htlcs}
    if tp is bytes:
        return bytes.fromhex(value)
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
    if tp is ShachainStore:
        return ShachainStore.parse(bytes.fromhex(value))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        kwargs = {f.name: _from_json(hints[f.name], value[f.name])
                  for f in dataclasses.fields(tp) if f.name in value}
        return tp(**kwargs)
    raise SerializeError(f"cannot load type {tp!r}")


def encode(d: ChannelData) -> bytes:
    doc = {"format": FORMAT, "version": VERSION, "data": _to_json(d)}
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def decode(data: bytes) -> ChannelData:
    try:
        doc = json.loads(data)
        if doc.get("format") != FORMAT:
            raise SerializeError("not a stored BOLT channel")
        version = doc["version"]
        body = doc["data"]
        while version < VERSION:
            body = _MIGRATIONS[version](body)
            version += 1
        if version != VERSION:
            raise SerializeError(f"stored channel version {version} is newer than {VERSION}")
        d = _from_json(ChannelData, body)
    except SerializeError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SerializeError(f"corrupt channel state: {exc}") from exc
    assert isinstance(d, ChannelData)
    if any(key != (h.owner, h.htlc_id) or not isinstance(h.owner, Side)
           for key, h in d.htlcs.items()):
        raise SerializeError("corrupt HTLC table")
    return d
