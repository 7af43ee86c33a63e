"""BOLT 8 transport cipher and handshake state machine: properties and misuse."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amiko.crypto.keys import pubkey_of
from amiko.crypto.noise import (
    MAX_MESSAGE_SIZE,
    DecryptionError,
    HandshakeError,
    HandshakeMacError,
    HandshakeState,
    InitiatorHandshake,
    MessageTooLongError,
    NoiseCipher,
    NoiseStateError,
    ResponderHandshake,
)

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
secrets = st.integers(min_value=1, max_value=N - 1).map(lambda i: i.to_bytes(32, "big"))

I_STATIC, R_STATIC, I_EPH, R_EPH = (bytes([b]) * 32 for b in (0x11, 0x21, 0x12, 0x22))


def handshake(
    i_static: bytes = I_STATIC,
    r_static: bytes = R_STATIC,
    i_eph: bytes = I_EPH,
    r_eph: bytes = R_EPH,
) -> tuple[NoiseCipher, NoiseCipher]:
    ini = InitiatorHandshake(i_static, pubkey_of(r_static), i_eph)
    res = ResponderHandshake(r_static, r_eph)
    act_two = res.act_one_receive(ini.act_one())
    res.act_three_receive(ini.act_two_receive(act_two))
    assert res.remote_static_pub == pubkey_of(i_static)
    return ini.result(), res.result()


def send_filler(a: NoiseCipher, b: NoiseCipher, count: int) -> None:
    for _ in range(count):
        assert b.decrypt(a.encrypt(b"")) == b""


@settings(max_examples=50, deadline=None)
@given(secrets, secrets, secrets, secrets)
def test_random_keys_handshake(i_s: bytes, r_s: bytes, i_e: bytes, r_e: bytes) -> None:
    a, b = handshake(i_s, r_s, i_e, r_e)
    assert b.decrypt(a.encrypt(b"x")) == b"x"
    assert a.decrypt(b.encrypt(b"y")) == b"y"


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=1100),
    st.integers(min_value=0, max_value=1100),
    st.lists(st.tuples(st.booleans(), st.binary(max_size=3000)), max_size=30),
)
def test_pair_round_trips_across_rotations(
    skip_ab: int, skip_ba: int, traffic: list[tuple[bool, bytes]]
) -> None:
    a, b = handshake()
    send_filler(a, b, skip_ab)  # move each direction to an arbitrary point of its key schedule
    send_filler(b, a, skip_ba)
    for a_to_b, msg in traffic:
        sender, receiver = (a, b) if a_to_b else (b, a)
        frame = sender.encrypt(msg)
        assert len(frame) == 18 + len(msg) + 16
        assert receiver.decrypt_length(frame[:18]) == len(msg)
        assert receiver.decrypt_body(frame[18:]) == msg


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=1001), st.binary(max_size=200), st.data())
def test_any_flipped_bit_is_detected(skip: int, msg: bytes, data: st.DataObject) -> None:
    a, b = handshake()
    send_filler(a, b, skip)
    frame = bytearray(a.encrypt(msg))
    bit = data.draw(st.integers(min_value=0, max_value=8 * len(frame) - 1))
    frame[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(DecryptionError):
        b.decrypt(bytes(frame))
    # A receiver that saw a bad frame stays broken: the connection must be dropped.
    with pytest.raises(NoiseStateError):
        b.decrypt(a.encrypt(b"after"))


def test_header_and_body_macs_checked_separately() -> None:
    a, b = handshake()
    frame = bytearray(a.encrypt(b"hello"))
    frame[-1] ^= 0x80
    assert b.decrypt_length(bytes(frame[:18])) == 5
    with pytest.raises(DecryptionError, match="body"):
        b.decrypt_body(bytes(frame[18:]))
    a, b = handshake()
    frame = bytearray(a.encrypt(b"hello"))
    frame[0] ^= 1
    with pytest.raises(DecryptionError, match="length"):
        b.decrypt_length(bytes(frame[:18]))


def test_replayed_frame_is_rejected() -> None:
    a, b = handshake()
    frame = a.encrypt(b"once")
    assert b.decrypt(frame) == b"once"
    with pytest.raises(DecryptionError):
        b.decrypt(frame)


def test_max_size_and_too_long() -> None:
    a, b = handshake()
    big = bytes(range(256)) * 256
    assert b.decrypt(a.encrypt(big[:MAX_MESSAGE_SIZE])) == big[:MAX_MESSAGE_SIZE]
    with pytest.raises(MessageTooLongError):
        a.encrypt(big[: MAX_MESSAGE_SIZE + 1])
    with pytest.raises(ValueError):  # MessageTooLongError is a ValueError
        a.encrypt(bytes(70_000))
    # A refused message consumed no nonce.
    assert b.decrypt(a.encrypt(b"next")) == b"next"


def test_cipher_call_order_is_enforced() -> None:
    a, b = handshake()
    frame = a.encrypt(b"abc")
    with pytest.raises(NoiseStateError):
        b.decrypt_body(frame[18:])
    b.decrypt_length(frame[:18])
    with pytest.raises(NoiseStateError):
        b.decrypt_length(frame[:18])
    with pytest.raises(ValueError):
        b.decrypt_body(frame[18:-1])  # the driver must read exactly length + 16
    assert b.decrypt_body(frame[18:]) == b"abc"
    with pytest.raises(ValueError):
        b.decrypt_length(frame[:17])


def test_truncated_whole_frame() -> None:
    a, b = handshake()
    with pytest.raises(DecryptionError):
        b.decrypt(a.encrypt(b"abcdef")[:-1])


def test_cipher_needs_32_byte_keys() -> None:
    with pytest.raises(ValueError):
        NoiseCipher(b"\x00" * 31, b"\x00" * 32, b"\x00" * 32)


# --- handshake state machine ---


def test_initiator_call_order() -> None:
    ini = InitiatorHandshake(I_STATIC, pubkey_of(R_STATIC), I_EPH)
    with pytest.raises(NoiseStateError):
        ini.act_two_receive(b"\x00" * 50)
    with pytest.raises(NoiseStateError):
        ini.result()
    with pytest.raises(NoiseStateError):
        _ = ini.session_keys
    act_one = ini.act_one()
    with pytest.raises(NoiseStateError):
        ini.act_one()
    res = ResponderHandshake(R_STATIC, R_EPH)
    ini.act_two_receive(res.act_one_receive(act_one))
    assert ini.state is HandshakeState.COMPLETE
    ini.result()
    assert ini.state is HandshakeState.FINISHED
    with pytest.raises(NoiseStateError):  # a second cipher on the same keys would reuse nonces
        ini.result()


def test_responder_call_order() -> None:
    ini = InitiatorHandshake(I_STATIC, pubkey_of(R_STATIC), I_EPH)
    res = ResponderHandshake(R_STATIC, R_EPH)
    with pytest.raises(NoiseStateError):
        res.act_three_receive(b"\x00" * 66)
    with pytest.raises(NoiseStateError):
        _ = res.remote_static_pub
    act_two = res.act_one_receive(ini.act_one())
    with pytest.raises(NoiseStateError):
        res.act_one_receive(b"\x00" * 50)
    with pytest.raises(NoiseStateError):
        _ = res.remote_static_pub
    with pytest.raises(NoiseStateError):
        res.result()
    res.act_three_receive(ini.act_two_receive(act_two))
    assert res.remote_static_pub == pubkey_of(I_STATIC)


def test_failed_handshake_stays_failed() -> None:
    res = ResponderHandshake(R_STATIC, R_EPH)
    with pytest.raises(HandshakeError):
        res.act_one_receive(b"\x00" * 50)
    assert res.state is HandshakeState.FAILED
    ini = InitiatorHandshake(I_STATIC, pubkey_of(R_STATIC), I_EPH)
    for call in (
        lambda: res.act_one_receive(ini.act_one()),
        lambda: res.act_three_receive(b"\x00" * 66),
        res.result,
    ):
        with pytest.raises(NoiseStateError):
            call()


def test_initiator_with_wrong_node_id_fails_act_one_mac() -> None:
    ini = InitiatorHandshake(I_STATIC, pubkey_of(b"\x33" * 32), I_EPH)
    res = ResponderHandshake(R_STATIC, R_EPH)
    with pytest.raises(HandshakeMacError) as info:
        res.act_one_receive(ini.act_one())
    assert info.value.act == 1


def test_constructor_rejects_bad_keys() -> None:
    with pytest.raises(ValueError):
        InitiatorHandshake(b"\x00" * 32, pubkey_of(R_STATIC), I_EPH)
    with pytest.raises(ValueError):
        InitiatorHandshake(I_STATIC, b"\x04" + pubkey_of(R_STATIC)[1:], I_EPH)
    with pytest.raises(ValueError):
        InitiatorHandshake(I_STATIC, pubkey_of(R_STATIC), b"\xff" * 32)
    with pytest.raises(ValueError):
        ResponderHandshake(b"\x00" * 32, R_EPH)
    with pytest.raises(ValueError):
        ResponderHandshake(R_STATIC, b"")


@settings(max_examples=300)
@given(st.binary(min_size=0, max_size=80))
def test_garbage_act_one_only_raises_handshake_errors(data: bytes) -> None:
    res = ResponderHandshake(R_STATIC, R_EPH)
    with pytest.raises(HandshakeError):
        res.act_one_receive(data)


@settings(max_examples=300)
@given(st.binary(min_size=0, max_size=80))
def test_garbage_act_two_only_raises_handshake_errors(data: bytes) -> None:
    ini = InitiatorHandshake(I_STATIC, pubkey_of(R_STATIC), I_EPH)
    ini.act_one()
    with pytest.raises(HandshakeError):
        ini.act_two_receive(data)


@settings(max_examples=300)
@given(st.binary(min_size=0, max_size=80))
def test_garbage_act_three_only_raises_handshake_errors(data: bytes) -> None:
    ini = InitiatorHandshake(I_STATIC, pubkey_of(R_STATIC), I_EPH)
    res = ResponderHandshake(R_STATIC, R_EPH)
    res.act_one_receive(ini.act_one())
    with pytest.raises(HandshakeError):
        res.act_three_receive(data)


def test_session_keys_repr_hides_keys() -> None:
    ini = InitiatorHandshake(I_STATIC, pubkey_of(R_STATIC), I_EPH)
    res = ResponderHandshake(R_STATIC, R_EPH)
    res.act_three_receive(ini.act_two_receive(res.act_one_receive(ini.act_one())))
    assert ini.session_keys.send_key.hex() not in repr(ini.session_keys)
    assert ini.session_keys.send_key == res.session_keys.recv_key
    assert ini.session_keys.recv_key == res.session_keys.send_key
