"""BOLT 3 fees, trimming and dust: the spec's worked example and the expected weights."""

from __future__ import annotations

from amiko.bitcoin.script import op_return, p2pkh, p2tr, p2wpkh, p2wsh
from amiko.bitcoin.tx import OutPoint
from amiko.channels.bolt.commitment import (
    CommitmentHtlc,
    CommitmentSpec,
    build_commitment,
    obscuring_factor,
)
from amiko.channels.bolt.fees import (
    CommitmentType,
    HtlcDirection,
    commitment_fee,
    commitment_weight,
    dust_exposure_msat,
    dust_threshold,
    funder_commitment_cost,
    htlc_success_fee,
    htlc_success_weight,
    htlc_timeout_fee,
    htlc_timeout_weight,
    htlc_trim_threshold_sat,
    is_htlc_trimmed,
)
from amiko.channels.bolt.keys import ChannelKeys, CommitmentKeys
from amiko.wire.types import Msat, Sat

NO = CommitmentType.STATIC_REMOTEKEY
ANCHORS = CommitmentType.ANCHORS
OFFERED, RECEIVED = HtlcDirection.OFFERED, HtlcDirection.RECEIVED


def test_spec_fee_example() -> None:
    """BOLT 3 "Fees / Example": feerate_per_kw 5000, dust_limit_satoshis 546, offered HTLCs
    of 5000 and 1000 sat, received HTLCs of 7000 and 800 sat."""
    assert htlc_timeout_fee(NO, 5000) == 3315
    assert htlc_success_fee(NO, 5000) == 3515
    htlcs = [(OFFERED, 5_000_000), (OFFERED, 1_000_000), (RECEIVED, 7_000_000), (RECEIVED, 800_000)]
    trimmed = [is_htlc_trimmed(NO, d, a, 5000, 546) for d, a in htlcs]
    assert trimmed == [False, True, False, True]
    assert commitment_weight(NO, 2) == 1068
    assert commitment_fee(NO, 5000, 2) == 5340

    alice = ChannelKeys.derive(b"\x0a" * 32, 0)
    bob = ChannelKeys.derive(b"\x0b" * 32, 0)
    keys = CommitmentKeys.derive(alice.basepoints, bob.basepoints, alice.per_commitment_point(0))
    spec = CommitmentSpec(
        commitment_type=NO, funding_outpoint=OutPoint(b"\x01" * 32, 0), funding_sat=Sat(1_000_000),
        commitment_number=0,
        obscuring_factor=obscuring_factor(alice.basepoints.payment_basepoint,
                                          bob.basepoints.payment_basepoint),
        owner_is_funder=True, to_local_msat=Msat(600_000_000),
        to_remote_msat=Msat(1_000_000_000 - 600_000_000 - 13_800_000),
        htlcs=tuple(CommitmentHtlc(d, Msat(a), bytes([i]) * 32, 500 + i)
                    for i, (d, a) in enumerate(htlcs)),
        feerate_per_kw=5000, dust_limit_sat=Sat(546), to_self_delay=144, keys=keys)
    commit = build_commitment(spec)
    # "The base commitment transaction fee is 5340 satoshi; the actual fee (which adds the
    # 1000 and 800 satoshi HTLCs that would make dust outputs) is 7140 satoshi."
    assert commit.base_fee_sat == 5340
    assert commit.fee_sat == 7140
    assert commit.trimmed_htlcs == (1, 3)
    assert dust_exposure_msat(NO, spec.htlcs, 5000, 546) == 1_800_000


def test_trim_thresholds() -> None:
    # Anchors: zero-fee HTLC transactions, so only the dust limit counts.
    assert htlc_trim_threshold_sat(ANCHORS, OFFERED, 100_000, 546) == 546
    assert htlc_trim_threshold_sat(NO, OFFERED, 1000, 546) == 546 + 663
    assert htlc_trim_threshold_sat(NO, RECEIVED, 1000, 546) == 546 + 703
    # Millisatoshis are rounded down before comparing.
    assert is_htlc_trimmed(ANCHORS, OFFERED, 545_999, 0, 546)
    assert not is_htlc_trimmed(ANCHORS, OFFERED, 546_000, 0, 546)


def test_weights_and_costs() -> None:
    assert commitment_weight(NO, 0) == 724 and commitment_weight(ANCHORS, 3) == 1124 + 3 * 172
    assert (htlc_timeout_weight(NO), htlc_success_weight(NO)) == (663, 703)
    assert (htlc_timeout_weight(ANCHORS), htlc_success_weight(ANCHORS)) == (666, 706)
    assert htlc_timeout_fee(ANCHORS, 10_000) == 0 and htlc_success_fee(ANCHORS, 10_000) == 0
    assert funder_commitment_cost(NO, 1000, 1) == 896
    assert funder_commitment_cost(ANCHORS, 1000, 1) == 1296 + 660


def test_dust_thresholds() -> None:
    key = bytes.fromhex("02" + "11" * 32)
    assert dust_threshold(p2pkh(key)) == 546
    assert dust_threshold(bytes.fromhex("a914" + "00" * 20 + "87")) == 540
    assert dust_threshold(p2wpkh(key)) == 294
    assert dust_threshold(p2wsh(b"\x51")) == 330
    assert dust_threshold(bytes.fromhex("51024e73")) == 240
    assert dust_threshold(p2tr(b"\x22" * 32)) == 354
    assert dust_threshold(op_return(b"hello world")) == 0
