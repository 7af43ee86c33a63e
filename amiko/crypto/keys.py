"""secp256k1 keys, ECDH and ECDSA: typed functions over plain ``bytes``.

Secrets are 32-byte big-endian scalars, public keys 33-byte compressed SEC encodings (the
only form Lightning uses), message hashes 32 bytes. The functions call the libsecp256k1
that coincurve bundles through coincurve's cffi binding directly: ``coincurve.PrivateKey``
derives two public keys on construction, which would double the cost of every ECDH and
signature on the hot paths (BOLT 8 handshakes, BOLT 4 onions, commitment signatures).

Malformed input raises :class:`InvalidKeyError` (a ``ValueError``); ``verify`` and
``verify_der`` never raise on malformed input, they return ``False``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from coincurve._libsecp256k1 import ffi, lib
from coincurve.context import GLOBAL_CONTEXT

__all__ = [
    "InvalidKeyError",
    "combine_pubkeys",
    "ecdh",
    "is_valid_pubkey",
    "is_valid_secret",
    "pubkey_of",
    "sign",
    "sign_der",
    "tweak_add_pubkey",
    "tweak_add_secret",
    "tweak_mul_pubkey",
    "tweak_mul_secret",
    "verify",
    "verify_der",
]

_CTX: Any = GLOBAL_CONTEXT.ctx  # randomized once by coincurve at import
_EC_COMPRESSED: int = lib.SECP256K1_EC_COMPRESSED
_NULL: Any = ffi.NULL


class InvalidKeyError(ValueError):
    """A secret, public key, tweak or hash that is malformed or out of range."""


def _secret(secret: bytes, what: str = "secret") -> bytes:
    if len(secret) != 32 or not lib.secp256k1_ec_seckey_verify(_CTX, secret):
        raise InvalidKeyError(f"{what} is not a valid secp256k1 scalar (32 bytes, 0 < s < n)")
    return secret


def _parse_pubkey(pubkey: bytes) -> Any:
    if len(pubkey) != 33:
        raise InvalidKeyError(f"public key must be 33 bytes compressed, got {len(pubkey)} bytes")
    point = ffi.new("secp256k1_pubkey *")
    if not lib.secp256k1_ec_pubkey_parse(_CTX, point, pubkey, 33):
        raise InvalidKeyError("public key is not a compressed point on secp256k1")
    return point


def _serialize(point: Any) -> bytes:
    out = ffi.new("unsigned char[33]")
    outlen = ffi.new("size_t *", 33)
    lib.secp256k1_ec_pubkey_serialize(_CTX, out, outlen, point, _EC_COMPRESSED)
    return bytes(ffi.buffer(out, 33))


def _hash32(msg_hash: bytes) -> bytes:
    if len(msg_hash) != 32:
        raise InvalidKeyError(f"message hash must be 32 bytes, got {len(msg_hash)}")
    return msg_hash


def is_valid_secret(secret: bytes) -> bool:
    """True if ``secret`` is 32 bytes encoding a scalar in [1, n-1]."""
    return (
        isinstance(secret, bytes | bytearray)
        and len(secret) == 32
        and bool(lib.secp256k1_ec_seckey_verify(_CTX, bytes(secret)))
    )


def is_valid_pubkey(pubkey: bytes) -> bool:
    """True if ``pubkey`` is a 33-byte compressed encoding of a point on the curve."""
    if not isinstance(pubkey, bytes | bytearray) or len(pubkey) != 33:
        return False
    point = ffi.new("secp256k1_pubkey *")
    return bool(lib.secp256k1_ec_pubkey_parse(_CTX, point, bytes(pubkey), 33))


def pubkey_of(secret: bytes) -> bytes:
    """The compressed public key ``secret * G``."""
    point = ffi.new("secp256k1_pubkey *")
    if not lib.secp256k1_ec_pubkey_create(_CTX, point, _secret(secret)):
        raise InvalidKeyError("secret is not a valid secp256k1 scalar")
    return _serialize(point)


def ecdh(secret: bytes, pubkey: bytes) -> bytes:
    """SHA256 of the compressed encoding of ``secret * pubkey``.

    This is ``ECDH(k, rk)`` of BOLT 8 and the shared secret of BOLT 4:
    # BOLT #8: The returned value is the SHA256 of the compressed format of the
    # generated point.
    (libsecp256k1's default ECDH hash function computes exactly that.)
    """
    point = _parse_pubkey(pubkey)
    out = ffi.new("unsigned char[32]")
    if not lib.secp256k1_ecdh(_CTX, out, point, _secret(secret), _NULL, _NULL):
        raise InvalidKeyError("ECDH failed: invalid secret")
    return bytes(ffi.buffer(out, 32))


def _sign_raw(secret: bytes, msg_hash32: bytes) -> Any:
    sig = ffi.new("secp256k1_ecdsa_signature *")
    # RFC 6979 deterministic nonce; libsecp256k1 always produces a low-S signature.
    if not lib.secp256k1_ecdsa_sign(_CTX, sig, _hash32(msg_hash32), _secret(secret), _NULL, _NULL):
        raise InvalidKeyError("signing failed: invalid secret")
    return sig


def sign(secret: bytes, msg_hash32: bytes) -> bytes:
    """ECDSA signature of a 32-byte hash, 64-byte compact ``r || s`` (low-S), as BOLTs send."""
    sig = _sign_raw(secret, msg_hash32)
    out = ffi.new("unsigned char[64]")
    lib.secp256k1_ecdsa_signature_serialize_compact(_CTX, out, sig)
    return bytes(ffi.buffer(out, 64))


def sign_der(secret: bytes, msg_hash32: bytes) -> bytes:
    """ECDSA signature of a 32-byte hash, strict DER (low-S), without a sighash byte."""
    sig = _sign_raw(secret, msg_hash32)
    out = ffi.new("unsigned char[72]")
    outlen = ffi.new("size_t *", 72)
    lib.secp256k1_ecdsa_signature_serialize_der(_CTX, out, outlen, sig)
    return bytes(ffi.buffer(out, outlen[0]))


@lru_cache(maxsize=1024)
def _verifying_key(pubkey: bytes) -> Any:
    """The parsed point of a public key signatures are checked against (None: not a point).
    Kept: the same keys check many signatures (a commitment's HTLC signatures, a node's
    gossip), and parsing one (a square root) costs a tenth of a verification."""
    point = ffi.new("secp256k1_pubkey *")
    return point if lib.secp256k1_ec_pubkey_parse(_CTX, point, pubkey, 33) else None


def _verify_raw(pubkey: bytes, msg_hash32: bytes, sig: Any) -> bool:
    point = _verifying_key(pubkey)
    if point is None:
        return False
    # libsecp256k1 rejects high-S signatures: every signature this node accepts is in the
    # form Bitcoin relays (BIP 62 / BIP 146 LOW_S).
    return bool(lib.secp256k1_ecdsa_verify(_CTX, sig, msg_hash32, point))


def verify(pubkey: bytes, msg_hash32: bytes, sig64: bytes) -> bool:
    """Check a 64-byte compact signature. False (never an exception) for any malformed input.

    High-S signatures and ``r`` or ``s`` out of range are invalid.
    """
    try:
        if len(pubkey) != 33 or len(msg_hash32) != 32 or len(sig64) != 64:
            return False
        sig = ffi.new("secp256k1_ecdsa_signature *")
        if not lib.secp256k1_ecdsa_signature_parse_compact(_CTX, sig, bytes(sig64)):
            return False
        return _verify_raw(bytes(pubkey), bytes(msg_hash32), sig)
    except (TypeError, ValueError):
        return False


def verify_der(pubkey: bytes, msg_hash32: bytes, der_sig: bytes) -> bool:
    """Check a strict-DER signature (no sighash byte). False for any malformed input.

    High-S signatures are invalid (Bitcoin's standardness rule).
    """
    try:
        if len(pubkey) != 33 or len(msg_hash32) != 32 or not 8 <= len(der_sig) <= 72:
            return False
        sig = ffi.new("secp256k1_ecdsa_signature *")
        if not lib.secp256k1_ecdsa_signature_parse_der(_CTX, sig, bytes(der_sig), len(der_sig)):
            return False
        return _verify_raw(bytes(pubkey), bytes(msg_hash32), sig)
    except (TypeError, ValueError):
        return False


def _tweak(tweak32: bytes) -> bytes:
    if len(tweak32) != 32:
        raise InvalidKeyError(f"tweak must be 32 bytes, got {len(tweak32)}")
    return tweak32


def tweak_add_pubkey(pubkey: bytes, tweak32: bytes) -> bytes:
    """``pubkey + tweak * G``. Raises if the tweak is >= n or the sum is infinity."""
    point = _parse_pubkey(pubkey)
    if not lib.secp256k1_ec_pubkey_tweak_add(_CTX, point, _tweak(tweak32)):
        raise InvalidKeyError("tweak out of range, or the result is the point at infinity")
    return _serialize(point)


def tweak_mul_pubkey(pubkey: bytes, tweak32: bytes) -> bytes:
    """``tweak * pubkey``. Raises if the tweak is 0 or >= n."""
    point = _parse_pubkey(pubkey)
    if not lib.secp256k1_ec_pubkey_tweak_mul(_CTX, point, _tweak(tweak32)):
        raise InvalidKeyError("tweak is zero or out of range")
    return _serialize(point)


def tweak_add_secret(secret: bytes, tweak32: bytes) -> bytes:
    """``(secret + tweak) mod n``. Raises if the tweak is >= n or the result is 0."""
    out = ffi.new("unsigned char[32]", _secret(secret))
    if not lib.secp256k1_ec_seckey_tweak_add(_CTX, out, _tweak(tweak32)):
        raise InvalidKeyError("tweak out of range, or the result is zero")
    return bytes(ffi.buffer(out, 32))


def tweak_mul_secret(secret: bytes, tweak32: bytes) -> bytes:
    """``(secret * tweak) mod n``. Raises if the tweak is 0 or >= n."""
    out = ffi.new("unsigned char[32]", _secret(secret))
    if not lib.secp256k1_ec_seckey_tweak_mul(_CTX, out, _tweak(tweak32)):
        raise InvalidKeyError("tweak is zero or out of range")
    return bytes(ffi.buffer(out, 32))


def combine_pubkeys(pubkeys: Sequence[bytes]) -> bytes:
    """The sum of the points. Raises if the list is empty or the sum is infinity."""
    if not pubkeys:
        raise InvalidKeyError("combine_pubkeys needs at least one public key")
    points = [_parse_pubkey(p) for p in pubkeys]
    arr = ffi.new("secp256k1_pubkey *[]", points)
    out = ffi.new("secp256k1_pubkey *")
    if not lib.secp256k1_ec_pubkey_combine(_CTX, out, arr, len(points)):
        raise InvalidKeyError("the sum of the public keys is the point at infinity")
    return _serialize(out)
