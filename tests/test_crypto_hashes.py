"""amiko.crypto.hashes: SHA-256, HASH160, HMAC and BOLT 8's HKDF."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from amiko.crypto import _ripemd160
from amiko.crypto.hashes import double_sha256, hash160, hkdf, hmac_sha256, ripemd160, sha256


def test_sha256_and_double() -> None:
    assert sha256(b"abc").hex() == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert double_sha256(b"abc") == sha256(sha256(b"abc"))
    # Bitcoin's genesis block header hashes to its (byte-reversed) block hash.
    header = bytes.fromhex(
        "01000000"
        + "00" * 32
        + "3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a"
        + "29ab5f49"
        + "ffff001d"
        + "1dac2b7c"
    )
    assert double_sha256(header)[::-1].hex() == (
        "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
    )


def test_hash160_of_a_known_pubkey() -> None:
    # The key of secret 1 (the generator) and its well-known P2PKH hash.
    g = bytes.fromhex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
    assert hash160(g).hex() == "751e76e8199196d454941c45d1b3a323f1433bd6"


# RIPEMD-160 test vectors from the algorithm's authors (Dobbertin, Bosselaers, Preneel).
RIPEMD_VECTORS = [
    (b"", "9c1185a5c5e9fc54612808977ee8f548b2258d31"),
    (b"a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"),
    (b"abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"),
    (b"message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"),
    (b"abcdefghijklmnopqrstuvwxyz", "f71c27109c692c1b56bbdceb5b9d2865b3708dbc"),
    (
        b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "12a053384a9c0c88e405a06c27dcf49ada62eb2b",
    ),
    (b"1234567890" * 8, "9b752e45573d4b39f4dbd3323cab82bf63326bfb"),
]


def test_ripemd160_vectors_both_implementations() -> None:
    for data, digest in RIPEMD_VECTORS:
        assert ripemd160(data).hex() == digest
        assert _ripemd160.ripemd160(data).hex() == digest


@given(st.binary(max_size=300))
def test_pure_ripemd160_matches_selected(data: bytes) -> None:
    assert _ripemd160.ripemd160(data) == ripemd160(data)


def test_hmac_sha256_rfc4231_case_2() -> None:
    assert hmac_sha256(b"Jefe", b"what do ya want for nothing?").hex() == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_hkdf_rfc5869_case_3() -> None:
    # RFC 5869 A.3: zero-length salt and info; the OKM given is the first 42 of our 64 bytes.
    k1, k2 = hkdf(b"", bytes([0x0B] * 22))
    assert (k1 + k2)[:42].hex() == (
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
    )
    assert len(k1) == len(k2) == 32


def test_hkdf_bolt8_act_one_step() -> None:
    # BOLT 8 appendix A, initiator act one: ck,temp_k1 = HKDF(ck, ss)
    ck, temp_k1 = hkdf(
        bytes.fromhex("2640f52eebcd9e882958951c794250eedb28002c05d7dc2ea0f195406042caf1"),
        bytes.fromhex("1e2fb3c8fe8fb9f262f649f64d26ecf0f2c0a805a767cf02dc2d77a6ef1fdcc3"),
    )
    assert ck.hex() == "b61ec1191326fa240decc9564369dbb3ae2b34341d1e11ad64ed89f89180582f"
    assert temp_k1.hex() == "e68f69b7f096d7917245f5e5cf8ae1595febe4d4644333c99f9c4a1282031c9f"


@given(st.binary(max_size=64), st.binary(max_size=64))
def test_hkdf_matches_cryptography(salt: bytes, ikm: bytes) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    okm = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=b"").derive(ikm)
    assert hkdf(salt, ikm) == (okm[:32], okm[32:])


def test_sha256_is_hashlib() -> None:
    assert sha256(b"x" * 1000) == hashlib.sha256(b"x" * 1000).digest()
