"""BIP 32 hierarchical deterministic keys.

Extended private and public keys, child key derivation (CKDpriv, CKDpub, hardened
children), derivation paths ("m/84'/1'/0'/0/5", "h" or "'" for hardened) and the
xprv/xpub/tprv/tpub base58check serialization with the checks BIP 32's test vector 5
asks for.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass
from typing import Self

import coincurve

from amiko.bitcoin.address import Base58Error, b58check_decode, b58check_encode
from amiko.bitcoin.networks import Network
from amiko.bitcoin.script import hash160

HARDENED = 0x80000000
CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

XPRV = bytes.fromhex("0488ade4")
XPUB = bytes.fromhex("0488b21e")
TPRV = bytes.fromhex("04358394")
TPUB = bytes.fromhex("043587cf")
_PRIVATE_VERSIONS = {XPRV: False, TPRV: True}  # version -> testnet
_PUBLIC_VERSIONS = {XPUB: False, TPUB: True}


class Bip32Error(ValueError):
    """An invalid seed, path, child index or serialized extended key."""


# -- paths -----------------------------------------------------------------------------------

def parse_path(path: str) -> tuple[int, ...]:
    """"m/84'/1'/0'/0/5" -> (84|H, 1|H, 0|H, 0, 5). Accepts ', h or H for hardened."""
    parts = path.strip().split("/")
    if parts and parts[0] in ("m", "M"):
        parts = parts[1:]
    out = []
    for part in parts:
        if part == "":
            raise Bip32Error(f"empty path element in {path!r}")
        hardened = part[-1] in "'hH"
        digits = part[:-1] if hardened else part
        if not digits.isdigit() or (len(digits) > 1 and digits[0] == "0"):
            raise Bip32Error(f"invalid path element {part!r}")
        index = int(digits)
        if index >= HARDENED:
            raise Bip32Error(f"path element {part!r} out of range")
        out.append(index | HARDENED if hardened else index)
    return tuple(out)


def format_path(path: tuple[int, ...] | list[int], hardened_marker: str = "'") -> str:
    elems = [f"{i & ~HARDENED}{hardened_marker}" if i & HARDENED else str(i) for i in path]
    return "/".join(["m", *elems])


def _ser32(i: int) -> bytes:
    if not 0 <= i <= 0xFFFFFFFF:
        raise Bip32Error(f"child index {i} out of range")
    return struct.pack(">I", i)


# -- keys ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ExtendedPublicKey:
    public_key: bytes  # 33-byte compressed point
    chain_code: bytes
    depth: int = 0
    parent_fingerprint: bytes = b"\x00\x00\x00\x00"
    child_number: int = 0
    testnet: bool = False

    @property
    def identifier(self) -> bytes:
        return hash160(self.public_key)

    @property
    def fingerprint(self) -> bytes:
        return self.identifier[:4]

    def derive_child(self, index: int) -> ExtendedPublicKey:
        """CKDpub: only non-hardened children can be derived from a public key."""
        if index & HARDENED:
            raise Bip32Error("cannot derive a hardened child from a public key")
        data = hmac.new(self.chain_code, self.public_key + _ser32(index), hashlib.sha512).digest()
        il, ir = data[:32], data[32:]
        if int.from_bytes(il, "big") >= CURVE_ORDER:
            raise Bip32Error(f"invalid child {index}: I_L >= n (use the next index)")
        try:
            child = coincurve.PublicKey(self.public_key).add(il)
        except ValueError as e:  # the point at infinity
            raise Bip32Error(f"invalid child {index}: {e}") from e
        return ExtendedPublicKey(
            child.format(compressed=True), ir, self.depth + 1, self.fingerprint, index, self.testnet
        )

    def derive_path(self, path: str | tuple[int, ...] | list[int]) -> ExtendedPublicKey:
        key = self
        for index in parse_path(path) if isinstance(path, str) else path:
            key = key.derive_child(index)
        return key

    def serialize(self) -> bytes:
        version = TPUB if self.testnet else XPUB
        return _serialize(version, self.depth, self.parent_fingerprint, self.child_number,
                          self.chain_code, self.public_key)

    def to_string(self) -> str:
        """xpub... (or tpub... for test networks)."""
        return b58check_encode(self.serialize())

    def __str__(self) -> str:
        return self.to_string()

    @classmethod
    def parse(cls, s: str) -> ExtendedPublicKey:
        key = parse_extended_key(s)
        if not isinstance(key, ExtendedPublicKey):
            raise Bip32Error("expected an extended public key, got a private one")
        return key


@dataclass(frozen=True, slots=True)
class ExtendedPrivateKey:
    private_key: bytes  # 32 bytes, 1 <= k < n
    chain_code: bytes
    depth: int = 0
    parent_fingerprint: bytes = b"\x00\x00\x00\x00"
    child_number: int = 0
    testnet: bool = False

    def __post_init__(self) -> None:
        k = int.from_bytes(self.private_key, "big")
        if len(self.private_key) != 32 or not 0 < k < CURVE_ORDER:
            raise Bip32Error("private key not in 1..n-1")
        if len(self.chain_code) != 32:
            raise Bip32Error("chain code must be 32 bytes")

    @classmethod
    def from_seed(cls, seed: bytes, *, testnet: bool = False) -> Self:
        """The master key: I = HMAC-SHA512(key="Bitcoin seed", data=seed)."""
        if not 16 <= len(seed) <= 64:
            raise Bip32Error("seed must be 128 to 512 bits")
        data = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
        try:
            return cls(data[:32], data[32:], testnet=testnet)
        except Bip32Error as e:
            raise Bip32Error(f"invalid master key from this seed: {e}") from e

    @classmethod
    def from_seed_for(cls, seed: bytes, network: Network) -> Self:
        return cls.from_seed(seed, testnet=not network.is_mainnet)

    @property
    def public_key(self) -> bytes:
        return coincurve.PrivateKey(self.private_key).public_key.format(compressed=True)

    @property
    def identifier(self) -> bytes:
        return hash160(self.public_key)

    @property
    def fingerprint(self) -> bytes:
        return self.identifier[:4]

    def neuter(self) -> ExtendedPublicKey:
        """N(): the matching extended public key."""
        return ExtendedPublicKey(self.public_key, self.chain_code, self.depth,
                                 self.parent_fingerprint, self.child_number, self.testnet)

    def derive_child(self, index: int) -> ExtendedPrivateKey:
        """CKDpriv; hardened when index >= 2**31."""
        if index & HARDENED:
            data = b"\x00" + self.private_key + _ser32(index)
        else:
            data = self.public_key + _ser32(index)
        digest = hmac.new(self.chain_code, data, hashlib.sha512).digest()
        il, ir = digest[:32], digest[32:]
        il_int = int.from_bytes(il, "big")
        if il_int >= CURVE_ORDER:
            raise Bip32Error(f"invalid child {index}: I_L >= n (use the next index)")
        k = (il_int + int.from_bytes(self.private_key, "big")) % CURVE_ORDER
        if k == 0:
            raise Bip32Error(f"invalid child {index}: key is zero (use the next index)")
        return ExtendedPrivateKey(k.to_bytes(32, "big"), ir, self.depth + 1, self.fingerprint,
                                  index, self.testnet)

    def derive_path(self, path: str | tuple[int, ...] | list[int]) -> ExtendedPrivateKey:
        key = self
        for index in parse_path(path) if isinstance(path, str) else path:
            key = key.derive_child(index)
        return key

    def serialize(self) -> bytes:
        version = TPRV if self.testnet else XPRV
        return _serialize(version, self.depth, self.parent_fingerprint, self.child_number,
                          self.chain_code, b"\x00" + self.private_key)

    def to_string(self) -> str:
        """xprv... (or tprv... for test networks). Secret: never log it."""
        return b58check_encode(self.serialize())

    def __repr__(self) -> str:  # keep the secret out of logs and tracebacks
        return (f"ExtendedPrivateKey(depth={self.depth}, child_number={self.child_number}, "
                f"fingerprint={self.fingerprint.hex()}, testnet={self.testnet})")

    @classmethod
    def parse(cls, s: str) -> ExtendedPrivateKey:
        key = parse_extended_key(s)
        if not isinstance(key, ExtendedPrivateKey):
            raise Bip32Error("expected an extended private key, got a public one")
        return key


def _serialize(version: bytes, depth: int, parent_fp: bytes, child: int, chain_code: bytes,
               key: bytes) -> bytes:
    if not 0 <= depth <= 255:
        raise Bip32Error("depth out of range")
    return version + bytes((depth,)) + parent_fp + _ser32(child) + chain_code + key


def parse_extended_key(s: str) -> ExtendedPrivateKey | ExtendedPublicKey:
    """Parse xprv/xpub/tprv/tpub with every check of BIP 32 test vector 5."""
    try:
        raw = b58check_decode(s)
    except Base58Error as e:
        raise Bip32Error(f"invalid extended key encoding: {e}") from e
    return deserialize_extended_key(raw)


def deserialize_extended_key(raw: bytes) -> ExtendedPrivateKey | ExtendedPublicKey:
    """The 78-byte serialization (also what PSBT_GLOBAL_XPUB carries)."""
    if len(raw) != 78:
        raise Bip32Error(f"extended key must be 78 bytes, got {len(raw)}")
    version, depth, parent_fp = raw[:4], raw[4], raw[5:9]
    child = int.from_bytes(raw[9:13], "big")
    chain_code, key = raw[13:45], raw[45:]
    if depth == 0 and parent_fp != b"\x00\x00\x00\x00":
        raise Bip32Error("zero depth with non-zero parent fingerprint")
    if depth == 0 and child != 0:
        raise Bip32Error("zero depth with non-zero index")
    if version in _PRIVATE_VERSIONS:
        if key[0] != 0:
            raise Bip32Error("private key version with a public key (or bad prefix)")
        k = int.from_bytes(key[1:], "big")
        if not 0 < k < CURVE_ORDER:
            raise Bip32Error("private key not in 1..n-1")
        return ExtendedPrivateKey(key[1:], chain_code, depth, parent_fp, child,
                                  _PRIVATE_VERSIONS[version])
    if version in _PUBLIC_VERSIONS:
        if key[0] not in (2, 3):
            raise Bip32Error("public key version with a private key (or bad prefix)")
        try:
            coincurve.PublicKey(key)
        except ValueError as e:
            raise Bip32Error(f"invalid public key: {e}") from e
        return ExtendedPublicKey(key, chain_code, depth, parent_fp, child,
                                 _PUBLIC_VERSIONS[version])
    raise Bip32Error(f"unknown extended key version {version.hex()}")
