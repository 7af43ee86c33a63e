"""BIP 174 PSBTs: the BIP's invalid and valid vectors, the signer checks, and the whole
creator -> updater -> signer -> combiner -> finalizer -> extractor workflow."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import coincurve
import pytest
from hypothesis import given
from hypothesis import strategies as st

from amiko.bitcoin.address import b58check_decode
from amiko.bitcoin.bip32 import parse_path
from amiko.bitcoin.psbt import KeyOrigin, Psbt, PsbtError, PsbtInput, PsbtOutput, combine
from amiko.bitcoin.script import p2pkh_script_code, p2wpkh
from amiko.bitcoin.sighash import bip143_sighash
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut

V = json.loads((Path(__file__).parent / "vectors" / "bip174.json").read_text())
W = V["workflow"]


@pytest.mark.parametrize("case", V["invalid"], ids=lambda c: c["case"])
def test_invalid(case: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(PsbtError):
        Psbt.from_base64(case["base64"])


@pytest.mark.parametrize("case", V["valid"], ids=lambda c: c["case"])
def test_valid_round_trip(case: dict) -> None:  # type: ignore[type-arg]
    psbt = Psbt.from_base64(case["base64"])
    assert psbt.to_base64() == case["base64"]
    assert Psbt.parse(psbt.serialize()) == psbt


@pytest.mark.parametrize("case", V["signer_fails"], ids=lambda c: c["case"])
def test_signer_checks(case: dict) -> None:  # type: ignore[type-arg]
    psbt = Psbt.from_base64(case["base64"])
    with pytest.raises(PsbtError):
        psbt.input_sighash(case["input"])


def _wif(s: str) -> bytes:
    raw = b58check_decode(s)
    assert raw[0] == 0xEF and len(raw) == 34 and raw[33] == 1
    return raw[1:33]


def test_creator() -> None:
    tx = Transaction(
        version=2,
        inputs=tuple(TxIn(OutPoint.from_hex(t, i)) for t, i in W["creator_inputs"]),
        outputs=tuple(TxOut(v, bytes.fromhex(s)) for s, v in W["creator_outputs"]),
    )
    assert Psbt.from_unsigned_tx(tx).to_base64() == W["created"]


def test_updater() -> None:
    psbt = Psbt.from_base64(W["created"])
    fp = bytes.fromhex(W["master_fingerprint"])
    origins = {bytes.fromhex(k): KeyOrigin(fp, parse_path(p)) for k, p in W["updater_keys"]}
    prev = [Transaction.from_hex(h) for h in W["updater_prev_txs"]]
    redeem = [bytes.fromhex(s) for s in W["updater_redeem_scripts"]]
    witness = bytes.fromhex(W["updater_witness_scripts"][0])
    keys = list(origins)
    psbt = psbt.with_input(0, PsbtInput(
        non_witness_utxo=prev[1], redeem_script=redeem[0],
        bip32_derivations={k: origins[k] for k in keys[0:2]}))
    psbt = psbt.with_input(1, PsbtInput(
        witness_utxo=prev[0].outputs[1], redeem_script=redeem[1], witness_script=witness,
        bip32_derivations={k: origins[k] for k in (keys[3], keys[2])}))
    psbt = psbt.with_output(0, PsbtOutput(bip32_derivations={keys[4]: origins[keys[4]]}))
    psbt = psbt.with_output(1, PsbtOutput(bip32_derivations={keys[5]: origins[keys[5]]}))
    assert psbt.to_base64() == W["updated"]
    with_sighash = replace(psbt, inputs=tuple(replace(i, sighash_type=1) for i in psbt.inputs))
    assert with_sighash.to_base64() == W["with_sighash"]


def test_signers_combiner_finalizer_extractor() -> None:
    psbt = Psbt.from_base64(W["with_sighash"])
    first, second = psbt, psbt
    for wif in W["signer1_wif"]:
        first = first.sign_with_key(_wif(wif))
    for wif in W["signer2_wif"]:
        second = second.sign_with_key(_wif(wif))
    assert first.to_base64() == W["signed1"]
    assert second.to_base64() == W["signed2"]
    combined = combine([first, second])
    assert combined.to_base64() == W["combined"]
    assert not combined.is_complete
    with pytest.raises(PsbtError):
        combined.extract()
    final = combined.finalize()
    assert final.is_complete
    assert final.to_base64() == W["finalized"]
    assert final.extract().to_hex() == W["extracted"]


def test_combiner_keeps_unknown_records() -> None:
    a, b = Psbt.from_base64(W["unknown_a"]), Psbt.from_base64(W["unknown_b"])
    assert combine([a, b]).to_base64() == W["unknown_combined"]
    with pytest.raises(PsbtError):
        combine([a, Psbt.from_base64(W["created"])])


def test_p2wpkh_sign_finalize_extract() -> None:
    key = coincurve.PrivateKey(b"\x07" * 32)
    pub = key.public_key.format()
    utxo = TxOut(50_000, p2wpkh(pub))
    tx = Transaction(2, (TxIn(OutPoint(b"\x01" * 32, 3), b"", 0xFFFFFFFD),),
                     (TxOut(49_000, p2wpkh(b"\x02" * 33)),))
    psbt = Psbt.from_unsigned_tx(tx).with_input(0, PsbtInput(witness_utxo=utxo))
    assert psbt.fee() == 1000
    assert psbt.finalize() == psbt  # nothing to finalize without a signature
    signed = psbt.sign_with_key(key.secret).finalize()
    assert signed.inputs[0].final_script_witness is not None
    assert signed.inputs[0].partial_sigs == {}
    final_tx = Psbt.from_base64(signed.to_base64()).extract()
    sig, got_pub = final_tx.inputs[0].witness
    digest = bip143_sighash(final_tx, 0, p2pkh_script_code(pub), 50_000)
    assert got_pub == pub
    assert coincurve.PublicKey(pub).verify(sig[:-1], digest, hasher=None)


def test_sighash_type_mismatch_blocks_finalize() -> None:
    key = coincurve.PrivateKey(b"\x08" * 32)
    utxo = TxOut(10_000, p2wpkh(key.public_key.format()))
    tx = Transaction(2, (TxIn(OutPoint(b"\x01" * 32, 0)),), (TxOut(9_000, b"\x6a"),))
    psbt = Psbt.from_unsigned_tx(tx).with_input(0, PsbtInput(witness_utxo=utxo))
    signed = psbt.sign_input(0, key.secret, sighash_type=0x81)
    required = signed.with_input(0, replace(signed.inputs[0], sighash_type=1))
    assert not required.finalize().is_complete
    with pytest.raises(PsbtError):
        required.sign_input(0, key.secret, sighash_type=0x81)


@given(st.binary(max_size=300))
def test_parser_never_crashes(data: bytes) -> None:
    for blob in (data, b"psbt\xff" + data):
        try:
            Psbt.parse(blob)
        except PsbtError:
            pass
