"""Property tests: every generated class round-trips; decoders only raise DecodeError.

Values are generated from each class's `FIELDS` metadata (amiko.wire.fields).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amiko.wire.errors import DecodeError
from amiko.wire.fields import BYTE_TYPES, INT_TYPES, TRUNCATED_TYPES, Field, bytes_size
from amiko.wire.messages import MESSAGE_CLASSES, RECORD_CLASSES, SUBTYPE_CLASSES, TLV_STREAM_CLASSES
from amiko.wire.registry import UnknownMessage, decode_message

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MAX_ARRAY = 3  # elements in generated variable-size arrays
MAX_BYTES = 40  # bytes in generated variable-size byte strings

points = st.tuples(st.sampled_from([2, 3]), st.binary(min_size=32, max_size=32)).map(
    lambda t: bytes([t[0]]) + t[1]
)
sciddir_or_pubkey = st.one_of(
    points,
    st.tuples(st.sampled_from([0, 1]), st.binary(min_size=8, max_size=8)).map(
        lambda t: bytes([t[0]]) + t[1]
    ),
)


def is_stream(cls: Any) -> bool:
    return hasattr(cls, "KNOWN_TYPES")


def element(f: Field) -> st.SearchStrategy[Any]:
    t = f.type
    if f.ref is not None:
        return stream_values(f.ref) if is_stream(f.ref) else struct_values(f.ref)
    if t in INT_TYPES:
        _, lo, hi = INT_TYPES[t]
        return st.integers(lo, hi)
    if t in TRUNCATED_TYPES:
        return st.integers(0, (1 << (8 * TRUNCATED_TYPES[t])) - 1)
    if t == "bigsize":
        return st.integers(0, (1 << 64) - 1)
    if t == "point":
        return points
    if t == "sciddir_or_pubkey":
        return sciddir_or_pubkey
    size = bytes_size(t)
    if size is not None:
        return st.binary(min_size=size, max_size=size)
    raise AssertionError(f"no strategy for {t}")


def value(f: Field) -> st.SearchStrategy[Any]:
    if f.type == "flag":
        return st.booleans()
    if f.type == "extension":
        return st.binary(max_size=MAX_BYTES)
    if f.count is None:
        return element(f)
    fixed = f.count if isinstance(f.count, int) else None
    bound = f.max_count()
    if f.type in BYTE_TYPES:
        if fixed is not None:
            return st.binary(min_size=fixed, max_size=fixed)
        return st.binary(max_size=min(MAX_BYTES, bound or MAX_BYTES))
    if f.type == "utf8":
        return st.text(max_size=10).filter(lambda s: len(s.encode()) <= (bound or MAX_BYTES))
    lo = hi = fixed if fixed is not None else None
    if fixed is None:
        lo, hi = 0, min(MAX_ARRAY, bound or MAX_ARRAY)
    return st.lists(element(f), min_size=lo or 0, max_size=hi).map(tuple)


def struct_values(cls: Any) -> st.SearchStrategy[Any]:
    return st.builds(cls, **{f.name: value(f) for f in cls.FIELDS})


def unknown_records(known: frozenset[int]) -> st.SearchStrategy[tuple[tuple[int, bytes], ...]]:
    odd_types = st.one_of(st.integers(0, 300), st.integers(0, (1 << 64) - 1)).map(lambda t: t | 1)
    return (
        st.lists(odd_types.filter(lambda t: t not in known), unique=True, max_size=3)
        .flatmap(
            lambda ts: st.tuples(
                *[st.tuples(st.just(t), st.binary(max_size=8)) for t in sorted(ts)]
            )
        )
        .map(tuple)
    )


def stream_values(cls: Any) -> st.SearchStrategy[Any]:
    kwargs: dict[str, st.SearchStrategy[Any]] = {}
    for f in cls.FIELDS:
        kwargs[f.name] = value(f) if f.type == "flag" else st.one_of(st.none(), value(f))
    kwargs["unknown"] = unknown_records(cls.KNOWN_TYPES)
    return st.builds(cls, **kwargs)


def name_of(cls: Any) -> str:
    return str(cls.__name__)


@pytest.mark.parametrize("cls", MESSAGE_CLASSES, ids=name_of)
@SETTINGS
@given(data=st.data())
def test_message_round_trip(cls: Any, data: st.DataObject) -> None:
    msg = data.draw(struct_values(cls))
    raw = msg.encode()
    assert raw[:2] == cls.TYPE.to_bytes(2, "big")
    assert decode_message(raw) == msg
    assert cls.decode_payload(raw[2:]).encode() == raw


@pytest.mark.parametrize("cls", SUBTYPE_CLASSES + RECORD_CLASSES, ids=name_of)
@SETTINGS
@given(data=st.data())
def test_subtype_and_record_round_trip(cls: Any, data: st.DataObject) -> None:
    obj = data.draw(struct_values(cls))
    assert cls.decode(obj.encode()) == obj


@pytest.mark.parametrize("cls", TLV_STREAM_CLASSES, ids=name_of)
@SETTINGS
@given(data=st.data())
def test_tlv_stream_round_trip(cls: Any, data: st.DataObject) -> None:
    obj = data.draw(stream_values(cls))
    raw = obj.encode()
    assert cls.decode(raw) == obj


known_types = st.sampled_from(sorted({cls.TYPE for cls in MESSAGE_CLASSES}))


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.tuples(known_types, st.binary(max_size=400)).map(
            lambda t: t[0].to_bytes(2, "big") + t[1]
        ),
    )
)
def test_decode_message_fuzz(raw: bytes) -> None:
    try:
        decode_message(raw)
    except DecodeError:
        pass


any_message = st.sampled_from(MESSAGE_CLASSES).flatmap(struct_values)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    msg=any_message,
    cut=st.integers(0, 2000),
    flips=st.lists(st.tuples(st.integers(0, 2000), st.integers(1, 255)), max_size=3),
)
def test_decode_mutated_messages(msg: Any, cut: int, flips: list[tuple[int, int]]) -> None:
    """Truncated or corrupted encodings of valid messages decode or raise DecodeError."""
    raw = bytearray(msg.encode())
    for pos, x in flips:
        if pos < len(raw):
            raw[pos] ^= x
    raw = raw[: max(2, len(raw) - cut)] if cut < len(raw) else raw
    try:
        out = decode_message(bytes(raw))
    except DecodeError:
        return
    # Whatever decodes must re-encode to a decodable message.
    if not isinstance(out, UnknownMessage):
        assert decode_message(out.encode()) == out


@pytest.mark.parametrize("cls", TLV_STREAM_CLASSES, ids=name_of)
@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=120))
def test_tlv_stream_fuzz(cls: Any, raw: bytes) -> None:
    try:
        obj = cls.decode(raw)
    except DecodeError:
        return
    assert obj.encode() == raw  # a stream that parses is canonical: it re-encodes exactly
