"""Primitives, the Reader, the generic TLV codec and custom TLV records."""

from __future__ import annotations

import pytest

from amiko.wire.errors import (
    DecodeError,
    EncodeError,
    InvalidPointError,
    NonCanonicalError,
    TlvOrderError,
    TrailingBytesError,
    TruncatedError,
    UnknownEvenTypeError,
)
from amiko.wire.messages import N1, Init, InitTlvs
from amiko.wire.primitives import (
    Reader,
    bigsize_len,
    decode_tu,
    encode_bigsize,
    encode_tu16,
    encode_tu32,
    encode_tu64,
    encode_u8,
    encode_u16,
    encode_u32,
    encode_u64,
)
from amiko.wire.registry import decode_message
from amiko.wire.tlv import (
    custom_record,
    encode_tlv_records,
    register_tlv_record,
    split_tlv_stream,
    unregister_tlv_record,
)


def test_truncated_integers() -> None:
    assert encode_tu64(0) == b""
    assert encode_tu64(1) == b"\x01"
    assert encode_tu32(0x10000) == b"\x01\x00\x00"
    assert encode_tu16(0xFFFF) == b"\xff\xff"
    with pytest.raises(EncodeError):
        encode_tu16(0x10000)
    with pytest.raises(EncodeError):
        encode_tu64(-1)
    assert decode_tu(b"\x01\x00", 0, 2, 2, "x") == 256
    with pytest.raises(NonCanonicalError):
        decode_tu(b"\x00\x01", 0, 2, 2, "x")
    with pytest.raises(TrailingBytesError):
        decode_tu(b"\x01\x00\x00", 0, 3, 2, "x")


def test_fixed_int_encoders() -> None:
    assert encode_u8(255) == b"\xff"
    assert encode_u16(0x1234) == b"\x12\x34"
    assert encode_u32(1) == b"\x00\x00\x00\x01"
    assert encode_u64(1 << 63) == b"\x80" + bytes(7)
    for enc, bad in (
        (encode_u8, 256),
        (encode_u16, -1),
        (encode_u32, 1 << 32),
        (encode_u64, 1 << 64),
    ):
        with pytest.raises(EncodeError):
            enc(bad)


def test_bigsize_bounds() -> None:
    for v in (0, 0xFC, 0xFD, 0xFFFF, 0x10000, 0xFFFFFFFF, 0x100000000, (1 << 64) - 1):
        assert bigsize_len(v) == len(encode_bigsize(v))
    with pytest.raises(EncodeError):
        encode_bigsize(1 << 64)
    with pytest.raises(EncodeError):
        encode_bigsize(-1)


def test_reader() -> None:
    r = Reader(
        bytes.fromhex(
            "01" + "0203" + "04050607" + "08090a0b0c0d0e0f" + "fd0100" + "02" + "11" * 32 + "ff"
        ),
        "t",
    )
    assert r.u8() == 1
    assert r.u16() == 0x0203
    assert r.u32() == 0x04050607
    assert r.u64() == 0x08090A0B0C0D0E0F
    assert r.bigsize() == 0x100
    assert r.point() == b"\x02" + b"\x11" * 32
    assert r.remaining() == 1
    with pytest.raises(TrailingBytesError):
        r.finish()
    with pytest.raises(TruncatedError):
        r.read(2)
    assert r.rest() == b"\xff"
    assert r.at_end()
    r.finish()
    with pytest.raises(TruncatedError):
        r.u8()
    with pytest.raises(InvalidPointError):
        Reader(b"\x04" + bytes(32)).point()
    assert Reader(b"\x01\x02").tu(2) == 0x102


def test_split_and_encode_tlv_records() -> None:
    data = bytes.fromhex("0100" + "fd00fd0101" + "fe00010000" + "00")
    records = split_tlv_stream(data)
    assert records == [(1, b""), (0xFD, b"\x01"), (0x10000, b"")]
    assert encode_tlv_records(records) == data
    with pytest.raises(TlvOrderError):
        split_tlv_stream(bytes.fromhex("0200" + "0100"))
    with pytest.raises(NonCanonicalError):
        split_tlv_stream(bytes.fromhex("01fd0001" + "00"))
    with pytest.raises(TruncatedError):
        split_tlv_stream(bytes.fromhex("0102" + "00"))


def test_stream_encode_rejects_duplicate_or_colliding_unknown() -> None:
    with pytest.raises(EncodeError):
        N1(tlv1=5, unknown=((1, b""),)).encode()
    with pytest.raises(EncodeError):
        N1(unknown=((33, b""), (33, b"\x01"))).encode()
    # unknown records are merged in type order
    assert (
        N1(tlv4=1, unknown=((255, b""), (33, b""))).encode().hex()
        == "2100" + "fd00fe020001" + "fd00ff00"
    )


def test_custom_tlv_record_registration() -> None:
    """A channel type registers an even custom record in `init_tlvs`."""
    raw = bytes.fromhex("001000000000" + "fe00010000" + "02" + "abcd")
    with pytest.raises(UnknownEvenTypeError):
        decode_message(raw)

    def decode_custom(value: bytes) -> int:
        if len(value) != 2:
            raise TrailingBytesError("custom: need 2 bytes")
        return int.from_bytes(value, "big")

    register_tlv_record(InitTlvs, 0x10000, decode_custom)
    try:
        msg = decode_message(raw)
        assert isinstance(msg, Init)
        assert msg.tlvs.unknown == ((0x10000, b"\xab\xcd"),)
        assert custom_record(msg.tlvs, 0x10000) == 0xABCD
        assert msg.encode() == raw
        assert custom_record(InitTlvs(), 0x10000) is None
        with pytest.raises(DecodeError):
            decode_message(bytes.fromhex("001000000000" + "fe00010000" + "01" + "ab"))
        with pytest.raises(ValueError, match="already registered"):
            register_tlv_record(InitTlvs, 0x10000, decode_custom)
        with pytest.raises(ValueError, match="defined by the spec"):
            register_tlv_record(InitTlvs, 1, decode_custom)
    finally:
        unregister_tlv_record(InitTlvs, 0x10000)
    with pytest.raises(UnknownEvenTypeError):
        decode_message(raw)
