"""Synthetic channel graphs for tests and benchmarks, and a describegraph exporter.

`random_graph` grows a graph by preferential attachment (a new channel's ends are picked
with probability growing with their degree), which gives the hubs-and-leaves shape of
the Lightning Network: a few nodes with hundreds of channels, most with one or two.
Capacities are log-uniform, fee policies drawn from mainnet-like choices, and some
directions are disabled or missing. Deterministic for a given seed.
"""

from __future__ import annotations

import math
import random
from typing import Any

from amiko.routing.graph import ChannelInfo, Graph, NodeInfo, Policy


def node_id(i: int) -> bytes:
    """A 33-byte id that sorts like `i` (not a real point: the graph does not care)."""
    return b"\x02" + i.to_bytes(32, "big")


def random_policy(rnd: random.Random, capacity_sat: int, timestamp: int, disabled_fraction: float = 0.05) -> Policy:
    base = rnd.choice((0, 0, 1000, 1000, 1000, rnd.randrange(0, 5000)))
    ppm = int(math.exp(rnd.uniform(0, math.log(3000))))
    cltv = rnd.choice((18, 34, 40, 40, 72, 80, 80, 144))
    hmin = rnd.choice((1, 1000, 1000, 1000))
    hmax = capacity_sat * 1000 if rnd.random() < 0.6 else capacity_sat * 1000 * rnd.randrange(10, 100) // 100
    return Policy(base, ppm, cltv, hmin, max(hmax, hmin), rnd.random() < disabled_fraction, timestamp)


def random_graph(
    n_nodes: int,
    n_channels: int,
    seed: int = 0,
    *,
    disabled_fraction: float = 0.05,
    missing_fraction: float = 0.03,
    min_capacity_sat: int = 20_000,
    max_capacity_sat: int = 20_000_000,
    timestamp: int = 1_700_000_000,
) -> Graph:
    rnd = random.Random(seed)
    pool: list[int] = []  # every channel end once: picking from it is degree-biased
    pairs: list[tuple[int, int]] = []
    # A preferential-attachment tree first (connected, many leaves), then extra channels
    # whose ends are both picked by degree.
    for i in range(1, n_nodes):
        j = rnd.choice(pool) if pool and rnd.random() < 0.8 else rnd.randrange(i)
        pairs.append((j, i))
        pool.extend((i, j))
    while len(pairs) < n_channels:
        a = rnd.choice(pool) if rnd.random() < 0.9 else rnd.randrange(n_nodes)
        b = rnd.choice(pool)
        if a != b:
            pairs.append((a, b))
            pool.extend((a, b))
    channels: list[ChannelInfo] = []
    block = 600_000
    for k, (a, b) in enumerate(pairs[:n_channels]):
        cap = int(math.exp(rnd.uniform(math.log(min_capacity_sat), math.log(max_capacity_sat))))
        n1, n2 = sorted((node_id(a), node_id(b)))
        scid = (block + k) << 40 | rnd.randrange(1, 3000) << 16 | rnd.randrange(0, 4)
        pols = [
            None if rnd.random() < missing_fraction else random_policy(rnd, cap, timestamp - rnd.randrange(0, 86400), disabled_fraction)
            for _ in range(2)
        ]
        channels.append(ChannelInfo(scid, n1, n2, cap, False, b"", pols[0], pols[1]))
    g = Graph()
    g.bulk_load(channels, (NodeInfo(node_id(i), timestamp, b"", f"node{i}") for i in range(n_nodes)))
    return g


def to_describegraph(graph: Graph) -> dict[str, Any]:
    """The graph in the shape of LND's `lncli describegraph` (strings for u64s)."""

    def pol(p: Policy | None) -> dict[str, Any] | None:
        if p is None:
            return None
        return {
            "time_lock_delta": p.cltv_expiry_delta,
            "min_htlc": str(p.htlc_minimum_msat),
            "fee_base_msat": str(p.fee_base_msat),
            "fee_rate_milli_msat": str(p.fee_proportional_millionths),
            "disabled": p.disabled,
            "max_htlc_msat": str(p.htlc_maximum_msat),
            "last_update": p.timestamp,
        }

    nodes = []
    for nid in graph.nodes():
        info = graph.node(nid)
        entry: dict[str, Any] = {"pub_key": nid.hex(), "alias": "", "addresses": []}
        if info is not None:
            entry["alias"] = info.alias
            entry["addresses"] = list(info.addresses)
            entry["last_update"] = info.timestamp
        nodes.append(entry)
    edges = []
    for ch in graph.channels():
        edges.append(
            {
                "channel_id": str(ch.scid),
                "node1_pub": ch.node1.hex(),
                "node2_pub": ch.node2.hex(),
                "capacity": str(ch.capacity_sat or 0),
                "node1_policy": pol(ch.policy1),
                "node2_policy": pol(ch.policy2),
            }
        )
    return {"nodes": nodes, "edges": edges}
