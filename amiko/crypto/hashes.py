"""Hash functions used across the protocol: SHA-256, HASH160, HMAC and BOLT 8's HKDF."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

__all__ = ["double_sha256", "hash160", "hkdf", "hmac_sha256", "ripemd160", "sha256"]


def sha256(data: bytes) -> bytes:
    """SHA-256 of ``data`` (32 bytes)."""
    return hashlib.sha256(data).digest()


def double_sha256(data: bytes) -> bytes:
    """SHA-256 of the SHA-256 of ``data``, Bitcoin's txid and sighash hash."""
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def _pick_ripemd160() -> Callable[[bytes], bytes]:
    # OpenSSL 3 moved RIPEMD-160 to its "legacy" provider, which some builds of Python lack.
    try:
        hashlib.new("ripemd160", b"")
    except ValueError:
        from amiko.crypto._ripemd160 import ripemd160 as pure

        return pure

    def openssl(data: bytes) -> bytes:
        return hashlib.new("ripemd160", data).digest()

    return openssl


ripemd160: Callable[[bytes], bytes] = _pick_ripemd160()
"""RIPEMD-160 of the data (20 bytes): OpenSSL's when available, else a pure Python one."""


def hash160(data: bytes) -> bytes:
    """RIPEMD-160 of the SHA-256 of ``data`` (20 bytes), as in P2PKH and P2WPKH."""
    return ripemd160(hashlib.sha256(data).digest())


def hmac_sha256(key: bytes, msg: bytes) -> bytes:
    """HMAC-SHA256 (RFC 2104)."""
    return hmac.digest(key, msg, "sha256")


_ONE = b"\x01"
_TWO = b"\x02"


def hkdf(salt: bytes, ikm: bytes) -> tuple[bytes, bytes]:
    """``HKDF(salt, ikm)`` of BOLT 8: two 32-byte keys.

    # BOLT #8: `HKDF(salt,ikm)`: a function defined in `RFC 5869`, evaluated with a
    # zero-length `info` field. All invocations of `HKDF` implicitly return 64 bytes of
    # cryptographic randomness using the extract-and-expand component of the `HKDF`.

    RFC 5869 with SHA-256, empty ``info`` and L = 64, written out: two HMAC blocks.
    """
    prk = hmac.digest(salt, ikm, "sha256")  # extract
    t1 = hmac.digest(prk, _ONE, "sha256")  # expand, T(1) = HMAC(PRK, "" || 0x01)
    t2 = hmac.digest(prk, t1 + _TWO, "sha256")  # T(2) = HMAC(PRK, T(1) || 0x02)
    return t1, t2
