"""BOLT 3 fees and dust: expected weights, commitment and HTLC transaction fees, trimming.

These are the numbers the channel state machine needs besides the transactions themselves:
what the funder pays for a commitment, which HTLCs are trimmed (and so count towards
`max_dust_htlc_exposure_msat`), and Bitcoin Core's dust thresholds for closing outputs.
All amounts are integers: satoshis (`Sat`) or millisatoshis (`Msat`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol

from amiko.bitcoin.script import OP_0, OP_1, OP_16, OP_RETURN
from amiko.bitcoin.tx import ser_compact_size
from amiko.wire.types import Msat, Sat

__all__ = [
    "ANCHOR_OUTPUT_SAT",
    "CommitmentType",
    "HtlcDirection",
    "commitment_fee",
    "commitment_weight",
    "dust_exposure_msat",
    "dust_threshold",
    "fee_for_weight",
    "funder_commitment_cost",
    "htlc_success_fee",
    "htlc_success_weight",
    "htlc_timeout_fee",
    "htlc_timeout_weight",
    "htlc_trim_threshold_sat",
    "is_htlc_trimmed",
]


class CommitmentType(enum.Enum):
    """The commitment format of a channel type.

    # BOLT #2: The currently defined basic types are:
    #   - `option_static_remotekey` (bit 12)
    #   - `option_anchors` and `option_static_remotekey` (bits 22 and 12)
    (`option_anchors` is the zero-fee-HTLC-transaction anchor variant; the variations
    `option_scid_alias` and `option_zeroconf` do not change the transactions.)
    """

    STATIC_REMOTEKEY = "static_remotekey"
    ANCHORS = "anchors"

    __hash__ = object.__hash__  # members are singletons (Enum's hash runs Python code)

    @property
    def anchors(self) -> bool:
        return self is CommitmentType.ANCHORS


class HtlcDirection(enum.Enum):
    """An HTLC seen from the owner ("local" node) of a commitment transaction."""

    OFFERED = "offered"  # local -> remote: spent by an HTLC-timeout transaction
    RECEIVED = "received"  # remote -> local: spent by an HTLC-success transaction

    __hash__ = object.__hash__  # members are singletons (Enum's hash runs Python code)

    def flipped(self) -> HtlcDirection:
        """The direction in the other node's commitment transaction."""
        return HtlcDirection.RECEIVED if self is HtlcDirection.OFFERED else HtlcDirection.OFFERED


# BOLT #3: The amount of the output is fixed at 330 sats, the default dust limit for P2WSH.
ANCHOR_OUTPUT_SAT = Sat(330)

# BOLT #3:
#     Commitment weight (no option_anchors):   724 + 172 * num-untrimmed-htlc-outputs
#     Commitment weight (option_anchors):     1124 + 172 * num-untrimmed-htlc-outputs
#     HTLC-timeout weight (no option_anchors): 663
#     HTLC-timeout weight (option_anchors): 666
#     HTLC-success weight (no option_anchors): 703
#     HTLC-success weight (option_anchors): 706
COMMITMENT_WEIGHT = 724
COMMITMENT_WEIGHT_ANCHORS = 1124
HTLC_OUTPUT_WEIGHT = 172
HTLC_TIMEOUT_WEIGHT = 663
HTLC_TIMEOUT_WEIGHT_ANCHORS = 666
HTLC_SUCCESS_WEIGHT = 703
HTLC_SUCCESS_WEIGHT_ANCHORS = 706


def fee_for_weight(feerate_per_kw: int, weight: int) -> Sat:
    """# BOLT #3: Multiply `feerate_per_kw` by `weight`, divide by 1000 (rounding down)."""
    if feerate_per_kw < 0 or weight < 0:
        raise ValueError("feerate and weight must not be negative")
    return Sat(feerate_per_kw * weight // 1000)


def commitment_weight(ctype: CommitmentType, num_untrimmed_htlcs: int) -> int:
    """The *expected* weight of a commitment transaction.

    # BOLT #3: Start with `weight` = 724 (1124 if `option_anchors` applies).
    # BOLT #3: For each committed HTLC, if that output is not trimmed as specified in
    # [Trimmed Outputs](#trimmed-outputs), add 172 to `weight`.
    """
    base = COMMITMENT_WEIGHT_ANCHORS if ctype.anchors else COMMITMENT_WEIGHT
    return base + HTLC_OUTPUT_WEIGHT * num_untrimmed_htlcs


def commitment_fee(ctype: CommitmentType, feerate_per_kw: int, num_untrimmed_htlcs: int) -> Sat:
    """The base fee of a commitment transaction, which the funder pays."""
    return fee_for_weight(feerate_per_kw, commitment_weight(ctype, num_untrimmed_htlcs))


@lru_cache(maxsize=4096)
def funder_commitment_cost(ctype: CommitmentType, feerate_per_kw: int,
                           num_untrimmed_htlcs: int) -> Sat:
    """What the funder's balance pays for a commitment transaction: the base fee and, with
    anchors, both anchor outputs.

    # BOLT #3: Base commitment transaction fees and amounts for `to_local_anchor` and
    # `to_remote_anchor` outputs are extracted from the funder's amount;
    """
    anchors = 2 * ANCHOR_OUTPUT_SAT if ctype.anchors else 0
    return Sat(commitment_fee(ctype, feerate_per_kw, num_untrimmed_htlcs) + anchors)


def htlc_timeout_weight(ctype: CommitmentType) -> int:
    """Expected weight of an HTLC-timeout transaction (for fee-bumping with anchors)."""
    return HTLC_TIMEOUT_WEIGHT_ANCHORS if ctype.anchors else HTLC_TIMEOUT_WEIGHT


def htlc_success_weight(ctype: CommitmentType) -> int:
    """Expected weight of an HTLC-success transaction (for fee-bumping with anchors)."""
    return HTLC_SUCCESS_WEIGHT_ANCHORS if ctype.anchors else HTLC_SUCCESS_WEIGHT


def htlc_timeout_fee(ctype: CommitmentType, feerate_per_kw: int) -> Sat:
    """# BOLT #3: The fee for an HTLC-timeout transaction:
    #   - If `option_anchors` applies:
    #     1. MUST be 0.
    #   - Otherwise, MUST be calculated to match:
    #     1. Multiply `feerate_per_kw` by 663 and divide by 1000 (rounding down).
    """
    return Sat(0) if ctype.anchors else fee_for_weight(feerate_per_kw, HTLC_TIMEOUT_WEIGHT)


def htlc_success_fee(ctype: CommitmentType, feerate_per_kw: int) -> Sat:
    """# BOLT #3: The fee for an HTLC-success transaction:
    #   - If `option_anchors` applies:
    #     1. MUST be 0.
    #   - Otherwise, MUST be calculated to match:
    #     1. Multiply `feerate_per_kw` by 703 and divide by 1000 (rounding down).
    """
    return Sat(0) if ctype.anchors else fee_for_weight(feerate_per_kw, HTLC_SUCCESS_WEIGHT)


@lru_cache(maxsize=4096)
def htlc_trim_threshold_sat(ctype: CommitmentType, direction: HtlcDirection, feerate_per_kw: int,
                            dust_limit_sat: int) -> Sat:
    """The smallest HTLC amount (in whole satoshis) that gets an output in a commitment
    transaction whose owner set `dust_limit_sat`; `direction` as seen by that owner."""
    if direction is HtlcDirection.OFFERED:
        fee = htlc_timeout_fee(ctype, feerate_per_kw)
    else:
        fee = htlc_success_fee(ctype, feerate_per_kw)
    return Sat(dust_limit_sat + fee)


def is_htlc_trimmed(ctype: CommitmentType, direction: HtlcDirection, amount_msat: int,
                    feerate_per_kw: int, dust_limit_sat: int) -> bool:
    """True if the HTLC gets no output in the commitment transaction (its amount goes to fees).

    # BOLT #3: for every offered HTLC:
    #   - if the HTLC amount minus the HTLC-timeout fee would be less than
    #   `dust_limit_satoshis` set by the transaction owner:
    #     - MUST NOT contain that output.
    # BOLT #3: for every received HTLC:
    #   - if the HTLC amount minus the HTLC-success fee would be less than
    #   `dust_limit_satoshis` set by the transaction owner:
    #     - MUST NOT contain that output.
    # BOLT #3: The amounts for each output MUST be rounded down to whole satoshis.
    """
    return amount_msat // 1000 < htlc_trim_threshold_sat(ctype, direction, feerate_per_kw,
                                                          dust_limit_sat)


class _HtlcLike(Protocol):
    @property
    def direction(self) -> HtlcDirection: ...

    @property
    def amount_msat(self) -> Msat: ...


def dust_exposure_msat(ctype: CommitmentType, htlcs: Iterable[_HtlcLike], feerate_per_kw: int,
                       dust_limit_sat: int) -> Msat:
    """The "dust balance" of a commitment transaction: the sum of its trimmed HTLCs, to hold
    against `max_dust_htlc_exposure_msat` (BOLT 2). `htlcs` as seen by the owner."""
    return Msat(sum(h.amount_msat for h in htlcs
                    if is_htlc_trimmed(ctype, h.direction, h.amount_msat, feerate_per_kw,
                                       dust_limit_sat)))


def dust_threshold(script_pubkey: bytes) -> Sat:
    """Bitcoin Core's dust threshold for an output script (at its 3000 sat/kvB dust relay fee).

    # BOLT #3: Bitcoin Core defines the following dust thresholds:
    # - pay to pubkey hash (p2pkh): 546 satoshis
    # - pay to script hash (p2sh): 540 satoshis
    # - pay to witness pubkey hash (p2wpkh): 294 satoshis
    # - pay to witness script hash (p2wsh): 330 satoshis
    # - pay to anchor (p2a): 240 satoshis
    # - unknown segwit versions: 354 satoshis
    # - `OP_RETURN` outputs: these are never dust
    """
    spk = script_pubkey
    if spk[:1] == bytes((OP_RETURN,)):
        return Sat(0)
    if len(spk) == 25 and spk[:3] == b"\x76\xa9\x14" and spk[23:] == b"\x88\xac":
        return Sat(546)
    if len(spk) == 23 and spk[:2] == b"\xa9\x14" and spk[22] == 0x87:
        return Sat(540)
    if len(spk) == 22 and spk[:2] == bytes((OP_0, 20)):
        return Sat(294)
    if len(spk) == 34 and spk[:2] == bytes((OP_0, 32)):
        return Sat(330)
    if spk == bytes((OP_1, 2, 0x4E, 0x73)):  # P2A: OP_1 <0x4e73>
        return Sat(240)
    if (4 <= len(spk) <= 42 and OP_1 <= spk[0] <= OP_16 and spk[1] == len(spk) - 2):
        return Sat(354)
    # Any other script: Core's formula, 3 sat per byte of the output plus a 148-byte input.
    return Sat((8 + len(ser_compact_size(len(spk))) + len(spk) + 148) * 3)
