"""Trust channel codecs: messages, change lists and signed states round-trip, and random
bytes only ever raise DecodeError."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amiko.channels.interface import ONION_PACKET_SIZE
from amiko.channels.trust.changes import (
    AddHtlc,
    CloseChannel,
    ExpireHtlc,
    FailHtlc,
    FailMalformedHtlc,
    SettleHtlc,
    decode_changes,
    encode_changes,
)
from amiko.channels.trust.messages import (
    TRUST_MESSAGES,
    MissingFieldError,
    TrustAccept,
    TrustAck,
    TrustOpen,
    TrustReestablish,
    TrustRefuse,
    TrustSettle,
    TrustSign,
    TrustUpdate,
)
from amiko.channels.trust.state import TrustHtlc, TrustState, decode_state, encode_state
from amiko.wire.errors import DecodeError, UnknownEvenTypeError
from amiko.wire.registry import decode_message

U64 = st.integers(0, (1 << 64) - 1)
U32 = st.integers(0, (1 << 32) - 1)
U16 = st.integers(0, (1 << 16) - 1)
B32 = st.binary(min_size=32, max_size=32)
SIG = st.binary(min_size=64, max_size=64)
ONION = st.binary(min_size=ONION_PACKET_SIZE, max_size=ONION_PACKET_SIZE)
TEXT = st.text(max_size=40)

changes = st.one_of(
    st.builds(AddHtlc, U64, U64, B32, U32, ONION),
    st.builds(SettleHtlc, U64, B32),
    st.builds(FailHtlc, U64, st.binary(max_size=400)),
    st.builds(FailMalformedHtlc, U64, B32, U16),
    st.builds(ExpireHtlc, U64),
    st.just(CloseChannel()),
)
change_lists = st.lists(changes, max_size=8).map(tuple)

messages = st.one_of(
    st.builds(TrustOpen, B32, B32, B32, U64, U64),
    st.builds(TrustAccept, B32, U64, SIG),
    st.builds(TrustRefuse, B32, st.none() | TEXT),
    st.builds(TrustUpdate, B32, U64, change_lists),
    st.builds(TrustSign, B32, U64, SIG),
    st.builds(TrustAck, B32, U64, SIG),
    st.builds(TrustReestablish, B32, U64),
    st.builds(TrustSettle, B32, st.none() | TEXT, st.none() | U64, st.none() | B32),
)


@settings(max_examples=300)
@given(messages)
def test_messages_round_trip(msg):
    data = msg.encode()
    assert int.from_bytes(data[:2], "big") == msg.TYPE
    again = decode_message(data)
    assert again == msg
    assert again.encode() == data
    assert type(msg).CHANNEL_ID_FIELD == "channel_id"


@settings(max_examples=200)
@given(change_lists)
def test_change_lists_round_trip(cs):
    assert decode_changes(encode_changes(cs)) == cs


@settings(max_examples=500)
@given(st.sampled_from(TRUST_MESSAGES), st.binary(max_size=300))
def test_random_payloads_only_raise_decode_error(cls, payload):
    try:
        msg = cls.decode_payload(payload)
    except DecodeError:
        return
    assert msg.encode()[2:] == payload  # whatever decodes re-encodes exactly


@settings(max_examples=300)
@given(st.binary(max_size=200))
def test_random_change_lists_only_raise_decode_error(data):
    try:
        cs = decode_changes(data)
    except DecodeError:
        return
    assert encode_changes(cs) == data


@settings(max_examples=300)
@given(st.binary(max_size=400))
def test_random_states_only_raise_decode_error(data):
    try:
        s = decode_state(data)
    except DecodeError:
        return
    assert encode_state(s) == data


def test_all_types_odd_and_custom():
    for cls in TRUST_MESSAGES:
        assert cls.TYPE % 2 == 1 and 32768 <= cls.TYPE <= 65535
    assert len({cls.TYPE for cls in TRUST_MESSAGES}) == len(TRUST_MESSAGES)


def test_required_records_and_unknown_even_records():
    cid = b"\x01" * 32
    sign = TrustSign(cid, 7, b"\x02" * 64).encode()
    # drop the signature record (type 2): a required record is missing
    short = sign[:2 + 32] + bytes((0, 1, 7))
    with pytest.raises(MissingFieldError):
        decode_message(short)
    # an unknown even record fails, an unknown odd one is kept
    with pytest.raises(UnknownEvenTypeError):
        decode_message(sign + bytes((4, 0)))
    odd = decode_message(sign + bytes((5, 1, 9)))
    assert isinstance(odd, TrustSign) and odd.extra == ((5, b"\x09"),)
    assert odd.encode() == sign + bytes((5, 1, 9))
    # a non-minimal tu64
    with pytest.raises(DecodeError):
        decode_message(sign[:2 + 32] + bytes((0, 2, 0, 7)) + sign[2 + 32 + 3:])


@settings(max_examples=200)
@given(U64, st.integers(0, 10**15), st.integers(0, 10**15), st.integers(-(10**15), 10**15), U64, U64,
       st.lists(st.tuples(st.integers(1, 10**9), B32, U32), max_size=5), st.booleans())
def test_states_round_trip(number, l1, l2, b1, n1, n2, htlcs, final):
    hs = tuple(sorted((TrustHtlc(1 + i % 2, i, amt, h, cltv) for i, (amt, h, cltv) in enumerate(htlcs)),
                      key=lambda h: h.key))
    if hs:
        final = False
    n1, n2 = max(n1, len(hs)), max(n2, len(hs))
    if n1 >= 1 << 64 or n2 >= 1 << 64:
        return
    total = sum(h.amount_msat for h in hs)
    b2 = -b1 - total
    s = TrustState(b"\x06" * 32, b"\x07" * 32, b"\x02" + b"\x01" * 32, b"\x03" + b"\x01" * 32, number,
                   l1, l2, b1, b2, n1, n2, hs, final)
    valid = b2 >= -l1 and b1 >= -l2
    data = encode_state(s)
    if valid:
        assert decode_state(data) == s
    else:
        with pytest.raises(DecodeError):
            decode_state(data)
