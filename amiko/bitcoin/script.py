"""Bitcoin Script: opcodes, pushes, and the standard output scripts amiko builds."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable

OP_0 = 0x00
OP_PUSHDATA1 = 0x4C
OP_PUSHDATA2 = 0x4D
OP_PUSHDATA4 = 0x4E
OP_1NEGATE = 0x4F
OP_1 = 0x51
OP_16 = 0x60
OP_IF = 0x63
OP_NOTIF = 0x64
OP_ELSE = 0x67
OP_ENDIF = 0x68
OP_VERIFY = 0x69
OP_RETURN = 0x6A
OP_TOALTSTACK = 0x6B
OP_FROMALTSTACK = 0x6C
OP_IFDUP = 0x73
OP_DROP = 0x75
OP_DUP = 0x76
OP_NIP = 0x77
OP_OVER = 0x78
OP_SWAP = 0x7C
OP_SIZE = 0x82
OP_EQUAL = 0x87
OP_EQUALVERIFY = 0x88
OP_ADD = 0x93
OP_HASH160 = 0xA9
OP_CHECKSIG = 0xAC
OP_CHECKSIGVERIFY = 0xAD
OP_CHECKMULTISIG = 0xAE
OP_CHECKLOCKTIMEVERIFY = 0xB1
OP_CHECKSEQUENCEVERIFY = 0xB2
OP_TRUE = OP_1

ScriptItem = int | bytes


def hash160(data: bytes) -> bytes:
    return hashlib.new("ripemd160", hashlib.sha256(data).digest()).digest()


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def push_data(data: bytes) -> bytes:
    """Minimal push of a byte string (as Bitcoin Core's MINIMALDATA policy wants)."""
    n = len(data)
    if n == 0:
        return bytes((OP_0,))
    if n == 1 and 1 <= data[0] <= 16:
        return bytes((OP_1 + data[0] - 1,))
    if n == 1 and data[0] == 0x81:
        return bytes((OP_1NEGATE,))
    if n < OP_PUSHDATA1:
        return bytes((n,)) + data
    if n <= 0xFF:
        return bytes((OP_PUSHDATA1, n)) + data
    if n <= 0xFFFF:
        return bytes((OP_PUSHDATA2,)) + struct.pack("<H", n) + data
    return bytes((OP_PUSHDATA4,)) + struct.pack("<I", n) + data


def script_num(n: int) -> bytes:
    """CScriptNum encoding of an integer (little-endian sign-magnitude, minimal)."""
    if n == 0:
        return b""
    neg = n < 0
    mag = -n if neg else n
    out = bytearray()
    while mag:
        out.append(mag & 0xFF)
        mag >>= 8
    if out[-1] & 0x80:
        out.append(0x80 if neg else 0x00)
    elif neg:
        out[-1] |= 0x80
    return bytes(out)


def push_int(n: int) -> bytes:
    """Push of a number: OP_0, OP_1..OP_16, OP_1NEGATE or a minimal CScriptNum push."""
    if n == 0:
        return bytes((OP_0,))
    if 1 <= n <= 16:
        return bytes((OP_1 + n - 1,))
    if n == -1:
        return bytes((OP_1NEGATE,))
    return push_data(script_num(n))


def build(items: Iterable[ScriptItem]) -> bytes:
    """Assemble a script from opcodes (ints) and data pushes (bytes)."""
    out = bytearray()
    for item in items:
        if isinstance(item, int):
            out.append(item)
        else:
            out += push_data(item)
    return bytes(out)


# -- standard output scripts ----------------------------------------------------------------

def p2wpkh(pubkey: bytes) -> bytes:
    return bytes((OP_0, 20)) + hash160(pubkey)


def p2wsh(witness_script: bytes) -> bytes:
    return bytes((OP_0, 32)) + sha256(witness_script)


def p2tr(output_key_x: bytes) -> bytes:
    return bytes((OP_1, 32)) + output_key_x


def p2pkh(pubkey: bytes) -> bytes:
    return bytes((OP_DUP, OP_HASH160, 20)) + hash160(pubkey) + bytes((OP_EQUALVERIFY, OP_CHECKSIG))


def p2pkh_script_code(pubkey: bytes) -> bytes:
    """The BIP143 scriptCode for spending a P2WPKH output."""
    return p2pkh(pubkey)


def op_return(data: bytes) -> bytes:
    return bytes((OP_RETURN,)) + push_data(data)


def multisig_2of2(pubkey_a: bytes, pubkey_b: bytes) -> bytes:
    """BOLT 3 funding script: keys in lexicographic order."""
    k1, k2 = sorted((pubkey_a, pubkey_b))
    return build([OP_1 + 1, k1, k2, OP_1 + 1, OP_CHECKMULTISIG])


def witness_program(script_pubkey: bytes) -> tuple[int, bytes] | None:
    """(version, program) of a segwit output script, or None."""
    if len(script_pubkey) < 4 or len(script_pubkey) > 42:
        return None
    op = script_pubkey[0]
    if op == OP_0:
        version = 0
    elif OP_1 <= op <= OP_16:
        version = op - OP_1 + 1
    else:
        return None
    if script_pubkey[1] != len(script_pubkey) - 2:
        return None
    return version, script_pubkey[2:]


def is_p2wpkh(spk: bytes) -> bool:
    return len(spk) == 22 and spk[0] == OP_0 and spk[1] == 20


def is_p2wsh(spk: bytes) -> bool:
    return len(spk) == 34 and spk[0] == OP_0 and spk[1] == 32


def is_p2tr(spk: bytes) -> bool:
    return len(spk) == 34 and spk[0] == OP_1 and spk[1] == 32
