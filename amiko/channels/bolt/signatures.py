"""Signatures on BOLT 3 transactions: the wire form, the witness form, and segwit v0 signing.

BOLT 2 messages (`funding_signed`, `commitment_signed`, `closing_complete`, ...) carry ECDSA
signatures in the 64-byte compact form ``r || s``:

# BOLT #3: Note that clients MUST send the signature in compact encoding and not in
# Bitcoin-script format, thus the signature hash byte is not transmitted.

A witness stack holds the strict-DER form followed by the sighash type byte. This module
converts between the two, and signs or checks one input of a transaction under BIP 143
(every BOLT 3 output is segwit v0). Signing is deterministic (RFC 6979, low-S), so a
signature can be recomputed byte for byte, as the BOLT 3 test vectors do.
"""

from __future__ import annotations

from amiko.bitcoin.sighash import SIGHASH_ALL, bip143_sighash
from amiko.bitcoin.tx import Transaction
from amiko.crypto.keys import sign, verify

__all__ = [
    "SignatureError",
    "compact_to_der",
    "der_to_compact",
    "funding_witness",
    "input_sighash",
    "sign_input",
    "stack_sig",
    "verify_input",
]


class SignatureError(ValueError):
    """A signature that is not a well-formed compact or strict-DER encoding."""


def _der_int(value: bytes) -> bytes:
    v = value.lstrip(b"\x00") or b"\x00"
    if v[0] & 0x80:
        v = b"\x00" + v
    return b"\x02" + bytes((len(v),)) + v


def compact_to_der(sig64: bytes) -> bytes:
    """Strict DER (BIP 66) encoding of a 64-byte compact ``r || s`` signature, no sighash byte."""
    if len(sig64) != 64:
        raise SignatureError(f"compact signature must be 64 bytes, got {len(sig64)}")
    body = _der_int(sig64[:32]) + _der_int(sig64[32:])
    return b"\x30" + bytes((len(body),)) + body


def _read_der_int(der: bytes, pos: int) -> tuple[bytes, int]:
    if pos + 2 > len(der) or der[pos] != 0x02:
        raise SignatureError("DER: expected an INTEGER")
    n = der[pos + 1]
    start = pos + 2
    end = start + n
    if n == 0 or end > len(der):
        raise SignatureError("DER: bad INTEGER length")
    v = der[start:end]
    if v[0] & 0x80:
        raise SignatureError("DER: negative INTEGER")
    if n > 1 and v[0] == 0 and not v[1] & 0x80:
        raise SignatureError("DER: INTEGER not minimally encoded")
    v = v.lstrip(b"\x00")
    if len(v) > 32:
        raise SignatureError("DER: INTEGER too large")
    return v.rjust(32, b"\x00"), end


def der_to_compact(der: bytes) -> bytes:
    """The 64-byte compact form of a strict-DER signature (without sighash byte)."""
    if len(der) < 8 or der[0] != 0x30 or der[1] != len(der) - 2:
        raise SignatureError("DER: bad SEQUENCE header")
    r, pos = _read_der_int(der, 2)
    s, pos = _read_der_int(der, pos)
    if pos != len(der):
        raise SignatureError("DER: trailing bytes")
    return r + s


def stack_sig(sig64: bytes, sighash_type: int = SIGHASH_ALL) -> bytes:
    """The witness stack element for a compact signature: DER followed by the sighash byte."""
    if not 0 < sighash_type <= 0xFF:
        raise SignatureError(f"invalid sighash type {sighash_type:#x}")
    return compact_to_der(sig64) + bytes((sighash_type,))


def input_sighash(tx: Transaction, index: int, script_code: bytes, amount_sat: int,
                  sighash_type: int = SIGHASH_ALL) -> bytes:
    """BIP 143 digest of input `index`, spending `amount_sat` locked by `script_code` (the
    witness script of a P2WSH output; for P2WPKH the P2PKH script of the key)."""
    return bip143_sighash(tx, index, script_code, amount_sat, sighash_type)


def sign_input(tx: Transaction, index: int, script_code: bytes, amount_sat: int, secret: bytes,
               sighash_type: int = SIGHASH_ALL) -> bytes:
    """Compact signature of input `index` (deterministic, low-S)."""
    return sign(secret, input_sighash(tx, index, script_code, amount_sat, sighash_type))


def verify_input(tx: Transaction, index: int, script_code: bytes, amount_sat: int, pubkey: bytes,
                 sig64: bytes, sighash_type: int = SIGHASH_ALL) -> bool:
    """True if `sig64` is a valid low-S signature of input `index` by `pubkey`. Never raises."""
    if len(sig64) != 64:
        return False
    return verify(pubkey, input_sighash(tx, index, script_code, amount_sat, sighash_type), sig64)


def funding_witness(funding_script: bytes, pubkey_a: bytes, sig_a: bytes, pubkey_b: bytes,
                    sig_b: bytes) -> tuple[bytes, ...]:
    """Witness spending the 2-of-2 funding output, given each key's compact SIGHASH_ALL signature.

    # BOLT #3: `txin[0]` witness: `0 <signature_for_pubkey1> <signature_for_pubkey2>`
    # BOLT #3: Where `pubkey1` is the lexicographically lesser of the two `funding_pubkey` in
    # compressed format, and where `pubkey2` is the lexicographically greater of the two.
    (The leading empty element is the dummy OP_CHECKMULTISIG pops, NULLDUMMY.)
    """
    if pubkey_a == pubkey_b:
        raise SignatureError("the two funding keys are the same")
    first, second = (sig_a, sig_b) if pubkey_a < pubkey_b else (sig_b, sig_a)
    return (b"", stack_sig(first), stack_sig(second), funding_script)
