"""Multi-part splits: the min-cost flow and the halving baseline."""

from __future__ import annotations

import random

import pytest

from amiko.routing.graph import Graph, Policy, direction_of
from amiko.routing.mpp import MppParams, split_halving, split_payment
from amiko.routing.pathfinding import RouteParams, find_route
from amiko.routing.route import FirstHop, check_route
from amiko.routing.synthetic import node_id, random_graph

H = 800_000
S, A, B, C, T = (node_id(i) for i in (1, 2, 3, 4, 5))


def chan(g: Graph, scid: int, x: bytes, y: bytes, cap_sat: int, p: Policy) -> None:
    n1, n2 = sorted((x, y))
    g.add_channel(scid, n1, n2, cap_sat)
    g.update_policy(scid, direction_of(x, y), p)


def parallel(cap_sat: int, middles: tuple[bytes, ...] = (A, B)) -> Graph:
    """S -> M -> T for each middle node M, every channel of `cap_sat`."""
    g = Graph()
    for k, m in enumerate(middles):
        chan(g, 10 + k, S, m, cap_sat, Policy(0, 0, 10, 1, cap_sat * 1000, False, 1))
        chan(g, 20 + k, m, T, cap_sat, Policy(1000 * (k + 1), 100, 40, 1, cap_sat * 1000, False, 1))
    return g


def check_split(g: Graph, split, amount: int, **kw) -> None:  # type: ignore[no-untyped-def]
    assert split.amount_msat == amount
    for r in split.parts:
        assert check_route(g, r, r.amount_msat, 18, H, **kw) == []
    assert split.total_fee_msat == sum(r.total_fee_msat for r in split.parts)
    assert 0.0 < split.probability <= 1.0


@pytest.mark.parametrize("split_fn", [split_payment, split_halving])
def test_two_paths_of_60k_carry_100k(split_fn):
    g = parallel(60_000)
    amount = 100_000_000
    assert find_route(g, S, T, amount, current_height=H) is None
    split = split_fn(g, S, T, amount, current_height=H)
    assert split is not None
    check_split(g, split, amount)
    assert len(split.parts) == 2
    assert {r.hops[0].node_id for r in split.parts} == {A, B}
    assert all(r.total_amount_msat <= 60_000_000 for r in split.parts)
    assert split_fn(g, S, T, amount, current_height=H, mpp=MppParams(max_parts=1)) is None
    assert split_fn(g, S, T, 120_000_000, current_height=H) is None  # more than both hold


def test_flow_splits_when_that_raises_the_joint_probability():
    g = parallel(1_000_000, (A, B, C))
    amount = 600_000_000  # 600k sat through channels of 1M sat
    single = find_route(g, S, T, amount, current_height=H)
    assert single is not None
    split = split_payment(g, S, T, amount, current_height=H)
    assert split is not None
    check_split(g, split, amount)
    assert len(split.parts) >= 2
    assert split.probability > single.probability * 1.5
    # The baseline keeps the single route: it splits only when it has to.
    base = split_halving(g, S, T, amount, current_height=H)
    assert base is not None and len(base.parts) == 1
    assert base.probability == pytest.approx(single.probability)


def test_small_payments_stay_in_one_part():
    g = parallel(1_000_000, (A, B, C))
    split = split_payment(g, S, T, 10_000_000, current_height=H)
    assert split is not None and len(split.parts) == 1
    check_split(g, split, 10_000_000)


def test_limits_parts_and_minimum_part_size():
    g = parallel(40_000, (A, B, C))
    amount = 100_000_000
    split = split_payment(g, S, T, amount, current_height=H, mpp=MppParams(max_parts=3, min_part_msat=30_000_000))
    assert split is not None and len(split.parts) == 3
    assert min(r.amount_msat for r in split.parts) >= 30_000_000
    check_split(g, split, amount)
    assert split_payment(g, S, T, amount, current_height=H, mpp=MppParams(max_parts=2)) is None
    assert split_payment(g, S, T, amount, current_height=H, mpp=MppParams(min_part_msat=40_000_000)) is None


def test_first_hop_balances_and_fee_limit():
    g = parallel(60_000)
    amount = 100_000_000
    fh = [FirstHop(10, A, 30_000_000), FirstHop(11, B, 60_000_000)]
    assert split_payment(g, S, T, amount, current_height=H, first_hops=fh) is None
    fh = [FirstHop(10, A, 50_000_000), FirstHop(11, B, 60_000_000)]
    split = split_payment(g, S, T, amount, current_height=H, first_hops=fh)
    assert split is not None
    check_split(g, split, amount, first_hops=fh)
    for r in split.parts:
        assert r.total_amount_msat <= (50_000_000 if r.hops[0].node_id == A else 60_000_000)
    fees = split.total_fee_msat
    assert split_payment(g, S, T, amount, current_height=H, params=RouteParams(max_fee_msat=fees - 1)) is None
    base = split_halving(g, S, T, amount, current_height=H, first_hops=fh)
    assert base is not None
    check_split(g, base, amount, first_hops=fh)


def test_random_graph_splits_check_out():
    g = random_graph(400, 1600, seed=21, min_capacity_sat=50_000, max_capacity_sat=2_000_000)
    rnd = random.Random(2)
    nodes = sorted(g.nodes(), key=lambda n: -len(g.channels_of(n)))[:60]  # well connected
    found = 0
    for _ in range(12):
        s, t = rnd.sample(nodes, 2)
        amount = rnd.randrange(200_000_000, 3_000_000_000)
        for fn in (split_payment, split_halving):
            split = fn(g, s, t, amount, current_height=H)
            if split is not None:
                found += 1
                check_split(g, split, amount)
                assert len(split.parts) <= 8
    assert found >= 8
