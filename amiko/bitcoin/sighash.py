"""Signature hashes: legacy, BIP 143 (segwit v0) and BIP 341 (taproot).

Each function returns the 32-byte digest an ECDSA (or Schnorr) signature commits to.
`der_sig_with_hashtype` appends the sighash byte, giving what goes on the stack.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator, Sequence

from amiko.bitcoin.script import OP_PUSHDATA1, OP_PUSHDATA2, OP_PUSHDATA4
from amiko.bitcoin.tx import Transaction, TxOut, dsha256, ser_bytes, ser_compact_size

SIGHASH_DEFAULT = 0x00  # taproot only: ALL, without the trailing byte
SIGHASH_ALL = 0x01
SIGHASH_NONE = 0x02
SIGHASH_SINGLE = 0x03
SIGHASH_ANYONECANPAY = 0x80

OP_CODESEPARATOR = 0xAB
_ZERO32 = b"\x00" * 32
_ONE32 = (1).to_bytes(32, "little")


class SighashError(ValueError):
    """The input index, sighash type or spent outputs do not fit the transaction."""


def der_sig_with_hashtype(sig_der: bytes, sighash_type: int = SIGHASH_ALL) -> bytes:
    """The stack element of an ECDSA signature: DER bytes followed by the sighash type byte."""
    if not 0 < sighash_type <= 0xFF:
        raise SighashError(f"invalid sighash type {sighash_type:#x} for ECDSA")
    return sig_der + bytes((sighash_type,))


def _check_index(tx: Transaction, index: int) -> None:
    if not 0 <= index < len(tx.inputs):
        raise SighashError(f"input index {index} out of range ({len(tx.inputs)} inputs)")


# -- BIP 143 ---------------------------------------------------------------------------------

def _bip143_parts(tx: Transaction) -> tuple[bytes, bytes, bytes]:
    """hashPrevouts, hashSequence, hashOutputs for SIGHASH_ALL, cached on the transaction."""
    cache = tx._cache
    hp = cache.get("bip143_prevouts")
    if hp is None:
        hp = dsha256(b"".join(i.prevout.serialize() for i in tx.inputs))
        hs = dsha256(b"".join(struct.pack("<I", i.sequence) for i in tx.inputs))
        ho = dsha256(b"".join(o.serialize() for o in tx.outputs))
        cache["bip143_prevouts"], cache["bip143_sequences"], cache["bip143_outputs"] = hp, hs, ho
    return hp, cache["bip143_sequences"], cache["bip143_outputs"]


def bip143_sighash(
    tx: Transaction,
    input_index: int,
    script_code: bytes,
    amount: int,
    sighash_type: int = SIGHASH_ALL,
) -> bytes:
    """BIP 143 digest for a segwit v0 input.

    `script_code` is the bare script (no length prefix): for P2WPKH the P2PKH script of
    the key hash (script.p2pkh_script_code), for P2WSH the witness script (from its last
    executed OP_CODESEPARATOR on). `amount` is the value of the spent output, in sat.
    """
    _check_index(tx, input_index)
    base = sighash_type & 0x1F
    anyone = bool(sighash_type & SIGHASH_ANYONECANPAY)
    all_prevouts, all_sequences, all_outputs = _bip143_parts(tx)
    hash_prevouts = _ZERO32 if anyone else all_prevouts
    hash_sequence = _ZERO32 if anyone or base in (SIGHASH_SINGLE, SIGHASH_NONE) else all_sequences
    if base not in (SIGHASH_SINGLE, SIGHASH_NONE):
        hash_outputs = all_outputs
    elif base == SIGHASH_SINGLE and input_index < len(tx.outputs):
        hash_outputs = dsha256(tx.outputs[input_index].serialize())
    else:
        hash_outputs = _ZERO32
    txin = tx.inputs[input_index]
    preimage = b"".join((
        struct.pack("<i", tx.version),
        hash_prevouts,
        hash_sequence,
        txin.prevout.serialize(),
        ser_bytes(script_code),
        struct.pack("<q", amount),
        struct.pack("<I", txin.sequence),
        hash_outputs,
        struct.pack("<I", tx.locktime),
        struct.pack("<I", sighash_type),
    ))
    return dsha256(preimage)


# -- legacy (pre-segwit) ---------------------------------------------------------------------

def iter_script_ops(script: bytes) -> Iterator[tuple[int, bytes | None, int]]:
    """(opcode, pushed data or None, offset) for each operation; raises on a truncated push."""
    i = 0
    n = len(script)
    while i < n:
        start = i
        op = script[i]
        i += 1
        data: bytes | None = None
        if op <= OP_PUSHDATA4:
            if op < OP_PUSHDATA1:
                size = op
            elif op == OP_PUSHDATA1:
                if i + 1 > n:
                    raise SighashError("truncated OP_PUSHDATA1")
                size = script[i]
                i += 1
            elif op == OP_PUSHDATA2:
                if i + 2 > n:
                    raise SighashError("truncated OP_PUSHDATA2")
                size = int.from_bytes(script[i:i + 2], "little")
                i += 2
            else:
                if i + 4 > n:
                    raise SighashError("truncated OP_PUSHDATA4")
                size = int.from_bytes(script[i:i + 4], "little")
                i += 4
            if i + size > n:
                raise SighashError("push past end of script")
            data = script[i:i + size]
            i += size
        yield op, data, start


def _remove_codeseparators(script: bytes) -> bytes:
    if OP_CODESEPARATOR not in script:
        return script
    out = bytearray()
    prev = 0
    for op, _data, start in iter_script_ops(script):
        if op == OP_CODESEPARATOR:
            out += script[prev:start]
            prev = start + 1
    out += script[prev:]
    return bytes(out)


def legacy_sighash(tx: Transaction, input_index: int, script_code: bytes,
                   sighash_type: int = SIGHASH_ALL) -> bytes:
    """The original (SignatureHash pre-segwit) digest, with its SIGHASH_SINGLE quirk.

    `script_code` is the spent script_pubkey (or P2SH redeem script); OP_CODESEPARATORs are
    removed here. The signature itself is not FindAndDelete'd (amiko never signs scripts
    that contain their own signatures).
    """
    _check_index(tx, input_index)
    base = sighash_type & 0x1F
    anyone = bool(sighash_type & SIGHASH_ANYONECANPAY)
    if base == SIGHASH_SINGLE and input_index >= len(tx.outputs):
        return _ONE32  # the famous bug: the digest of "1"
    script_code = _remove_codeseparators(script_code)
    parts = [struct.pack("<i", tx.version)]
    chosen = [input_index] if anyone else range(len(tx.inputs))
    parts.append(ser_compact_size(len(chosen)))
    for k in chosen:
        txin = tx.inputs[k]
        seq = txin.sequence
        if k != input_index and base in (SIGHASH_NONE, SIGHASH_SINGLE):
            seq = 0
        parts.append(txin.prevout.serialize())
        parts.append(ser_bytes(script_code if k == input_index else b""))
        parts.append(struct.pack("<I", seq))
    if base == SIGHASH_NONE:
        parts.append(ser_compact_size(0))
    elif base == SIGHASH_SINGLE:
        parts.append(ser_compact_size(input_index + 1))
        blank = TxOut(-1, b"").serialize()
        parts.extend(blank for _ in range(input_index))
        parts.append(tx.outputs[input_index].serialize())
    else:
        parts.append(ser_compact_size(len(tx.outputs)))
        parts.extend(o.serialize() for o in tx.outputs)
    parts.append(struct.pack("<I", tx.locktime))
    parts.append(struct.pack("<I", sighash_type))
    return dsha256(b"".join(parts))


# -- BIP 341 ---------------------------------------------------------------------------------

def tagged_hash(tag: str, data: bytes) -> bytes:
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + data).digest()


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def bip341_sighash(
    tx: Transaction,
    input_index: int,
    spent_outputs: Sequence[TxOut],
    sighash_type: int = SIGHASH_DEFAULT,
    *,
    annex: bytes | None = None,
    leaf_hash: bytes | None = None,
    codesep_pos: int = 0xFFFFFFFF,
) -> bytes:
    """BIP 341 TapSighash: key path by default, script path (BIP 342) if `leaf_hash` is given.

    `spent_outputs` are the outputs every input spends, in input order.
    """
    _check_index(tx, input_index)
    if sighash_type not in (0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83):
        raise SighashError(f"invalid taproot sighash type {sighash_type:#x}")
    if len(spent_outputs) != len(tx.inputs):
        raise SighashError("need one spent output per input")
    base = sighash_type & 0x03
    anyone = bool(sighash_type & SIGHASH_ANYONECANPAY)
    msg = [bytes((0x00, sighash_type)), struct.pack("<i", tx.version), struct.pack("<I", tx.locktime)]
    if not anyone:
        msg.append(_sha256(b"".join(i.prevout.serialize() for i in tx.inputs)))
        msg.append(_sha256(b"".join(struct.pack("<q", o.value) for o in spent_outputs)))
        msg.append(_sha256(b"".join(ser_bytes(o.script_pubkey) for o in spent_outputs)))
        msg.append(_sha256(b"".join(struct.pack("<I", i.sequence) for i in tx.inputs)))
    if base not in (SIGHASH_NONE, SIGHASH_SINGLE):
        msg.append(_sha256(b"".join(o.serialize() for o in tx.outputs)))
    ext_flag = 0 if leaf_hash is None else 1
    msg.append(bytes((ext_flag * 2 + (annex is not None),)))
    if anyone:
        txin = tx.inputs[input_index]
        msg.append(txin.prevout.serialize())
        msg.append(spent_outputs[input_index].serialize())
        msg.append(struct.pack("<I", txin.sequence))
    else:
        msg.append(struct.pack("<I", input_index))
    if annex is not None:
        msg.append(_sha256(ser_bytes(annex)))
    if base == SIGHASH_SINGLE:
        if input_index >= len(tx.outputs):
            raise SighashError("SIGHASH_SINGLE without a matching output")
        msg.append(_sha256(tx.outputs[input_index].serialize()))
    if leaf_hash is not None:
        msg.append(leaf_hash + b"\x00" + struct.pack("<I", codesep_pos))
    return tagged_hash("TapSighash", b"".join(msg))
