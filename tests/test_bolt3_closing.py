"""BOLT 3 closing transactions (option_simple_close and legacy), the BOLT 2 rules for which
variants to sign, and Bitcoin Core accepting a signed closing transaction."""

from __future__ import annotations

import pytest

from amiko.bitcoin.script import op_return, p2wpkh, p2wsh
from amiko.bitcoin.tx import OutPoint, TxOut
from amiko.chain.devchain.scripts import ScriptVerifier
from amiko.channels.bolt.closing import (
    ClosingOutputs,
    build_closing_tx,
    build_legacy_closing_tx,
    closee_output_variant,
    closer_output_variants,
    is_dust,
    is_valid_op_return,
    sign_closing,
    verify_closing,
)
from amiko.channels.bolt.scripts import funding_script
from amiko.channels.bolt.signatures import funding_witness
from amiko.crypto.keys import pubkey_of

FUNDING = OutPoint(b"\x07" * 32, 1)
A = p2wpkh(pubkey_of(b"\x01" * 32))
B = p2wsh(b"\x51")
RET = op_return(b"amiko closing!")


def test_simple_close_both_outputs() -> None:
    tx = build_closing_tx(FUNDING, A, B, 600_000_999, 399_999_001, 1000, 800_000,
                          ClosingOutputs.BOTH)
    assert tx.version == 2 and tx.locktime == 800_000
    assert tx.inputs[0].sequence == 0xFFFFFFFD and tx.inputs[0].prevout == FUNDING
    # BIP 69 order; closer pays the fee; each output rounded down.
    assert [(o.value, o.script_pubkey) for o in tx.outputs] == [(399_999, B), (599_000, A)]


def test_simple_close_single_outputs_and_op_return() -> None:
    only_closer = build_closing_tx(FUNDING, A, B, 600_000_000, 400_000_000, 1000, 0,
                                   ClosingOutputs.CLOSER_ONLY)
    assert only_closer.outputs == (TxOut(599_000, A),)
    only_closee = build_closing_tx(FUNDING, A, B, 600_000_000, 400_000_000, 1000, 0,
                                   ClosingOutputs.CLOSEE_ONLY)
    assert only_closee.outputs == (TxOut(400_000, B),)
    # BOLT 3: "0 if the `scriptpubkey` starts with `OP_RETURN`"
    burn = build_closing_tx(FUNDING, RET, B, 300_000, 400_000_000, 200, 0, ClosingOutputs.BOTH)
    assert burn.outputs == (TxOut(0, RET), TxOut(400_000, B))
    with pytest.raises(ValueError):  # fee above the closer's balance
        build_closing_tx(FUNDING, A, B, 999_999, 0, 1000, 0, ClosingOutputs.CLOSER_ONLY)


def test_closer_variants() -> None:
    # Closer has more: both variants, or only its own output if the closee's is dust.
    assert closer_output_variants(600_000_000, 400_000_000, 1000, A, B) == \
        (ClosingOutputs.CLOSER_ONLY, ClosingOutputs.BOTH)
    assert closer_output_variants(600_000_000, 329_999, 1000, A, B) == \
        (ClosingOutputs.CLOSER_ONLY,)
    # An OP_RETURN closee output is never dust.
    assert closer_output_variants(600_000_000, 0, 1000, A, RET) == \
        (ClosingOutputs.CLOSER_ONLY, ClosingOutputs.BOTH)
    # Closer has less: never closer-only; closee-only if its own output is dust (after fee)
    # or it chooses to drop it (not with OP_RETURN).
    assert closer_output_variants(300_000, 1_000_000_000, 0, A, B) == (ClosingOutputs.BOTH,)
    assert closer_output_variants(300_000, 1_000_000_000, 7, A, B) == \
        (ClosingOutputs.CLOSEE_ONLY,)
    assert closer_output_variants(50_000_000, 1_000_000_000, 700, A, B,
                                  omit_own_output=True) == (ClosingOutputs.CLOSEE_ONLY,)
    assert closer_output_variants(5_000, 1_000_000_000, 5, RET, B,
                                  omit_own_output=True) == (ClosingOutputs.BOTH,)


def test_closee_variant() -> None:
    both = {ClosingOutputs.CLOSER_ONLY, ClosingOutputs.BOTH}
    assert closee_output_variant(400_000_000, B, both) is ClosingOutputs.BOTH
    assert closee_output_variant(329_000, B, both) is ClosingOutputs.CLOSER_ONLY
    assert closee_output_variant(400_000_000, B, both, omit_own_output=True) is \
        ClosingOutputs.CLOSER_ONLY
    assert closee_output_variant(400_000_000, B, {ClosingOutputs.CLOSEE_ONLY}) is \
        ClosingOutputs.CLOSEE_ONLY
    # The variant it must use is missing: None (fail / warn).
    assert closee_output_variant(329_000, B, {ClosingOutputs.CLOSEE_ONLY}) is None
    assert closee_output_variant(400_000_000, B, {ClosingOutputs.CLOSER_ONLY}) is None


def test_op_return_forms_and_dust() -> None:
    assert is_valid_op_return(op_return(b"x" * 6))
    assert is_valid_op_return(op_return(b"x" * 80))
    assert not is_valid_op_return(op_return(b"x" * 5))
    assert not is_valid_op_return(op_return(b"x" * 81))
    assert not is_valid_op_return(op_return(b"x" * 10) + b"\x00")
    assert not is_valid_op_return(A)
    assert is_dust(293, A) and not is_dust(294, A)
    assert not is_dust(0, RET)


def test_legacy_closing() -> None:
    tx = build_legacy_closing_tx(FUNDING, A, B, 600_000_500, 399_999_500, 1000, True, 546)
    assert tx.locktime == 0 and tx.inputs[0].sequence == 0xFFFFFFFF
    assert tx.outputs == (TxOut(399_999, B), TxOut(599_000, A))
    tx = build_legacy_closing_tx(FUNDING, A, B, 600_000_000, 400_000_000, 1000, False, 546)
    assert tx.outputs == (TxOut(399_000, B), TxOut(600_000, A))
    # Outputs below the signer's dust limit are removed; the signer may drop its own.
    tx = build_legacy_closing_tx(FUNDING, A, B, 1_000_000_000 - 545_999, 545_999, 1000, True, 546)
    assert tx.outputs == (TxOut(998_454, A),)
    tx = build_legacy_closing_tx(FUNDING, A, B, 600_000_000, 400_000_000, 1000, True, 546,
                                 omit_local_output=True)
    assert tx.outputs == (TxOut(400_000, B),)


def test_signed_closing_tx_verifies_in_core() -> None:
    sa, sb = b"\x0a" * 32, b"\x0b" * 32
    pa, pb = pubkey_of(sa), pubkey_of(sb)
    fscript = funding_script(pa, pb)
    funding_sat = 1_000_000
    tx = build_closing_tx(FUNDING, A, B, 600_000_000, 400_000_000, 1000, 0, ClosingOutputs.BOTH)
    sig_a = sign_closing(tx, fscript, funding_sat, sa)
    sig_b = sign_closing(tx, fscript, funding_sat, sb)
    assert verify_closing(tx, fscript, funding_sat, pa, sig_a)
    assert not verify_closing(tx, fscript, funding_sat, pb, sig_a)
    signed = tx.with_witness(0, funding_witness(fscript, pa, sig_a, pb, sig_b))
    assert ScriptVerifier().verify(signed, [TxOut(funding_sat, p2wsh(fscript))]) is None
