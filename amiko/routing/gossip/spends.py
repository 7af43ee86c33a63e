"""What the chain says about announced channels: their funding outputs spent in a new
block, spends a reorg took away, and channels forgotten after a spend. Functions over a
`Gossiper` (its methods of the same names call them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from amiko.bitcoin.tx import Transaction
from amiko.routing.gossip.relay import RelayBuffer

if TYPE_CHECKING:
    from amiko.routing.gossip.gossiper import Gossiper


def block_connected(g: Gossiper, height: int, txs: Iterable[Transaction]) -> list[int]:
    """Spends of known funding outputs in a new block; returns the scids spent.

    # BOLT #7: once its funding output has been spent OR reorganized out: SHOULD forget
    # a channel after a 72-block delay. SHOULD NOT rebroadcast this
    # `channel_announcement` to its peers.
    """
    spent = []
    for tx in txs:
        for txin in tx.inputs:
            scid = g.outpoints.get((txin.prevout.txid, txin.prevout.index))
            rec = None if scid is None else g.chans.get(scid)
            if scid is not None and rec is not None and scid not in g.spent:
                spent.append(scid)
                g.spent[scid] = height
                rec.spent_height = height
                g.relay.drop_channel(scid)
                g.scids_changed()
                g.dirty_chans.add(scid)
    for scid, h in list(g.spent.items()):
        if height >= h + g.config.spent_forget_blocks:
            g.forget_channel(scid)
    return spent


def block_disconnected(g: Gossiper, height: int) -> None:
    """A reorg took the block at `height` away: spends seen in it no longer hold, nor do
    the verdicts on scids at or above it."""
    for scid, h in list(g.spent.items()):
        if h >= height:
            del g.spent[scid]
            rec = g.chans.get(scid)
            if rec is not None:
                rec.spent_height = None
                g.dirty_chans.add(scid)
            g.scids_changed()
    for scid in [s for s in g.bad if s >> 40 >= height]:
        del g.bad[scid]


def forget_channel(g: Gossiper, scid: int) -> None:
    """Drop a channel: from the graph, the records, the relay buffer and what waits for it;
    a node left without channels loses its announcement too."""
    ch = g.graph.channel(scid)
    g.graph.remove_channel(scid)
    rec = g.chans.pop(scid, None)
    if rec is not None and rec.txid is not None:
        g.outpoints.pop((rec.txid, scid & 0xFFFF), None)
    g.spent.pop(scid, None)
    g.relay.drop_channel(scid)
    g.held_updates.pop(scid, None)
    g.release_sources.pop(scid, None)
    g.scids_changed()
    g.dirty_chans.add(scid)
    if ch is not None:
        for n in (ch.node1, ch.node2):
            if not g.graph.has_node(n):  # its last channel: the graph dropped its info
                g.node_raw.pop(n, None)
                g.relay.items.pop(RelayBuffer.key_node(n), None)
            g.dirty_nodes.add(n)
