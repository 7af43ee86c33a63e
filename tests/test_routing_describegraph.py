"""Importing LND's `lncli describegraph` JSON.

The fixture `vectors/routing_describegraph_small.json` is a synthetic graph
(`amiko.routing.synthetic.random_graph(100, 250, seed=7)` exported with
`to_describegraph`) edited to carry what real dumps carry: `short_channel_id` strings,
LND's inbound fee fields, LND's address objects, colours and feature maps on three nodes,
one policy with JSON numbers instead of strings, one edge with a bad node id and one
policy with a negative fee (both must be skipped).
"""

from __future__ import annotations

import gzip
import json
import pathlib

from amiko.routing.describegraph import graph_from_describegraph, read_describegraph
from amiko.routing.pathfinding import find_route
from amiko.routing.route import check_route
from amiko.routing.synthetic import random_graph, to_describegraph

FIXTURE = pathlib.Path(__file__).parent / "vectors" / "routing_describegraph_small.json"


def test_fixture_import():
    g, stats = read_describegraph(FIXTURE)
    assert stats.channels == 250 and stats.skipped_channels == 1
    assert stats.policies == 487 and stats.skipped_policies == 1
    assert stats.nodes == g.num_nodes == 100
    assert all(ch.unverified for ch in g.channels())
    # node1_policy is what node1 announced: direction 0.
    ch = g.channel(659706976757940227)
    assert ch is not None and ch.capacity_sat == 52862
    p1, p2 = ch.policy1, ch.policy2
    assert p1 is not None and p2 is not None
    assert (p1.fee_base_msat, p1.fee_proportional_millionths, p1.cltv_expiry_delta) == (1000, 407, 80)
    assert (p1.htlc_minimum_msat, p1.htlc_maximum_msat, p1.timestamp) == (1, 18_501_700, 1699956573)
    assert p2.fee_proportional_millionths == 1 and p2.htlc_maximum_msat == 52_862_000
    assert g.policy_from(659706976757940227, ch.node1) == p1
    bad = g.channel(659709175861870594)
    assert bad is not None and bad.policy1 is None  # the negative fee: skipped
    # LND's node shape: address objects, colour, feature map -> BOLT 9 bitfield.
    nodes = json.loads(FIXTURE.read_text())["nodes"]
    n0 = g.node(bytes.fromhex(nodes[0]["pub_key"]))
    assert n0 is not None
    assert n0.addresses == ("10.0.0.0:9735", "xyz.onion:9735")
    assert n0.rgb_color == bytes.fromhex("3399ff")
    assert int.from_bytes(n0.features, "big") == (1 << 0) | (1 << 14) | (1 << 17)
    assert g.node(bytes.fromhex(nodes[5]["pub_key"])).alias == "node5"  # type: ignore[union-attr]


def test_gzip_and_routes_on_the_import(tmp_path):
    path = tmp_path / "graph.json.gz"
    path.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    g, stats = read_describegraph(path)
    assert stats.channels == 250
    nodes = sorted(g.nodes())
    found = 0
    for i in range(0, 100, 7):
        r = find_route(g, nodes[i], nodes[-1 - i], 50_000_000, current_height=800_000)
        if r is not None:
            found += 1
            assert check_route(g, r, 50_000_000, 18, 800_000) == []
    assert found > 5


def test_export_import_round_trip():
    g = random_graph(60, 200, seed=3)
    h, stats = graph_from_describegraph(to_describegraph(g))
    assert stats.skipped_channels == 0 and stats.skipped_policies == 0
    for ch in g.channels():
        other = h.channel(ch.scid)
        assert other is not None
        assert (other.node1, other.node2, other.capacity_sat) == (ch.node1, ch.node2, ch.capacity_sat)
        assert (other.policy1, other.policy2) == (ch.policy1, ch.policy2)


def test_node_order_is_fixed_when_a_dump_swaps_it():
    g = random_graph(10, 20, seed=1)
    d = to_describegraph(g)
    e = d["edges"][0]
    e["node1_pub"], e["node2_pub"] = e["node2_pub"], e["node1_pub"]
    e["node1_policy"], e["node2_policy"] = e["node2_policy"], e["node1_policy"]
    h, _ = graph_from_describegraph(d)
    scid = int(e["channel_id"])
    ch, orig = h.channel(scid), g.channel(scid)
    assert ch is not None and orig is not None
    assert (ch.node1, ch.node2, ch.policy1, ch.policy2) == (orig.node1, orig.node2, orig.policy1, orig.policy2)


def test_malformed_input_is_skipped_not_fatal():
    d = {
        "nodes": [{"pub_key": "nothex"}, {"alias": "no key"}, 5],
        "edges": [
            {"channel_id": "abc", "node1_pub": "02" * 33, "node2_pub": "03" * 33, "capacity": "1"},
            {"channel_id": "5", "node1_pub": "02" * 33, "node2_pub": "02" * 33, "capacity": "1"},
            {"channel_id": str(1 << 64), "node1_pub": "02" * 33, "node2_pub": "03" * 33, "capacity": "1"},
            {"channel_id": "6", "node1_pub": "02" * 33, "node2_pub": "03" * 33, "capacity": "0",
             "node1_policy": {"time_lock_delta": 70000, "min_htlc": "1", "fee_base_msat": "1",
                              "fee_rate_milli_msat": "1", "max_htlc_msat": "5", "disabled": False},
             "node2_policy": {"time_lock_delta": 40, "min_htlc": "1", "fee_base_msat": "1",
                              "fee_rate_milli_msat": "1", "max_htlc_msat": "5", "disabled": "no"}},
        ],
    }
    g, stats = graph_from_describegraph(d)
    assert stats.channels == 1 and stats.skipped_channels == 3 and stats.skipped_policies == 2
    ch = g.channel(6)
    assert ch is not None and ch.capacity_sat is None and ch.policy1 is None and ch.policy2 is None
