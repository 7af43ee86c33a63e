"""The liquidity model: how likely a channel direction can carry an amount.

Without other knowledge a channel's liquidity in one direction is taken as uniform over
`[0, capacity]` (Pickhardt & Richter, "Optimally reliable & cheap payment flows on the
Lightning Network", 2021), so with integer msat

    P(amount) = (capacity + 1 - amount) / (capacity + 1).

What we learn from payment attempts (`learning.py`) narrows that to `[lo, hi]`: a success
shows liquidity >= the amount, a `temporary_channel_failure` shows liquidity < it. Then

    P(amount) = 1                                  if amount <= lo
              = 0                                  if amount > hi
              = (hi + 1 - amount) / (hi + 1 - lo)  otherwise.

Learned bounds decay back towards the prior with a half-life: `lo` towards 0, `hi` towards
the capacity (an offset from the capacity shrinks), so old knowledge fades.

Amounts already in flight over the same channel (other parts of a multi-part payment)
condition the estimate: P(amount | in_flight) = P(amount + in_flight) / P(in_flight).

Probabilities and costs are floats: they are scores, never money.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

# Capacity assumed for channels we know nothing about (e.g. private channels in route
# hints without htlc_maximum_msat): large enough that the liquidity prior costs nothing,
# as the payee vouched for the hint.
UNKNOWN_CAPACITY_MSAT = 21_000_000 * 100_000_000 * 1000

# A bound tuple in a `LiquidityView`: (lo_msat, hi_msat, hi_decay, in_flight_msat).
# `lo` is already decayed. `hi` is the raw learned maximum: its effective value for a
# channel of capacity `cap` is `cap - (cap - hi) * hi_decay` (when hi < cap). A hi of -1
# with decay 1.0 bans the edge.
BoundT = tuple[int, int, float, int]
BANNED: BoundT = (0, -1, 1.0, 0)


def decay_factor(age_seconds: float, half_life_seconds: float) -> float:
    """2^(-age / half_life), 1.0 for a non-positive age."""
    if age_seconds <= 0:
        return 1.0
    return math.pow(2.0, -age_seconds / half_life_seconds)


def effective_max(capacity_msat: int, hi: int, hi_decay: float) -> int:
    """The decayed upper bound for a channel of `capacity_msat`."""
    if hi >= capacity_msat:
        return capacity_msat
    return capacity_msat - int((capacity_msat - hi) * hi_decay)


def success_probability(amount_msat: int, capacity_msat: int, bound: BoundT | None = None) -> float:
    """P(the direction can carry `amount_msat` now), under the model above."""
    if bound is None:
        if amount_msat > capacity_msat:
            return 0.0
        return (capacity_msat + 1 - amount_msat) / (capacity_msat + 1)
    lo, hi, hi_decay, in_flight = bound
    hi = effective_max(capacity_msat, hi, hi_decay)
    lo = min(lo, hi)

    def p(a: int) -> float:
        if a <= lo:
            return 1.0
        if a > hi:
            return 0.0
        return (hi + 1 - a) / (hi + 1 - lo)

    if in_flight <= 0:
        return p(amount_msat)
    base = p(in_flight)
    if base <= 0.0:
        return 0.0
    return p(amount_msat + in_flight) / base


def neg_log_probability(amount_msat: int, capacity_msat: int, bound: BoundT | None = None) -> float:
    """-ln P; `math.inf` when P is 0."""
    p = success_probability(amount_msat, capacity_msat, bound)
    return math.inf if p <= 0.0 else -math.log(p)


@dataclass(frozen=True, slots=True)
class LiquidityView:
    """What the pathfinder knows beyond the graph at one moment: decayed bounds per
    directed edge key (`graph.edge_key`), amounts in flight, and banned nodes.
    Built by `MissionControl.view(now)`; an empty view means "only the prior"."""

    bounds: Mapping[int, BoundT] = field(default_factory=dict)
    banned_nodes: frozenset[bytes] = frozenset()

    def with_in_flight(self, in_flight: Mapping[int, int]) -> LiquidityView:
        """A copy that also knows amounts already committed per directed edge."""
        merged = dict(self.bounds)
        for key, amt in in_flight.items():
            if amt <= 0:
                continue
            lo, hi, dec, f = merged.get(key, (0, UNKNOWN_CAPACITY_MSAT, 1.0, 0))
            merged[key] = (lo, hi, dec, f + amt)
        return LiquidityView(merged, self.banned_nodes)


EMPTY_VIEW = LiquidityView()
