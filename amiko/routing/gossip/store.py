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
from amiko.store.sqlite import Store

_U64 = 1 << 64
_I64 = 1 << 63


def to_i64(x: int) -> int:
    """A u64 as SQLite's signed 64-bit integer (two's complement)."""
    return x - _U64 if x >= _I64 else x


def to_u64(x: int) -> int:
    return x + _U64 if x < 0 else x


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
        """Fill `graph` (normally empty) with the stored channels, policies and nodes."""
        pol: dict[int, list[Policy | None]] = {}
        raws: dict[int, list[bytes | None]] = {}
        for scid, d, base, ppm, delta, hmin, hmax, disabled, ts, raw in self._rows(
                "SELECT scid, direction, fee_base_msat, fee_ppm, cltv_delta, htlc_min_msat, "
                "htlc_max_msat, disabled, timestamp, raw FROM gossip_updates"):
            slot = pol.get(scid)
            if slot is None:
                slot = pol[scid] = [None, None]
                raws[scid] = [None, None]
            slot[d] = Policy(base, ppm, delta, hmin if hmin >= 0 else hmin + _U64,
                             hmax if hmax >= 0 else hmax + _U64, bool(disabled), ts)
            raws[scid][d] = raw
        loaded = LoadedGossip()
        chans = loaded.chans
        no_pol: list[Policy | None] = [None, None]
        no_raw: list[bytes | None] = [None, None]

        def channels() -> Iterator[ChannelInfo]:
            for (scid, n1, n2, cap, feat, ann, txid, unverified, added_at, spent) in self._rows(
                    "SELECT scid, node1, node2, capacity_sat, features, announcement, funding_txid, "
                    "unverified, added_at, spent_height FROM gossip_channels"):
                p1, p2 = pol.get(scid, no_pol)
                u1, u2 = raws.get(scid, no_raw)
                key = scid if scid >= 0 else scid + _U64
                chans[key] = ChanRec(ann, added_at, u1, u2, txid, spent)
                yield ChannelInfo(key, n1, n2, cap, bool(unverified), feat, p1, p2)

        def nodes() -> Iterator[NodeInfo]:
            for nid, ts, feat, alias, rgb, addrs, raw in self._rows(
                    "SELECT node_id, timestamp, features, alias, rgb, addresses, raw FROM gossip_nodes"):
                if isinstance(raw, bytes):
                    loaded.node_raw[nid] = raw
                yield NodeInfo(nid, ts, feat, alias, rgb, tuple(addrs.split()) if addrs else ())

        graph.bulk_load(channels(), nodes())
        for scid in [s for s in chans if graph.channel(s) is None]:
            del chans[scid]  # bulk_load skipped it (already known, or bad node order)
        for nid in [n for n in loaded.node_raw if graph.node(n) is None]:
            del loaded.node_raw[nid]
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
