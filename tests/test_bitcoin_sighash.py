"""Signature hashes: BIP 143 examples, the legacy digest (P2PK input of BIP 143's first
example), BIP 341 key-path sighashes."""

from __future__ import annotations

import json
from pathlib import Path

import coincurve
import pytest

from amiko.bitcoin.script import p2pkh_script_code, push_data
from amiko.bitcoin.sighash import (
    SIGHASH_ALL,
    SIGHASH_SINGLE,
    SighashError,
    bip143_sighash,
    bip341_sighash,
    der_sig_with_hashtype,
    legacy_sighash,
)
from amiko.bitcoin.tx import Transaction, TxOut

VECTORS = Path(__file__).parent / "vectors"
BIP143 = json.loads((VECTORS / "bip143.json").read_text())
BIP341 = json.loads((VECTORS / "bip341_keypath.json").read_text())


@pytest.mark.parametrize("v", BIP143["sighashes"], ids=lambda v: v["name"])
def test_bip143(v: dict) -> None:  # type: ignore[type-arg]
    tx = Transaction.from_hex(v["tx"])
    digest = bip143_sighash(tx, v["index"], bytes.fromhex(v["script_code"]), v["amount"],
                            v["sighash_type"])
    assert digest.hex() == v["sighash"]
    if "privkey" in v:  # RFC 6979 signing reproduces the BIP's signatures
        sig = coincurve.PrivateKey(bytes.fromhex(v["privkey"])).sign(digest, hasher=None)
        assert sig.hex() == v["signature"]


def test_native_p2wpkh_example_signed_end_to_end() -> None:
    """Input 0 (P2PK, legacy sighash) and input 1 (P2WPKH, BIP 143) signed as in the BIP."""
    f = BIP143["native_p2wpkh_full"]
    tx = Transaction.from_hex(f["unsigned_tx"])
    k0 = coincurve.PrivateKey(bytes.fromhex(f["p2pk_privkey"]))
    d0 = legacy_sighash(tx, 0, bytes.fromhex(f["p2pk_script_pubkey"]), SIGHASH_ALL)
    tx = tx.with_script_sig(0, push_data(der_sig_with_hashtype(k0.sign(d0, hasher=None))))
    k1 = coincurve.PrivateKey(bytes.fromhex(f["p2wpkh_privkey"]))
    pub = k1.public_key.format()
    d1 = bip143_sighash(tx, 1, p2pkh_script_code(pub), f["p2wpkh_amount"])
    tx = tx.with_witness(1, (der_sig_with_hashtype(k1.sign(d1, hasher=None)), pub))
    assert tx.to_hex() == f["signed_tx"]


def test_legacy_single_bug_and_bad_index() -> None:
    tx = Transaction.from_hex(BIP143["sighashes"][2]["tx"])  # 2 inputs, 1 output
    assert legacy_sighash(tx, 1, b"", SIGHASH_SINGLE) == (1).to_bytes(32, "little")
    with pytest.raises(SighashError):
        bip143_sighash(tx, 2, b"", 0)
    with pytest.raises(SighashError):
        der_sig_with_hashtype(b"\x30", 0)


def _bip341_tx() -> tuple[Transaction, list[TxOut]]:
    tx = Transaction.from_hex(BIP341["unsigned_tx"])
    spent = [TxOut(o["amount"], bytes.fromhex(o["script_pubkey"])) for o in BIP341["spent_outputs"]]
    return tx, spent


@pytest.mark.parametrize("case", BIP341["inputs"], ids=lambda c: f"input{c['index']}")
def test_bip341_keypath(case: dict) -> None:  # type: ignore[type-arg]
    tx, spent = _bip341_tx()
    assert bip341_sighash(tx, case["index"], spent, case["hash_type"]).hex() == case["sighash"]


def test_bip341_signature_of_input_0() -> None:
    tx, spent = _bip341_tx()
    digest = bip341_sighash(tx, 0, spent, SIGHASH_SINGLE)
    key = coincurve.PrivateKey(bytes.fromhex(BIP341["input0_tweaked_privkey"]))
    sig = key.sign_schnorr(digest, b"\x00" * 32)
    assert sig.hex() + "03" == BIP341["input0_witness"]


def test_bip341_rejects_bad_inputs() -> None:
    tx, spent = _bip341_tx()
    with pytest.raises(SighashError):
        bip341_sighash(tx, 0, spent, 0x04)
    with pytest.raises(SighashError):
        bip341_sighash(tx, 0, spent[:-1])
    with pytest.raises(SighashError):
        bip341_sighash(tx, 8, spent, SIGHASH_SINGLE)  # only 2 outputs
