"""Bitcoin blocks: headers, merkle roots, the BIP141 witness commitment, BIP34 coinbases.

Used by the dev chain (which assembles blocks and hands them to libbitcoinkernel) and by
the bitcoind backend (which parses the blocks it fetches). Consensus serialization only;
no validation here beyond the proof-of-work arithmetic.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from amiko.bitcoin.script import OP_0, OP_RETURN, push_data, push_int
from amiko.bitcoin.tx import (
    NULL_OUTPOINT,
    ByteReader,
    Transaction,
    TxDecodeError,
    TxIn,
    TxOut,
    dsha256,
    ser_compact_size,
)

COIN = 100_000_000
HEADER_SIZE = 80
MAX_BLOCK_WEIGHT = 4_000_000
WITNESS_SCALE_FACTOR = 4
COINBASE_MATURITY = 100

# Regtest: "consensus.powLimit = uint256{"7fffff..."}", genesis nBits 0x207fffff, no retargeting.
REGTEST_BITS = 0x207FFFFF
# Regtest: "consensus.nSubsidyHalvingInterval = 150;" (mainnet 210000).
REGTEST_HALVING_INTERVAL = 150
MAINNET_HALVING_INTERVAL = 210_000

# BIP141: "The commitment is recorded in a scriptPubKey of the coinbase transaction. It must be
# at least 38 bytes, with the first 6-byte of 0x6a24aa21a9ed".
WITNESS_COMMITMENT_HEADER = bytes.fromhex("aa21a9ed")
WITNESS_COMMITMENT_PREFIX = bytes((OP_RETURN, 0x24)) + WITNESS_COMMITMENT_HEADER
WITNESS_RESERVED_VALUE = bytes(32)


# -- proof of work ------------------------------------------------------------------------

def bits_to_target(bits: int) -> int:
    """Decode a compact nBits target (arith_uint256::SetCompact)."""
    exponent = bits >> 24
    mantissa = bits & 0x007FFFFF
    if exponent <= 3:
        target = mantissa >> (8 * (3 - exponent))
    else:
        target = mantissa << (8 * (exponent - 3))
    if mantissa != 0 and bits & 0x00800000:
        raise ValueError("negative compact target")
    return target


def block_work(bits: int) -> int:
    """GetBlockProof: 2**256 / (target + 1)."""
    target = bits_to_target(bits)
    if target <= 0:
        return 0
    return (1 << 256) // (target + 1)


def difficulty(bits: int) -> float:
    """GetDifficulty as Bitcoin Core's RPC reports it."""
    shift = (bits >> 24) & 0xFF
    diff = float(0x0000FFFF) / float(bits & 0x00FFFFFF)
    while shift < 29:
        diff *= 256.0
        shift += 1
    while shift > 29:
        diff /= 256.0
        shift -= 1
    return diff


def block_subsidy(height: int, halving_interval: int = REGTEST_HALVING_INTERVAL) -> int:
    """GetBlockSubsidy: 50 BTC halved every `halving_interval` blocks, zero after 64 halvings."""
    halvings = height // halving_interval
    if halvings >= 64:
        return 0
    return (50 * COIN) >> halvings


# -- merkle trees -------------------------------------------------------------------------

def merkle_root(hashes: Sequence[bytes]) -> bytes:
    """ComputeMerkleRoot: pairwise double-SHA256, duplicating the last hash of an odd level."""
    if not hashes:
        return bytes(32)
    level = list(hashes)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [dsha256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def witness_merkle_root(txs: Sequence[Transaction]) -> bytes:
    """BlockWitnessMerkleRoot. BIP141: "the wtxid of coinbase transaction is assumed to be
    0x0000....0000"."""
    return merkle_root([bytes(32)] + [tx.wtxid for tx in txs[1:]])


def witness_commitment_script(witness_root: bytes,
                              reserved_value: bytes = WITNESS_RESERVED_VALUE) -> bytes:
    """BIP141: OP_RETURN push(0xaa21a9ed || Double-SHA256(witness root hash || witness
    reserved value))."""
    commitment = dsha256(witness_root + reserved_value)
    return bytes((OP_RETURN,)) + push_data(WITNESS_COMMITMENT_HEADER + commitment)


def witness_commitment_index(coinbase: Transaction) -> int | None:
    """GetWitnessCommitmentIndex. BIP141: "If there are more than one scriptPubKey matching the
    pattern, the one with highest output index is assumed to be the commitment"."""
    found: int | None = None
    for i, out in enumerate(coinbase.outputs):
        spk = out.script_pubkey
        if len(spk) >= 38 and spk[:6] == WITNESS_COMMITMENT_PREFIX:
            found = i
    return found


# -- coinbase -----------------------------------------------------------------------------

def bip34_script_sig(height: int, extra: bytes = b"") -> bytes:
    """The coinbase scriptSig: the BIP34 height push, then `extra` (or OP_0).

    Bitcoin Core's ContextualCheckBlock: `CScript expect = CScript() << nHeight;` must be a
    prefix of the scriptSig ("bad-cb-height"), so heights 1..16 are OP_1..OP_16, and
    CheckTransaction wants a coinbase scriptSig of 2..100 bytes ("bad-cb-length"). Core's
    miner appends OP_0 (`CScript() << nHeight << OP_0`), which we do when `extra` is empty.
    """
    script = push_int(height)
    script += push_data(extra) if extra else bytes((OP_0,))
    if not 2 <= len(script) <= 100:
        raise ValueError("coinbase scriptSig must be 2..100 bytes")
    return script


def coinbase_height(coinbase: Transaction) -> int | None:
    """Decode the BIP34 height from a coinbase scriptSig, or None."""
    script = coinbase.inputs[0].script_sig if coinbase.inputs else b""
    if not script:
        return None
    op = script[0]
    if op == OP_0:
        return 0
    if 0x51 <= op <= 0x60:
        return op - 0x50
    if 1 <= op <= 8 and len(script) > op:
        data = script[1:1 + op]
        n = int.from_bytes(data, "little")
        if data[-1] & 0x80:
            return -(n & ~(0x80 << (8 * (len(data) - 1))))
        return n
    return None


def create_coinbase(height: int, script_pubkey: bytes, value: int, *,
                    witness_commitment: bytes | None = None, extra: bytes = b"") -> Transaction:
    """A coinbase paying `value` to `script_pubkey`.

    With `witness_commitment` (the witness merkle root of the block's other transactions,
    see `witness_merkle_root`), it adds the BIP141 commitment output and the coinbase
    witness: "the coinbase's input's witness must consist of a single 32-byte array for the
    witness reserved value".
    """
    witness: tuple[bytes, ...] = ()
    outputs = [TxOut(value, script_pubkey)]
    if witness_commitment is not None:
        outputs.append(TxOut(0, witness_commitment_script(witness_commitment)))
        witness = (WITNESS_RESERVED_VALUE,)
    txin = TxIn(NULL_OUTPOINT, bip34_script_sig(height, extra), 0xFFFFFFFF, witness)
    return Transaction(version=2, inputs=(txin,), outputs=tuple(outputs), locktime=0)


# -- header and block ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BlockHeader:
    version: int
    prev_hash: bytes  # internal byte order
    merkle_root: bytes
    time: int
    bits: int
    nonce: int

    def serialize(self) -> bytes:
        return (struct.pack("<i", self.version) + self.prev_hash + self.merkle_root
                + struct.pack("<III", self.time, self.bits, self.nonce))

    @classmethod
    def read(cls, r: ByteReader) -> BlockHeader:
        version = r.i32()
        prev = r.read(32)
        root = r.read(32)
        time, bits, nonce = struct.unpack("<III", r.read(12))
        return cls(version, prev, root, int(time), int(bits), int(nonce))

    @classmethod
    def parse(cls, data: bytes) -> BlockHeader:
        if len(data) != HEADER_SIZE:
            raise TxDecodeError("block header must be 80 bytes")
        return cls.read(ByteReader(data))

    @property
    def hash(self) -> bytes:
        """Internal byte order."""
        return dsha256(self.serialize())

    @property
    def hash_hex(self) -> str:
        return self.hash[::-1].hex()

    @property
    def prev_hash_hex(self) -> str:
        return self.prev_hash[::-1].hex()

    def check_pow(self) -> bool:
        """CheckProofOfWork: the hash, as a little-endian number, is at most the target."""
        return int.from_bytes(self.hash, "little") <= bits_to_target(self.bits)

    def with_nonce(self, nonce: int) -> BlockHeader:
        return replace(self, nonce=nonce)

    def grind(self, max_tries: int = 1 << 32) -> BlockHeader:
        """Search nonces from the current one until the proof of work holds. On regtest's
        0x207fffff target about every second hash qualifies."""
        target = bits_to_target(self.bits)
        prefix = self.serialize()[:76]
        for nonce in range(self.nonce, min(self.nonce + max_tries, 1 << 32)):
            h = dsha256(prefix + struct.pack("<I", nonce))
            if int.from_bytes(h, "little") <= target:
                return replace(self, nonce=nonce)
        raise ValueError("no nonce found")


@dataclass(frozen=True, slots=True)
class Block:
    header: BlockHeader
    txs: tuple[Transaction, ...]
    _cache: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False, hash=False)

    @property
    def hash(self) -> bytes:
        return self.header.hash

    @property
    def hash_hex(self) -> str:
        return self.header.hash_hex

    def serialize(self, with_witness: bool = True) -> bytes:
        key = "w" if with_witness else "n"
        cached = self._cache.get(key)
        if cached is None:
            parts = [self.header.serialize(), ser_compact_size(len(self.txs))]
            parts.extend(tx.serialize(with_witness) for tx in self.txs)
            cached = b"".join(parts)
            self._cache[key] = cached
        return cached

    def to_hex(self) -> str:
        return self.serialize().hex()

    @classmethod
    def parse(cls, data: bytes) -> Block:
        r = ByteReader(data)
        header = BlockHeader.read(r)
        n = r.compact_size()
        if n > len(data):
            raise TxDecodeError("transaction count exceeds data")
        txs = tuple(Transaction.read(r) for _ in range(n))
        if not r.at_end():
            raise TxDecodeError("trailing bytes after block")
        block = cls(header, txs)
        block._cache["w"] = data
        return block

    @classmethod
    def from_hex(cls, hex_str: str) -> Block:
        try:
            raw = bytes.fromhex(hex_str)
        except ValueError as e:
            raise TxDecodeError("block is not hex") from e
        return cls.parse(raw)

    def size(self) -> int:
        return len(self.serialize(True))

    def stripped_size(self) -> int:
        return len(self.serialize(False))

    def weight(self) -> int:
        return self.stripped_size() * (WITNESS_SCALE_FACTOR - 1) + self.size()

    def compute_merkle_root(self) -> bytes:
        return merkle_root([tx.txid for tx in self.txs])

    def check_merkle_root(self) -> bool:
        return self.compute_merkle_root() == self.header.merkle_root

    def __iter__(self) -> Iterator[Transaction]:
        return iter(self.txs)


def assemble_block(prev_hash: bytes, height: int, time: int, txs: Sequence[Transaction],
                   coinbase_script_pubkey: bytes, coinbase_value: int, *,
                   bits: int = REGTEST_BITS, version: int = 0x20000000,
                   extra: bytes = b"", witness_commitment: bool = True) -> Block:
    """Build a block (coinbase first, then `txs`) and grind its nonce.

    `coinbase_value` is subsidy plus fees; the caller computes it. Bitcoin Core's miner always
    adds the witness commitment once segwit is active; so do we by default.
    """
    commit_root: bytes | None = None
    if witness_commitment:
        placeholder = Transaction(inputs=(TxIn(NULL_OUTPOINT),))
        commit_root = witness_merkle_root([placeholder, *txs])
    coinbase = create_coinbase(height, coinbase_script_pubkey, coinbase_value,
                               witness_commitment=commit_root, extra=extra)
    all_txs = (coinbase, *txs)
    root = merkle_root([tx.txid for tx in all_txs])
    header = BlockHeader(version, prev_hash, root, time, bits, 0).grind()
    return Block(header, all_txs)
