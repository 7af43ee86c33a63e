"""Coin selection and fee arithmetic of the on-chain wallet."""

from __future__ import annotations

import hashlib

import coincurve
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amiko.bitcoin.script import p2pkh, p2pkh_script_code, p2tr, p2wpkh, p2wsh
from amiko.bitcoin.sighash import bip143_sighash, der_sig_with_hashtype
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.chain.wallet.coinselect import (
    P2WPKH_INPUT_WEIGHT,
    P2WPKH_OUTPUT_WEIGHT,
    Coin,
    InsufficientFunds,
    dust_threshold,
    fee_for_weight,
    output_weight,
    sat_per_vbyte_to_sat_per_kw,
    select_coins,
    tx_weight,
)


def coin(value: int, n: int = 0) -> Coin:
    return Coin(OutPoint(hashlib.sha256(f"{value}/{n}".encode()).digest(), n), value)


def test_fee_rounds_up() -> None:
    assert fee_for_weight(1000, 253) == 253
    assert fee_for_weight(1001, 253) == 254
    assert fee_for_weight(0, 5000) == 0
    assert sat_per_vbyte_to_sat_per_kw(1) == 250


def test_dust_thresholds() -> None:
    assert dust_threshold(p2wpkh(b"\x02" * 33)) == 294
    assert dust_threshold(p2wsh(b"script")) == 330
    assert dust_threshold(p2tr(b"\x01" * 32)) == 330
    assert dust_threshold(p2pkh(b"\x02" * 33)) == 546
    assert dust_threshold(b"\x6a\x01\x00") == 0


def test_weight_estimate_covers_real_signatures() -> None:
    """A real signed 2-in 2-out P2WPKH tx weighs at most the estimate (73-byte signatures)."""
    key = coincurve.PrivateKey(b"\x05" * 32)
    pub = key.public_key.format()
    outs = (TxOut(1000, p2wpkh(pub)), TxOut(2000, p2wsh(b"x")))
    tx = Transaction(2, (TxIn(OutPoint(b"\x01" * 32, 0)), TxIn(OutPoint(b"\x02" * 32, 1))), outs)
    for k in range(2):
        d = bip143_sighash(tx, k, p2pkh_script_code(pub), 5000)
        tx = tx.with_witness(k, (der_sig_with_hashtype(key.sign(d, hasher=None)), pub))
    estimate = tx_weight([P2WPKH_INPUT_WEIGHT] * 2, [output_weight(o.script_pubkey) for o in outs])
    assert tx.weight() <= estimate <= tx.weight() + 4
    assert output_weight(p2wpkh(pub)) == P2WPKH_OUTPUT_WEIGHT


def test_branch_and_bound_finds_changeless_match() -> None:
    feerate = 1000
    out_w = [P2WPKH_OUTPUT_WEIGHT]
    coins = [coin(v) for v in (100_000, 60_000, 35_000, 20_000, 7_000)]
    # pay exactly what 60k + 20k can cover without change
    input_fee = fee_for_weight(P2WPKH_INPUT_WEIGHT, feerate)
    fixed = fee_for_weight(tx_weight([], out_w), feerate)
    target = 80_000 - 2 * input_fee - fixed - 10
    sel = select_coins(coins, target, feerate, out_w)
    assert sel.change == 0
    assert sorted(c.value for c in sel.coins) == [20_000, 60_000]
    assert sel.input_value == target + sel.fee


def test_fallback_makes_change_above_dust() -> None:
    coins = [coin(v) for v in (50_000, 40_000, 30_000)]
    sel = select_coins(coins, 60_000, 2000, [P2WPKH_OUTPUT_WEIGHT])
    assert sel.change >= 294
    assert sel.input_value == 60_000 + sel.fee + sel.change
    assert sel.fee == fee_for_weight(sel.weight, 2000)


def test_prefers_smallest_sufficient_single_coin() -> None:
    coins = [coin(v) for v in (1_000_000, 200_000, 90_000)]
    sel = select_coins(coins, 50_000, 1000, [P2WPKH_OUTPUT_WEIGHT])
    assert [c.value for c in sel.coins] == [90_000]


def test_insufficient() -> None:
    with pytest.raises(InsufficientFunds):
        select_coins([coin(1000)], 5000, 253, [P2WPKH_OUTPUT_WEIGHT])
    with pytest.raises(InsufficientFunds):
        select_coins([], 1, 253, [P2WPKH_OUTPUT_WEIGHT])
    # a coin worth less than its own input fee is useless
    with pytest.raises(InsufficientFunds):
        select_coins([coin(200)] * 3, 10, 5000, [P2WPKH_OUTPUT_WEIGHT])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=10_000_000), min_size=1, max_size=25),
    st.integers(min_value=0, max_value=20_000_000),
    st.integers(min_value=253, max_value=50_000),
)
def test_selection_invariants(values: list[int], target: int, feerate: int) -> None:
    coins = [coin(v, n) for n, v in enumerate(values)]
    out_w = [P2WPKH_OUTPUT_WEIGHT]
    try:
        sel = select_coins(coins, target, feerate, out_w)
    except InsufficientFunds:
        # then even every useful coin together does not pay the target and the fee
        input_fee = fee_for_weight(P2WPKH_INPUT_WEIGHT, feerate)
        effective = sum(v - input_fee for v in values if v > input_fee)
        assert effective < target + fee_for_weight(tx_weight([], out_w), feerate)
        return
    assert sel.input_value == target + sel.fee + sel.change
    assert sel.change == 0 or sel.change >= 294
    outs = out_w + ([P2WPKH_OUTPUT_WEIGHT] if sel.change else [])
    weight = tx_weight([c.input_weight for c in sel.coins], outs)
    assert sel.weight == weight
    assert sel.fee >= fee_for_weight(weight, feerate)
    assert len(set(sel.coins)) == len(sel.coins)
