"""Bitcoin transactions: the data structures and their consensus serialization.

Used by every layer that builds or reads transactions: the wallet, the dev chain, the
Lightning channel type (BOLT 3) and the on-chain watcher. No signing here (see sighash.py).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field, replace
from typing import Self


class TxDecodeError(ValueError):
    """A serialized transaction or block could not be parsed."""


def dsha256(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


# -- CompactSize ("varint" in Bitcoin Core) ------------------------------------------------

def ser_compact_size(n: int) -> bytes:
    if n < 0xFD:
        return bytes((n,))
    if n <= 0xFFFF:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xFFFFFFFF:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def ser_bytes(b: bytes) -> bytes:
    return ser_compact_size(len(b)) + b


class ByteReader:
    """Reads a byte string front to back; every read is exact or raises TxDecodeError."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def read(self, n: int) -> bytes:
        end = self.pos + n
        if n < 0 or end > len(self.data):
            raise TxDecodeError(f"truncated: wanted {n} bytes at offset {self.pos}")
        out = self.data[self.pos:end]
        self.pos = end
        return out

    def u8(self) -> int:
        return self.read(1)[0]

    def u32(self) -> int:
        return int(struct.unpack("<I", self.read(4))[0])

    def i32(self) -> int:
        return int(struct.unpack("<i", self.read(4))[0])

    def u64(self) -> int:
        return int(struct.unpack("<Q", self.read(8))[0])

    def compact_size(self) -> int:
        first = self.u8()
        if first < 0xFD:
            return first
        if first == 0xFD:
            n = int(struct.unpack("<H", self.read(2))[0])
            minimum = 0xFD
        elif first == 0xFE:
            n = int(struct.unpack("<I", self.read(4))[0])
            minimum = 0x10000
        else:
            n = int(struct.unpack("<Q", self.read(8))[0])
            minimum = 0x100000000
        if n < minimum:
            raise TxDecodeError("non-canonical compact size")
        return n

    def var_bytes(self) -> bytes:
        return self.read(self.compact_size())

    def at_end(self) -> bool:
        return self.pos == len(self.data)


# -- Outpoints, inputs, outputs, transactions ----------------------------------------------

@dataclass(frozen=True, slots=True)
class OutPoint:
    """A reference to a transaction output. `txid` is in internal byte order (as hashed)."""

    txid: bytes
    index: int

    def serialize(self) -> bytes:
        return self.txid + struct.pack("<I", self.index)

    @property
    def txid_hex(self) -> str:
        """The txid as Bitcoin Core displays it (byte-reversed hex)."""
        return self.txid[::-1].hex()

    @classmethod
    def from_hex(cls, txid_hex: str, index: int) -> OutPoint:
        return cls(bytes.fromhex(txid_hex)[::-1], index)

    def __str__(self) -> str:
        return f"{self.txid_hex}:{self.index}"


NULL_OUTPOINT = OutPoint(b"\x00" * 32, 0xFFFFFFFF)


@dataclass(frozen=True, slots=True)
class TxIn:
    prevout: OutPoint
    script_sig: bytes = b""
    sequence: int = 0xFFFFFFFF
    witness: tuple[bytes, ...] = ()

    def serialize(self) -> bytes:
        return self.prevout.serialize() + ser_bytes(self.script_sig) + struct.pack("<I", self.sequence)


@dataclass(frozen=True, slots=True)
class TxOut:
    value: int  # satoshis
    script_pubkey: bytes

    def serialize(self) -> bytes:
        return struct.pack("<q", self.value) + ser_bytes(self.script_pubkey)


@dataclass(frozen=True, slots=True)
class Transaction:
    version: int = 2
    inputs: tuple[TxIn, ...] = ()
    outputs: tuple[TxOut, ...] = ()
    locktime: int = 0
    _cache: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False, hash=False)

    # -- serialization

    def has_witness(self) -> bool:
        return any(i.witness for i in self.inputs)

    def serialize(self, with_witness: bool = True) -> bytes:
        key = "w" if with_witness else "n"
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        segwit = with_witness and self.has_witness()
        parts = [struct.pack("<i", self.version)]
        if segwit:
            parts.append(b"\x00\x01")
        parts.append(ser_compact_size(len(self.inputs)))
        parts.extend(i.serialize() for i in self.inputs)
        parts.append(ser_compact_size(len(self.outputs)))
        parts.extend(o.serialize() for o in self.outputs)
        if segwit:
            for i in self.inputs:
                parts.append(ser_compact_size(len(i.witness)))
                parts.extend(ser_bytes(item) for item in i.witness)
        parts.append(struct.pack("<I", self.locktime))
        out = b"".join(parts)
        self._cache[key] = out
        return out

    def to_hex(self) -> str:
        return self.serialize().hex()

    @classmethod
    def parse(cls, data: bytes) -> Transaction:
        r = ByteReader(data)
        tx = cls.read(r)
        if not r.at_end():
            raise TxDecodeError("trailing bytes after transaction")
        return tx

    @classmethod
    def from_hex(cls, hex_str: str) -> Transaction:
        try:
            raw = bytes.fromhex(hex_str)
        except ValueError as e:
            raise TxDecodeError("transaction is not hex") from e
        return cls.parse(raw)

    @classmethod
    def read(cls, r: ByteReader) -> Transaction:
        version = r.i32()
        n_in = r.compact_size()
        segwit = False
        if n_in == 0:
            flag = r.u8()
            if flag != 1:
                raise TxDecodeError("bad segwit flag")
            segwit = True
            n_in = r.compact_size()
        if n_in > len(r.data):
            raise TxDecodeError("input count exceeds data")
        raw_inputs = []
        for _ in range(n_in):
            prev = OutPoint(r.read(32), r.u32())
            script_sig = r.var_bytes()
            raw_inputs.append((prev, script_sig, r.u32()))
        n_out = r.compact_size()
        if n_out > len(r.data):
            raise TxDecodeError("output count exceeds data")
        outputs = []
        for _ in range(n_out):
            value = int(struct.unpack("<q", r.read(8))[0])
            outputs.append(TxOut(value, r.var_bytes()))
        witnesses: list[tuple[bytes, ...]] = [()] * n_in
        if segwit:
            for k in range(n_in):
                n_items = r.compact_size()
                if n_items > len(r.data):
                    raise TxDecodeError("witness item count exceeds data")
                witnesses[k] = tuple(r.var_bytes() for _ in range(n_items))
            if not any(witnesses):
                raise TxDecodeError("superfluous witness record")
        locktime = r.u32()
        inputs = tuple(
            TxIn(prev, script_sig, seq, witnesses[k])
            for k, (prev, script_sig, seq) in enumerate(raw_inputs)
        )
        return cls(version, inputs, tuple(outputs), locktime)

    # -- identity and size

    @property
    def txid(self) -> bytes:
        """Internal byte order (the hash); display with txid_hex."""
        cached = self._cache.get("txid")
        if cached is None:
            cached = dsha256(self.serialize(with_witness=False))
            self._cache["txid"] = cached
        return cached

    @property
    def txid_hex(self) -> str:
        return self.txid[::-1].hex()

    @property
    def wtxid(self) -> bytes:
        return dsha256(self.serialize(with_witness=True))

    @property
    def wtxid_hex(self) -> str:
        return self.wtxid[::-1].hex()

    def weight(self) -> int:
        base = len(self.serialize(with_witness=False))
        total = len(self.serialize(with_witness=True))
        return base * 3 + total

    def vsize(self) -> int:
        return (self.weight() + 3) // 4

    def is_coinbase(self) -> bool:
        return len(self.inputs) == 1 and self.inputs[0].prevout == NULL_OUTPOINT

    def outpoint(self, index: int) -> OutPoint:
        return OutPoint(self.txid, index)

    # -- functional updates (transactions are immutable)

    def with_witness(self, index: int, witness: tuple[bytes, ...]) -> Self:
        inputs = list(self.inputs)
        inputs[index] = replace(inputs[index], witness=witness)
        return replace(self, inputs=tuple(inputs), _cache={})

    def with_script_sig(self, index: int, script_sig: bytes) -> Self:
        inputs = list(self.inputs)
        inputs[index] = replace(inputs[index], script_sig=script_sig)
        return replace(self, inputs=tuple(inputs), _cache={})
