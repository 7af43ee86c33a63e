"""Upkeep of the gossiper's state: pruning stale channels, and the rows that changed since
the last write. Functions over a `Gossiper` (its methods of the same names call them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from amiko.routing.gossip.records import GossipWrites

if TYPE_CHECKING:
    from amiko.routing.gossip.gossiper import Gossiper


def prune_stale(g: Gossiper, now: float) -> list[int]:
    """Forget channels whose older direction has not been updated for two weeks (our own
    channels excepted: `OwnChannelAnnouncer.refresh_updates` keeps our side fresh). A
    channel without any update counts from when we accepted it; an imported one from when
    it was imported.

    # BOLT #7: if the `timestamp` of the latest `channel_update` in either direction is
    # older than two weeks (1209600 seconds): MAY prune the channel.
    """
    cutoff = now - g.config.stale_seconds
    stale = []
    for ch in g.graph.channels():
        if g.is_own(ch.node1) or g.is_own(ch.node2):
            continue
        rec = g.chans.get(ch.scid)
        stamps = [p.timestamp for p in (ch.policy1, ch.policy2) if p is not None]
        if rec is not None:
            if rec.imported:
                stamps = [max(s, rec.added_at) for s in stamps]
            if not stamps:
                stamps = [rec.added_at]
        if stamps and min(stamps) < cutoff:
            stale.append(ch.scid)
    for scid in stale:
        g.forget_channel(scid)
    return stale


def take_writes(g: Gossiper) -> GossipWrites:
    """What changed since the last call, as rows (`GossipStore.apply`)."""
    w = GossipWrites()
    for scid in g.dirty_chans:
        ch = g.graph.channel(scid)
        rec = g.chans.get(scid)
        if ch is None:
            w.deleted_channels.append(scid)
            continue
        w.channels.append((
            scid, ch.node1, ch.node2, ch.capacity_sat, ch.features,
            None if rec is None else rec.ann, None if rec is None else rec.txid,
            int(ch.unverified), 0 if rec is None else rec.added_at,
            None if rec is None else rec.spent_height,
        ))
        g.dirty_upds.update(((scid, 0), (scid, 1)))
    for scid, d in g.dirty_upds:
        ch = g.graph.channel(scid)
        p = None if ch is None else ch.policy(d)
        if p is None:
            continue
        rec = g.chans.get(scid)
        w.updates.append((
            scid, d, p.fee_base_msat, p.fee_proportional_millionths, p.cltv_expiry_delta,
            p.htlc_minimum_msat, p.htlc_maximum_msat, int(p.disabled), p.timestamp,
            None if rec is None else rec.upd(d),
        ))
    for nid in g.dirty_nodes:
        info = g.graph.node(nid)
        if info is None:
            w.deleted_nodes.append(nid)
            continue
        w.nodes.append((
            nid, info.timestamp, info.features, info.alias, info.rgb_color,
            " ".join(info.addresses), g.node_raw.get(nid),
        ))
    g.dirty_chans, g.dirty_upds, g.dirty_nodes = set(), set(), set()
    return w
