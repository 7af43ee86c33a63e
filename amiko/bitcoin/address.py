"""Addresses: script_pubkey <-> string, for one network.

Segwit outputs use bech32 (version 0, BIP 173) or bech32m (versions 1 to 16, BIP 350);
legacy P2PKH and P2SH outputs use base58check, which lives here too (BIP 32 extended keys
and WIF private keys use it as well).
"""

from __future__ import annotations

import hashlib

from amiko.bitcoin import bech32
from amiko.bitcoin.networks import NETWORKS, Network
from amiko.bitcoin.script import (
    OP_0,
    OP_1,
    OP_CHECKSIG,
    OP_DUP,
    OP_EQUAL,
    OP_EQUALVERIFY,
    OP_HASH160,
    witness_program,
)


class AddressError(ValueError):
    """An address is malformed, belongs to another network, or a script has no address."""


# -- base58 / base58check ------------------------------------------------------------------

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(B58_ALPHABET)}


class Base58Error(AddressError):
    """Not base58, or a base58check checksum mismatch."""


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(B58_ALPHABET[r])
    zeros = len(data) - len(data.lstrip(b"\x00"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(s: str) -> bytes:
    n = 0
    for c in s:
        try:
            n = n * 58 + _B58_INDEX[c]
        except KeyError:
            raise Base58Error(f"invalid base58 character {c!r}") from None
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    zeros = len(s) - len(s.lstrip("1"))
    return b"\x00" * zeros + body


def _checksum(payload: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def b58check_encode(payload: bytes) -> str:
    return b58encode(payload + _checksum(payload))


def b58check_decode(s: str) -> bytes:
    raw = b58decode(s)
    if len(raw) < 4:
        raise Base58Error("base58check string too short")
    payload, check = raw[:-4], raw[-4:]
    if _checksum(payload) != check:
        raise Base58Error("base58check checksum mismatch")
    return payload


# -- segwit ----------------------------------------------------------------------------------

def encode_segwit(hrp: str, version: int, program: bytes) -> str:
    """BIP 173/350 address of a witness program (bech32 for v0, bech32m for v1+)."""
    _check_program(version, program)
    encoding = bech32.Encoding.BECH32 if version == 0 else bech32.Encoding.BECH32M
    try:
        return bech32.encode(hrp, [version, *bech32.bytes_to_5bit(program)], encoding)
    except bech32.Bech32Error as e:
        raise AddressError(str(e)) from e


def decode_segwit(hrp: str, address: str) -> tuple[int, bytes]:
    """(witness version, program) of a segwit address that must use human-readable part `hrp`."""
    try:
        got_hrp, data, encoding = bech32.decode(address)
    except bech32.Bech32Error as e:
        raise AddressError(f"invalid bech32 address: {e}") from e
    if got_hrp != hrp:
        raise AddressError(f"address is for human-readable part {got_hrp!r}, expected {hrp!r}")
    if not data:
        raise AddressError("empty data section")
    version = data[0]
    if version > 16:
        raise AddressError(f"invalid witness version {version}")
    try:
        program = bech32.five_bit_to_bytes(data[1:])
    except bech32.Bech32Error as e:
        raise AddressError(f"invalid witness program: {e}") from e
    _check_program(version, program)
    # BIP 350: version 0 must use bech32, versions 1 to 16 bech32m.
    want = bech32.Encoding.BECH32 if version == 0 else bech32.Encoding.BECH32M
    if encoding is not want:
        raise AddressError(
            f"witness version {version} requires {want.name.lower()}, "
            f"address uses {encoding.name.lower()}"
        )
    return version, program


def _check_program(version: int, program: bytes) -> None:
    if not 0 <= version <= 16:
        raise AddressError(f"invalid witness version {version}")
    if not 2 <= len(program) <= 40:
        raise AddressError(f"invalid witness program length {len(program)}")
    # BIP 141: a version 0 program is 20 (P2WPKH) or 32 (P2WSH) bytes.
    if version == 0 and len(program) not in (20, 32):
        raise AddressError(f"invalid program length {len(program)} for witness version 0")


def segwit_script(version: int, program: bytes) -> bytes:
    """The script_pubkey `OP_n <program>` of a witness program."""
    _check_program(version, program)
    op = OP_0 if version == 0 else OP_1 + version - 1
    return bytes((op, len(program))) + program


# -- both kinds ------------------------------------------------------------------------------

def _p2pkh(h: bytes) -> bytes:
    return bytes((OP_DUP, OP_HASH160, 20)) + h + bytes((OP_EQUALVERIFY, OP_CHECKSIG))


def _p2sh(h: bytes) -> bytes:
    return bytes((OP_HASH160, 20)) + h + bytes((OP_EQUAL,))


def script_to_address(script_pubkey: bytes, network: Network) -> str:
    """The address of an output script, or AddressError if it has none (e.g. OP_RETURN)."""
    wp = witness_program(script_pubkey)
    if wp is not None and 2 <= len(wp[1]) <= 40:
        return encode_segwit(network.bech32_hrp, wp[0], wp[1])
    if len(script_pubkey) == 25 and script_pubkey[:3] == _p2pkh(b"")[:3] and script_pubkey[23:] == _p2pkh(b"")[3:]:
        return b58check_encode(bytes((network.p2pkh_prefix,)) + script_pubkey[3:23])
    if len(script_pubkey) == 23 and script_pubkey[:2] == bytes((OP_HASH160, 20)) and script_pubkey[22] == OP_EQUAL:
        return b58check_encode(bytes((network.p2sh_prefix,)) + script_pubkey[2:22])
    raise AddressError("script has no address form")


def address_to_script(address: str, network: Network) -> bytes:
    """The script_pubkey an address pays to; AddressError if invalid or for another network."""
    address = address.strip()
    sep = address.rfind("1")
    if sep > 0 and address[:sep].lower() in {n.bech32_hrp for n in NETWORKS.values()}:
        hrp = address[:sep].lower()
        if hrp != network.bech32_hrp:
            raise AddressError(
                f"address is for another network (prefix {hrp!r}, {network.name} uses "
                f"{network.bech32_hrp!r})"
            )
        version, program = decode_segwit(network.bech32_hrp, address)
        return segwit_script(version, program)
    try:
        payload = b58check_decode(address)
    except Base58Error:
        # Perhaps a bech32 string with an unknown prefix: report that rather than base58.
        try:
            got_hrp, _, _ = bech32.decode(address)
        except bech32.Bech32Error:
            raise AddressError(f"not a valid address: {address!r}") from None
        raise AddressError(
            f"unknown address prefix {got_hrp!r}; {network.name} uses {network.bech32_hrp!r}"
        ) from None
    if len(payload) != 21:
        raise AddressError("base58 address has the wrong length")
    prefix, h = payload[0], payload[1:]
    if prefix == network.p2pkh_prefix:
        return _p2pkh(h)
    if prefix == network.p2sh_prefix:
        return _p2sh(h)
    raise AddressError(f"base58 address version {prefix:#04x} is not valid on {network.name}")


def is_valid_address(address: str, network: Network) -> bool:
    try:
        address_to_script(address, network)
    except AddressError:
        return False
    return True
