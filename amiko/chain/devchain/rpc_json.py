"""Bitcoin Core's JSON shapes for scripts, transactions and block headers (core_write.cpp,
rpc/blockchain.cpp), and a JSON writer that prints amounts as Core does (0.00001000).

Script "asm" is ScriptToAsmStr without the "[ALL]" signature-hash decoding of scriptSigs;
"desc" is the inferred descriptor for scripts we know no keys of (addr(), raw(), rawtr(),
pk(), multi()), with Core's descriptor checksum.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from amiko.bitcoin.address import AddressError, script_to_address
from amiko.bitcoin.block import BlockHeader, difficulty
from amiko.bitcoin.networks import REGTEST
from amiko.bitcoin.tx import Transaction
from amiko.chain.devchain.policy import _iter_ops, script_type

COIN = 100_000_000


class Amount(int):
    """Satoshis, written to JSON as a BTC number with 8 decimals (ValueFromAmount)."""

    def to_json(self) -> str:
        sign = "-" if self < 0 else ""
        q, r = divmod(abs(int(self)), COIN)
        return f"{sign}{q}.{r:08d}"


def dumps(obj: Any) -> str:
    """JSON text of `obj`, with `Amount`s and `Decimal`s as plain numbers."""
    if isinstance(obj, Amount):
        return obj.to_json()
    if isinstance(obj, bool) or obj is None:
        return json.dumps(obj)
    if isinstance(obj, Decimal):
        return format(obj, "f")
    if isinstance(obj, int | float | str):
        return json.dumps(obj)
    if isinstance(obj, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dumps(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, list | tuple):
        return "[" + ",".join(dumps(v) for v in obj) + "]"
    raise TypeError(f"cannot encode {type(obj).__name__}")


# -- script asm -------------------------------------------------------------------------------

_NAMES = {
    0x4F: "-1", 0x50: "OP_RESERVED", 0x61: "OP_NOP", 0x62: "OP_VER", 0x63: "OP_IF",
    0x64: "OP_NOTIF", 0x65: "OP_VERIF", 0x66: "OP_VERNOTIF", 0x67: "OP_ELSE",
    0x68: "OP_ENDIF", 0x69: "OP_VERIFY", 0x6A: "OP_RETURN", 0x6B: "OP_TOALTSTACK",
    0x6C: "OP_FROMALTSTACK", 0x6D: "OP_2DROP", 0x6E: "OP_2DUP", 0x6F: "OP_3DUP",
    0x70: "OP_2OVER", 0x71: "OP_2ROT", 0x72: "OP_2SWAP", 0x73: "OP_IFDUP", 0x74: "OP_DEPTH",
    0x75: "OP_DROP", 0x76: "OP_DUP", 0x77: "OP_NIP", 0x78: "OP_OVER", 0x79: "OP_PICK",
    0x7A: "OP_ROLL", 0x7B: "OP_ROT", 0x7C: "OP_SWAP", 0x7D: "OP_TUCK", 0x7E: "OP_CAT",
    0x7F: "OP_SUBSTR", 0x80: "OP_LEFT", 0x81: "OP_RIGHT", 0x82: "OP_SIZE", 0x83: "OP_INVERT",
    0x84: "OP_AND", 0x85: "OP_OR", 0x86: "OP_XOR", 0x87: "OP_EQUAL", 0x88: "OP_EQUALVERIFY",
    0x89: "OP_RESERVED1", 0x8A: "OP_RESERVED2", 0x8B: "OP_1ADD", 0x8C: "OP_1SUB",
    0x8D: "OP_2MUL", 0x8E: "OP_2DIV", 0x8F: "OP_NEGATE", 0x90: "OP_ABS", 0x91: "OP_NOT",
    0x92: "OP_0NOTEQUAL", 0x93: "OP_ADD", 0x94: "OP_SUB", 0x95: "OP_MUL", 0x96: "OP_DIV",
    0x97: "OP_MOD", 0x98: "OP_LSHIFT", 0x99: "OP_RSHIFT", 0x9A: "OP_BOOLAND",
    0x9B: "OP_BOOLOR", 0x9C: "OP_NUMEQUAL", 0x9D: "OP_NUMEQUALVERIFY", 0x9E: "OP_NUMNOTEQUAL",
    0x9F: "OP_LESSTHAN", 0xA0: "OP_GREATERTHAN", 0xA1: "OP_LESSTHANOREQUAL",
    0xA2: "OP_GREATERTHANOREQUAL", 0xA3: "OP_MIN", 0xA4: "OP_MAX", 0xA5: "OP_WITHIN",
    0xA6: "OP_RIPEMD160", 0xA7: "OP_SHA1", 0xA8: "OP_SHA256", 0xA9: "OP_HASH160",
    0xAA: "OP_HASH256", 0xAB: "OP_CODESEPARATOR", 0xAC: "OP_CHECKSIG",
    0xAD: "OP_CHECKSIGVERIFY", 0xAE: "OP_CHECKMULTISIG", 0xAF: "OP_CHECKMULTISIGVERIFY",
    0xB0: "OP_NOP1", 0xB1: "OP_CHECKLOCKTIMEVERIFY", 0xB2: "OP_CHECKSEQUENCEVERIFY",
    0xB3: "OP_NOP4", 0xB4: "OP_NOP5", 0xB5: "OP_NOP6", 0xB6: "OP_NOP7", 0xB7: "OP_NOP8",
    0xB8: "OP_NOP9", 0xB9: "OP_NOP10", 0xBA: "OP_CHECKSIGADD",
}
for _n in range(1, 17):
    _NAMES[0x50 + _n] = str(_n)


def script_asm(script: bytes) -> str:
    """ScriptToAsmStr: small pushes as numbers, larger ones as hex, opcodes by name."""
    ops = _iter_ops(script)
    if ops is None:
        return "[error]"
    out = []
    for op, data in ops:
        if data is not None:
            if len(data) <= 4:
                n = int.from_bytes(data, "little") if data else 0
                if data and data[-1] & 0x80:
                    n = -(n & ~(0x80 << (8 * (len(data) - 1))))
                out.append(str(n))
            else:
                out.append(data.hex())
        else:
            out.append(_NAMES.get(op, "OP_UNKNOWN"))
    return " ".join(out)


# -- descriptors --------------------------------------------------------------------------

_INPUT_CHARSET = ("0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
                  "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ")
_CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(c: int, val: int) -> int:
    c0 = c >> 35
    c = ((c & 0x7FFFFFFFF) << 5) ^ val
    for bit, gen in enumerate((0xF5DEE51989, 0xA9FDCA3312, 0x1BAB10E32D, 0x3706B1677A,
                               0x644D626FFD)):
        if c0 >> bit & 1:
            c ^= gen
    return c


def descriptor_checksum(desc: str) -> str:
    """DescriptorChecksum (script/descriptor.cpp)."""
    c, cls, count = 1, 0, 0
    for ch in desc:
        pos = _INPUT_CHARSET.find(ch)
        if pos < 0:
            return ""
        c = _polymod(c, pos & 31)
        cls = cls * 3 + (pos >> 5)
        count += 1
        if count == 3:
            c = _polymod(c, cls)
            cls = count = 0
    if count:
        c = _polymod(c, cls)
    for _ in range(8):
        c = _polymod(c, 0)
    c ^= 1
    return "".join(_CHECKSUM_CHARSET[(c >> (5 * (7 - j))) & 31] for j in range(8))


def address_of(spk: bytes) -> str | None:
    try:
        return script_to_address(spk, REGTEST)
    except AddressError:
        return None


def infer_descriptor(spk: bytes) -> str:
    kind = script_type(spk)
    addr = address_of(spk)
    if kind == "witness_v1_taproot":
        desc = f"rawtr({spk[2:].hex()})"
    elif kind == "pubkey":
        desc = f"pk({spk[1:-1].hex()})"
    elif kind == "multisig":
        ops = _iter_ops(spk) or []
        keys = ",".join(d.hex() for _, d in ops[1:-2] if d is not None)
        desc = f"multi({ops[0][0] - 0x50},{keys})"
    elif addr is not None and kind != "nonstandard":
        desc = f"addr({addr})"
    else:
        desc = f"raw({spk.hex()})"
    return f"{desc}#{descriptor_checksum(desc)}"


def script_pubkey_json(spk: bytes) -> dict[str, Any]:
    """ScriptToUniv with include_address: asm, desc, hex, address (if any), type."""
    out: dict[str, Any] = {"asm": script_asm(spk), "desc": infer_descriptor(spk),
                           "hex": spk.hex()}
    kind = script_type(spk)
    addr = address_of(spk)
    if addr is not None and kind not in ("nonstandard", "pubkey", "multisig", "nulldata"):
        out["address"] = addr
    out["type"] = kind
    return out


# -- transactions and headers -------------------------------------------------------------

def tx_json(tx: Transaction, *, include_hex: bool = True,
            spent: list[tuple[int, bytes, int, bool]] | None = None,
            with_prevout: bool = False) -> dict[str, Any]:
    """TxToUniv. `spent`: (value, script_pubkey, height, coinbase) per input, from undo data
    (adds "fee", and "prevout" with `with_prevout`)."""
    out: dict[str, Any] = {
        "txid": tx.txid_hex, "hash": tx.wtxid_hex, "version": tx.version,
        "size": len(tx.serialize()), "vsize": tx.vsize(), "weight": tx.weight(),
        "locktime": tx.locktime,
    }
    vin: list[dict[str, Any]] = []
    for i, txin in enumerate(tx.inputs):
        item: dict[str, Any] = {}
        if tx.is_coinbase():
            item["coinbase"] = txin.script_sig.hex()
        else:
            item["txid"] = txin.prevout.txid_hex
            item["vout"] = txin.prevout.index
            item["scriptSig"] = {"asm": script_asm(txin.script_sig),
                                 "hex": txin.script_sig.hex()}
        if txin.witness:
            item["txinwitness"] = [w.hex() for w in txin.witness]
        if with_prevout and spent is not None and not tx.is_coinbase():
            value, spk, height, coinbase = spent[i]
            item["prevout"] = {"generated": coinbase, "height": height,
                               "value": Amount(value), "scriptPubKey": script_pubkey_json(spk)}
        item["sequence"] = txin.sequence
        vin.append(item)
    out["vin"] = vin
    out["vout"] = [{"value": Amount(o.value), "n": n,
                    "scriptPubKey": script_pubkey_json(o.script_pubkey)}
                   for n, o in enumerate(tx.outputs)]
    if spent is not None and not tx.is_coinbase():
        out["fee"] = Amount(sum(s[0] for s in spent) - sum(o.value for o in tx.outputs))
    if include_hex:
        out["hex"] = tx.serialize().hex()
    return out


def header_json(header: BlockHeader, *, height: int, confirmations: int, mediantime: int,
                chainwork: int, n_tx: int, next_hash: bytes | None) -> dict[str, Any]:
    """blockheaderToJSON."""
    out: dict[str, Any] = {
        "hash": header.hash_hex, "confirmations": confirmations, "height": height,
        "version": header.version, "versionHex": f"{header.version & 0xFFFFFFFF:08x}",
        "merkleroot": header.merkle_root[::-1].hex(), "time": header.time,
        "mediantime": mediantime, "nonce": header.nonce, "bits": f"{header.bits:08x}",
        "difficulty": difficulty(header.bits), "chainwork": f"{chainwork:064x}",
        "nTx": n_tx,
    }
    if height > 0:
        out["previousblockhash"] = header.prev_hash_hex
    if next_hash is not None:
        out["nextblockhash"] = next_hash[::-1].hex()
    return out
