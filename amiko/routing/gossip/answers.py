"""The gossiper's answers to a peer's `gossip_timestamp_filter`, `query_channel_range` and
`query_short_channel_ids`, from what it holds (raw messages, byte for byte)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from amiko.routing.gossip.queries import (
    QUERY_ALL,
    QUERY_ANNOUNCEMENT,
    QUERY_NODE_1,
    QUERY_NODE_2,
    QUERY_UPDATE_1,
    QUERY_UPDATE_2,
    QueryEncodingError,
    update_checksum,
)
from amiko.routing.gossip.relay import RawMessage, RelayBuffer, TimestampFilter
from amiko.routing.gossip.sync import decode_scid_query, range_replies
from amiko.routing.gossip.validation import Verdict, accepted, ignored, rejected
from amiko.wire.messages import (
    GossipTimestampFilter,
    QueryChannelRange,
    QueryShortChannelIds,
    ReplyShortChannelIdsEnd,
)

if TYPE_CHECKING:
    from amiko.routing.gossip.gossiper import Gossiper, PeerState

NO_GOSSIP = 0xFFFFFFFF


def answer(g: Gossiper, ps: PeerState, msg: GossipTimestampFilter | QueryChannelRange | QueryShortChannelIds,
           now: float) -> Verdict:
    if isinstance(msg, GossipTimestampFilter):
        return _filter(g, ps, msg, now)
    if isinstance(msg, QueryChannelRange):
        return _channel_range(g, ps, msg, now)
    return _short_channel_ids(g, ps, msg)


def _filter(g: Gossiper, ps: PeerState, msg: GossipTimestampFilter, now: float) -> Verdict:
    """# BOLT #7 (receiver): SHOULD send all gossip messages whose `timestamp` is greater
    # or equal to `first_timestamp`, and less than `first_timestamp` plus
    # `timestamp_range`. MAY wait for the next outgoing gossip flush to send these.
    # Note that this filter replaces any previous one."""
    if msg.chain_hash != g.chain_hash:
        return ignored("unknown chain_hash")
    f = TimestampFilter(msg.first_timestamp, msg.first_timestamp + msg.timestamp_range)
    ps.filter = f
    ps.backlog = None
    if f.end > f.first and f.first < NO_GOSSIP:
        if not g.range_query_limiter.take((ps.peer_id, "filter"), now):
            return accepted("filter set; backlog rate limited")
        ps.backlog = backlog(g, f)
    return accepted()


def backlog(g: Gossiper, f: TimestampFilter) -> Iterator[bytes]:
    """Stored gossip inside the filter, each channel's announcement first, as it stands
    now (what is accepted later is relayed, not part of the backlog; what waits in the
    relay buffer goes out with the next flush).

    # BOLT #7: If a `channel_announcement` has no corresponding `channel_update`s: MUST NOT
    # send the `channel_announcement`. If the funding output of the `channel_announcement`
    # has been spent: SHOULD NOT send the `channel_announcement`.
    """
    out: list[bytes] = []
    queued = g.relay.items
    for scid in g.public_scids():
        rec = g.chans.get(scid)
        ch = g.graph.channel(scid)
        if rec is None or rec.ann is None or rec.spent_height is not None or ch is None:
            continue
        ups = []
        for d in (0, 1):
            raw = rec.upd(d)
            p = ch.policy(d)
            if raw is not None and p is not None and f.contains(p.timestamp):
                item = queued.get(RelayBuffer.key_update(scid, d))
                if item is None or item.raw != raw:
                    ups.append(raw)
        if ups:
            if RelayBuffer.key_announcement(scid) not in queued:
                out.append(rec.ann)
            out += ups
    for nid, raw in g.node_raw.items():
        info = g.graph.node(nid)
        item = queued.get(RelayBuffer.key_node(nid))
        if info is not None and f.contains(info.timestamp) and (item is None or item.raw != raw):
            out.append(raw)
    return iter(out)


def timestamps(g: Gossiper, scid: int) -> tuple[int, int]:
    """# BOLT #7: `timestamp_node_id_1` is the timestamp of the `channel_update` for
    # `node_id_1`, or 0 if there was no `channel_update` from that node."""
    rec = g.chans.get(scid)
    ch = g.graph.channel(scid)
    if rec is None or ch is None:
        return (0, 0)
    p1, p2 = ch.policy1, ch.policy2
    return (
        p1.timestamp if p1 is not None and rec.upd1 is not None else 0,
        p2.timestamp if p2 is not None and rec.upd2 is not None else 0,
    )


def checksums(g: Gossiper, scid: int) -> tuple[int, int]:
    rec = g.chans.get(scid)
    if rec is None:
        return (0, 0)
    return (
        0 if rec.upd1 is None else update_checksum(rec.upd1),
        0 if rec.upd2 is None else update_checksum(rec.upd2),
    )


def _channel_range(g: Gossiper, ps: PeerState, msg: QueryChannelRange, now: float) -> Verdict:
    if msg.chain_hash != g.chain_hash:
        return ignored("query_channel_range for an unknown chain")
    if msg.number_of_blocks == 0:
        # BOLT #7 (sender): MUST set `number_of_blocks` to 1 or greater.
        return rejected("query_channel_range with number_of_blocks 0")
    if not g.range_query_limiter.take(ps.peer_id, now):
        # Each answer walks the whole graph (and CRCs every update when asked): a peer
        # asking again and again only gets a few.
        return ignored("query_channel_range rate limited")
    replies = range_replies(
        g.chain_hash, msg.first_blocknum, msg.number_of_blocks, g.public_scids(),
        chunk=g.config.reply_chunk, query_option=msg.tlvs.query_option or 0,
        timestamps=lambda s: timestamps(g, s), checksums=lambda s: checksums(g, s),
    )
    for r in replies:
        g.send(ps.peer_id, r)
    return accepted()


def _short_channel_ids(g: Gossiper, ps: PeerState, msg: QueryShortChannelIds) -> Verdict:
    if msg.chain_hash != g.chain_hash:
        # BOLT #7: if does not maintain up-to-date channel information for `chain_hash`:
        # MUST set `full_information` to 0.
        g.send(ps.peer_id, ReplyShortChannelIdsEnd(msg.chain_hash, 0))
        return ignored("query_short_channel_ids for an unknown chain")
    try:
        scids, flags = decode_scid_query(msg)
    except QueryEncodingError as exc:
        g.send(ps.peer_id, ReplyShortChannelIdsEnd(g.chain_hash, 0))
        return rejected(str(exc))
    sent_nodes: set[bytes] = set()
    out = ps.peer_id
    for i, scid in enumerate(scids):
        rec = g.chans.get(scid)
        ch = g.graph.channel(scid)
        if rec is None or rec.ann is None or rec.spent_height is not None or ch is None:
            continue
        # BOLT #7: if the incoming message does not include `encoded_query_flags`: with a
        # `channel_announcement` and the latest `channel_update` for each end; MUST follow
        # with any `node_announcement`s for each `channel_announcement`.
        f = QUERY_ALL if flags is None else flags[i]
        if f & QUERY_ANNOUNCEMENT:
            g.send(out, RawMessage(rec.ann))
        if f & QUERY_UPDATE_1 and rec.upd1 is not None:
            g.send(out, RawMessage(rec.upd1))
        if f & QUERY_UPDATE_2 and rec.upd2 is not None:
            g.send(out, RawMessage(rec.upd2))
        for bit, nid in ((QUERY_NODE_1, ch.node1), (QUERY_NODE_2, ch.node2)):
            # BOLT #7: SHOULD avoid sending duplicate `node_announcements` in response to a
            # single `query_short_channel_ids`.
            raw = g.node_raw.get(nid)
            if f & bit and raw is not None and nid not in sent_nodes:
                sent_nodes.add(nid)
                g.send(out, RawMessage(raw))
    # BOLT #7: MUST follow these responses with `reply_short_channel_ids_end`. ... otherwise:
    # SHOULD set `full_information` to 1.
    g.send(out, ReplyShortChannelIdsEnd(g.chain_hash, 1))
    return accepted()
