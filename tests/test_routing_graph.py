"""The channel graph: updates, adjacency lists kept in step, persistence rows."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amiko.routing.adjacency import E_KEY, E_MAX, MANY_NEIGHBOURS, NO_IN_EDGES
from amiko.routing.graph import (
    STALE_AFTER_SECONDS,
    Graph,
    NodeInfo,
    Policy,
    UpdateResult,
    direction_of,
    edge_key,
    forward_fee,
)
from amiko.routing.search import DEFAULT_PARAMS, cost_order
from amiko.routing.synthetic import node_id, random_graph

A, B, C = node_id(1), node_id(2), node_id(3)


def pol(ts: int = 100, **kw: int | bool) -> Policy:
    args: dict[str, int | bool] = dict(
        fee_base_msat=1000, fee_proportional_millionths=100, cltv_expiry_delta=40,
        htlc_minimum_msat=1, htlc_maximum_msat=1_000_000_000, disabled=False, timestamp=ts,
    )
    args.update(kw)
    return Policy(**args)  # type: ignore[arg-type]


def test_forward_fee_is_bolt7_formula_rounded_down():
    # BOLT #7 Routing Example: 200 + ( 4999999 * 2000 / 1000000 ) = 10199
    assert forward_fee(200, 2000, 4_999_999) == 10199
    assert forward_fee(0, 1, 999_999) == 0
    assert forward_fee(1000, 0, 10**12) == 1000
    assert pol().fee(10_000_000) == 1000 + 1000


def test_directions_follow_node_order():
    assert direction_of(A, B) == 0 and direction_of(B, A) == 1
    assert edge_key(5, 1) == 11


def test_add_channel_checks():
    g = Graph()
    assert g.add_channel(1, A, B, 1_000_000)
    assert not g.add_channel(1, A, C, 5)  # known scid: kept as is
    assert g.channel(1).node2 == B  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        g.add_channel(2, B, A)  # node1 must be the lesser id
    with pytest.raises(ValueError):
        g.add_channel(3, A, A)
    with pytest.raises(ValueError):
        g.add_channel(4, A, b"\x02" * 5)
    assert g.num_channels == 1 and g.num_nodes == 2


def test_policy_updates_are_monotonic():
    g = Graph()
    g.add_channel(7, A, B, 2_000_000)
    assert g.update_policy(8, 0, pol()) is UpdateResult.UNKNOWN_CHANNEL
    assert g.update_policy(7, 0, pol(100)) is UpdateResult.APPLIED
    assert g.update_policy(7, 0, pol(99)) is UpdateResult.OUTDATED
    assert g.update_policy(7, 0, pol(100)) is UpdateResult.DUPLICATE
    assert g.update_policy(7, 0, pol(100, fee_base_msat=1)) is UpdateResult.CONFLICT
    assert g.policy(7, 0).fee_base_msat == 1000  # type: ignore[union-attr]
    assert g.update_policy(7, 0, pol(101, fee_base_msat=1)) is UpdateResult.APPLIED
    assert g.policy_from(7, A).fee_base_msat == 1  # type: ignore[union-attr]
    assert g.policy_from(7, B) is None


def test_adjacency_follows_updates():
    g = Graph()
    g.add_channel(7, A, B, 2_000_000)
    ia, ib = g.index_of(A), g.index_of(B)
    assert ia is not None and ib is not None
    assert g.adj.ins[ib] == [] and g.adj.sole_in[ib] == NO_IN_EDGES
    g.update_policy(7, 0, pol(1))
    (e,) = g.adj.ins[ib]
    assert e[0] == ia and e[E_KEY] == edge_key(7, 0) and e[E_MAX] == 1_000_000_000
    assert g.adj.outs[ia][0][0] == ib
    assert g.adj.sole_in[ib] == ia and g.adj.sole_out[ia] == ib
    # Disabled: gone from the lists, still in the graph.
    g.update_policy(7, 0, pol(2, disabled=True))
    assert g.adj.ins[ib] == [] and g.adj.outs[ia] == []
    assert g.policy(7, 0).disabled  # type: ignore[union-attr]
    g.update_policy(7, 0, pol(3))
    assert len(g.adj.ins[ib]) == 1
    g.remove_channel(7)
    assert g.adj.ins[ib] == [] and g.channel(7) is None and not g.has_node(A)


def test_unusable_policies_are_left_out_of_route_considerations():
    g = Graph()
    g.add_channel(1, A, B, 1000)  # 1,000,000 msat
    # BOLT #7: htlc_maximum_msat greater than the capacity: SHOULD ignore the channel.
    g.update_policy(1, 0, pol(1, htlc_maximum_msat=1_000_001))
    # htlc_maximum_msat < htlc_minimum_msat: SHOULD ignore.
    g.update_policy(1, 1, pol(1, htlc_minimum_msat=10, htlc_maximum_msat=5))
    assert all(not lst for lst in g.adj.ins)
    # Unknown capacity: htlc_maximum_msat stands in for it.
    g.add_channel(2, A, C)
    g.update_policy(2, 0, pol(1, htlc_maximum_msat=5000))
    (e,) = g.adj.ins[g.index_of(C)]  # type: ignore[index]
    assert e[E_MAX] == 5000 and e[6] == 5000
    assert g.set_capacity(2, 3)  # 3000 msat now: 5000 > capacity
    assert g.adj.ins[g.index_of(C)] == []  # type: ignore[index]


def test_lists_sorted_by_max_and_sole_neighbour():
    g = Graph()
    for scid, cap in ((1, 10_000), (2, 500_000), (3, 70_000)):
        g.add_channel(scid, A, C, cap)
        g.update_policy(scid, 0, pol(1, htlc_maximum_msat=cap * 1000))
    ic = g.index_of(C)
    assert ic is not None
    assert [e[E_MAX] for e in g.adj.ins[ic]] == [500_000_000, 70_000_000, 10_000_000]
    assert g.adj.sole_in[ic] == g.index_of(A)
    g.add_channel(4, B, C, 1)
    g.update_policy(4, 0, pol(1, htlc_maximum_msat=1000))
    assert g.adj.sole_in[ic] == MANY_NEIGHBOURS


def test_node_announcements():
    g = Graph()
    assert g.update_node(NodeInfo(A, 5, alias="x")) is UpdateResult.UNKNOWN_CHANNEL
    g.add_channel(1, A, B, 10)
    assert g.update_node(NodeInfo(A, 5, alias="x")) is UpdateResult.APPLIED
    assert g.update_node(NodeInfo(A, 4, alias="y")) is UpdateResult.OUTDATED
    assert g.update_node(NodeInfo(A, 5, alias="x")) is UpdateResult.DUPLICATE
    assert g.update_node(NodeInfo(A, 5, alias="z")) is UpdateResult.CONFLICT
    assert g.update_node(NodeInfo(A, 6, alias="z", addresses=("1.2.3.4:9735",))) is UpdateResult.APPLIED
    assert g.node(A).alias == "z"  # type: ignore[union-attr]
    g.remove_channel(1)
    assert g.node(A) is None  # no channels left: pruned


def test_remove_stale_uses_the_oldest_update():
    now = 10_000_000
    g = Graph()
    g.add_channel(1, A, B, 10)
    g.update_policy(1, 0, pol(now - 10))
    g.update_policy(1, 1, pol(now - STALE_AFTER_SECONDS - 1))  # one side went quiet
    g.add_channel(2, A, C, 10)
    g.update_policy(2, 0, pol(now - 10))  # other direction never announced: not stale
    g.add_channel(3, B, C, 10)  # no update at all: left to the gossip layer
    assert g.remove_stale(now) == [1]
    assert 1 not in g and 2 in g and 3 in g


def test_rows_round_trip():
    g = random_graph(300, 900, seed=4)
    g.update_node(NodeInfo(next(iter(g.nodes())), 1_800_000_000, b"\x02\x00", "héllo", b"\x01\x02\x03", ("a:1", "[::1]:2")))
    rows = g.to_rows()
    h = Graph.from_rows(rows)
    assert h.to_rows() == rows
    assert sorted(map(sorted, g.adj.ins)) == sorted(map(sorted, h.adj.ins))  # type: ignore[arg-type]
    assert g.adj.sole_in == h.adj.sole_in and g.adj.sole_out == h.adj.sole_out


def test_an_edge_among_many_of_the_same_maximum_is_the_one_replaced():
    g = Graph()
    hub = node_id(100)
    peers = [node_id(i) for i in range(101, 141)]
    for scid, p in enumerate(peers):
        g.add_channel(scid, *sorted((hub, p)), 1_000_000)
        g.update_policy(scid, direction_of(p, hub), pol(1))  # into the hub: one maximum, one rank
    order = cost_order(g, 10_000, DEFAULT_PARAMS)
    for ts, scid in enumerate([7, 0, 39, 20, 7], 2):
        g.update_policy(scid, direction_of(peers[scid], hub), pol(ts, fee_base_msat=1000 + ts))
        _same_lists(g, _rebuilt(g))
    ih = g.index_of(hub)
    assert ih is not None
    assert sorted(e[E_KEY] for e in order.edges[ih]) == sorted(e[E_KEY] for e in g.adj.ins[ih])
    assert sorted(order.edges[ih], key=lambda e: e[E_KEY]) == sorted(g.adj.ins[ih], key=lambda e: e[E_KEY])
    g.remove_channel(20)
    _same_lists(g, _rebuilt(g))
    assert len(g.adj.ins[ih]) == len(order.edges[ih]) == 39


def _rebuilt(g: Graph) -> Graph:
    return Graph.from_rows(g.to_rows())


def _same_lists(g: Graph, h: Graph) -> None:
    for nid in g.node_ids:
        i, j = g.index_of(nid), h.index_of(nid)
        assert i is not None
        if j is None:
            assert not g.adj.ins[i] and not g.adj.outs[i]
            continue
        hi = sorted(((g.index_of(h.node_ids[e[0]]), *e[1:]) for e in h.adj.ins[j]), key=lambda e: e[E_KEY])
        assert sorted(g.adj.ins[i], key=lambda e: e[E_KEY]) == hi
        assert [e[E_MAX] for e in g.adj.ins[i]] == sorted((e[E_MAX] for e in g.adj.ins[i]), reverse=True)
        ho = sorted(((g.index_of(h.node_ids[e[0]]), *e[1:]) for e in h.adj.outs[j]), key=lambda e: e[E_KEY])
        assert sorted(g.adj.outs[i], key=lambda e: e[E_KEY]) == ho
        assert [e[E_MAX] for e in g.adj.outs[i]] == sorted((e[E_MAX] for e in g.adj.outs[i]), reverse=True)


ops = st.lists(
    st.tuples(
        st.sampled_from(["add", "remove", "update", "cap"]),
        st.integers(0, 11),  # scid
        st.integers(0, 5),
        st.integers(0, 5),
        st.integers(0, 1),
        st.integers(1, 50),
        st.booleans(),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(ops)
def test_incremental_lists_match_a_rebuild(seq):
    g = Graph()
    order = cost_order(g, 10_000, DEFAULT_PARAMS)  # a lazy order, kept current too
    for ts, (op, scid, a, b, d, v, flag) in enumerate(seq, 1):
        if op == "add" and a != b:
            n1, n2 = sorted((node_id(a), node_id(b)))
            g.add_channel(scid, n1, n2, None if flag else v * 1000)
        elif op == "remove":
            g.remove_channel(scid)
        elif op == "update":
            # (many equal maxima when `flag`: an edge is found among the edges of its maximum)
            most = (v % 3 + 1) * 100_000 if flag else v * 100_000
            g.update_policy(scid, d, pol(ts, fee_base_msat=v, htlc_maximum_msat=most, disabled=flag and v % 5 == 0))
        elif op == "cap":
            g.set_capacity(scid, v * 1000)
    h = _rebuilt(g)
    _same_lists(g, h)
    for i, lst in enumerate(g.adj.ins):
        assert sorted(e[E_KEY] for e in order.edges[i]) == sorted(e[E_KEY] for e in lst)
        assert list(order.ranks[i]) == sorted(order.ranks[i])
        assert list(order.ranks[i]) == [order.rank(e) for e in order.edges[i]]
