"""BOLT #4 failure messages: codes and fields against the spec catalogue, codecs, flags."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amiko.payments.onion.exceptions import FailureDecodeError, OnionEncodeError
from amiko.payments.onion.failures import (
    BADONION,
    FAILURE_CLASSES,
    NODE,
    PERM,
    UPDATE,
    AmountBelowMinimum,
    ChannelDisabled,
    FailureCode,
    FailureFlag,
    FeeInsufficient,
    IncorrectOrUnknownPaymentDetails,
    InvalidOnionBlinding,
    InvalidOnionHmac,
    InvalidOnionPayload,
    TemporaryChannelFailure,
    TemporaryNodeFailure,
    UnknownFailure,
    bad_onion_failure,
    decode_failure_message,
)

CATALOGUE = Path(__file__).resolve().parent.parent / "amiko" / "wire" / "bolt_catalogue.csv"

_KIND = {"u16": "u16", "u32": "u32", "u64": "u64", "sha256": "sha256", "bigsize": "bigsize"}


def _catalogue() -> dict[str, tuple[int, list[tuple[str, str]]]]:
    """name -> (numeric code, [(field, kind)]) from the failtype/faildata rows."""
    out: dict[str, tuple[int, list[tuple[str, str]]]] = {}
    with CATALOGUE.open() as f:
        for row in csv.reader(line for line in f if not line.startswith("#")):
            if row[0] == "failtype":
                out[row[1]] = (int(row[3]), [])
            elif row[0] == "faildata":
                name, field, ftype, count = row[1], row[2], row[3], row[4]
                fields = out[name][1]
                if ftype == "byte" and count == "len":
                    assert fields[-1] == ("len", "u16")
                    fields[-1] = (field, "u16 len + bytes")
                else:
                    fields.append((field, _KIND[ftype]))
    return out


def test_every_spec_failure_is_defined_with_its_fields() -> None:
    spec = _catalogue()
    assert len(spec) == 22
    ours = {cls.NAME: cls for cls in FAILURE_CLASSES.values()}
    assert set(ours) == set(spec)
    for name, (code, fields) in spec.items():
        cls = ours[name]
        assert cls.CODE == code, name
        assert FailureCode[name.upper()] == code
        # the spec's field `type` is our attribute `tlv_type`
        expected = [("tlv_type" if f == "type" else f, k) for f, k in fields]
        assert list(cls.LAYOUT) == expected, name
        attrs = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        assert attrs == [f for f, _ in expected] + ["extension"], name


def test_flags() -> None:
    assert (BADONION, PERM, NODE, UPDATE) == (0x8000, 0x4000, 0x2000, 0x1000)
    hmac = InvalidOnionHmac(bytes(32))
    assert hmac.is_badonion and hmac.is_permanent and not hmac.is_node and not hmac.is_update
    assert hmac.flags == FailureFlag.BADONION | FailureFlag.PERM
    assert TemporaryNodeFailure().is_node and not TemporaryNodeFailure().is_permanent
    assert TemporaryChannelFailure().is_update
    assert FailureCode.PERMANENT_NODE_FAILURE == PERM | NODE | 2
    assert FailureCode.INVALID_ONION_BLINDING == 0xC018
    unknown = UnknownFailure(0xC0FF, b"x")
    assert unknown.is_badonion and unknown.is_permanent and unknown.code == 0xC0FF


def test_known_encodings() -> None:
    assert TemporaryNodeFailure().encode() == bytes.fromhex("2002")
    assert IncorrectOrUnknownPaymentDetails(100, 800000).encode() == bytes.fromhex(
        "400f0000000000000064000c3500"
    )
    assert TemporaryChannelFailure(b"\x01\x02").encode() == bytes.fromhex("100700020102")
    assert AmountBelowMinimum(5, b"").encode() == bytes.fromhex("100b00000000000000050000")
    assert ChannelDisabled().encode() == bytes.fromhex("101400000000")
    assert InvalidOnionPayload(34001, 7).encode() == bytes.fromhex("4016fd84d10007")


SAMPLES = [
    TemporaryNodeFailure(),
    InvalidOnionHmac(bytes(range(32))),
    TemporaryChannelFailure(b"\x01\x02" + bytes(134)),
    AmountBelowMinimum(123456, b"upd"),
    FeeInsufficient(1, b""),
    ChannelDisabled(0, b"x", extension=b"\x01\x00"),
    IncorrectOrUnknownPaymentDetails(100, 800000, extension=b"\xfd\x84\xd1\x00"),
    InvalidOnionPayload(2, 0),
    InvalidOnionBlinding(bytes(32)),
    UnknownFailure(0x1234, b"raw"),
    UnknownFailure(0x4011, b""),
]


@pytest.mark.parametrize("msg", SAMPLES, ids=lambda m: type(m).__name__)
def test_roundtrip(msg: object) -> None:
    encoded = msg.encode()  # type: ignore[attr-defined]
    assert decode_failure_message(encoded) == msg


@pytest.mark.parametrize(
    "data",
    [
        "",
        "20",
        "c005" + "00" * 31,
        "100b00000000",
        "100b000000000000000500",
        "100b0000000000000005000301",
    ],
)
def test_truncated_failures_raise(data: str) -> None:
    with pytest.raises(FailureDecodeError):
        decode_failure_message(bytes.fromhex(data))


def test_extra_bytes_are_kept_not_refused() -> None:
    # BOLT #4: "MUST ignore any extra bytes in `failuremsg`."
    msg = decode_failure_message(bytes.fromhex("2002deadbeef"))
    assert msg == TemporaryNodeFailure(extension=bytes.fromhex("deadbeef"))


def test_encode_rejects_out_of_range() -> None:
    with pytest.raises(OnionEncodeError):
        AmountBelowMinimum(1 << 64).encode()
    with pytest.raises(OnionEncodeError):
        InvalidOnionHmac(bytes(31)).encode()
    with pytest.raises(OnionEncodeError):
        TemporaryChannelFailure(bytes(0x10000)).encode()
    with pytest.raises(OnionEncodeError):
        UnknownFailure(0x10000).encode()


def test_bad_onion_failure() -> None:
    h = bytes(range(32))
    assert bad_onion_failure(FailureCode.INVALID_ONION_HMAC, h) == InvalidOnionHmac(h)
    assert bad_onion_failure(0xC0FE, h) == UnknownFailure(0xC0FE, h)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=80))
def test_decode_random_bytes_raises_only_failure_decode_error(data: bytes) -> None:
    try:
        msg = decode_failure_message(data)
    except FailureDecodeError:
        return
    assert msg.encode() == data  # whatever decodes re-encodes identically


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(FAILURE_CLASSES)), st.binary(max_size=60))
def test_decode_random_data_for_each_code(code: int, data: bytes) -> None:
    raw = code.to_bytes(2, "big") + data
    try:
        msg = decode_failure_message(raw)
    except FailureDecodeError:
        return
    assert msg.code == code
    assert msg.encode() == raw
