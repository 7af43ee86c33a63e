"""What the gossiper keeps per channel besides the graph, and the rows it hands to storage.

The graph (`amiko.routing.graph.Graph`) holds what pathfinding needs. The gossiper adds,
per channel, the raw signed messages (to relay them and to answer queries byte for byte),
the funding outpoint (to notice the close), and a few flags. A channel that is in the
graph without a record here came from elsewhere (an import): it is never relayed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class ChanRec:
    ann: bytes | None  # raw channel_announcement (type included); None: imported, never relayed
    added_at: int  # unix time we accepted (or imported) the channel
    upd1: bytes | None = None  # raw latest channel_update of node_id_1, if forwardable
    upd2: bytes | None = None
    txid: bytes | None = None  # funding transaction (internal byte order), once verified
    spent_height: int | None = None  # block that spent the funding output
    relayed: bool = False  # the announcement went into the relay buffer (it had an update)

    @property
    def imported(self) -> bool:
        return self.ann is None

    def upd(self, direction: int) -> bytes | None:
        return self.upd1 if direction == 0 else self.upd2

    def set_upd(self, direction: int, raw: bytes | None) -> None:
        if direction == 0:
            self.upd1 = raw
        else:
            self.upd2 = raw


@dataclass(slots=True)
class LoadedGossip:
    """What `GossipStore.load` gives the gossiper (the graph itself is filled in place)."""

    chans: dict[int, ChanRec] = field(default_factory=dict)
    node_raw: dict[bytes, bytes] = field(default_factory=dict)


# Rows for storage. Integers are Python ints; the store maps u64s to SQLite's i64.
# channel: scid, node1, node2, capacity_sat, features, announcement, funding_txid,
#          unverified, added_at, spent_height
ChannelWrite = tuple[int, bytes, bytes, int | None, bytes, bytes | None, bytes | None, int, int, int | None]
# update: scid, direction, fee_base, ppm, cltv_delta, htlc_min, htlc_max, disabled, timestamp, raw
UpdateWrite = tuple[int, int, int, int, int, int, int, int, int, bytes | None]
# node: node_id, timestamp, features, alias, rgb, addresses (space separated), raw
NodeWrite = tuple[bytes, int, bytes, str, bytes, str, bytes | None]


@dataclass(slots=True)
class GossipWrites:
    channels: list[ChannelWrite] = field(default_factory=list)
    updates: list[UpdateWrite] = field(default_factory=list)
    nodes: list[NodeWrite] = field(default_factory=list)
    deleted_channels: list[int] = field(default_factory=list)
    deleted_updates: list[tuple[int, int]] = field(default_factory=list)
    deleted_nodes: list[bytes] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.channels or self.updates or self.nodes or self.deleted_channels
            or self.deleted_updates or self.deleted_nodes
        )
