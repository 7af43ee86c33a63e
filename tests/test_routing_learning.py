"""Mission control and the liquidity model: learning from attempts, decay, bans."""

from __future__ import annotations

import math

import pytest

from amiko.routing.graph import Graph, Policy, direction_of, edge_key
from amiko.routing.learning import MissionControl
from amiko.routing.pathfinding import find_route
from amiko.routing.probability import (
    BANNED,
    EMPTY_VIEW,
    LiquidityView,
    decay_factor,
    effective_max,
    success_probability,
)
from amiko.routing.route import check_route
from amiko.routing.synthetic import node_id

H = 800_000
HL = 6 * 3600.0
S, U, V, T = (node_id(i) for i in (1, 2, 3, 4))
CAP = 10_000_000  # sat


def diamond() -> Graph:
    """S -> U -> T is cheaper than S -> V -> T."""
    g = Graph()
    for scid, (x, y), p in (
        (1, (S, U), Policy(0, 0, 10, 1, CAP * 1000, False, 1)),
        (2, (S, V), Policy(0, 0, 10, 1, CAP * 1000, False, 1)),
        (3, (U, T), Policy(100, 10, 40, 1, CAP * 1000, False, 1)),
        (4, (V, T), Policy(2000, 500, 40, 1, CAP * 1000, False, 1)),
    ):
        n1, n2 = sorted((x, y))
        g.add_channel(scid, n1, n2, CAP)
        g.update_policy(scid, direction_of(x, y), p)
    return g


def via(g: Graph, mc: MissionControl, now: float, amount: int = 5_000_000_000) -> bytes | None:
    r = find_route(g, S, T, amount, current_height=H, liquidity=mc.view(now))
    if r is None:
        return None
    assert check_route(g, r, amount, 18, H) == []
    return r.hops[0].node_id


def test_uniform_prior_and_bounds():
    cap = 1_000_000
    assert success_probability(0, cap) == 1.0
    assert success_probability(cap, cap) == pytest.approx(1 / (cap + 1))
    assert success_probability(cap + 1, cap) == 0.0
    assert success_probability(250_000, cap) == pytest.approx((cap + 1 - 250_000) / (cap + 1))
    b = (200_000, 600_000, 1.0, 0)  # learned: 200k <= liquidity <= 600k
    assert success_probability(200_000, cap, b) == 1.0
    assert success_probability(600_001, cap, b) == 0.0
    assert success_probability(400_000, cap, b) == pytest.approx((600_001 - 400_000) / (600_001 - 200_000))
    # Half decayed: the maximum sits halfway back to the capacity.
    assert effective_max(cap, 600_000, 0.5) == 800_000
    # In flight: P(a | f) = P(a + f) / P(f).
    f = (0, cap, 1.0, 300_000)
    assert success_probability(100_000, cap, f) == pytest.approx(
        success_probability(400_000, cap) / success_probability(300_000, cap)
    )
    assert success_probability(1, cap, BANNED) == 0.0
    assert decay_factor(HL, HL) == pytest.approx(0.5) and decay_factor(-5, HL) == 1.0


def test_failure_makes_the_router_avoid_a_channel_then_decay_back():
    g = diamond()
    mc = MissionControl(half_life_seconds=HL)
    now = 1_000_000.0
    assert via(g, mc, now) == U
    r = find_route(g, S, T, 5_000_000_000, current_height=H)
    assert r is not None
    # U answered temporary_channel_failure for its channel to T (hop 1 of the route).
    mc.record_failure(r, 1, now)
    lo, hi = mc.bounds(3, direction_of(U, T), CAP * 1000, now)
    assert hi == 5_000_000_000 - 1 and lo == 0
    # S -> U carried the amount: its minimum is known now.
    assert mc.bounds(1, direction_of(S, U), CAP * 1000, now)[0] == r.hops[0].amount_msat
    assert via(g, mc, now) == V
    assert via(g, mc, now + 60) == V
    # The upper bound decays back towards the capacity: half the way per half-life.
    _, hi_later = mc.bounds(3, direction_of(U, T), CAP * 1000, now + HL)
    assert hi_later == CAP * 1000 - (CAP * 1000 - (5_000_000_000 - 1)) // 2
    assert via(g, mc, now + 10 * HL) == U
    # Smaller amounts go through U at once: the bound only rules out 5,000,000 sat and up
    # (at 1,000,000 sat, P = 4/5 on U->T is worth more than V's 2,500 sat fee).
    assert via(g, mc, now, amount=1_000_000_000) == U


def test_success_raises_the_minimum_and_the_probability():
    g = diamond()
    mc = MissionControl()
    r = find_route(g, S, T, 4_000_000_000, current_height=H)
    assert r is not None and r.probability < 0.5
    mc.record_success(r, 0.0)
    r2 = find_route(g, S, T, 4_000_000_000, current_height=H, liquidity=mc.view(0.0))
    assert r2 is not None and r2.probability == 1.0
    # Decayed a half-life: the minimum is half.
    assert mc.bounds(3, direction_of(U, T), CAP * 1000, HL)[0] == 2_000_000_000
    r3 = find_route(g, S, T, 4_000_000_000, current_height=H, liquidity=mc.view(HL))
    assert r3 is not None and r.probability < r3.probability < 1.0


def test_contradictions_reset_the_stale_bound():
    mc = MissionControl()
    mc.channel_success(9, 0, 1_000_000, 0.0)
    mc.channel_failure(9, 0, 500_000, 10.0)  # liquidity moved: the minimum is forgotten
    assert mc.bounds(9, 0, 10**9, 10.0) == (0, 499_999)
    mc.channel_success(9, 0, 700_000, 20.0)  # and back: the maximum is forgotten
    assert mc.bounds(9, 0, 10**9, 20.0) == (700_000, 10**9)
    mc.channel_failure(9, 1, 300_000, 0.0)
    mc.channel_failure(9, 1, 800_000, 0.0)  # a looser maximum does not replace a tighter one
    assert mc.bounds(9, 1, 10**9, 0.0)[1] == 299_999


def test_permanent_failures_ban_for_a_while():
    g = diamond()
    mc = MissionControl(ban_seconds=600)
    mc.penalize_channel(3, None, 0.0)
    assert via(g, mc, 0.0) == V
    assert via(g, mc, 601.0) == U
    mc.penalize_node(U, 1000.0)
    assert via(g, mc, 1000.0) == V
    assert mc.view(1000.0).banned_nodes == {U}
    mc.penalize_node(V, 1000.0, seconds=50)
    assert via(g, mc, 1010.0) is None
    assert via(g, mc, 1051.0) == V
    assert via(g, mc, 1601.0) == U


def test_view_and_prune_forget_what_has_decayed():
    mc = MissionControl(half_life_seconds=100)
    mc.channel_failure(1, 0, 5000, 0.0)
    mc.channel_success(2, 1, 5000, 0.0)
    mc.penalize_channel(3, 0, 0.0, seconds=10)
    v = mc.view(0.0)
    assert v.bounds[edge_key(1, 0)][:2] == (0, 4999)
    assert v.bounds[edge_key(2, 1)][0] == 5000
    assert v.bounds[edge_key(3, 0)] == BANNED
    assert mc.view(100_000.0).bounds == {}
    mc.prune(100_000.0)
    assert mc.to_rows().liquidity == [] and mc.to_rows().bans == []


def test_rows_round_trip():
    mc = MissionControl(half_life_seconds=HL, ban_seconds=77)
    mc.channel_failure(1, 0, 5000, 10.0)
    mc.channel_success(1, 0, 1000, 20.0)
    mc.channel_success(2, 1, 5000, 30.0)
    mc.penalize_channel(3, 1, 0.0)
    mc.penalize_node(S, 0.0)
    rows = mc.to_rows()
    back = MissionControl.from_rows(rows, HL, 77)
    assert back.to_rows() == rows
    assert back.view(40.0) == mc.view(40.0)


def test_in_flight_view():
    view = LiquidityView({edge_key(1, 0): (5, 100, 1.0, 0)}).with_in_flight({edge_key(1, 0): 7, edge_key(2, 1): 9, 99: 0})
    assert view.bounds[edge_key(1, 0)] == (5, 100, 1.0, 7)
    assert view.bounds[edge_key(2, 1)][3] == 9
    assert 99 not in view.bounds
    assert EMPTY_VIEW.bounds == {}
    assert math.isclose(success_probability(10, 1000, view.bounds[edge_key(2, 1)]), 982 / 992)
