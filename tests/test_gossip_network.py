"""In-memory gossip networks with explicit delivery: every node ends up with every public
channel and its latest updates (staggered broadcast through timestamp filters), a closed
channel disappears everywhere, and a fresh node syncs from a full one with the query
messages."""

from __future__ import annotations

import random
from collections import Counter, deque
from typing import Any

import pytest

from amiko.bitcoin.networks import REGTEST
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.link.features import Features
from amiko.routing.gossip.gossiper import DropPeer, GossipConfig, Gossiper, Send
from amiko.routing.gossip.relay import RawMessage
from amiko.routing.gossip.synth import FakeChain, SynthChannel, SynthNode
from amiko.routing.gossip.validation import Action
from amiko.routing.graph import Graph
from amiko.wire.messages import (
    ChannelAnnouncement,
    ChannelUpdate,
    GossipTimestampFilter,
    NodeAnnouncement,
    QueryShortChannelIds,
    WarningMsg,
)
from amiko.wire.registry import decode_message
from amiko.wire.types import scid_from_parts

CHAIN = REGTEST.chain_hash
T0 = 1_700_000_000
QUERIES = Features.of("gossip_queries", "gossip_queries_ex")


class Net:
    """Gossipers wired as peers; messages go through their encodings, one at a time."""

    def __init__(self, n: int, *, features: Features = QUERIES, **cfg: Any) -> None:
        self.nodes = [SynthNode.make(f"net node {i}") for i in range(n)]
        self.g = {nd.node_id: Gossiper(GossipConfig(CHAIN, node_id=nd.node_id, **cfg), Graph()) for nd in self.nodes}
        self.features = features
        self.chain = FakeChain()
        self.now = float(T0)
        self.queue: deque[tuple[bytes, bytes, bytes]] = deque()
        self.links: set[tuple[bytes, bytes]] = set()
        self.delivered: Counter[tuple[bytes, bytes, bytes]] = Counter()
        self.verdicts: Counter[str] = Counter()

    def gossiper(self, i: int) -> Gossiper:
        return self.g[self.nodes[i].node_id]

    def connect(self, i: int, j: int) -> None:
        a, b = self.nodes[i].node_id, self.nodes[j].node_id
        self.links |= {(a, b), (b, a)}
        self.g[a].peer_connected(b, self.features, self.now)
        self.g[b].peer_connected(a, self.features, self.now)
        self.collect(a)
        self.collect(b)

    def collect(self, nid: bytes) -> None:
        g = self.g[nid]
        for o in self.chain.answer(g, g.take_outputs(), self.now):
            if isinstance(o, Send):
                if (nid, o.peer) in self.links:
                    data = o.msg.encode()
                    self.queue.append((nid, o.peer, data))
            elif isinstance(o, DropPeer):
                raise AssertionError(f"dropped a peer: {o.reason}")

    def deliver(self, limit: int = 1_000_000) -> int:
        n = 0
        while self.queue and n < limit:
            src, dst, data = self.queue.popleft()
            self.delivered[(src, dst, data)] += 1
            msg = decode_message(data)
            if isinstance(msg, WarningMsg):
                raise AssertionError(f"warning: {msg.data!r}")
            v = self.g[dst].handle(src, msg, self.now)
            self.verdicts[f"{type(msg).__name__}:{v.action.value}"] += 1
            self.collect(dst)
            n += 1
        return n

    def advance(self, seconds: float = 60.0) -> None:
        self.now += seconds
        for nid, g in self.g.items():
            g.tick(self.now)
            self.collect(nid)
        self.deliver()

    def settle(self, rounds: int = 20) -> None:
        self.deliver()
        for _ in range(rounds):
            self.advance()
            if not self.queue and all(len(g.relay) == 0 for g in self.g.values()):
                # one more round: nothing new may appear
                self.advance()
                if not self.queue:
                    return
        raise AssertionError("the network did not settle")

    def own(self, who: SynthNode, msg: ChannelAnnouncement | ChannelUpdate | NodeAnnouncement) -> None:
        v = self.g[who.node_id].announce_own(msg, self.now)
        assert v.action in (Action.ACCEPTED, Action.PENDING), v
        self.collect(who.node_id)

    def open(self, ch: SynthChannel) -> None:
        """Both ends announce the channel and their updates (the channel core's job)."""
        self.chain.add([ch])
        for who in (ch.a, ch.b):
            self.own(who, ch.announcement)
        for who in (ch.a, ch.b):
            self.own(who, ch.update(who, int(self.now)))


def view(g: Gossiper) -> tuple[list[Any], list[Any]]:
    chans = sorted(g.graph.channels(), key=lambda c: c.scid)
    nodes = sorted((n for n in (g.graph.node(x) for x in g.graph.nodes()) if n is not None), key=lambda n: n.node_id)
    return chans, nodes


def build(net: Net, n_channels: int, rng: random.Random, among: int | None = None) -> list[SynthChannel]:
    members = net.nodes[:among]
    chans = []
    for k in range(n_channels):
        i, j = rng.sample(range(len(members)), 2)
        ch = SynthChannel.make(CHAIN, scid_from_parts(700 + k, rng.randrange(100), rng.randrange(4)),
                               net.nodes[i], net.nodes[j], capacity_sat=rng.randrange(100_000, 10_000_000))
        chans.append(ch)
        net.open(ch)
    for nd in members:
        if nd.node_id not in {c.a.node_id for c in chans} | {c.b.node_id for c in chans}:
            continue
        net.own(nd, nd.node_announcement(int(net.now), alias=f"node-{nd.node_id[:2].hex()}"))
    return chans


def spend_tx(ch: SynthChannel) -> Transaction:
    f = ch.facts()
    return Transaction(inputs=(TxIn(OutPoint(f.txid, ch.scid & 0xFFFF)),), outputs=(TxOut(1000, b"\x51"),))


@pytest.mark.parametrize("shape", ["line", "random"])
def test_convergence_updates_and_close(shape: str) -> None:
    rng = random.Random(7 if shape == "line" else 11)
    net = Net(6)
    if shape == "line":
        for i in range(5):
            net.connect(i, i + 1)
    else:
        pairs = {(i, i + 1) for i in range(5)}  # connected ...
        while len(pairs) < 9:  # ... plus random links
            i, j = sorted(rng.sample(range(6), 2))
            pairs.add((i, j))
        for i, j in sorted(pairs):
            net.connect(i, j)
    net.deliver()
    chans = build(net, 12, rng)
    net.settle()
    first = view(net.gossiper(0))
    assert len(first[0]) == 12 and len(first[1]) == 6
    for ch in first[0]:
        assert ch.policy1 is not None and ch.policy2 is not None and not ch.unverified
    for i in range(6):
        assert view(net.gossiper(i)) == first, f"node {i} differs"
    # staggered broadcast: no node got the same message twice from the same peer
    assert max(net.delivered.values()) == 1
    assert net.verdicts["ChannelUpdate:rejected"] == 0

    # new policies (later timestamps) reach everyone
    net.now += 120
    stamp = int(net.now)
    for ch in chans[:5]:
        net.own(ch.a, ch.update(ch.a, stamp, fee_base_msat=4242))
    net.settle()
    for i in range(6):
        g = net.gossiper(i)
        for ch in chans[:5]:
            p = g.graph.policy_from(ch.scid, ch.a.node_id)
            assert p is not None and p.fee_base_msat == 4242 and p.timestamp == stamp
    assert all(view(net.gossiper(i)) == view(net.gossiper(0)) for i in range(6))

    # the funding output of one channel is spent: every node sees the block
    closed = chans[3]
    height = 1000
    for g in net.g.values():
        assert g.block_connected(height, [spend_tx(closed)]) == [closed.scid]
        assert closed.scid not in g.public_scids()  # no longer relayed nor served
    # BOLT #7: SHOULD forget a channel after a 72-block delay.
    for g in net.g.values():
        g.block_connected(height + 71, [])
        assert closed.scid in g.graph
        g.block_connected(height + 72, [])
        assert closed.scid not in g.graph
    net.settle()
    for i in range(6):
        chs, _ = view(net.gossiper(i))
        assert [c.scid for c in chs] == sorted(c.scid for c in chans if c is not closed)
    # late updates for the closed channel are ignored
    late = closed.update(closed.a, int(net.now) + 5, fee_base_msat=1)
    assert net.gossiper(0).handle(net.nodes[1].node_id, late, net.now).reason == "unknown channel"


def test_fresh_node_syncs_from_a_full_one() -> None:
    rng = random.Random(3)
    net = Net(7, reply_chunk=4, query_batch=3)
    for i in range(5):
        net.connect(i, i + 1)
    net.deliver()
    chans = build(net, 15, rng, among=6)
    net.settle()
    full = view(net.gossiper(0))
    assert len(full[0]) == 15
    # node 6 has seen nothing; it connects to node 2 only
    fresh = net.gossiper(6)
    assert fresh.graph.num_channels == 0
    net.connect(6, 2)
    net.deliver()
    assert view(fresh) == full
    # it asked with several query_short_channel_ids, one at a time
    assert fresh.peers[net.nodes[2].node_id].sync is not None
    sync = fresh.peers[net.nodes[2].node_id].sync
    assert sync is not None and sync.received_end >= 5 and sync.idle
    assert net.verdicts["ReplyChannelRange:accepted"] >= 4  # chunked replies
    # node 6 now relays like the others
    net.now += 60
    ch = chans[0]
    net.own(ch.b, ch.update(ch.b, int(net.now), fee_proportional_millionths=777))
    net.settle()
    p = fresh.graph.policy_from(ch.scid, ch.b.node_id)
    assert p is not None and p.fee_proportional_millionths == 777


def test_resync_asks_only_for_newer_updates() -> None:
    rng = random.Random(5)
    net = Net(4)
    for i in range(3):
        net.connect(i, i + 1)
    net.deliver()
    chans = build(net, 8, rng)
    net.settle()
    # node 3 goes away; updates happen meanwhile; it restarts and syncs with timestamps
    n2, n3 = net.nodes[2].node_id, net.nodes[3].node_id
    g3 = net.gossiper(3)
    g3.peer_disconnected(n2)
    net.g[n2].peer_disconnected(n3)
    net.links -= {(n2, n3), (n3, n2)}
    net.now += 3600
    changed = [ch for ch in chans if n3 not in (ch.a.node_id, ch.b.node_id)][:2]
    assert len(changed) == 2
    for ch in changed:
        net.own(ch.a, ch.update(ch.a, int(net.now), fee_base_msat=9))
    net.settle()
    assert view(g3) != view(net.gossiper(0))
    g3._range_syncs = 0  # a restart: sync again
    net.verdicts.clear()
    net.connect(2, 3)
    net.deliver()
    assert view(g3) == view(net.gossiper(0))
    # only the two changed updates travelled, no announcement again
    assert net.verdicts["ChannelUpdate:accepted"] == 2
    assert net.verdicts["ChannelUpdate:ignored"] == 0
    assert net.verdicts["ChannelAnnouncement:ignored"] == 0
    assert net.verdicts["ChannelAnnouncement:pending"] == 0


def test_timestamp_filter_backlog_and_order() -> None:
    rng = random.Random(9)
    net = Net(4, backlog_batch=5)
    for i in range(3):
        net.connect(i, i + 1)
    net.deliver()
    build(net, 8, rng)
    net.settle()
    n_nodes = len(view(net.gossiper(0))[1])
    # a listener asks node 0 for everything since 0
    listener = SynthNode.make("listener").node_id
    g0 = net.gossiper(0)
    g0.peer_connected(listener, Features(), net.now)
    sent = [o for o in g0.take_outputs() if isinstance(o, Send)]
    assert [type(o.msg) for o in sent] == [GossipTimestampFilter]
    assert sent[0].msg.first_timestamp == 0xFFFFFFFF  # it does not offer gossip_queries
    g0.handle(listener, GossipTimestampFilter(CHAIN, 0, 0xFFFFFFFF), net.now)
    got: list[Any] = []
    for _ in range(20):
        g0.tick(net.now)
        got += [decode_message(o.msg.encode()) for o in g0.take_outputs()
                if isinstance(o, Send) and o.peer == listener and isinstance(o.msg, RawMessage)]
    anns = [m for m in got if isinstance(m, ChannelAnnouncement)]
    upds = [m for m in got if isinstance(m, ChannelUpdate)]
    nodes = [m for m in got if isinstance(m, NodeAnnouncement)]
    assert len(anns) == 8 and len(upds) == 16 and len(nodes) == n_nodes >= 3
    seen: set[int] = set()
    for m in got:  # announcements before their updates, node announcements last
        if isinstance(m, ChannelAnnouncement):
            seen.add(m.short_channel_id)
        elif isinstance(m, ChannelUpdate):
            assert m.short_channel_id in seen
    assert all(isinstance(m, NodeAnnouncement) for m in got[-n_nodes:])
    # a filter in the future: nothing
    g0.handle(listener, GossipTimestampFilter(CHAIN, int(net.now) + 10, 100), net.now)
    g0.tick(net.now)
    assert not [o for o in g0.take_outputs() if isinstance(o, Send) and o.peer == listener]


def test_relay_respects_filters_and_never_echoes() -> None:
    net = Net(4)
    net.connect(0, 1)
    net.connect(1, 2)
    net.deliver()
    a, b = net.nodes[0], net.nodes[3]  # node 1 relays what is not its own
    ch = SynthChannel.make(CHAIN, scid_from_parts(800, 1, 0), a, b)
    # node 2 narrows its filter to nothing
    n1, n2 = net.nodes[1].node_id, net.nodes[2].node_id
    net.gossiper(1).handle(n2, GossipTimestampFilter(CHAIN, 0xFFFFFFFF, 0), net.now)
    net.open(ch)
    net.settle()
    assert ch.scid in net.gossiper(1).graph
    assert ch.scid not in net.gossiper(2).graph
    # nothing that node 1 learned from node 0 went back to node 0
    n0 = net.nodes[0].node_id
    back = [decode_message(data) for (src, dst, data) in net.delivered if src == n1 and dst == n0]
    assert not [m for m in back if getattr(m, "short_channel_id", None) == ch.scid]
    # node 2 widens its filter: the backlog brings the channel
    net.gossiper(1).handle(n2, GossipTimestampFilter(CHAIN, 0, 0xFFFFFFFF), net.now)
    net.advance(1)
    assert ch.scid in net.gossiper(2).graph


def test_gossip_made_just_before_a_connection_still_reaches_the_new_peer() -> None:
    """Node 0's update leaves before node 2 connects to node 1 but reaches node 1 after:
    node 1's range sync could not hold it, and the relay must still pass node 2's filter."""
    net = Net(3)
    net.connect(0, 1)
    net.deliver()
    ch = SynthChannel.make(CHAIN, scid_from_parts(801, 1, 0), net.nodes[0], net.nodes[1])
    net.open(ch)  # both ends' updates are made now
    n0 = net.nodes[0].node_id
    late = [m for m in net.queue if m[0] == n0]  # node 0's are slow to reach node 1
    net.queue = deque(m for m in net.queue if m[0] != n0)
    net.now += 5
    net.connect(1, 2)
    net.deliver()  # node 2's range sync with node 1 is over before they arrive
    net.queue.extend(late)
    net.settle()
    known = net.gossiper(2).graph.channel(ch.scid)
    assert known is not None and known.policy(0) is not None and known.policy(1) is not None


def test_scid_queries_wait_for_the_chain() -> None:
    """A slow chain: the next query_short_channel_ids waits while announcements are pending."""
    rng = random.Random(13)
    net = Net(3, query_batch=2, pending_backpressure=2)
    net.connect(0, 1)
    net.deliver()
    build(net, 7, rng, among=2)
    net.settle()
    fresh, full = net.gossiper(2), net.gossiper(1)
    n1, n2 = net.nodes[1].node_id, net.nodes[2].node_id
    net.links |= {(n1, n2), (n2, n1)}
    fresh.peer_connected(n1, QUERIES, net.now)
    full.peer_connected(n2, QUERIES, net.now)
    queue: deque[tuple[bytes, bytes, bytes]] = deque()
    lookups: list[int] = []

    def pump(nid: bytes) -> None:
        g = net.g[nid]
        for o in g.take_outputs():
            if isinstance(o, Send):
                queue.append((nid, o.peer, o.msg.encode()))
            elif isinstance(o, DropPeer):
                raise AssertionError(o.reason)
            else:
                lookups.append(o.scid)

    pump(n1)
    pump(n2)
    queries = 0
    while queue:
        src, dst, data = queue.popleft()
        msg = decode_message(data)
        queries += isinstance(msg, QueryShortChannelIds) and src == n2
        net.g[dst].handle(src, msg, net.now)
        pump(dst)
        assert len(fresh.pending) <= 2 + 2  # never more than one batch beyond the limit
    assert queries == 1 and len(fresh.pending) == 2  # waiting for the chain
    while lookups or queue:
        for scid in lookups:
            fresh.funding_result(net.chain.facts[scid], net.now)
        lookups.clear()
        fresh.tick(net.now)
        pump(n2)
        while queue:
            src, dst, data = queue.popleft()
            msg = decode_message(data)
            queries += isinstance(msg, QueryShortChannelIds) and src == n2
            net.g[dst].handle(src, msg, net.now)
            pump(dst)
    assert queries == 4
    assert view(fresh) == view(full)
