"""amiko.crypto.keys: secp256k1 wrappers."""

from __future__ import annotations

import pytest
from coincurve import PrivateKey, PublicKey
from hypothesis import assume, given
from hypothesis import strategies as st

from amiko.crypto.hashes import sha256
from amiko.crypto.keys import (
    InvalidKeyError,
    combine_pubkeys,
    ecdh,
    is_valid_pubkey,
    is_valid_secret,
    pubkey_of,
    sign,
    sign_der,
    tweak_add_pubkey,
    tweak_add_secret,
    tweak_mul_pubkey,
    tweak_mul_secret,
    verify,
    verify_der,
)

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
h = bytes.fromhex

secrets = st.integers(min_value=1, max_value=N - 1).map(lambda i: i.to_bytes(32, "big"))
hashes32 = st.binary(min_size=32, max_size=32)


def test_pubkey_of_bolt8_keys() -> None:
    assert pubkey_of(b"\x11" * 32) == h(
        "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa"
    )
    assert pubkey_of(b"\x21" * 32) == h(
        "028d7500dd4c12685d1f568b4c2b5048e8534b873319f3a8daa612b469132ec7f7"
    )


def test_ecdh_bolt8_act_one() -> None:
    # BOLT 8 appendix A: es = ECDH(e.priv, rs), then the responder's ECDH(s.priv, re)
    ss = h("1e2fb3c8fe8fb9f262f649f64d26ecf0f2c0a805a767cf02dc2d77a6ef1fdcc3")
    assert ecdh(b"\x12" * 32, pubkey_of(b"\x21" * 32)) == ss
    assert ecdh(b"\x21" * 32, pubkey_of(b"\x12" * 32)) == ss


@given(secrets, secrets)
def test_ecdh_is_symmetric_and_matches_coincurve(a: bytes, b: bytes) -> None:
    assert ecdh(a, pubkey_of(b)) == ecdh(b, pubkey_of(a)) == PrivateKey(a).ecdh(pubkey_of(b))


@pytest.mark.parametrize(
    "bad", [b"", b"\x00" * 32, N.to_bytes(32, "big"), b"\xff" * 32, b"\x01" * 31, b"\x01" * 33]
)
def test_invalid_secrets(bad: bytes) -> None:
    assert not is_valid_secret(bad)
    with pytest.raises(InvalidKeyError):
        pubkey_of(bad)
    with pytest.raises(InvalidKeyError):
        ecdh(bad, pubkey_of(b"\x11" * 32))


def test_valid_secret_edges() -> None:
    assert is_valid_secret((1).to_bytes(32, "big"))
    assert is_valid_secret((N - 1).to_bytes(32, "big"))


def test_is_valid_pubkey() -> None:
    pub = pubkey_of(b"\x11" * 32)
    assert is_valid_pubkey(pub)
    assert not is_valid_pubkey(b"\x04" + pub[1:])  # BOLT 8 "bad key serialization"
    assert not is_valid_pubkey(pub[:-1])
    assert not is_valid_pubkey(PublicKey(pub).format(compressed=False))  # only compressed
    assert not is_valid_pubkey(b"\x02" + b"\xff" * 32)  # x >= p
    assert not is_valid_pubkey(b"\x02" + (5).to_bytes(32, "big"))  # x^3+7 not a square
    assert not is_valid_pubkey(b"")
    with pytest.raises(InvalidKeyError):
        ecdh(b"\x11" * 32, b"\x04" + pub[1:])


@given(secrets, hashes32)
def test_sign_verify_round_trip(secret: bytes, msg: bytes) -> None:
    pub = pubkey_of(secret)
    sig = sign(secret, msg)
    assert len(sig) == 64
    assert int.from_bytes(sig[32:], "big") <= N // 2  # low-S
    assert verify(pub, msg, sig)
    assert not verify(pub, bytes([msg[0] ^ 1]) + msg[1:], sig)
    der = sign_der(secret, msg)
    assert der == PrivateKey(secret).sign(msg, hasher=None)
    assert verify_der(pub, msg, der)
    other = pubkey_of(b"\x22" * 32)
    assume(other[1:] != pub[1:])  # a signature for P also checks against -P when msg is 0
    assert not verify_der(other, msg, der)
    assert not verify(other, msg, sig)


def test_sign_is_deterministic_rfc6979() -> None:
    msg = sha256(b"amiko")
    assert sign(b"\x11" * 32, msg) == sign(b"\x11" * 32, msg)


def test_high_s_is_rejected() -> None:
    secret, msg = b"\x11" * 32, sha256(b"high s")
    sig = sign(secret, msg)
    s = int.from_bytes(sig[32:], "big")
    high = sig[:32] + (N - s).to_bytes(32, "big")
    assert not verify(pubkey_of(secret), msg, high)


def test_verify_never_raises_on_malformed_input() -> None:
    secret, msg = b"\x11" * 32, sha256(b"m")
    pub, sig, der = pubkey_of(secret), sign(secret, msg), sign_der(secret, msg)
    assert not verify(pub, msg, sig[:-1])
    assert not verify(pub, msg[:-1], sig)
    assert not verify(pub[:-1], msg, sig)
    assert not verify(b"\x05" + pub[1:], msg, sig)
    assert not verify(pub, msg, b"\xff" * 64)  # r, s out of range
    assert not verify(pub, msg, b"\x00" * 64)
    assert not verify(pub, msg, "not bytes")  # type: ignore[arg-type]
    assert not verify_der(pub, msg, der + b"\x01")  # sighash byte left on
    assert not verify_der(pub, msg, der[:-1])
    assert not verify_der(pub, msg, b"")
    assert not verify_der(pub, msg, sig)


@given(st.binary(max_size=80), st.binary(max_size=40), st.binary(max_size=80))
def test_verify_fuzz(pub: bytes, msg: bytes, sig: bytes) -> None:
    assert verify(pub, msg, sig) in (True, False)
    assert verify_der(pub, msg, sig) in (True, False)


def test_sign_rejects_bad_hash_length() -> None:
    with pytest.raises(InvalidKeyError):
        sign(b"\x11" * 32, b"\x00" * 31)


# BOLT 3 appendix E: key derivation test vectors.
BASE_SECRET = h("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
PER_COMMITMENT_SECRET = h("1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100")
BASE_POINT = h("036d6caac248af96f6afa7f904f550253a0f3ef3f5aa2fe6838a95b216691468e2")
PER_COMMITMENT_POINT = h("025f7117a78150fe2ef97db7cfc83bd57b2e2c0d0dd25eaf467a4a1c2a45ce1486")


def test_bolt3_localkey_derivation_with_tweak_add() -> None:
    assert pubkey_of(BASE_SECRET) == BASE_POINT
    assert pubkey_of(PER_COMMITMENT_SECRET) == PER_COMMITMENT_POINT
    tweak = sha256(PER_COMMITMENT_POINT + BASE_POINT)
    assert tweak_add_pubkey(BASE_POINT, tweak) == h(
        "0235f2dbfaa89b57ec7b055afe29849ef7ddfeb1cefdb9ebdc43f5494984db29e5"
    )
    assert tweak_add_secret(BASE_SECRET, tweak) == h(
        "cbced912d3b21bf196a766651e436aff192362621ce317704ea2f75d87e7be0f"
    )


def test_bolt3_revocation_derivation_with_tweak_mul_and_combine() -> None:
    t1 = sha256(BASE_POINT + PER_COMMITMENT_POINT)
    t2 = sha256(PER_COMMITMENT_POINT + BASE_POINT)
    a = tweak_mul_pubkey(BASE_POINT, t1)
    b = tweak_mul_pubkey(PER_COMMITMENT_POINT, t2)
    assert a == h("02c00c4aadc536290422a807250824a8d87f19d18da9d610d45621df22510db8ce")
    assert b == h("0325ee7d3323ce52c4b33d4e0a73ab637711057dd8866e3b51202a04112f054c43")
    assert combine_pubkeys([a, b]) == h(
        "02916e326636d19c33f13e8c0c3a03dd157f332f3e99c317c141dd865eb01f8ff0"
    )
    sa = tweak_mul_secret(BASE_SECRET, t1)
    sb = tweak_mul_secret(PER_COMMITMENT_SECRET, t2)
    assert sa == h("44bfd55f845f885b8e60b2dca4b30272d5343be048d79ce87879d9863dedc842")
    assert sb == h("8be02a96a97b9a3c1c9f59ebb718401128b72ec009d85ee1656319b52319b8ce")
    assert tweak_add_secret(sa, sb) == h(
        "d09ffff62ddb2297ab000cc85bcb4283fdeb6aa052affbc9dddcf33b61078110"
    )


def test_tweak_and_combine_errors() -> None:
    secret = b"\x11" * 32
    pub = pubkey_of(secret)
    minus_one = (N - 1).to_bytes(32, "big")
    neg_secret = (N - int.from_bytes(secret, "big")).to_bytes(32, "big")
    with pytest.raises(InvalidKeyError):
        tweak_add_secret(secret, neg_secret)  # sum is zero
    with pytest.raises(InvalidKeyError):
        tweak_add_pubkey(pub, neg_secret)  # point at infinity
    with pytest.raises(InvalidKeyError):
        tweak_mul_pubkey(pub, b"\x00" * 32)
    with pytest.raises(InvalidKeyError):
        tweak_mul_secret(secret, N.to_bytes(32, "big"))
    with pytest.raises(InvalidKeyError):
        tweak_add_pubkey(pub, b"\x01" * 31)
    with pytest.raises(InvalidKeyError):
        combine_pubkeys([])
    with pytest.raises(InvalidKeyError):
        combine_pubkeys([pub, tweak_mul_pubkey(pub, minus_one)])  # P + (-P)
    assert tweak_mul_pubkey(pub, (2).to_bytes(32, "big")) == combine_pubkeys([pub, pub])


@given(secrets, secrets)
def test_tweaks_commute_with_pubkey_of(secret: bytes, tweak: bytes) -> None:
    pub = pubkey_of(secret)
    assert tweak_mul_pubkey(pub, tweak) == pubkey_of(tweak_mul_secret(secret, tweak))
    try:
        summed = tweak_add_secret(secret, tweak)
    except InvalidKeyError:
        return
    assert tweak_add_pubkey(pub, tweak) == pubkey_of(summed)
    assert combine_pubkeys([pub, pubkey_of(tweak)]) == pubkey_of(summed)
