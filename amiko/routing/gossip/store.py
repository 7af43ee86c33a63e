"""The gossip tables (migration 0005_gossip): the graph with its raw signed messages.

`GossipStore.apply(writes)` writes one `Gossiper.take_writes()` batch in one transaction
(one commit, however many rows); call it from a worker thread (`asyncio.to_thread`), the
store serialises access. `GossipStore.load(graph)` fills a graph and returns the
gossiper's records: plain tuples straight from SQLite into `Graph.bulk_load`.

# BOLT #7 (Rebroadcasting): SHOULD update the appropriate metadata AND store the signature
# associated with the announcement. Note: this will later allow the node to rebuild the
# announcement for its peers.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from typing import Any

from amiko.routing.gossip.records import (
    ChannelWrite,
    ChanRec,
    GossipWrites,
    LoadedGossip,
    NodeWrite,
    UpdateWrite,
)
from amiko.routing.graph import ChannelInfo, Graph, NodeInfo, Policy
from amiko.store.sqlite import Store, to_i64

_U64 = 1 << 64  # (`to_u64`, inlined in the loading loop)


_LOAD_SQL = (
    "SELECT c.scid, c.node1, c.node2, c.capacity_sat, c.features, c.announcement, c.funding_txid, "
    "c.unverified, c.added_at, c.spent_height, "
    "u1.fee_base_msat, u1.fee_ppm, u1.cltv_delta, u1.htlc_min_msat, u1.htlc_max_msat, u1.disabled, "
    "u1.timestamp, u1.raw, "
    "u2.fee_base_msat, u2.fee_ppm, u2.cltv_delta, u2.htlc_min_msat, u2.htlc_max_msat, u2.disabled, "
    "u2.timestamp, u2.raw "
    "FROM gossip_channels c "
    "LEFT JOIN gossip_updates u1 ON u1.scid = c.scid AND u1.direction = 0 "
    "LEFT JOIN gossip_updates u2 ON u2.scid = c.scid AND u2.direction = 1"
)
_CHANNEL_SQL = (
    "INSERT OR REPLACE INTO gossip_channels(scid, node1, node2, capacity_sat, features, announcement, "
    "funding_txid, unverified, added_at, spent_height) VALUES (?,?,?,?,?,?,?,?,?,?)"
)
_UPDATE_SQL = (
    "INSERT OR REPLACE INTO gossip_updates(scid, direction, fee_base_msat, fee_ppm, cltv_delta, "
    "htlc_min_msat, htlc_max_msat, disabled, timestamp, raw) VALUES (?,?,?,?,?,?,?,?,?,?)"
)
_NODE_SQL = (
    "INSERT OR REPLACE INTO gossip_nodes(node_id, timestamp, features, alias, rgb, addresses, raw) "
    "VALUES (?,?,?,?,?,?,?)"
)


def _channel_row(c: ChannelWrite) -> tuple[object, ...]:
    return (to_i64(c[0]), *c[1:])


def _update_row(u: UpdateWrite) -> tuple[object, ...]:
    return (to_i64(u[0]), u[1], u[2], u[3], u[4], to_i64(u[5]), to_i64(u[6]), u[7], u[8], u[9])


class GossipStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def apply(self, w: GossipWrites) -> None:
        if not w:
            return
        s = self.store
        with s.transaction():
            if w.deleted_channels:
                gone = [(to_i64(x),) for x in w.deleted_channels]
                s.executemany("DELETE FROM gossip_updates WHERE scid=?", gone)
                s.executemany("DELETE FROM gossip_channels WHERE scid=?", gone)
            if w.deleted_updates:
                s.executemany("DELETE FROM gossip_updates WHERE scid=? AND direction=?",
                              [(to_i64(x), d) for x, d in w.deleted_updates])
            if w.deleted_nodes:
                s.executemany("DELETE FROM gossip_nodes WHERE node_id=?", [(n,) for n in w.deleted_nodes])
            if w.channels:
                s.executemany(_CHANNEL_SQL, [_channel_row(c) for c in w.channels])
            if w.updates:
                s.executemany(_UPDATE_SQL, [_update_row(u) for u in w.updates])
            if w.nodes:
                s.executemany(_NODE_SQL, w.nodes)

    def counts(self) -> tuple[int, int, int]:
        row = self.store.query_one(
            "SELECT (SELECT COUNT(*) FROM gossip_channels), (SELECT COUNT(*) FROM gossip_updates), "
            "(SELECT COUNT(*) FROM gossip_nodes)")
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])

    def _rows(self, sql: str) -> list[tuple[Any, ...]]:
        cur = self.store.execute(sql)
        cur.row_factory = None  # plain tuples: the fastest form sqlite3 gives
        rows: list[tuple[Any, ...]] = cur.fetchall()
        return rows

    def load(self, graph: Graph) -> LoadedGossip:
        """Fill `graph` (normally empty) with the stored channels, policies and nodes.

        One pass over a join (each channel with its two updates), building the graph's
        records directly; the cyclic garbage collector is paused meanwhile (hundreds of
        thousands of new objects, none of them in cycles)."""
        loaded = LoadedGossip()
        chans = loaded.chans
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            rows = self._rows(_LOAD_SQL)

            def channels() -> Iterator[ChannelInfo]:
                for (scid, n1, n2, cap, feat, ann, txid, unverified, added_at, spent,
                     b1, f1, d1, lo1, hi1, x1, t1, r1,
                     b2, f2, d2, lo2, hi2, x2, t2, r2) in rows:
                    if scid < 0:
                        scid += _U64
                    p1 = None if b1 is None else Policy(
                        b1, f1, d1, lo1 if lo1 >= 0 else lo1 + _U64, hi1 if hi1 >= 0 else hi1 + _U64, x1 == 1, t1)
                    p2 = None if b2 is None else Policy(
                        b2, f2, d2, lo2 if lo2 >= 0 else lo2 + _U64, hi2 if hi2 >= 0 else hi2 + _U64, x2 == 1, t2)
                    chans[scid] = ChanRec(ann, added_at, r1, r2, txid, spent)
                    yield ChannelInfo(scid, n1, n2, cap, unverified == 1, feat, p1, p2)

            node_raw = loaded.node_raw

            def nodes() -> Iterator[NodeInfo]:
                for nid, ts, feat, alias, rgb, addrs, raw in self._rows(
                        "SELECT node_id, timestamp, features, alias, rgb, addresses, raw FROM gossip_nodes"):
                    if raw is not None:
                        node_raw[nid] = raw
                    yield NodeInfo(nid, ts, feat, alias, rgb, tuple(addrs.split()) if addrs else ())

            graph.bulk_load(channels(), nodes())
        finally:
            if gc_was_on:
                gc.enable()
        if len(chans) != graph.num_channels:
            for scid in [s for s in chans if graph.channel(s) is None]:
                del chans[scid]  # bulk_load skipped it (already known, or bad node order)
        for nid in [n for n in node_raw if graph.node(n) is None]:
            del node_raw[nid]
        return loaded

    def save_imported(self, channels: Iterable[ChannelInfo], nodes: Iterable[NodeInfo], now: int) -> None:
        """Rows for channels taken from a graph dump: unverified, no raw messages."""
        w = GossipWrites()
        for ch in channels:
            w.channels.append((ch.scid, ch.node1, ch.node2, ch.capacity_sat, ch.features, None, None, 1, now, None))
            for d, p in ((0, ch.policy1), (1, ch.policy2)):
                if p is not None:
                    w.updates.append((ch.scid, d, p.fee_base_msat, p.fee_proportional_millionths,
                                      p.cltv_expiry_delta, p.htlc_minimum_msat, p.htlc_maximum_msat,
                                      int(p.disabled), p.timestamp, None))
        node_rows: list[NodeWrite] = [
            (n.node_id, n.timestamp, n.features, n.alias, n.rgb_color, " ".join(n.addresses), None) for n in nodes
        ]
        w.nodes = node_rows
        self.apply(w)
