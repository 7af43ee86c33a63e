"""amiko.bitcoin.block: serialization, hashes, merkle roots, BIP34 and BIP141 coinbases."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from amiko.bitcoin.block import (
    REGTEST_BITS,
    Block,
    BlockHeader,
    assemble_block,
    bip34_script_sig,
    bits_to_target,
    block_subsidy,
    coinbase_height,
    merkle_root,
    witness_commitment_index,
    witness_merkle_root,
)
from amiko.bitcoin.script import p2wpkh
from amiko.bitcoin.tx import TxDecodeError, dsha256

# Bitcoin Core's regtest genesis block (chainparams.cpp CreateGenesisBlock(1296688602, 2,
# 0x207fffff, 1, 50 * COIN)).
REGTEST_GENESIS_HEX = (
    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b2"
    "7ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f20020000000101000000010000"
    "000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d01044554"
    "68652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f6620"
    "7365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0"
    "fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de"
    "5c384df7ba0b8d578a4c702b6bf11d5fac00000000"
)
REGTEST_GENESIS_HASH = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"


def test_regtest_genesis_roundtrip() -> None:
    raw = bytes.fromhex(REGTEST_GENESIS_HEX)
    block = Block.parse(raw)
    assert block.hash_hex == REGTEST_GENESIS_HASH
    assert block.serialize() == raw
    assert block.check_merkle_root()
    assert block.header.bits == REGTEST_BITS
    assert block.header.check_pow()
    assert block.weight() == 4 * len(raw)
    assert BlockHeader.parse(raw[:80]) == block.header


def test_bip34_height_push() -> None:
    # Core: `CScript() << nHeight` then OP_0; heights 1..16 are OP_1..OP_16.
    assert bip34_script_sig(1) == bytes((0x51, 0x00))
    assert bip34_script_sig(16) == bytes((0x60, 0x00))
    assert bip34_script_sig(17) == bytes((0x01, 17, 0x00))
    assert bip34_script_sig(128) == bytes((0x02, 0x80, 0x00, 0x00))
    assert bip34_script_sig(500_000) == bytes.fromhex("0320a10700")
    assert bip34_script_sig(5, b"\xaa\xbb") == bytes((0x55, 0x02, 0xAA, 0xBB))


@given(st.integers(min_value=0, max_value=2**31 - 1))
def test_coinbase_height_roundtrip(height: int) -> None:
    block = assemble_block(bytes(32), height, 1_700_000_000, [], p2wpkh(b"\x02" * 33), 1)
    assert coinbase_height(block.txs[0]) == height
    assert block.header.check_pow()


def test_merkle_root_odd_levels_duplicate_last() -> None:
    a, b, c = (bytes([i]) * 32 for i in (1, 2, 3))
    assert merkle_root([a]) == a
    assert merkle_root([a, b]) == dsha256(a + b)
    assert merkle_root([a, b, c]) == dsha256(dsha256(a + b) + dsha256(c + c))


def test_witness_commitment() -> None:
    block = assemble_block(bytes(32), 200, 1_700_000_000, [], p2wpkh(b"\x02" * 33), 50)
    coinbase = block.txs[0]
    idx = witness_commitment_index(coinbase)
    assert idx == 1
    spk = coinbase.outputs[1].script_pubkey
    assert spk[:6] == bytes.fromhex("6a24aa21a9ed")
    # BIP141: Double-SHA256(witness root hash | witness reserved value)
    assert spk[6:] == dsha256(witness_merkle_root(block.txs) + bytes(32))
    assert coinbase.inputs[0].witness == (bytes(32),)


def test_subsidy_and_target() -> None:
    assert block_subsidy(149) == 50 * 10**8
    assert block_subsidy(150) == 25 * 10**8  # regtest halves every 150 blocks
    assert block_subsidy(150 * 64) == 0
    assert bits_to_target(0x1D00FFFF) == 0xFFFF << 208


@given(st.binary(max_size=200))
def test_parse_garbage_never_crashes(data: bytes) -> None:
    try:
        Block.parse(data)
    except TxDecodeError:
        pass
