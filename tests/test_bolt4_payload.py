"""Hop payloads: builders, the reader requirements, offending type/offset, final HTLC checks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amiko.payments.onion.exceptions import OnionEncodeError
from amiko.payments.onion.failures import (
    FinalIncorrectCltvExpiry,
    FinalIncorrectHtlcAmount,
    IncorrectOrUnknownPaymentDetails,
)
from amiko.payments.onion.payload import (
    KEYSEND_PREIMAGE_TYPE,
    BlindedHop,
    FinalHop,
    ForwardHop,
    PayloadRejection,
    build_blinded_final_payload,
    build_blinded_forward_payload,
    build_final_payload,
    build_forward_payload,
    check_final_htlc,
    decode_payload,
    read_hop_payload,
)
from amiko.wire.messages import Payload
from amiko.wire.tlv import encode_record

SECRET = bytes(range(32))
POINT = bytes.fromhex("02eec7245d6b7d2ccb30380bfbe2a3648cd7a942653f5aa340edcea1f283686619")


def test_forward_payload_matches_spec_vector_encoding() -> None:
    # onion-test.json hop 0: amt 15000, cltv 1500, scid 1
    assert build_forward_payload(15000, 1500, 1) == bytes.fromhex(
        "02023a98040205dc06080000000000000001"
    )


def test_forward_roundtrip() -> None:
    raw = build_forward_payload(1000, 700000, (700000 << 40) | (5 << 16) | 1)
    hop = read_hop_payload(raw, is_final=False)
    assert isinstance(hop, ForwardHop)
    assert (hop.amt_to_forward, hop.outgoing_cltv_value) == (1000, 700000)
    assert hop.short_channel_id == (700000 << 40) | (5 << 16) | 1


def test_final_roundtrip_mpp_metadata_custom() -> None:
    raw = build_final_payload(
        5000,
        800,
        payment_secret=SECRET,
        total_msat=12000,
        payment_metadata=b"meta",
        custom_records=[(70001, b"hello"), (65537, b"")],
    )
    hop = read_hop_payload(raw, is_final=True)
    assert isinstance(hop, FinalHop)
    assert hop.amt_to_forward == 5000 and hop.outgoing_cltv_value == 800
    assert hop.total_msat == 12000 and hop.payment_secret == SECRET
    assert hop.payment_metadata == b"meta"
    assert hop.keysend_preimage is None
    assert hop.custom_records == ((65537, b""), (70001, b"hello"))
    assert hop.tlv.encode() == raw
    # an even custom record is refused unless this node says it understands it
    even = build_final_payload(5000, 800, custom_records=[(65536, b"x")])
    refused = read_hop_payload(even, is_final=True)
    assert isinstance(refused, PayloadRejection) and refused.tlv_type == 65536
    accepted = read_hop_payload(even, is_final=True, accept={65536: lambda v: None})
    assert isinstance(accepted, FinalHop) and accepted.custom_records == ((65536, b"x"),)
    assert hop.tlv.encode() == raw


def test_final_without_payment_data_total_is_amount() -> None:
    # BOLT #4: "MUST treat `total_msat` as if it were equal to `amt_to_forward` if it is not
    # present."
    hop = read_hop_payload(build_final_payload(777, 10), is_final=True)
    assert isinstance(hop, FinalHop)
    assert hop.total_msat == 777 and hop.payment_secret is None


def test_keysend_even_record_is_accepted_and_validated() -> None:
    preimage = bytes(range(1, 33))
    raw = build_final_payload(1000, 500, keysend_preimage=preimage)
    assert KEYSEND_PREIMAGE_TYPE % 2 == 0
    hop = read_hop_payload(raw, is_final=True)
    assert isinstance(hop, FinalHop) and hop.keysend_preimage == preimage
    assert hop.tlv.encode() == raw
    # not accepted when the node does not do keysend
    refused = read_hop_payload(raw, is_final=True, accept={})
    assert isinstance(refused, PayloadRejection)
    assert refused.tlv_type == KEYSEND_PREIMAGE_TYPE
    assert refused.offset == len(build_final_payload(1000, 500))
    # wrong length
    bad = build_final_payload(1000, 500) + encode_record(KEYSEND_PREIMAGE_TYPE, b"short")
    rej = read_hop_payload(bad, is_final=True)
    assert isinstance(rej, PayloadRejection) and rej.tlv_type == KEYSEND_PREIMAGE_TYPE


def test_builders_refuse_bad_input() -> None:
    with pytest.raises(OnionEncodeError):
        build_final_payload(1, 1, total_msat=5)  # total without a secret
    with pytest.raises(OnionEncodeError):
        build_final_payload(1, 1, custom_records=[(100, b"")])  # not a custom type
    with pytest.raises(OnionEncodeError):
        build_final_payload(1, 1, keysend_preimage=b"x")
    with pytest.raises(OnionEncodeError):
        build_forward_payload(1 << 64, 1, 1)


def _rec(t: int, v: bytes) -> bytes:
    return encode_record(t, v)


AMT = _rec(2, b"\x03\xe8")
CLTV = _rec(4, b"\x01\xf4")
SCID = _rec(6, bytes(7) + b"\x01")


@pytest.mark.parametrize(
    ("payload", "is_final", "tlv_type", "offset"),
    [
        (CLTV + SCID, False, 2, 0),  # amt_to_forward missing
        (AMT + SCID, False, 4, 0),  # outgoing_cltv_value missing
        (AMT + CLTV, False, 6, 0),  # short_channel_id missing at a forwarding hop
        (AMT + CLTV + SCID, True, 6, len(AMT + CLTV)),  # scid at the final node
        (AMT + CLTV + SCID + _rec(8, SECRET + b"\x01"), False, 8, len(AMT + CLTV + SCID)),
        (AMT + _rec(4, b"\x00\x01"), True, 4, len(AMT)),  # non-minimal tu32
        (AMT + CLTV + _rec(100, b""), True, 100, len(AMT + CLTV)),  # unknown even type
        (CLTV + AMT, True, 2, len(CLTV)),  # not increasing
        (AMT + AMT + CLTV, True, 2, len(AMT)),  # duplicate
        (AMT + CLTV + b"\x08\x30" + SECRET, True, 8, len(AMT + CLTV)),  # truncated value
        (AMT + CLTV + _rec(6, b"\x01"), True, 6, len(AMT + CLTV)),  # short scid
        (AMT + CLTV + _rec(18, b"\x01"), True, 18, len(AMT + CLTV)),  # only for blinded
        (AMT + b"\xfd\x00\x01", True, 2, len(AMT)),  # non-canonical type
        (AMT + CLTV + _rec(12, b"\x05" + bytes(32)), True, 12, len(AMT + CLTV)),  # bad point
    ],
)
def test_rejections_name_type_and_offset(
    payload: bytes, is_final: bool, tlv_type: int, offset: int
) -> None:
    result = read_hop_payload(payload, is_final=is_final)
    assert isinstance(result, PayloadRejection), result
    assert (result.tlv_type, result.offset) == (tlv_type, offset), result.reason
    assert not result.blinded


def test_current_path_key_without_encrypted_data() -> None:
    payload = AMT + CLTV + SCID + _rec(12, POINT)
    forward = read_hop_payload(payload, is_final=False)
    assert isinstance(forward, PayloadRejection) and forward.blinded
    final = read_hop_payload(AMT + CLTV + _rec(12, POINT), is_final=True)
    assert isinstance(final, PayloadRejection) and not final.blinded
    assert final.tlv_type == 12
    # path_key in update_add_htlc but no encrypted_recipient_data
    plain = read_hop_payload(AMT + CLTV + SCID, is_final=False, htlc_path_key=True)
    assert isinstance(plain, PayloadRejection) and plain.blinded


def test_blinded_payloads() -> None:
    intro = build_blinded_forward_payload(b"enc", POINT)
    hop = read_hop_payload(intro, is_final=False)
    assert isinstance(hop, BlindedHop) and hop.current_path_key == POINT
    assert hop.encrypted_recipient_data == b"enc" and not hop.is_final
    # inside the route: the path_key comes in update_add_htlc, not in the payload
    inner = build_blinded_forward_payload(b"enc")
    assert isinstance(read_hop_payload(inner, is_final=False, htlc_path_key=True), BlindedHop)
    for bad, kwargs in [
        (intro, {"htlc_path_key": True}),  # both path keys
        (inner, {"htlc_path_key": False}),  # no path key at all
        (build_forward_payload(1, 2, 3) + _rec(10, b"e"), {"htlc_path_key": True}),
    ]:
        rej = read_hop_payload(bad, is_final=False, **kwargs)  # type: ignore[arg-type]
        assert isinstance(rej, PayloadRejection) and rej.blinded
    final = build_blinded_final_payload(b"enc", 1000, 800, 3000)
    done = read_hop_payload(final, is_final=True, htlc_path_key=True)
    assert isinstance(done, BlindedHop) and done.is_final
    assert (done.amt_to_forward, done.outgoing_cltv_value, done.total_amount_msat) == (
        1000,
        800,
        3000,
    )
    missing_total = Payload(
        amt_to_forward=1, outgoing_cltv_value=2, encrypted_recipient_data=b"e"
    ).encode()
    rej = read_hop_payload(missing_total, is_final=True, htlc_path_key=True)
    assert isinstance(rej, PayloadRejection) and rej.blinded and rej.tlv_type == 18
    # a malformed stream inside a blinded route is a blinding error too
    garbage = read_hop_payload(b"\x02\x05\x01", is_final=False, htlc_path_key=True)
    assert isinstance(garbage, PayloadRejection) and garbage.blinded


def _final(secret: bytes | None = SECRET, amt: int = 1000, cltv: int = 500) -> FinalHop:
    raw = build_final_payload(amt, cltv, payment_secret=secret)
    hop = read_hop_payload(raw, is_final=True)
    assert isinstance(hop, FinalHop)
    return hop


def test_check_final_htlc() -> None:
    hop = _final()
    assert check_final_htlc(hop, 1000, 500, 400, 18) is None
    assert check_final_htlc(hop, 1000, 500, 490, 18) == IncorrectOrUnknownPaymentDetails(1000, 490)
    assert check_final_htlc(hop, 1000, 499, 400, 18) == FinalIncorrectCltvExpiry(499)
    assert check_final_htlc(hop, 999, 500, 400, 18) == FinalIncorrectHtlcAmount(999)
    no_secret = _final(secret=None)
    assert check_final_htlc(no_secret, 1000, 500, 400, 18) == IncorrectOrUnknownPaymentDetails(
        1000, 400
    )
    assert check_final_htlc(no_secret, 1000, 500, 400, 18, require_payment_secret=False) is None


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=120), st.booleans(), st.booleans())
def test_reading_random_bytes_never_raises(data: bytes, is_final: bool, blinded: bool) -> None:
    result = read_hop_payload(data, is_final=is_final, htlc_path_key=blinded)
    if isinstance(result, PayloadRejection):
        assert 0 <= result.offset <= len(data)
        if blinded:
            assert result.blinded
    decoded = decode_payload(data)
    if not isinstance(decoded, PayloadRejection):
        assert decoded.encode() == data


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, (1 << 64) - 1),
    st.integers(0, (1 << 32) - 1),
    st.integers(0, (1 << 64) - 1),
)
def test_forward_payload_roundtrip_any_values(amt: int, cltv: int, scid: int) -> None:
    hop = read_hop_payload(build_forward_payload(amt, cltv, scid), is_final=False)
    assert isinstance(hop, ForwardHop)
    assert (hop.amt_to_forward, hop.outgoing_cltv_value, hop.short_channel_id) == (amt, cltv, scid)
