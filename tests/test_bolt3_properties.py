"""Property tests of the commitment and HTLC transaction builders: for random balances and
HTLC sets, value is conserved exactly (in sat), the fee is what BOLT 3 says, outputs are in
BIP 69+CLTV order, the transactions parse back, and their weights match the expected-weight
formulas of appendix A."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from amiko.bitcoin.sighash import SIGHASH_ALL, SIGHASH_ANYONECANPAY, SIGHASH_SINGLE, bip143_sighash
from amiko.bitcoin.tx import OutPoint, Transaction
from amiko.channels.bolt.commitment import (
    CommitmentError,
    CommitmentHtlc,
    CommitmentSpec,
    OutputKind,
    build_commitment,
    commitment_number_from_tx,
    obscuring_factor,
)
from amiko.channels.bolt.fees import (
    ANCHOR_OUTPUT_SAT,
    CommitmentType,
    HtlcDirection,
    commitment_fee,
    commitment_weight,
    htlc_success_fee,
    htlc_success_weight,
    htlc_timeout_fee,
    htlc_timeout_weight,
    is_htlc_trimmed,
)
from amiko.channels.bolt.htlc_txs import build_htlc_txs
from amiko.channels.bolt.keys import ChannelKeys, CommitmentKeys
from amiko.wire.types import Msat, Sat

ALICE = ChannelKeys.derive(b"\x0a" * 32, 0)
BOB = ChannelKeys.derive(b"\x0b" * 32, 0)
KEYS = CommitmentKeys.derive(ALICE.basepoints, BOB.basepoints, ALICE.per_commitment_point(9))
FACTOR = obscuring_factor(ALICE.basepoints.payment_basepoint, BOB.basepoints.payment_basepoint)
MAX_SIG = b"\x30" * 73  # appendix A: "Signatures are 73 bytes long (the maximum length)"


@st.composite
def specs(draw: st.DrawFn) -> CommitmentSpec:
    funding_sat = draw(st.integers(10_000, 1 << 24))
    total_msat = funding_sat * 1000
    htlcs = []
    budget = total_msat
    for _ in range(draw(st.integers(0, 25))):
        if budget <= 0:
            break
        amount = draw(st.integers(1, min(budget, draw(st.sampled_from([3_000_000, 100_000_000,
                                                                       total_msat])))))
        budget -= amount
        htlcs.append(CommitmentHtlc(
            draw(st.sampled_from(HtlcDirection)), Msat(amount),
            draw(st.sampled_from([b"\x01" * 32, b"\x02" * 32, bytes(range(32))])),
            draw(st.integers(1, 1 << 23))))
    to_local = draw(st.integers(0, budget))
    return CommitmentSpec(
        commitment_type=draw(st.sampled_from(CommitmentType)),
        funding_outpoint=OutPoint(b"\x05" * 32, draw(st.integers(0, 3))),
        funding_sat=Sat(funding_sat),
        commitment_number=draw(st.integers(0, (1 << 48) - 1)),
        obscuring_factor=FACTOR,
        owner_is_funder=draw(st.booleans()),
        to_local_msat=Msat(to_local),
        to_remote_msat=Msat(budget - to_local),
        htlcs=tuple(htlcs),
        feerate_per_kw=draw(st.sampled_from([0, 253, 1000, 5000, 25_000, 250_000])),
        dust_limit_sat=Sat(draw(st.integers(354, 5000))),
        to_self_delay=draw(st.integers(1, 2016)),
        keys=KEYS,
    )


@settings(max_examples=300, deadline=None)
@given(specs())
def test_commitment_invariants(spec: CommitmentSpec) -> None:
    ctype = spec.commitment_type
    anchors = ctype.anchors
    trimmed = [is_htlc_trimmed(ctype, h.direction, h.amount_msat, spec.feerate_per_kw,
                               spec.dust_limit_sat) for h in spec.htlcs]
    n_untrimmed = trimmed.count(False)
    base_fee = commitment_fee(ctype, spec.feerate_per_kw, n_untrimmed)
    cost = base_fee + (2 * ANCHOR_OUTPUT_SAT if anchors else 0)
    funder_msat = spec.to_local_msat if spec.owner_is_funder else spec.to_remote_msat
    try:
        commit = build_commitment(spec)
    except CommitmentError:
        # Only when the funder cannot pay for the anchors out of its balance and the fee.
        assert anchors and funder_msat // 1000 < 2 * ANCHOR_OUTPUT_SAT
        return
    tx = commit.tx
    values = [o.value for o in tx.outputs]

    # Value conservation, exactly, in satoshis.
    assert sum(values) + commit.fee_sat == spec.funding_sat
    assert commit.base_fee_sat == base_fee

    # The fee decomposes as BOLT 3 says: the base fee, the anchors not created, the trimmed
    # HTLCs, outputs below the dust limit, and the millisatoshi remainders.
    to_local = spec.to_local_msat // 1000 - (cost if spec.owner_is_funder else 0)
    to_remote = spec.to_remote_msat // 1000 - (0 if spec.owner_is_funder else cost)
    has_local = commit.output_index(OutputKind.TO_LOCAL) is not None
    has_remote = commit.output_index(OutputKind.TO_REMOTE) is not None
    assert has_local == (to_local >= spec.dust_limit_sat)
    assert has_remote == (to_remote >= spec.dust_limit_sat)
    n_anchors = sum(o.kind in (OutputKind.LOCAL_ANCHOR, OutputKind.REMOTE_ANCHOR)
                    for o in commit.outputs)
    if anchors:
        assert (commit.output_index(OutputKind.LOCAL_ANCHOR) is not None) == \
            (has_local or n_untrimmed > 0)
        assert (commit.output_index(OutputKind.REMOTE_ANCHOR) is not None) == \
            (has_remote or n_untrimmed > 0)
    else:
        assert n_anchors == 0
    remainders = (spec.to_local_msat % 1000 + spec.to_remote_msat % 1000
                  + sum(h.amount_msat % 1000 for h in spec.htlcs))
    assert remainders % 1000 == 0
    if to_local >= 0 and to_remote >= 0:
        expected_fee = (base_fee
                        + (2 - n_anchors) * ANCHOR_OUTPUT_SAT * anchors
                        + sum(h.amount_msat // 1000 for h, t in zip(spec.htlcs, trimmed, strict=True) if t)
                        + (0 if has_local else to_local) + (0 if has_remote else to_remote)
                        + remainders // 1000)
        assert commit.fee_sat == expected_fee
        assert commit.fee_sat >= base_fee

    # Every untrimmed HTLC has exactly one output of its amount in whole sat.
    where = commit.htlc_output_indices
    for h, t, i in zip(spec.htlcs, trimmed, where, strict=True):
        assert (i is None) == t
        if i is not None:
            assert tx.outputs[i].value == h.amount_msat // 1000
            kind = OutputKind.OFFERED_HTLC if h.direction is HtlcDirection.OFFERED \
                else OutputKind.RECEIVED_HTLC
            assert commit.outputs[i].kind is kind
    assert len({i for i in where if i is not None}) == n_untrimmed

    # BIP 69 + CLTV order.
    keys = [(o.value, o.txout.script_pubkey, o.cltv_expiry) for o in commit.outputs]
    assert keys == sorted(keys)

    # Form: version 2, one input, the obscured commitment number; parses back.
    assert tx.version == 2 and len(tx.inputs) == 1
    assert commitment_number_from_tx(tx, FACTOR) == spec.commitment_number
    assert Transaction.parse(tx.serialize()) == tx

    # Weight with two maximum-length signatures: appendix A's expected weight, less what
    # is absent (appendix A assumes to_local and to_remote, and both anchors, exist).
    signed = tx.with_witness(0, (b"", MAX_SIG, MAX_SIG, commit.funding_script))
    expected = commitment_weight(ctype, n_untrimmed)
    missing = (0 if has_local else 172) + (0 if has_remote else (172 if anchors else 124))
    if anchors:
        missing += 172 * (2 - n_anchors)
        # Appendix A counts 3 bytes for the output count of an anchor commitment; it is 1.
        missing += 8
    assert signed.weight() == expected - missing

    # HTLC transactions: one per HTLC output, in output order, amounts conserved.
    htxs = build_htlc_txs(commit)
    assert [x.commitment_output_index for x in htxs] == [i for i, _ in commit.htlc_outputs]
    for x in htxs:
        h = spec.htlcs[x.htlc_index]
        fee = (htlc_timeout_fee(ctype, spec.feerate_per_kw) if x.is_timeout
               else htlc_success_fee(ctype, spec.feerate_per_kw))
        assert x.tx.outputs[0].value + fee == tx.outputs[x.commitment_output_index].value
        assert x.tx.outputs[0].value >= (spec.dust_limit_sat if not anchors else 0)
        assert x.tx.locktime == (h.cltv_expiry if x.is_timeout else 0)
        assert x.tx.inputs[0].sequence == (1 if anchors else 0)
        assert x.tx.inputs[0].prevout == OutPoint(commit.txid, x.commitment_output_index)
        last = b"\x00" * 32 if x.is_success else b""
        w = x.tx.with_witness(0, (b"", MAX_SIG, MAX_SIG, last, x.htlc_script)).weight()
        # Appendix A assumes a 4-byte cltv_expiry push and counts the success case 1 high.
        limit = htlc_timeout_weight(ctype) if x.is_timeout else htlc_success_weight(ctype)
        assert w <= limit
        # The digests computed from the fields are BIP 143's over the built transaction.
        for kind in (SIGHASH_ALL, SIGHASH_SINGLE | SIGHASH_ANYONECANPAY):
            assert x.sighash(kind) == bip143_sighash(x.tx, 0, x.htlc_script, x.amount_sat, kind)


@settings(max_examples=50, deadline=None)
@given(specs())
def test_both_sides_agree_on_trimming(spec: CommitmentSpec) -> None:
    """The same HTLCs, seen from the other node with the same dust limit and feerate: an
    offered HTLC becomes received, and the other side's commitment trims by the other
    HTLC transaction's fee."""
    flipped = replace(
        spec, owner_is_funder=not spec.owner_is_funder,
        to_local_msat=spec.to_remote_msat, to_remote_msat=spec.to_local_msat,
        htlcs=tuple(replace(h, direction=h.direction.flipped()) for h in spec.htlcs))
    try:
        mine, theirs = build_commitment(spec), build_commitment(flipped)
    except CommitmentError:
        assume(False)
        return
    assert mine.base_fee_sat == commitment_fee(spec.commitment_type, spec.feerate_per_kw,
                                               len(spec.htlcs) - len(mine.trimmed_htlcs))
    if spec.commitment_type.anchors:
        # Zero-fee HTLC transactions: trimming depends on the amount and dust limit only.
        assert mine.trimmed_htlcs == theirs.trimmed_htlcs
    assert sum(o.value for o in theirs.tx.outputs) + theirs.fee_sat == spec.funding_sat


def test_inconsistent_specs_rejected() -> None:
    spec = CommitmentSpec(
        commitment_type=CommitmentType.ANCHORS, funding_outpoint=OutPoint(b"\x05" * 32, 0),
        funding_sat=Sat(100_000), commitment_number=0, obscuring_factor=FACTOR,
        owner_is_funder=True, to_local_msat=Msat(0), to_remote_msat=Msat(100_000_000),
        htlcs=(), feerate_per_kw=0, dust_limit_sat=Sat(546), to_self_delay=144, keys=KEYS)
    with pytest.raises(CommitmentError):  # the funder has nothing to pay the anchors with
        build_commitment(spec)
    with pytest.raises(CommitmentError):  # amounts do not add up
        build_commitment(replace(spec, to_local_msat=Msat(1)))
    with pytest.raises(CommitmentError):
        build_commitment(replace(spec, commitment_number=1 << 48))
    # Not the funder: fine; with no to_local and no HTLCs there is only the remote anchor,
    # and the funder's other 330 sat go to fees.
    commit = build_commitment(replace(spec, owner_is_funder=False))
    assert [o.kind for o in commit.outputs] == [OutputKind.REMOTE_ANCHOR, OutputKind.TO_REMOTE]
    assert commit.fee_sat == 330
