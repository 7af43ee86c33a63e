"""The transactions that claim on chain: batched sweeps of outputs we sign for alone, our
commitment's HTLC transactions (with fee inputs when anchors made them fee-less), and the
CPFP child of an anchor.

Fees are chosen by the caller (from the deadline); here they are applied exactly: a sweep
is signed once to learn its weight, then again with the fee taken off its output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from amiko.bitcoin.script import p2wsh
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut, ser_compact_size
from amiko.chain.wallet.coinselect import dust_threshold, fee_for_weight
from amiko.channels.bolt.onchain.resolve import RBF_SEQUENCE, Claim
from amiko.channels.bolt.scripts import anchor_script, anchor_witness
from amiko.channels.bolt.signatures import sign_input
from amiko.crypto.keys import pubkey_of

__all__ = ["FeeWallet", "TooSmall", "anchor_cpfp", "htlc_transaction", "sweep_transaction"]

_SIG_SLACK = 2  # a DER signature is 71 or 72 bytes: room for the longer one
# For weighing a witness before signing: encodes to the longest DER signature (72 bytes).
_DUMMY_SIG = b"\x80" * 64


class TooSmall(ValueError):
    """The outputs are worth less than the fee to claim them (plus the dust limit)."""


class FeeWallet(Protocol):
    def add_fee_inputs(self, tx: Transaction, input_values: Sequence[int],
                       feerate_sat_per_kw: int, *, extra_weight: int = 0,
                       paid_elsewhere_sat: int = 0, reserve_for: str,
                       tip_height: int | None = None) -> Transaction: ...

    def sign(self, tx: Transaction) -> Transaction: ...


def _sign_claims(tx: Transaction, claims: Sequence[Claim]) -> Transaction:
    for i, c in enumerate(claims):
        assert c.witness is not None
        sig = sign_input(tx, i, c.script_code, c.amount_sat, c.secret)
        tx = tx.with_witness(i, c.witness(sig))
    return tx


def sweep_transaction(claims: Sequence[Claim], dest_script: bytes,
                      feerate_per_kw: int) -> Transaction:
    """One transaction spending every claim (single-signature ones) to `dest_script`.
    Raises TooSmall when what is left after the fee would be dust."""
    if not claims or any(c.presigned is not None for c in claims):
        raise ValueError("sweep_transaction takes single-signature claims")
    total = sum(c.amount_sat for c in claims)
    locktime = max(c.locktime for c in claims)
    inputs = tuple(TxIn(c.outpoint, b"", c.sequence) for c in claims)

    def build(value: int) -> Transaction:
        return _sign_claims(Transaction(2, inputs, (TxOut(value, dest_script),), locktime), claims)

    weight = build(total).weight() + _SIG_SLACK * len(claims)
    value = total - fee_for_weight(weight, feerate_per_kw)
    if value < dust_threshold(dest_script):
        raise TooSmall(f"{total} sat cannot pay the fee at {feerate_per_kw} sat/kw")
    return build(value)


def _witness_weight(items: Sequence[bytes]) -> int:
    return len(ser_compact_size(len(items))) + sum(len(ser_compact_size(len(i))) + len(i)
                                                   for i in items)


def htlc_transaction(claim: Claim, feerate_per_kw: int, wallet: FeeWallet, reservation: str,
                     anchors: bool) -> Transaction:
    """Our commitment's HTLC-timeout / HTLC-success transaction, signed. Without anchors it
    pays its own (pre-agreed) fee; with anchors fee inputs are added from the wallet."""
    p = claim.presigned
    assert p is not None
    h = p.htlc_tx
    if not anchors:
        return h.signed_tx(p.remote_sig, h.sign_as_local(p.local_secret), p.preimage)
    dummy = h.witness(p.remote_sig, _DUMMY_SIG, p.preimage)
    tx = wallet.add_fee_inputs(h.tx, [h.amount_sat], feerate_per_kw,
                               extra_weight=_witness_weight(dummy) + _SIG_SLACK,
                               reserve_for=reservation)
    local_sig = sign_input(tx, 0, h.htlc_script, h.amount_sat, p.local_secret)
    tx = tx.with_witness(0, h.witness(p.remote_sig, local_sig, p.preimage))
    return wallet.sign(tx)


def anchor_cpfp(commitment: Transaction, funding_secret: bytes, funding_sat: int,
                feerate_per_kw: int, wallet: FeeWallet, reservation: str) -> Transaction | None:
    """A child spending our anchor of `commitment` and wallet coins, so that the package
    pays `feerate_per_kw`; None if the commitment has no anchor of ours."""
    script = anchor_script(pubkey_of(funding_secret))
    spk = p2wsh(script)
    index = next((i for i, o in enumerate(commitment.outputs) if o.script_pubkey == spk), None)
    if index is None:
        return None
    value = commitment.outputs[index].value
    parent_fee = funding_sat - sum(o.value for o in commitment.outputs)
    unsigned = Transaction(2, (TxIn(OutPoint(commitment.txid, index), b"", RBF_SEQUENCE),), (), 0)
    dummy = anchor_witness(_DUMMY_SIG, script)
    tx = wallet.add_fee_inputs(unsigned, [value], feerate_per_kw,
                               extra_weight=_witness_weight(dummy) + _SIG_SLACK + commitment.weight(),
                               paid_elsewhere_sat=parent_fee, reserve_for=reservation)
    if not tx.outputs:
        raise TooSmall("no change output left for the anchor child")
    sig = sign_input(tx, 0, script, value, funding_secret)
    tx = tx.with_witness(0, anchor_witness(sig, script))
    return wallet.sign(tx)
