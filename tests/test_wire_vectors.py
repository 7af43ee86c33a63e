"""BOLT #1 appendix test vectors (copied into tests/vectors/bolt01_*.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from amiko.wire.errors import (
    DecodeError,
    InvalidPointError,
    NonCanonicalError,
    TlvOrderError,
    TrailingBytesError,
    TruncatedError,
    UnknownEvenTypeError,
)
from amiko.wire.messages import N1, N2, Init, Tlv3
from amiko.wire.primitives import (
    Reader,
    decode_bigsize,
    encode_bigsize,
    encode_s8,
    encode_s16,
    encode_s32,
    encode_s64,
)
from amiko.wire.registry import decode_message
from amiko.wire.types import scid_from_str

VECTORS = Path(__file__).parent / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())["vectors"]


# --- Appendix A: BigSize --------------------------------------------------------------

BIGSIZE_ERRORS = {
    "decoded bigsize is not canonical": NonCanonicalError,
    "unexpected EOF": TruncatedError,
    "EOF": TruncatedError,
}


@pytest.mark.parametrize("vec", load("bolt01_bigsize_decoding.json"), ids=lambda v: v["name"])
def test_bigsize_decoding(vec: dict[str, Any]) -> None:
    data = bytes.fromhex(vec["bytes"])
    if "exp_error" in vec:
        with pytest.raises(BIGSIZE_ERRORS[vec["exp_error"]]):
            decode_bigsize(data)
        with pytest.raises(BIGSIZE_ERRORS[vec["exp_error"]]):
            Reader(data).bigsize()
    else:
        assert decode_bigsize(data) == (vec["value"], len(data))
        assert Reader(data).bigsize() == vec["value"]


@pytest.mark.parametrize("vec", load("bolt01_bigsize_encoding.json"), ids=lambda v: v["name"])
def test_bigsize_encoding(vec: dict[str, Any]) -> None:
    assert encode_bigsize(vec["value"]).hex() == vec["bytes"]


def test_bigsize_error_messages_match_spec_wording() -> None:
    with pytest.raises(NonCanonicalError, match="decoded bigsize is not canonical"):
        decode_bigsize(bytes.fromhex("fd00fc"))
    with pytest.raises(TruncatedError, match="unexpected EOF"):
        decode_bigsize(bytes.fromhex("fd00"))


# --- Appendix B: TLV streams n1 and n2 ------------------------------------------------

STREAMS = {"n1": N1, "n2": N2}


def expected_error(reason: str) -> type[DecodeError]:
    r = reason.lower()
    if "ordering" in r or "duplicate" in r:
        return TlvOrderError
    if "unknown even" in r:
        return UnknownEvenTypeError
    if "not minimal" in r:
        return NonCanonicalError
    if "valid point" in r:
        return InvalidPointError
    if "greater than encoding length" in r:
        return TrailingBytesError
    if "less than encoding length" in r or "truncated" in r or "missing" in r:
        return TruncatedError
    raise AssertionError(f"unmapped reason {reason!r}")


TLV_VECTORS = load("bolt01_tlv.json")
TLV_CASES = [(ns, v) for v in TLV_VECTORS for ns in v["namespaces"]]


def case_id(case: tuple[str, dict[str, Any]]) -> str:
    ns, v = case
    return f"{ns}-{'ok' if v['valid'] else 'bad'}-{v['stream'][:24] or 'empty'}"


@pytest.mark.parametrize("case", [c for c in TLV_CASES if not c[1]["valid"]], ids=case_id)
def test_tlv_decoding_failures(case: tuple[str, dict[str, Any]]) -> None:
    ns, vec = case
    with pytest.raises(expected_error(vec["reason"])):
        STREAMS[ns].decode(bytes.fromhex(vec["stream"]))


def expected_value(vec: dict[str, Any]) -> object:
    rec, fields = vec["record"], vec["fields"]
    if rec == "tlv1":
        return int(fields["amount_msat"])
    if rec == "tlv2":
        return scid_from_str(fields["scid"])
    if rec == "tlv3":
        return Tlv3(
            node_id=bytes.fromhex(fields["node_id"]),
            amount_msat_1=int(fields["amount_msat_1"]),
            amount_msat_2=int(fields["amount_msat_2"]),
        )
    if rec == "tlv4":
        return int(fields["cltv_delta"])
    raise AssertionError(rec)


@pytest.mark.parametrize("case", [c for c in TLV_CASES if c[1]["valid"]], ids=case_id)
def test_tlv_decoding_successes(case: tuple[str, dict[str, Any]]) -> None:
    ns, vec = case
    data = bytes.fromhex(vec["stream"])
    stream = STREAMS[ns].decode(data)
    if "record" in vec:
        assert getattr(stream, vec["record"]) == expected_value(vec)
    else:
        # "should correctly decode, and be ignored": no known record is set.
        assert all(getattr(stream, f.name) is None for f in STREAMS[ns].FIELDS)
    # The stream re-encodes byte for byte (unknown odd records are kept).
    assert stream.encode() == data


def test_tlv_encoding_from_values() -> None:
    """Encoding the decoded values of appendix B gives the vectors' streams."""
    assert N1(tlv1=0).encode().hex() == "0100"
    assert N1(tlv1=72057594037927936).encode().hex() == "01080100000000000000"
    assert N1(tlv2=scid_from_str("0x0x550")).encode().hex() == "02080000000000000226"
    node_id = bytes.fromhex("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb")
    assert N1(tlv3=Tlv3(node_id, 1, 2)).encode().hex() == (
        "0331" + node_id.hex() + "0000000000000001" + "0000000000000002"
    )
    assert N1(tlv4=550).encode().hex() == "fd00fe020226"
    assert N2(tlv1=0, tlv2=550).encode().hex() == "0000" + "0b020226"
    both = N1(tlv1=1, tlv4=550, unknown=((33, b""),))
    assert both.encode().hex() == "010101" + "2100" + "fd00fe020226"


def valid_for(ns: str) -> list[bytes]:
    return [bytes.fromhex(v["stream"]) for v in TLV_VECTORS if v["valid"] and ns in v["namespaces"]]


def invalid_for(ns: str) -> list[bytes]:
    return [
        bytes.fromhex(v["stream"]) for v in TLV_VECTORS if not v["valid"] and ns in v["namespaces"]
    ]


def first_type(data: bytes) -> int:
    return decode_bigsize(data)[0]


def last_type(data: bytes) -> int:
    r = Reader(data)
    t = -1
    while not r.at_end():
        t = r.bigsize()
        r.read(r.bigsize())
    return t


@pytest.mark.parametrize("ns", ["n1", "n2"])
def test_tlv_appending_invalid_to_valid_fails(ns: str) -> None:
    """Appendix B: "Any appending of an invalid stream to a valid stream should trigger a
    decoding failure." """
    for good in valid_for(ns):
        for bad in invalid_for(ns):
            with pytest.raises(DecodeError):
                STREAMS[ns].decode(good + bad)


@pytest.mark.parametrize("ns", ["n1", "n2"])
def test_tlv_appending_higher_valid_to_lower_valid_succeeds(ns: str) -> None:
    """Appendix B: "Any appending of a higher-numbered valid stream to a lower-numbered
    valid stream should not trigger a decoding failure." """
    streams = [s for s in valid_for(ns) if s]
    pairs = 0
    for low in streams:
        for high in streams:
            if first_type(high) > last_type(low):
                data = low + high
                assert STREAMS[ns].decode(data).encode() == data
                pairs += 1
    assert pairs > 10


# --- Appendix C: message extension ----------------------------------------------------


@pytest.mark.parametrize(
    "vec", load("bolt01_message_extension.json")["valid"], ids=lambda v: v["message"]
)
def test_message_extension_valid(vec: dict[str, Any]) -> None:
    data = bytes.fromhex(vec["message"])
    msg = decode_message(data)
    assert isinstance(msg, Init)
    assert msg.features == b"" and msg.globalfeatures == b""
    assert msg.encode() == data  # the extension is kept (it may be covered by signatures)


@pytest.mark.parametrize(
    "vec", load("bolt01_message_extension.json")["invalid"], ids=lambda v: v["message"]
)
def test_message_extension_invalid(vec: dict[str, Any]) -> None:
    with pytest.raises(DecodeError):
        decode_message(bytes.fromhex(vec["message"]))


def test_message_extension_invalid_reasons() -> None:
    with pytest.raises(TruncatedError):
        decode_message(bytes.fromhex("00100000000001"))
    with pytest.raises(UnknownEvenTypeError):
        decode_message(bytes.fromhex("001000000000ca012a"))
    with pytest.raises(TlvOrderError):
        decode_message(bytes.fromhex("001000000000c90101c90102"))


# --- Appendix D: signed integers ------------------------------------------------------

SIGNED = [
    (encode_s8, "s8", 1),
    (encode_s16, "s16", 2),
    (encode_s32, "s32", 4),
    (encode_s64, "s64", 8),
]


@pytest.mark.parametrize("vec", load("bolt01_signed_integers.json"), ids=lambda v: str(v["value"]))
def test_signed_integers(vec: dict[str, Any]) -> None:
    value, data = vec["value"], bytes.fromhex(vec["bytes"])
    # The vectors use the smallest signed type that holds the value.
    for enc, name, size in SIGNED:
        if -(1 << (8 * size - 1)) <= value < 1 << (8 * size - 1):
            assert len(data) == size
            assert enc(value) == data
            assert getattr(Reader(data), name)() == value
            break
    else:
        raise AssertionError("no signed type fits")
