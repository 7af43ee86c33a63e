"""`importgraph FILE`: take channels and nodes from another node's graph dump.

The dump is read by `amiko.routing.describegraph` (LND's `describegraph` JSON). Imported
channels are `unverified` (nobody checked their funding outputs or signatures) and have no
raw messages, so they are never relayed nor served to queries. Channels already known are
left alone; a real `channel_announcement` arriving later verifies an imported channel.
"""

from __future__ import annotations

import pathlib
import time
from dataclasses import dataclass

from amiko.routing.describegraph import read_describegraph
from amiko.routing.gossip.gossiper import Gossiper
from amiko.routing.gossip.records import ChanRec
from amiko.routing.gossip.store import GossipStore
from amiko.routing.graph import Graph, NodeInfo


@dataclass(frozen=True, slots=True)
class GraphImport:
    channels: int  # added to the graph
    known: int  # already in the graph, left alone
    skipped: int  # malformed in the dump
    nodes: int  # node infos taken


def import_describegraph(
    path: str | pathlib.Path,
    graph: Graph,
    store: GossipStore | None,
    *,
    gossiper: Gossiper | None = None,
    now: int | None = None,
) -> GraphImport:
    """Add the dump's channels that `graph` lacks, persist them (when `store` is given),
    and tell the running `gossiper` about them (when given)."""
    stamp = int(time.time()) if now is None else now
    dump, stats = read_describegraph(path)
    new = [ch for ch in dump.channels() if graph.channel(ch.scid) is None]
    nodes: list[NodeInfo] = []
    for nid in dump.nodes():
        info = dump.node(nid)
        mine = graph.node(nid)
        if info is not None and (mine is None or mine.timestamp < info.timestamp):
            nodes.append(info)
    added = graph.bulk_load(new, nodes)
    taken = [ch for ch in new if graph.channel(ch.scid) is ch]
    taken_nodes = [n for n in nodes if graph.node(n.node_id) is n]
    if store is not None:
        store.save_imported(taken, taken_nodes, stamp)
    if gossiper is not None:
        for ch in taken:
            gossiper.chans[ch.scid] = ChanRec(None, stamp)
    return GraphImport(added, stats.channels - len(new), stats.skipped_channels, len(taken_nodes))
