"""Signature checks made ahead for a burst of gossip (`ahead`, `Gossiper.handle_many`,
`Gossiper.funding_results`, the driver's bursts): the verdicts and the graph are exactly
what handling each message alone gives, the checks made ahead are the ones used, and a
flood costs at most one check ahead per key."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from amiko.bitcoin.networks import REGTEST
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.crypto.keys import pubkey_of, sign
from amiko.crypto.parallel import MIN_PARALLEL
from amiko.link.features import Features
from amiko.routing.gossip.ahead import ChecksAhead, checks_of_burst
from amiko.routing.gossip.driver import GossipDriver
from amiko.routing.gossip.gossiper import DropPeer, GossipConfig, Gossiper
from amiko.routing.gossip.synth import FakeChain, SynthChannel, SynthNode
from amiko.routing.gossip.validation import Action
from amiko.routing.graph import Graph
from amiko.wire.messages import GossipTimestampFilter
from amiko.wire.types import scid_from_parts

CHAIN = REGTEST.chain_hash
NOW = 1_700_000_000
TWO_WEEKS = 1_209_600
PEER = SynthNode.make("ahead peer").node_id
NODES = [SynthNode.make(f"ahead {i}") for i in range(8)]
KNOWN = [SynthChannel.make(CHAIN, scid_from_parts(700, i, 0), NODES[i % 8], NODES[(i + 3) % 8]) for i in range(12)]
SPENT = SynthChannel.make(CHAIN, scid_from_parts(700, 99, 0), NODES[1], NODES[6])  # its output spent
NEW = [SynthChannel.make(CHAIN, scid_from_parts(701, i, 0), NODES[i % 8], NODES[(i + 5) % 8]) for i in range(4)]
CHAIN_FACTS = FakeChain()
CHAIN_FACTS.add([*KNOWN, SPENT, *NEW])


def ends(ch: SynthChannel) -> tuple[SynthNode, SynthNode]:
    a, b = (ch.a, ch.b) if ch.a.node_id < ch.b.node_id else (ch.b, ch.a)
    return a, b


def pool() -> list[object]:
    """Valid, invalid, stale, duplicate and premature messages of every signed kind."""
    msgs: list[object] = []
    for ch in [*KNOWN, SPENT, *NEW]:
        for sender in ends(ch):
            for ts in (NOW - 300, NOW - 100):
                msgs.append(ch.update(sender, ts, fee_base_msat=ts % 1000))
            good = ch.update(sender, NOW - 50)
            msgs.append(dataclasses.replace(good, fee_base_msat=good.fee_base_msat + 1))  # bad signature
            msgs.append(ch.update(sender, NOW - TWO_WEEKS - 10))  # stale
            msgs.append(ch.update(sender, NOW - 30, disabled=True))
    for ch in NEW:
        msgs.append(ch.announcement)
    forged = NEW[0].announcement
    msgs.append(dataclasses.replace(forged, short_channel_id=scid_from_parts(702, 0, 0)))  # bad signatures
    msgs.append(KNOWN[0].announcement)  # a duplicate
    for i, n in enumerate(NODES):
        msgs.append(n.node_announcement(NOW - 200 + i, f"n{i}"))
        msgs.append(n.node_announcement(NOW - 20 + i, f"m{i}"))
    bad = NODES[0].node_announcement(NOW - 10, "bad")
    msgs.append(dataclasses.replace(bad, alias=b"evil".ljust(32, b"\0")))
    return msgs


POOL = pool()


def gossiper() -> Gossiper:
    g = Gossiper(GossipConfig(CHAIN, update_burst=3), Graph())
    g.peer_connected(PEER, Features.of("gossip_queries"), NOW)
    for ch in [*KNOWN, SPENT]:
        assert g.handle(PEER, ch.announcement, NOW).action is Action.PENDING
    CHAIN_FACTS.answer(g, g.take_outputs(), NOW)
    g.take_outputs()
    spend = Transaction(inputs=(TxIn(OutPoint(SPENT.facts().txid, SPENT.scid & 0xFFFF)),), outputs=(TxOut(1, b"\x51"),))
    assert g.block_connected(800, [spend]) == [SPENT.scid]  # only disabling updates count for it
    return g


def state(g: Gossiper) -> object:
    chans = sorted((c.scid, c.policy1, c.policy2) for c in g.graph.channels())
    nodes = sorted((n.node_id, n.alias, n.timestamp) for n in (g.graph.node(x.node_id) for x in NODES) if n)
    return chans, nodes, g.stats(), sorted(g.held_updates), sorted(g.pending)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, len(POOL) - 1), min_size=40, max_size=160), st.lists(st.integers(1, 80), max_size=4))
def test_a_burst_gives_the_verdicts_of_one_message_at_a_time(picks: list[int], cuts: list[int]) -> None:
    msgs = [POOL[i] for i in picks]
    alone, burst = gossiper(), gossiper()
    expected = [alone.handle(PEER, m, NOW) for m in msgs]
    got, i = [], 0
    for n in [*cuts, len(msgs)]:
        got += burst.handle_many(PEER, msgs[i:i + n], NOW)
        i += n
    got += burst.handle_many(PEER, msgs[i:], NOW)
    assert got == expected
    assert state(burst) == state(alone)
    assert burst.ahead.used <= burst.ahead.made


def test_checks_made_ahead_are_the_ones_used() -> None:
    g = gossiper()
    msgs: list[object] = [ch.update(s, NOW - 100) for ch in KNOWN for s in ends(ch)]
    msgs += [n.node_announcement(NOW - 30, "x") for n in NODES]
    verdicts = g.handle_many(PEER, msgs, NOW)
    assert all(v.action is Action.ACCEPTED for v in verdicts)
    assert g.ahead.made == g.ahead.used == len(msgs)


def test_bad_signatures_checked_ahead_are_rejected() -> None:
    g = gossiper()
    msgs: list[object] = [ch.update(s, NOW - 100) for ch in KNOWN for s in ends(ch)]
    bad = {1, 6, 23}
    for i in bad:
        m = msgs[i]
        msgs[i] = dataclasses.replace(m, fee_base_msat=m.fee_base_msat + 1)  # type: ignore[attr-defined]
    forged = dataclasses.replace(NEW[1].announcement, node_signature_2=NEW[2].announcement.node_signature_2)
    msgs += [NEW[0].announcement, forged]
    verdicts = g.handle_many(PEER, msgs, NOW)
    assert [i for i, v in enumerate(verdicts) if v.action is Action.REJECTED] == [*sorted(bad), len(msgs) - 1]
    assert verdicts[-1].reason == "bad node_signature_2" and verdicts[-2].action is Action.PENDING
    # the forged one stops at its second signature: its bitcoin signatures were made for nothing
    assert (g.ahead.made, g.ahead.used) == (24 + 8, 24 + 8 - 2)


def test_a_flood_in_one_burst_costs_one_check_ahead_per_key() -> None:
    g = gossiper()
    others = [ch.update(s, NOW - 100) for ch in KNOWN for s in ends(ch)]
    a, _ = ends(KNOWN[0])
    flood = [KNOWN[0].update(a, NOW - 1000 + i, fee_base_msat=i) for i in range(500)]
    verdicts = g.handle_many(PEER, [*flood, *others], NOW)
    assert g.ahead.made == len(others)  # the flood's key is also the first of `others`' keys
    assert sum(v.action is Action.ACCEPTED for v in verdicts[:500]) == 3  # the burst of the rate limit
    assert [v.action for v in verdicts[500:]] == [Action.IGNORED] + [Action.ACCEPTED] * (len(others) - 1)


def test_nothing_is_checked_ahead_that_handling_would_ignore_first() -> None:
    g = gossiper()
    a0, b0 = ends(KNOWN[0])
    assert g.handle(PEER, KNOWN[0].update(a0, NOW - 100), NOW).accepted
    moot: list[object] = [
        *[SPENT.update(s, NOW - 100) for s in ends(SPENT)],  # funding output spent, not disabling
        KNOWN[0].update(a0, NOW - 200),  # older than the one applied
        KNOWN[0].update(b0, NOW - TWO_WEEKS - 10),  # stale
        KNOWN[1].update(ends(KNOWN[1])[0], NOW + TWO_WEEKS + 10),  # too far ahead
        KNOWN[0].announcement,  # known
        NEW[0].update(ends(NEW[0])[0], NOW - 100),  # its channel is not known
        SynthNode.make("nobody").node_announcement(NOW - 10, "x"),  # no channel
    ]
    assert checks_of_burst(g, moot, NOW) == []


def test_a_peer_dropped_inside_its_burst_is_not_read_further() -> None:
    g = Gossiper(GossipConfig(CHAIN, max_rejections=3), Graph())
    g.peer_connected(PEER, Features.of("gossip_queries"), NOW)
    for ch in KNOWN:
        g.handle(PEER, ch.announcement, NOW)
    CHAIN_FACTS.answer(g, g.take_outputs(), NOW)
    g.take_outputs()
    forged = [dataclasses.replace(u, fee_base_msat=7) for u in (ch.update(s, NOW - 100) for ch in KNOWN for s in ends(ch))]
    verdicts = g.handle_many(PEER, forged, NOW)
    assert [v.action for v in verdicts] == [Action.REJECTED] * 4  # the fourth crosses the limit of 3
    assert any(isinstance(o, DropPeer) and o.peer == PEER for o in g.take_outputs())
    assert g.stats()["ChannelUpdate.rejected"] == 4


def test_a_small_burst_is_checked_inline() -> None:
    g = gossiper()
    msgs = [ch.update(s, NOW - 100) for ch in KNOWN[:4] for s in ends(ch)]
    assert len(msgs) < MIN_PARALLEL
    assert all(v.accepted for v in g.handle_many(PEER, msgs, NOW))
    assert g.ahead.made == 0


def test_updates_released_by_funding_results_are_checked_together() -> None:
    g = Gossiper(GossipConfig(CHAIN), Graph())
    g.peer_connected(PEER, Features.of("gossip_queries"), NOW)
    chans = [SynthChannel.make(CHAIN, scid_from_parts(703, i, 0), NODES[i % 8], NODES[(i + 1) % 8]) for i in range(10)]
    facts = FakeChain()
    facts.add(chans)
    held = [ch.update(s, NOW - 100) for ch in chans for s in ends(ch)]
    verdicts = g.handle_many(PEER, [ch.announcement for ch in chans] + held, NOW)
    assert {v.action for v in verdicts} == {Action.PENDING}
    made = g.ahead.made
    g.funding_results([facts.facts[ch.scid] for ch in chans], NOW)
    assert all(g.graph.channel(ch.scid).policy1 and g.graph.channel(ch.scid).policy2 for ch in chans)  # type: ignore[union-attr]
    assert g.ahead.made - made == len(held) and g.ahead.used == g.ahead.made


def test_results_are_kept_only_for_their_block() -> None:
    secret = b"\x11" * 32
    checks = [(pubkey_of(secret), bytes([i]) * 32, sign(secret, bytes([i]) * 32)) for i in range(MIN_PARALLEL)]
    ahead = ChecksAhead()
    with ahead.holding(checks):
        assert ahead.verify(*checks[0]) and ahead.used == 1
        assert ahead.verify(*checks[0]) and ahead.used == 1  # taken once: checked again inline
    assert ahead.verify(*checks[1]) and ahead.used == 1
    assert ahead.made == MIN_PARALLEL


class Port:
    def __init__(self, remote: bytes) -> None:
        self.remote_id = remote
        self.remote_features = Features.of("gossip_queries")
        self.connected = True

    def send(self, msg: object) -> bool:
        return True

    def disconnect(self, reason: str) -> None:
        raise AssertionError(reason)


def test_the_driver_handles_a_read_as_one_burst() -> None:
    async def main() -> None:
        g = gossiper()
        driver = GossipDriver(g, chain=None, port_of=lambda _: None, clock=lambda: NOW)
        port = Port(PEER)
        msgs = [ch.update(s, NOW - 100) for ch in KNOWN for s in ends(ch)]
        for m in msgs:
            driver.on_message(port, m)  # type: ignore[arg-type]
        assert g.graph.channel(KNOWN[0].scid).policy1 is None  # type: ignore[union-attr]
        await asyncio.sleep(0)
        assert all(c.policy1 and c.policy2 for c in g.graph.channels() if c.scid != SPENT.scid)
        assert g.ahead.made == g.ahead.used == len(msgs)
        # a query after signed gossip: the burst before it is handled first
        late = KNOWN[0].update(ends(KNOWN[0])[0], NOW - 10, fee_base_msat=7)
        driver.on_message(port, late)  # type: ignore[arg-type]
        driver.on_message(port, GossipTimestampFilter(CHAIN, 0, 0))  # type: ignore[arg-type]
        assert g.graph.channel(KNOWN[0].scid).policy1.fee_base_msat == 7  # type: ignore[union-attr]

    asyncio.run(main())


def test_a_sync_over_tcp_arrives_in_bursts(tmp_path) -> None:
    """Two nodes over real TCP: the one that syncs takes the other's gossip in bursts and
    checks their signatures ahead (the reads, not the test, make the bursts)."""
    from amiko.node import Node, NodeConfig
    from amiko.routing.gossip.funding import FundingFacts

    many = NODES + [SynthNode.make(f"ahead tcp {i}") for i in range(4)]
    pairs = list(itertools.combinations(many, 2))[:60]
    chans = [SynthChannel.make(CHAIN, scid_from_parts(704, i, 0), x, y) for i, (x, y) in enumerate(pairs)]
    table = FakeChain()
    table.add(chans)

    class Table:
        async def lookup(self, scids: list[int]) -> list[FundingFacts]:
            return [table.facts.get(s, FundingFacts(s)) for s in scids]

    def node(name: str) -> Node:
        return Node(NodeConfig(datadir=str(tmp_path / name), listen=("127.0.0.1", 0), lightning=False,
                               trust=False))

    async def main() -> None:
        a, b = node("a"), node("b")
        await a.start()
        await b.start()
        try:
            await sync(a, b)
        finally:
            await a.stop()
            await b.stop()

    async def sync(a: Node, b: Node) -> None:
        assert a.gossip is not None and b.gossip is not None
        a.gossip.lookup = b.gossip.lookup = Table()  # type: ignore[assignment]
        now = int(a.gossip.clock())
        msgs: list[object] = [ch.announcement for ch in chans]
        b.gossiper.handle_many(PEER, msgs, now)
        b.gossip.run_outputs()
        await b.gossip.resolve_pending()
        b.gossiper.handle_many(PEER, [ch.update(s, now - 60) for ch in chans for s in ends(ch)], now)
        assert b.graph.num_channels == len(chans)
        assert b.peers.listen_address is not None
        await a.connect(b.node_id, "127.0.0.1", b.peers.listen_address[1])
        deadline = asyncio.get_running_loop().time() + 20
        while sum(1 for c in a.graph.channels() if c.policy1 and c.policy2) < len(chans):
            assert asyncio.get_running_loop().time() < deadline, "the sync did not complete"
            await asyncio.sleep(0.05)
        # most signatures were checked ahead, in bursts, and each was used
        assert a.gossiper.ahead.made >= len(chans) * 4
        assert a.gossiper.ahead.used == a.gossiper.ahead.made

    asyncio.run(main())
