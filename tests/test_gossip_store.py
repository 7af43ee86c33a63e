"""Gossip storage: the raw messages survive a restart byte for byte, deletions follow the
graph, u64 extremes fit SQLite, 50,000 channels load back into a Graph in well under two
seconds; graph dumps are imported unverified and never relayed; JSON views."""

from __future__ import annotations

import gzip
import json
import os
import time
from pathlib import Path

from amiko.bitcoin.networks import REGTEST
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn
from amiko.link.features import Features
from amiko.routing.gossip.gossiper import GossipConfig, Gossiper, Send
from amiko.routing.gossip.importer import import_describegraph
from amiko.routing.gossip.queries import encode_short_ids
from amiko.routing.gossip.records import GossipWrites
from amiko.routing.gossip.relay import RawMessage
from amiko.routing.gossip.store import GossipStore
from amiko.routing.gossip.synth import FakeChain, SynthChannel, SynthNode
from amiko.routing.gossip.validation import Action
from amiko.routing.gossip.views import list_channels, list_nodes, route_json
from amiko.routing.graph import Graph
from amiko.routing.route import Route, RouteHop
from amiko.store.sqlite import Store
from amiko.wire.messages import GossipTimestampFilter, QueryShortChannelIds, ReplyShortChannelIdsEnd
from amiko.wire.types import scid_from_parts

CHAIN = REGTEST.chain_hash
NOW = 1_700_000_000
PEER = SynthNode.make("store peer").node_id


def populated() -> tuple[Gossiper, list[SynthChannel], list[SynthNode]]:
    nodes = [SynthNode.make(f"store {i}") for i in range(4)]
    g = Gossiper(GossipConfig(CHAIN), Graph())
    chain = FakeChain()
    chans = [SynthChannel.make(CHAIN, scid_from_parts(700 + i, i, 0), nodes[i], nodes[(i + 1) % 4],
                               capacity_sat=100_000 * (i + 1)) for i in range(4)]
    chain.add(chans)
    for ch in chans:
        assert g.handle(PEER, ch.announcement, NOW).action is Action.PENDING
    chain.answer(g, g.take_outputs(), NOW)
    for ch in chans:
        assert g.handle(PEER, ch.update(ch.a, NOW, fee_base_msat=11), NOW).accepted
    assert g.handle(PEER, chans[0].update(chans[0].b, NOW), NOW).accepted
    for nd in nodes[:3]:
        assert g.handle(PEER, nd.node_announcement(NOW, f"n{nd.node_id[1]}"), NOW).accepted
    return g, chans, nodes


def test_restart_keeps_everything_byte_for_byte(tmp_path: Path) -> None:
    path = str(tmp_path / "db.sqlite")
    g, chans, nodes = populated()
    store = Store(path)
    gs = GossipStore(store)
    gs.apply(g.take_writes())
    assert gs.counts() == (4, 5, 3)
    assert not g.take_writes()  # nothing dirty any more
    store.close()

    store = Store(path)
    graph = Graph()
    loaded = GossipStore(store).load(graph)
    g2 = Gossiper(GossipConfig(CHAIN), graph, loaded)
    assert sorted(graph.channels(), key=lambda c: c.scid) == sorted(g.graph.channels(), key=lambda c: c.scid)
    assert {n: graph.node(n) for n in graph.nodes()} == {n: g.graph.node(n) for n in g.graph.nodes()}
    for scid, rec in g.chans.items():
        rec2 = g2.chans[scid]
        assert (rec2.ann, rec2.upd1, rec2.upd2, rec2.txid, rec2.added_at) == (
            rec.ann, rec.upd1, rec.upd2, rec.txid, rec.added_at)
        assert rec2.relayed
    assert g2.node_raw == g.node_raw
    # the restarted node answers queries with the very same bytes
    for who in (g, g2):
        who.peer_connected(PEER, Features.of("gossip_queries"), NOW)
        who.take_outputs()
        who.handle(PEER, QueryShortChannelIds(CHAIN, encode_short_ids(sorted(c.scid for c in chans))), NOW)
    a = [o.msg.encode() for o in g.take_outputs() if isinstance(o, Send)]
    b = [o.msg.encode() for o in g2.take_outputs() if isinstance(o, Send)]
    assert a == b and len(a) == 4 + 5 + 3 + 1
    assert a[-1] == ReplyShortChannelIdsEnd(CHAIN, 1).encode()
    # a spent channel is remembered as spent; a forgotten one is deleted
    spend = Transaction(inputs=(TxIn(OutPoint(chans[1].facts().txid, 0)),))
    assert g2.block_connected(900, [spend]) == [chans[1].scid]
    g2.forget_channel(chans[2].scid)
    w = g2.take_writes()
    assert w.deleted_channels == [chans[2].scid]
    GossipStore(store).apply(w)
    graph3 = Graph()
    loaded3 = GossipStore(store).load(graph3)
    assert loaded3.chans[chans[1].scid].spent_height == 900
    assert chans[2].scid not in graph3
    g3 = Gossiper(GossipConfig(CHAIN), graph3, loaded3)
    assert g3.spent == {chans[1].scid: 900}
    assert chans[1].scid not in g3.public_scids()
    store.close()


def test_u64_extremes(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "db.sqlite"))
    big = (1 << 64) - 1
    scid = (1 << 63) + 5
    n1, n2 = sorted((SynthNode.make("u1").node_id, SynthNode.make("u2").node_id))
    w = GossipWrites(
        channels=[(scid, n1, n2, None, b"", None, None, 1, NOW, None)],
        updates=[(scid, 0, 0, 0, 0, big, big, 0, NOW, None)],
    )
    GossipStore(store).apply(w)
    graph = Graph()
    GossipStore(store).load(graph)
    ch = graph.channel(scid)
    assert ch is not None and ch.policy1 is not None
    assert ch.policy1.htlc_minimum_msat == big == ch.policy1.htlc_maximum_msat


def synthetic_writes(n_channels: int, n_nodes: int) -> GossipWrites:
    """Rows shaped like mainnet's: raw blobs of the real sizes (not signed: the store does
    not look inside)."""
    ids = sorted(bytes((2,)) + os.urandom(32) for _ in range(n_nodes))
    w = GossipWrites()
    ann = os.urandom(432)
    for i in range(n_channels):
        a, b = (i * 7919) % n_nodes, (i * 104729 + 1) % n_nodes
        if a == b:
            b = (b + 1) % n_nodes
        n1, n2 = sorted((ids[a], ids[b]))
        scid = scid_from_parts(500_000 + i // 4, i % 4000, i % 3)
        w.channels.append((scid, n1, n2, 100_000 + i, b"", ann, os.urandom(32), 0, NOW, None))
        for d in (0, 1):
            w.updates.append((scid, d, 1000, 100 + i % 500, 40, 1000, 990_000_000, 0, NOW + i % 1000,
                              os.urandom(138)))
    for nid in ids:
        w.nodes.append((nid, NOW, b"\x02\x00", "some alias", b"\x01\x02\x03", "1.2.3.4:9735", os.urandom(150)))
    return w


def test_fifty_thousand_channels_load_fast(tmp_path: Path) -> None:
    path = str(tmp_path / "big.sqlite")
    store = Store(path)
    w = synthetic_writes(50_000, 12_000)
    t0 = time.perf_counter()
    GossipStore(store).apply(w)
    t_write = time.perf_counter() - t0
    store.close()
    store = Store(path)
    graph = Graph()
    t0, c0 = time.perf_counter(), time.process_time()
    loaded = GossipStore(store).load(graph)
    t_load, c_load = time.perf_counter() - t0, time.process_time() - c0
    size = os.path.getsize(path)
    print(f"\nstore: wrote 50,000 channels / 100,000 updates / 12,000 nodes in {t_write:.2f} s; "
          f"loaded into a Graph in {t_load:.2f} s ({c_load:.2f} s CPU); database {size / 1e6:.0f} MB")
    assert graph.num_channels == 50_000 and len(loaded.chans) == 50_000
    assert sum(1 for ch in graph.channels() if ch.policy1 and ch.policy2) == 50_000
    assert len(loaded.node_raw) == graph.num_nodes
    # CPU time: on a shared machine the wall clock also counts other processes' work
    assert c_load < 2.0
    sample = w.channels[12345]
    ch = graph.channel(sample[0])
    assert ch is not None and (ch.node1, ch.node2, ch.capacity_sat) == sample[1:4]
    assert loaded.chans[sample[0]].ann == sample[5]
    store.close()


def describegraph(tmp_path: Path, nodes: list[SynthNode], chans: list[SynthChannel]) -> Path:
    data = {
        "nodes": [{"pub_key": n.node_id.hex(), "alias": f"dump-{i}", "last_update": NOW - 100,
                   "addresses": [{"network": "tcp", "addr": "10.0.0.1:9735"}]} for i, n in enumerate(nodes)],
        "edges": [{
            "channel_id": str(ch.scid), "capacity": str(ch.capacity_sat),
            "node1_pub": ch.announcement.node_id_1.hex(), "node2_pub": ch.announcement.node_id_2.hex(),
            "node1_policy": {"time_lock_delta": 40, "min_htlc": "1000", "max_htlc_msat": "500000000",
                             "fee_base_msat": "1000", "fee_rate_milli_msat": "10", "disabled": False,
                             "last_update": NOW - 100},
            "node2_policy": None,
        } for ch in chans],
    }
    p = tmp_path / "graph.json.gz"
    with gzip.open(p, "wt") as f:
        json.dump(data, f)
    return p


def test_import_describegraph(tmp_path: Path) -> None:
    nodes = [SynthNode.make(f"dump {i}") for i in range(3)]
    chans = [SynthChannel.make(CHAIN, scid_from_parts(710, i, 0), nodes[i], nodes[(i + 1) % 3]) for i in range(3)]
    path = describegraph(tmp_path, nodes, chans)
    store = Store(str(tmp_path / "db.sqlite"))
    gs = GossipStore(store)
    g = Gossiper(GossipConfig(CHAIN), Graph())
    result = import_describegraph(path, g.graph, gs, gossiper=g, now=NOW)
    assert (result.channels, result.known, result.nodes) == (3, 0, 3)
    for ch in chans:
        info = g.graph.channel(ch.scid)
        assert info is not None and info.unverified and info.policy1 is not None
    assert g.public_scids() == []  # never relayed nor served
    again = import_describegraph(path, g.graph, gs, gossiper=g, now=NOW)
    assert (again.channels, again.known) == (0, 3)
    # stored as imported; a restart keeps them unverified
    graph2 = Graph()
    loaded = gs.load(graph2)
    assert all(graph2.channel(c.scid).unverified for c in chans)  # type: ignore[union-attr]
    assert all(loaded.chans[c.scid].imported for c in chans)
    # an update for an imported channel is taken for routing, not relayed
    g.peer_connected(PEER, Features.of("gossip_queries"), NOW)
    g.handle(PEER, GossipTimestampFilter(CHAIN, 0, 0xFFFFFFFF), NOW)
    g.take_outputs()
    assert g.handle(PEER, chans[0].update(chans[0].b, NOW), NOW).accepted
    assert len(g.relay) == 0
    # a real announcement verifies an imported channel
    chain = FakeChain()
    chain.add(chans[:1])
    assert g.handle(PEER, chans[0].announcement, NOW).action is Action.PENDING
    chain.answer(g, g.take_outputs(), NOW)
    info = g.graph.channel(chans[0].scid)
    assert info is not None and not info.unverified and info.policy1 is not None
    assert g.public_scids() == [chans[0].scid]
    # stale pruning counts an imported channel from its import
    assert g.prune_stale(NOW + 1_209_600 - 10) == []
    assert sorted(g.prune_stale(NOW + 1_209_600 + 10)) == sorted(c.scid for c in chans)
    store.close()


def test_json_views() -> None:
    g, chans, nodes = populated()
    rows = list_channels(g.graph, g.chans)
    assert [r["scid"] for r in rows] == sorted(c.scid for c in chans)
    r0 = rows[0]
    assert r0["short_channel_id"] == "700x0x0" and r0["capacity_sat"] == 100_000 and r0["verified"]
    assert r0["announced"] and r0["node1_policy"] is not None and r0["node2_policy"] is not None
    one_ch = list_channels(g.graph, g.chans, scid=chans[1].scid)
    assert len(one_ch) == 1 and [one_ch[0]["node1_policy"], one_ch[0]["node2_policy"]].count(None) == 1
    assert len(list_channels(g.graph, g.chans, node_id=nodes[0].node_id)) == 2
    json.dumps(rows)
    ns = list_nodes(g.graph)
    assert len(ns) == 4 and sum(1 for n in ns if "alias" in n) == 3
    one = list_nodes(g.graph, nodes[0].node_id)[0]
    assert one["num_channels"] == 2 and one["color"] == "#000000" and one["features"]["hex"] == ""
    json.dumps(ns)
    route = Route(nodes[0].node_id, (RouteHop(nodes[1].node_id, chans[0].scid, 1011, 140, 11, 40),
                                     RouteHop(nodes[2].node_id, chans[1].scid, 1000, 100, 0, 18)), 0.9)
    rj = route_json(route)
    assert rj["total_fee_msat"] == 11 and rj["hops"][0]["short_channel_id"] == "700x0x0"
    json.dumps(rj)
    assert isinstance(RawMessage(b"\x01\x02").TYPE, int)
