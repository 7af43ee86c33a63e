"""Single-path routes: exact amounts and expiries, limits, hints, exclusions, first hops."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amiko.routing.graph import Graph, Policy, direction_of
from amiko.routing.pathfinding import DEFAULT_PARAMS, RouteParams, find_route, prepare
from amiko.routing.probability import EMPTY_VIEW
from amiko.routing.route import FirstHop, HopPayload, Route, RouteHintHop, RouteHop, check_route
from amiko.routing.search import amount_class, reachable, warm_up
from amiko.routing.synthetic import node_id, random_graph

H = 800_000  # current block height
BACKWARD = RouteParams(search="backward")


def pol(base: int, ppm: int, cltv: int, hmin: int = 1, hmax: int = 10**12, disabled: bool = False) -> Policy:
    return Policy(base, ppm, cltv, hmin, hmax, disabled, 1)


def chan(g: Graph, scid: int, x: bytes, y: bytes, cap_sat: int | None, xy: Policy | None, yx: Policy | None = None) -> None:
    """A channel between x and y; `xy` is what x announced for forwarding to y."""
    n1, n2 = sorted((x, y))
    g.add_channel(scid, n1, n2, cap_sat)
    for frm, p in ((x, xy), (y, yx)):
        if p is not None:
            if cap_sat is not None and p.htlc_maximum_msat > cap_sat * 1000:
                p = replace(p, htlc_maximum_msat=cap_sat * 1000)
            g.update_policy(scid, 0 if frm == n1 else 1, p)


def route_nodes(r: Route) -> list[bytes]:
    return [r.source, *(h.node_id for h in r.hops)]


def both(g: Graph, s: bytes, t: bytes, amount: int, **kw) -> Route | None:  # type: ignore[no-untyped-def]
    """find_route with the A* search, checked against the plain backward search."""
    params = kw.pop("params", DEFAULT_PARAMS)
    r1 = find_route(g, s, t, amount, current_height=H, params=params, **kw)
    r2 = find_route(g, s, t, amount, current_height=H, params=replace(params, search="backward"), **kw)
    assert (r1 is None) == (r2 is None)
    if r1 is not None and r2 is not None:
        assert r1.cost == pytest.approx(r2.cost, rel=1e-9)
    return r1


# -- BOLT #7 "Routing Example" -----------------------------------------------------------

NA, NB, NC, ND = (node_id(i) for i in (1, 2, 3, 4))


def bolt7_example() -> Graph:
    g = Graph()
    a, b, c, d = pol(100, 1000, 10), pol(200, 2000, 20), pol(300, 3000, 30), pol(400, 4000, 40)
    chan(g, 1, NA, NB, 10**7, a, b)
    chan(g, 2, NA, ND, 10**7, a, d)
    chan(g, 3, NB, NC, 10**7, b, c)
    chan(g, 4, ND, NC, 10**7, d, c)
    return g


def test_bolt7_routing_example():
    g = bolt7_example()
    final = 18 + 42  # C's min_final_cltv_expiry_delta plus the example's shadow route
    r = both(g, NA, NC, 4_999_999, final_cltv_delta=final)
    assert r is not None
    assert route_nodes(r) == [NA, NB, NC]
    # "A->B's update_add_htlc message would be: amount_msat: 5010198, cltv_expiry:
    # current-block-height + 20 + 18 + 42; amt_to_forward = 4999999,
    # outgoing_cltv_value = current-block-height + 18 + 42"
    assert r.total_amount_msat == 5_010_198
    assert r.total_cltv_expiry == H + 20 + 18 + 42
    assert r.payloads()[0] == HopPayload(NB, 3, 4_999_999, H + 18 + 42)
    assert r.payloads()[1] == HopPayload(NC, None, 4_999_999, H + 18 + 42)
    assert check_route(g, r, 4_999_999, final, H) == []
    # "A->D's update_add_htlc message would be: amount_msat: 5020398, cltv_expiry:
    # current-block-height + 40 + 18 + 42"
    r = both(g, NA, NC, 4_999_999, final_cltv_delta=final, exclude_nodes={NB})
    assert r is not None and route_nodes(r) == [NA, ND, NC]
    assert r.total_amount_msat == 5_020_398
    assert r.total_cltv_expiry == H + 40 + 18 + 42
    assert check_route(g, r, 4_999_999, final, H) == []
    # B->C directly: no fee, the final delta only.
    r = both(g, NB, NC, 4_999_999, final_cltv_delta=final)
    assert r is not None and r.total_amount_msat == 4_999_999 and r.total_cltv_expiry == H + 60


def test_three_hop_fees_and_cltv_by_hand():
    S, X, Y, T = (node_id(i) for i in (10, 11, 12, 13))
    g = Graph()
    chan(g, 100, S, X, 10**6, pol(5000, 5000, 99))  # the payer's own policy: not charged
    chan(g, 101, X, Y, 10**6, pol(1000, 500, 40))
    chan(g, 102, Y, T, 10**6, pol(0, 1234, 144))
    r = both(g, S, T, 1_234_567)
    assert r is not None
    # Y forwards 1,234,567: fee 0 + 1234567 * 1234 // 1e6 = 1523 -> Y receives 1,236,090.
    # X forwards 1,236,090: fee 1000 + 1236090 * 500 // 1e6 = 1618 -> X receives 1,237,708.
    assert r.hops == (
        RouteHop(X, 100, 1_237_708, H + 18 + 144 + 40, 1618, 40),
        RouteHop(Y, 101, 1_236_090, H + 18 + 144, 1523, 144),
        RouteHop(T, 102, 1_234_567, H + 18, 0, 18),
    )
    assert r.total_fee_msat == 3141 and r.amount_msat == 1_234_567
    assert r.total_cltv_delta(H) == 202
    assert r.payloads() == [
        HopPayload(X, 101, 1_236_090, H + 162),
        HopPayload(Y, 102, 1_234_567, H + 18),
        HopPayload(T, None, 1_234_567, H + 18),
    ]
    assert r.edge_keys() == [100 << 1 | direction_of(S, X), 101 << 1 | direction_of(X, Y), 102 << 1 | direction_of(Y, T)]
    assert check_route(g, r, 1_234_567, 18, H) == []


def diamond(**top: int | bool) -> Graph:
    """S -> {U (cheap), V (dear)} -> T; `top` changes U's policy towards T."""
    S, U, V, T = (node_id(i) for i in (20, 21, 22, 23))
    g = Graph()
    chan(g, 1, S, U, 10**7, pol(0, 0, 10))
    chan(g, 2, S, V, 10**7, pol(0, 0, 10))
    args = {"base": 100, "ppm": 10, "cltv": 40, **top}
    chan(g, 3, U, T, 10**7, pol(**args))  # type: ignore[arg-type]
    chan(g, 4, V, T, 10**7, pol(5000, 2000, 40))
    return g


S_, U_, V_, T_ = (node_id(i) for i in (20, 21, 22, 23))


def test_cheapest_route_wins():
    r = both(diamond(), S_, T_, 1_000_000)
    assert r is not None and route_nodes(r) == [S_, U_, T_]


@pytest.mark.parametrize(
    "top",
    [
        {"hmax": 999_999},  # htlc_maximum_msat below the amount
        {"hmin": 1_000_001},  # htlc_minimum_msat above it
        {"disabled": True},
        {"cltv": 2000},  # would pass max_total_cltv (2016 with the final 18)
    ],
)
def test_limits_push_the_route_elsewhere(top):
    g = diamond(**top)
    r = both(g, S_, T_, 1_000_000)
    assert r is not None and route_nodes(r) == [S_, V_, T_]
    assert check_route(g, r, 1_000_000, 18, H) == []


def test_capacity_and_amount_limits():
    g = diamond()
    assert both(g, S_, T_, 10**10 + 1) is None  # more than any channel holds
    assert both(g, S_, T_, 10**10) is None  # fits the last hop, not with the fee before it
    r = both(g, S_, T_, 10**10 - 100_098)  # U's fee: 100 + 10 ppm of it = 100,098
    assert r is not None and r.total_amount_msat == 10**10  # all of S->U's capacity
    assert 0 < r.probability < 1e-14  # 1 / (cap + 1) on the first hop
    assert both(g, S_, T_, 10**10 - 100_097) is None


def test_htlc_minimum_is_checked_on_the_forwarded_amount():
    g = diamond(hmin=1_000_000)
    r = both(g, S_, T_, 1_000_000)
    assert r is not None and route_nodes(r) == [S_, U_, T_]


def test_max_total_cltv_and_max_hops():
    g = diamond()
    assert both(g, S_, T_, 1000, params=RouteParams(max_total_cltv=40 + 17)) is None
    r = both(g, S_, T_, 1000, params=RouteParams(max_total_cltv=40 + 18))
    assert r is not None and r.total_cltv_delta(H) == 58
    # A cheap long chain against a dear short path.
    g = Graph()
    chain = [node_id(100 + i) for i in range(7)]
    for i in range(6):
        chan(g, 10 + i, chain[i], chain[i + 1], 10**7, pol(0, 0, 6))
    chan(g, 50, chain[0], node_id(99), 10**7, pol(0, 0, 6))
    chan(g, 51, node_id(99), chain[6], 10**7, pol(50_000, 0, 6))
    r = both(g, chain[0], chain[6], 1000)
    assert r is not None and len(r.hops) == 6
    r = both(g, chain[0], chain[6], 1000, params=RouteParams(max_hops=5))
    assert r is not None and len(r.hops) == 2
    assert both(g, chain[0], chain[6], 1000, params=RouteParams(max_hops=1)) is None


def test_max_fee():
    g = diamond(hmax=10)  # only the dear path: fee 5000 + 2000 ppm
    r = both(g, S_, T_, 1_000_000)
    assert r is not None and r.total_fee_msat == 7000
    assert both(g, S_, T_, 1_000_000, params=RouteParams(max_fee_msat=6999)) is None
    assert both(g, S_, T_, 1_000_000, params=RouteParams(max_fee_msat=7000)) is not None


def test_exclusions():
    g = diamond()
    r = both(g, S_, T_, 5000, exclude_channels={(3, direction_of(U_, T_))})
    assert r is not None and route_nodes(r) == [S_, V_, T_]
    r = both(g, S_, T_, 5000, exclude_channels={(3, direction_of(T_, U_))})  # the other way
    assert r is not None and route_nodes(r) == [S_, U_, T_]
    assert both(g, S_, T_, 5000, exclude_nodes={U_, V_}) is None


def test_first_hops_replace_the_payers_graph_edges():
    g = diamond()
    # The real balances: only 2,000 sat can leave towards U.
    fh = [FirstHop(1, U_, 2_000_000), FirstHop(2, V_, 9_000_000)]
    r = both(g, S_, T_, 1_500_000, first_hops=fh)
    assert r is not None and route_nodes(r) == [S_, U_, T_]
    r = both(g, S_, T_, 2_500_000, first_hops=fh)
    assert r is not None and route_nodes(r) == [S_, V_, T_]
    assert check_route(g, r, 2_500_000, 18, H, first_hops=fh) == []
    assert check_route(g, r, 2_500_000, 18, H, first_hops=fh[:1])  # not our channel
    assert both(g, S_, T_, 9_500_000, first_hops=fh) is None
    assert both(g, S_, T_, 1000, first_hops=[]) is None
    # The peer's htlc_minimum_msat.
    r = both(g, S_, T_, 1000, first_hops=[FirstHop(1, U_, 10**6, htlc_minimum_msat=2000), FirstHop(2, V_, 10**6)])
    assert r is not None and route_nodes(r) == [S_, V_, T_]


def test_private_payer_with_first_hops():
    g = diamond()
    me = node_id(1_000)
    assert both(g, me, T_, 1000) is None  # unknown to the graph, no channels given
    r = both(g, me, T_, 1000, first_hops=[FirstHop(777, U_, 10**6)])
    assert r is not None and route_nodes(r) == [me, U_, T_] and r.hops[0].scid == 777
    assert r.total_amount_msat == 1000 + 100  # U's base fee, 10 ppm of 1000 rounds to 0


def test_route_hints_to_a_private_payee():
    g = diamond()
    payee = node_id(5_000)  # private: not in the graph
    hint = [RouteHintHop(T_, 999, 1000, 100, 30)]
    assert both(g, S_, payee, 1_000_000) is None
    r = both(g, S_, payee, 1_000_000, route_hints=[hint])
    assert r is not None and route_nodes(r) == [S_, U_, T_, payee]
    assert r.hops[-1].scid == 999
    assert r.hops[-2].fee_msat == 1000 + 100  # T's hinted fee on 1,000,000
    assert r.hops[-2].cltv_expiry_delta == 30
    assert check_route(g, r, 1_000_000, 18, H, route_hints=[hint]) == []
    assert check_route(g, r, 1_000_000, 18, H)  # without the hint: unknown channel
    # A two-hop hint: U -> W (private) -> payee.
    w = node_id(5_001)
    hint2 = [RouteHintHop(U_, 998, 10, 0, 12), RouteHintHop(w, 997, 20, 0, 14)]
    r = both(g, S_, payee, 1_000_000, route_hints=[hint, hint2])
    assert r is not None and route_nodes(r) == [S_, U_, w, payee]
    assert r.total_fee_msat == 30 and r.total_cltv_delta(H) == 18 + 14 + 12
    assert check_route(g, r, 1_000_000, 18, H, route_hints=[hint, hint2]) == []
    # A hint's htlc_maximum_msat is honoured.
    small = [RouteHintHop(T_, 999, 1000, 100, 30, htlc_maximum_msat=999_999)]
    assert both(g, S_, payee, 1_000_000, route_hints=[small]) is None


def test_a_hint_overrides_the_graph_policy_of_a_public_channel():
    g = diamond()
    hint = [RouteHintHop(U_, 3, 7, 0, 9)]  # U's channel 3 to T, with a newer policy
    r = both(g, S_, T_, 1_000_000, route_hints=[hint])
    assert r is not None and route_nodes(r) == [S_, U_, T_]
    assert r.hops[0].fee_msat == 7 and r.hops[0].cltv_expiry_delta == 9
    assert check_route(g, r, 1_000_000, 18, H, route_hints=[hint]) == []


def test_check_route_catches_what_a_forwarding_node_would_refuse():
    g = bolt7_example()
    r = find_route(g, NA, NC, 4_999_999, current_height=H)
    assert r is not None and check_route(g, r, 4_999_999, 18, H) == []
    h0, h1 = r.hops
    short_fee = replace(r, hops=(replace(h0, amount_msat=h0.amount_msat - 1, fee_msat=h0.fee_msat - 1), h1))
    assert any("fee" in p for p in check_route(g, short_fee, 4_999_999, 18, H))
    short_cltv = replace(r, hops=(replace(h0, cltv_expiry=h0.cltv_expiry - 1, cltv_expiry_delta=19), h1))
    assert any("cltv" in p for p in check_route(g, short_cltv, 4_999_999, 18, H))
    assert check_route(g, r, 5_000_000, 18, H)  # payee would get too little
    assert check_route(g, r, 4_999_999, 19, H)  # final expiry too soon
    wrong = replace(r, hops=(replace(h0, scid=4), h1))
    assert check_route(g, wrong, 4_999_999, 18, H)
    g.update_policy(3, direction_of(NB, NC), replace(g.policy_from(3, NB), disabled=True, timestamp=2))  # type: ignore[arg-type]
    assert any("disabled" in p for p in check_route(g, r, 4_999_999, 18, H))


def test_bad_arguments():
    g = diamond()
    with pytest.raises(ValueError):
        find_route(g, S_, S_, 1, current_height=H)
    with pytest.raises(ValueError):
        find_route(g, S_, T_, 0, current_height=H)
    assert find_route(g, S_, node_id(12345), 1000, current_height=H) is None


def test_reachability_check():
    g = diamond(hmax=2_000_000)
    q = prepare(g, S_, T_, None, (), (), (), EMPTY_VIEW)
    assert reachable(q, 10**9)  # via V
    q = prepare(g, S_, T_, None, (), {V_}, (), EMPTY_VIEW)
    assert reachable(q, 2_000_000) and not reachable(q, 2_000_001)
    q = prepare(g, T_, S_, None, (), (), (), EMPTY_VIEW)
    assert not reachable(q, 1)  # every channel was announced one way only


def test_amount_classes():
    assert amount_class(999) == 0 and amount_class(1000) == 1000
    assert amount_class(3161) == 1000 and amount_class(3162) == 3162
    assert amount_class(10**6) == 10**6 and amount_class(10**6 - 1) == 316_227
    g = random_graph(50, 150, seed=2)
    assert warm_up(g, DEFAULT_PARAMS, 10_000, 10**6) == 5


# -- random graphs -----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    amount=st.integers(1, 5 * 10**9),
    final=st.integers(0, 200),
    hops=st.integers(1, 20),
    probe=st.sampled_from([0, 5, 50, 1000]),
)
def test_random_graphs_every_route_checks_out(seed, amount, final, hops, probe):
    g = random_graph(40, 120, seed=seed, min_capacity_sat=1000, max_capacity_sat=10**6)
    rnd = random.Random(seed)
    nodes = list(g.nodes())
    params = RouteParams(max_hops=hops, probe_edges=probe)
    for _ in range(5):
        s, t = rnd.sample(nodes, 2)
        r = both(g, s, t, amount, final_cltv_delta=final, params=params)
        if r is not None:
            assert check_route(g, r, amount, final, H, max_total_cltv=2016) == []
            assert len(r.hops) <= hops
            assert 0.0 < r.probability <= 1.0


def test_mainnet_like_graph_routes_check_out_hop_by_hop():
    g = random_graph(3000, 12_000, seed=11)
    warm_up(g, DEFAULT_PARAMS, 10**6, 10**9)
    rnd = random.Random(5)
    nodes = list(g.nodes())
    found = 0
    for _ in range(150):
        s, t = rnd.sample(nodes, 2)
        amount = int(10 ** rnd.uniform(6, 9))
        r = find_route(g, s, t, amount, current_height=H)
        if r is None:
            continue
        found += 1
        assert check_route(g, r, amount, 18, H, max_total_cltv=2016) == []
        if found % 10 == 0:  # the plain search agrees on the cost
            r2 = find_route(g, s, t, amount, current_height=H, params=BACKWARD)
            assert r2 is not None and r.cost == pytest.approx(r2.cost, rel=1e-9)
    assert found > 75
