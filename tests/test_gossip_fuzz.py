"""Property tests: whatever a peer sends, the gossip decoders raise only their own errors,
the gossiper never raises, and unsigned junk never changes the graph."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amiko.bitcoin.networks import REGTEST
from amiko.link.features import Features
from amiko.routing.gossip.addresses import parse_addresses
from amiko.routing.gossip.gossiper import GossipConfig, Gossiper, Send
from amiko.routing.gossip.queries import (
    QueryEncodingError,
    decode_query_flags,
    decode_short_ids,
    decode_timestamps,
)
from amiko.routing.gossip.synth import FakeChain, SynthChannel, SynthNode
from amiko.routing.gossip.validation import Action
from amiko.routing.graph import Graph
from amiko.wire.errors import DecodeError
from amiko.wire.messages import (
    ChannelAnnouncement,
    ChannelUpdate,
    GossipTimestampFilter,
    NodeAnnouncement,
    QueryChannelRange,
    QueryFlags,
    QueryShortChannelIds,
    QueryShortChannelIdsTlvs,
    ReplyChannelRange,
    ReplyShortChannelIdsEnd,
    TimestampsTlv,
)
from amiko.wire.registry import decode_message
from amiko.wire.types import scid_from_parts

CHAIN = REGTEST.chain_hash
NOW = 1_700_000_000
PEER = SynthNode.make("fuzz peer").node_id
A, B = SynthNode.make("fuzz a"), SynthNode.make("fuzz b")
CH = SynthChannel.make(CHAIN, scid_from_parts(777, 1, 0), A, B)

u8, u16, u32, u64 = (st.integers(0, (1 << n) - 1) for n in (8, 16, 32, 64))
points = st.sampled_from([A.node_id, B.node_id, SynthNode.make("z").node_id])
chains = st.sampled_from([CHAIN, bytes(32)])
scids = st.one_of(st.just(CH.scid), u64)
blobs = st.binary(max_size=80)


def gossiper() -> Gossiper:
    g = Gossiper(GossipConfig(CHAIN), Graph())
    g.peer_connected(PEER, Features.of("gossip_queries", "gossip_queries_ex"), NOW)
    chain = FakeChain()
    chain.add([CH])
    g.handle(PEER, CH.announcement, NOW)
    chain.answer(g, g.take_outputs(), NOW)
    assert g.handle(PEER, CH.update(A, NOW), NOW).accepted
    assert g.handle(PEER, A.node_announcement(NOW, "a"), NOW).accepted
    g.take_outputs()
    return g


messages = st.one_of(
    st.builds(ChannelUpdate, st.binary(min_size=64, max_size=64), chains, scids, u32, u8, u8, u16, u64, u32, u32,
              u64, blobs),
    st.builds(ChannelAnnouncement, *[st.binary(min_size=64, max_size=64)] * 4, blobs, chains, scids, points, points,
              points, points, blobs),
    st.builds(NodeAnnouncement, st.binary(min_size=64, max_size=64), blobs, u32, points,
              st.binary(min_size=3, max_size=3), st.binary(min_size=32, max_size=32), st.binary(max_size=120), blobs),
    st.builds(QueryChannelRange, chains, u32, u32),
    st.builds(ReplyChannelRange, chains, u32, u32, u8, blobs),
    st.builds(QueryShortChannelIds, chains, blobs,
              st.builds(QueryShortChannelIdsTlvs, st.one_of(st.none(), st.builds(QueryFlags, u8, blobs)))),
    st.builds(ReplyShortChannelIdsEnd, chains, u8),
    st.builds(GossipTimestampFilter, chains, u32, u32),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(messages, max_size=8))
def test_gossiper_survives_anything(msgs: list[object]) -> None:
    g = gossiper()
    before = sorted(g.graph.channels(), key=lambda c: c.scid), g.graph.node(A.node_id)
    for m in msgs:
        # through the wire, as a peer would send it
        try:
            data = m.encode()  # type: ignore[attr-defined]
        except Exception:
            continue
        msg = decode_message(data)
        v = g.handle(PEER, msg, NOW)
        assert v.action in Action
        for o in g.take_outputs():
            if isinstance(o, Send):
                o.msg.encode()  # whatever we answer encodes
        g.tick(NOW)
    # nobody but A and B can sign for this channel or node: nothing changed
    assert (sorted(g.graph.channels(), key=lambda c: c.scid), g.graph.node(A.node_id)) == before


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_decoders_raise_only_their_errors(data: bytes) -> None:
    parse_addresses(data)  # never raises
    for fn in (decode_short_ids, lambda d: decode_query_flags(QueryFlags(d[0] if d else 0, d[1:])),
               lambda d: decode_timestamps(TimestampsTlv(d[0] if d else 0, d[1:]))):
        try:
            fn(data)
        except (QueryEncodingError, DecodeError):
            pass
