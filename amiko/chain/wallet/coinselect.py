"""Coin selection and fee arithmetic for the on-chain wallet. Pure functions, integers only.

Fees are computed from transaction weight at a feerate in satoshis per 1000 weight units
(sat/kw, as BOLT #3 uses; 1 sat/vB = 250 sat/kw), rounded up. Selection first looks for
a changeless set with branch and bound (Bitcoin Core's BnB: the inputs' effective values
land within the cost of a change output above the target), then falls back to the better
of largest-first (trimmed) and the smallest single coin that suffices. Change below the
dust limit is never created: it goes to the fee.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from amiko.bitcoin.script import witness_program
from amiko.bitcoin.tx import OutPoint, ser_compact_size

# A P2WPKH input: outpoint 36 + scriptSig length 1 + sequence 4 = 41 bytes (164 wu), and
# a witness of item count 1, signature 1+73 (DER worst case 72 + sighash byte), pubkey 1+33
# = 109 wu. 273 wu, just over 68 vB.
P2WPKH_INPUT_WEIGHT = 41 * 4 + 1 + 1 + 73 + 1 + 33
P2WPKH_OUTPUT_WEIGHT = (8 + 1 + 22) * 4  # 124 wu
SEGWIT_MARKER_WEIGHT = 2  # marker and flag bytes, witness data (1 wu each)
BNB_MAX_TRIES = 100_000


class InsufficientFunds(Exception):
    """The spendable coins cannot pay the outputs and the fee (or would breach a reserve)."""


def fee_for_weight(weight: int, feerate_sat_per_kw: int) -> int:
    """Fee in sat for `weight` wu at `feerate_sat_per_kw`, rounded up."""
    return -(-weight * feerate_sat_per_kw // 1000)


def sat_per_vbyte_to_sat_per_kw(sat_per_vbyte: int) -> int:
    return sat_per_vbyte * 250


def output_weight(script_pubkey: bytes) -> int:
    return (8 + len(ser_compact_size(len(script_pubkey))) + len(script_pubkey)) * 4


def tx_weight(input_weights: Sequence[int], output_weights: Sequence[int]) -> int:
    """Weight of a segwit transaction (version, counts, locktime, marker/flag + parts)."""
    base = 4 + len(ser_compact_size(len(input_weights))) + len(ser_compact_size(len(output_weights))) + 4
    return base * 4 + SEGWIT_MARKER_WEIGHT + sum(input_weights) + sum(output_weights)


def dust_threshold(script_pubkey: bytes) -> int:
    """Bitcoin Core's dust limit at the default 3 sat/vB dust relay fee (294 for P2WPKH,
    330 for P2WSH/P2TR, 546 for P2PKH); 0 for OP_RETURN outputs."""
    if script_pubkey[:1] == b"\x6a":
        return 0
    size = 8 + len(ser_compact_size(len(script_pubkey))) + len(script_pubkey)
    if witness_program(script_pubkey) is not None:
        size += 32 + 4 + 1 + 107 // 4 + 4
    else:
        size += 32 + 4 + 1 + 107 + 4
    return 3 * size


@dataclass(frozen=True, slots=True)
class Coin:
    outpoint: OutPoint
    value: int  # sat
    input_weight: int = P2WPKH_INPUT_WEIGHT


@dataclass(frozen=True, slots=True)
class Selection:
    coins: tuple[Coin, ...]
    fee: int  # sat, what the transaction pays (includes any dropped dust change)
    change: int  # sat, 0 when there is no change output
    weight: int  # the transaction's weight (worst-case signatures)

    @property
    def input_value(self) -> int:
        return sum(c.value for c in self.coins)


def select_coins(
    coins: Sequence[Coin],
    target: int,
    feerate_sat_per_kw: int,
    output_weights: Sequence[int],
    *,
    change_output_weight: int = P2WPKH_OUTPUT_WEIGHT,
    change_dust: int = 294,
    max_tries: int = BNB_MAX_TRIES,
) -> Selection:
    """Choose coins paying `target` sat to outputs of `output_weights` plus the fee.

    Raises InsufficientFunds when no subset can.
    """
    if target < 0:
        raise ValueError("negative target")
    usable = [c for c in coins if c.value - fee_for_weight(c.input_weight, feerate_sat_per_kw) > 0]
    usable.sort(key=lambda c: (-_effective(c, feerate_sat_per_kw), c.outpoint.txid, c.outpoint.index))
    fixed_fee = fee_for_weight(tx_weight([], output_weights), feerate_sat_per_kw)
    need = target + fixed_fee
    change_fee = fee_for_weight(change_output_weight, feerate_sat_per_kw)
    candidates: list[tuple[Coin, ...]] = []

    # 1. Branch and bound for a changeless solution.
    values = [_effective(c, feerate_sat_per_kw) for c in usable]
    cost_of_change = change_fee + fee_for_weight(P2WPKH_INPUT_WEIGHT, feerate_sat_per_kw)
    picked = _branch_and_bound(values, need, need + cost_of_change, max_tries)
    if picked is not None:
        sel = _finish(tuple(usable[i] for i in picked), target, feerate_sat_per_kw,
                      output_weights, change_output_weight, change_dust)
        if sel is not None and sel.change == 0:
            return sel

    # 2. Largest first, then drop the smallest coins that are not needed.
    want = need + change_fee + change_dust
    chosen: list[Coin] = []
    total = 0
    for c, v in zip(usable, values, strict=True):
        if total >= want:
            break
        chosen.append(c)
        total += v
    if total >= need:
        for c in sorted(chosen, key=lambda c: _effective(c, feerate_sat_per_kw)):
            v = _effective(c, feerate_sat_per_kw)
            if total - v >= want:
                chosen.remove(c)
                total -= v
        candidates.append(tuple(chosen))
    # 3. The smallest single coin that covers everything, change included.
    singles = [c for c, v in zip(usable, values, strict=True) if v >= want]
    if singles:
        candidates.append((singles[-1],))

    results = [
        s for s in (
            _finish(cs, target, feerate_sat_per_kw, output_weights, change_output_weight, change_dust)
            for cs in candidates
        ) if s is not None
    ]
    if not results:
        available = sum(c.value for c in coins)
        raise InsufficientFunds(
            f"need {target} sat plus fee at {feerate_sat_per_kw} sat/kw; "
            f"{available} sat spendable"
        )
    return min(results, key=lambda s: (s.fee, len(s.coins), s.input_value))


def _effective(coin: Coin, feerate_sat_per_kw: int) -> int:
    return coin.value - fee_for_weight(coin.input_weight, feerate_sat_per_kw)


def _finish(coins: tuple[Coin, ...], target: int, feerate: int, output_weights: Sequence[int],
            change_output_weight: int, change_dust: int) -> Selection | None:
    """Exact fee and change for a chosen coin set; None if it does not pay enough."""
    if not coins:
        return None
    inputs = [c.input_weight for c in coins]
    total = sum(c.value for c in coins)
    with_change = tx_weight(inputs, [*output_weights, change_output_weight])
    fee = fee_for_weight(with_change, feerate)
    change = total - target - fee
    if change >= change_dust:
        return Selection(coins, fee, change, with_change)
    without = tx_weight(inputs, output_weights)
    if total - target < fee_for_weight(without, feerate):
        return None
    return Selection(coins, total - target, 0, without)


def _branch_and_bound(values: Sequence[int], low: int, high: int, max_tries: int) -> list[int] | None:
    """Indices of `values` (sorted descending, all > 0) summing into [low, high], least excess
    first found within `max_tries` steps; depth-first, including each value before excluding it."""
    n = len(values)
    suffix = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        suffix[i] = suffix[i + 1] + values[i]
    if suffix[0] < low:
        return None
    selected: list[int] = []
    value = 0
    best: list[int] | None = None
    best_excess = 0
    i = 0
    for _ in range(max_tries):
        if value > high or value + suffix[i] < low:
            backtrack = True
        elif value >= low:
            excess = value - low
            if best is None or excess < best_excess:
                best, best_excess = list(selected), excess
                if excess == 0:
                    break
            backtrack = True
        else:
            backtrack = False
        if backtrack:
            if not selected:
                break
            last = selected.pop()
            value -= values[last]
            i = last + 1
            # Excluding a value and then including an equal one explores the same sums.
            while i < n and values[i] == values[last]:
                i += 1
        else:
            selected.append(i)
            value += values[i]
            i += 1
    return best
