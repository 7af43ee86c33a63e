"""Floods, clocks and pruning: updates are rate limited per channel direction before any
signature is checked; timestamps far in the future are discarded; channels whose updates
are two weeks old are pruned (time is an input); updates wait briefly for their channel."""

from __future__ import annotations

import time

from amiko.bitcoin.networks import REGTEST
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.link.features import Features
from amiko.routing.gossip.gossiper import DropPeer, GossipConfig, Gossiper, Send
from amiko.routing.gossip.relay import RateLimiter
from amiko.routing.gossip.synth import FakeChain, SynthChannel, SynthNode
from amiko.routing.gossip.validation import Action
from amiko.routing.graph import Graph
from amiko.wire.messages import WarningMsg
from amiko.wire.types import scid_from_parts

CHAIN = REGTEST.chain_hash
NOW = 1_700_000_000
TWO_WEEKS = 1_209_600
PEER = SynthNode.make("peer").node_id
A, B = SynthNode.make("a"), SynthNode.make("b")
SCID = scid_from_parts(600, 1, 0)


def setup(**cfg: object) -> tuple[Gossiper, SynthChannel]:
    g = Gossiper(GossipConfig(CHAIN, **cfg), Graph())  # type: ignore[arg-type]
    g.peer_connected(PEER, Features.of("gossip_queries"), NOW)
    g.take_outputs()
    ch = SynthChannel.make(CHAIN, SCID, A, B)
    chain = FakeChain()
    chain.add([ch])
    assert g.handle(PEER, ch.announcement, NOW).action is Action.PENDING
    chain.answer(g, g.take_outputs(), NOW)
    assert SCID in g.graph
    return g, ch


def test_rate_limiter_gcra() -> None:
    rl = RateLimiter(burst=3, interval=10.0)
    assert [rl.take("k", 0.0) for _ in range(5)] == [True, True, True, False, False]
    assert not rl.allows("k", 9.0)
    assert rl.allows("k", 10.0) and rl.take("k", 10.0) and not rl.take("k", 10.0)
    assert rl.take("other", 10.0)
    rl.sweep(100.0)
    assert len(rl) == 0


def test_flood_of_updates_for_one_channel() -> None:
    g, ch = setup(update_burst=10, update_interval=60.0)
    n = 10_000
    flood = [ch.update(A, NOW - n + i, fee_base_msat=i) for i in range(n)]  # all valid, newer each time
    verdicts = []
    start = time.perf_counter()
    for msg in flood:
        verdicts.append(g.handle(PEER, msg, NOW))
    elapsed = time.perf_counter() - start
    accepted = [i for i, v in enumerate(verdicts) if v.action is Action.ACCEPTED]
    limited = sum(1 for v in verdicts if v.reason == "rate limited")
    per_msg_us = elapsed / n * 1e6
    print(f"\nflood: {n} updates for one channel in {elapsed * 1000:.1f} ms "
          f"({per_msg_us:.1f} us each), {len(accepted)} accepted, {limited} rate limited")
    assert accepted == list(range(10))  # the burst, then nothing
    assert limited == n - 10
    # the excess is dropped before its signature is checked: far below a verification (~35 us)
    assert per_msg_us < 30
    p = g.graph.policy_from(SCID, A.node_id)
    assert p is not None and p.fee_base_msat == 9
    # only the newest accepted one waits for relay
    assert len(g.relay) == 2  # the announcement, released by the first update, and the update
    # the other direction and other channels are not affected
    assert g.handle(PEER, ch.update(B, NOW), NOW).action is Action.ACCEPTED
    # one more a minute later, at most ten again after a long pause
    assert g.handle(PEER, ch.update(A, NOW + 1, fee_base_msat=1), NOW + 60).action is Action.ACCEPTED
    assert g.handle(PEER, ch.update(A, NOW + 2, fee_base_msat=2), NOW + 60).reason == "rate limited"
    later = NOW + 3600
    ok = sum(g.handle(PEER, ch.update(A, NOW + 10 + i, fee_base_msat=i), later).accepted for i in range(20))
    assert ok == 10


def test_invalid_signatures_do_not_use_up_the_allowance() -> None:
    g, ch = setup(update_burst=2, max_rejections=50, warnings_per_minute=5)
    from dataclasses import replace

    forged = [replace(u, signature=bytes(64)) for u in (ch.update(A, NOW - 100 + i) for i in range(60))]
    outs = []
    for f in forged:
        assert g.handle(PEER, f, NOW).action is Action.REJECTED
        outs += g.take_outputs()
    warnings = [o for o in outs if isinstance(o, Send) and isinstance(o.msg, WarningMsg)]
    assert 1 <= len(warnings) <= 5  # warnings are rate limited too
    assert [o for o in outs if isinstance(o, DropPeer)] == [DropPeer(PEER, "too many invalid gossip messages "
                                                                         "(bad channel_update signature)")] * 10
    # the genuine update still gets in: rejected ones took no allowance
    assert g.handle(b"", ch.update(A, NOW), NOW).action is Action.ACCEPTED


def test_timestamps_far_in_the_future_or_past() -> None:
    g, ch = setup(max_future_seconds=TWO_WEEKS)
    v = g.handle(PEER, ch.update(A, NOW + TWO_WEEKS + 1), NOW)
    assert v.action is Action.IGNORED and v.reason == "timestamp too far in the future"
    assert g.graph.policy_from(SCID, A.node_id) is None
    v = g.handle(PEER, ch.update(A, NOW - TWO_WEEKS - 1), NOW)
    assert v.reason == "older than two weeks"
    assert g.handle(PEER, ch.update(A, NOW + 86400), NOW).action is Action.ACCEPTED  # a day ahead: fine
    # and then an older one is outdated, an equal one a duplicate
    assert g.handle(PEER, ch.update(A, NOW), NOW).reason == "outdated"
    assert g.handle(PEER, ch.update(A, NOW + 86400), NOW).reason == "duplicate"
    assert g.handle(PEER, ch.update(A, NOW + 86400, fee_base_msat=5), NOW).reason == (
        "same timestamp, different parameters")
    na = A.node_announcement(NOW + TWO_WEEKS + 10)
    assert g.handle(PEER, na, NOW).reason == "timestamp too far in the future"


def test_stale_channels_are_pruned_after_two_weeks() -> None:
    us = SynthNode.make("us")
    g = Gossiper(GossipConfig(CHAIN, node_id=us.node_id, prune_interval=3600), Graph())
    chain = FakeChain()
    fresh = SynthChannel.make(CHAIN, scid_from_parts(601, 0, 0), A, B)
    half = SynthChannel.make(CHAIN, scid_from_parts(602, 0, 0), A, B)
    silent = SynthChannel.make(CHAIN, scid_from_parts(603, 0, 0), A, B)
    ours = SynthChannel.make(CHAIN, scid_from_parts(604, 0, 0), us, A)
    chain.add([fresh, half, silent, ours])
    for ch in (fresh, half, silent, ours):
        assert g.handle(PEER, ch.announcement, NOW).action is Action.PENDING
    chain.answer(g, g.take_outputs(), NOW)
    for ch in (fresh, half, ours):
        for who in (ch.a, ch.b):
            assert g.handle(PEER, ch.update(who, NOW), NOW).accepted
    later = NOW + 10 * 86400
    assert g.handle(PEER, fresh.update(A, later), later).accepted
    assert g.handle(PEER, fresh.update(B, later), later).accepted
    assert g.handle(PEER, half.update(A, later), later).accepted  # node B went quiet
    assert g.prune_stale(NOW + TWO_WEEKS - 1) == []
    # BOLT #7: the oldest channel_update is used to prune the channel since both sides
    # need to be active; a channel never updated counts from its announcement.
    assert sorted(g.prune_stale(NOW + TWO_WEEKS + 1)) == [half.scid, silent.scid]
    assert {c.scid for c in g.graph.channels()} == {fresh.scid, ours.scid}  # ours is kept
    # pruning also runs from tick(), once per prune_interval
    g.tick(later)
    g.tick(later + TWO_WEEKS + 3600)
    assert {c.scid for c in g.graph.channels()} == {ours.scid}
    writes = g.take_writes()
    assert sorted(writes.deleted_channels) == sorted([half.scid, silent.scid, fresh.scid])


def test_updates_wait_for_their_announcement() -> None:
    g = Gossiper(GossipConfig(CHAIN, hold_seconds=600), Graph())
    ch = SynthChannel.make(CHAIN, SCID, A, B)
    chain = FakeChain()
    chain.add([ch])
    assert g.handle(PEER, ch.announcement, NOW).action is Action.PENDING
    outs = g.take_outputs()
    assert g.handle(PEER, ch.update(A, NOW), NOW).action is Action.PENDING
    assert g.handle(PEER, ch.update(B, NOW), NOW).action is Action.PENDING
    assert g.handle(PEER, A.node_announcement(NOW, "a"), NOW).action is Action.PENDING
    chain.answer(g, outs, NOW + 1)
    c = g.graph.channel(SCID)
    assert c is not None and c.policy1 is not None and c.policy2 is not None
    a_info = g.graph.node(A.node_id)
    assert a_info is not None and a_info.alias == "a"
    # without an announcement, held updates expire
    other = SynthChannel.make(CHAIN, scid_from_parts(900, 0, 0), A, B)
    assert g.handle(PEER, other.announcement, NOW).action is Action.PENDING
    assert g.handle(PEER, other.update(A, NOW), NOW).action is Action.PENDING
    g.tick(NOW)
    g.tick(NOW + 601)
    assert other.scid not in g.held_updates
    # and an update for a channel nobody announced is ignored
    assert g.handle(PEER, SynthChannel.make(CHAIN, 12345, A, B).update(A, NOW), NOW).reason == "unknown channel"


def test_spent_channel_takes_only_disabling_updates() -> None:
    g, ch = setup(spent_forget_blocks=72)
    assert g.handle(PEER, ch.update(A, NOW), NOW).accepted
    spend = Transaction(inputs=(TxIn(OutPoint(ch.facts().txid, SCID & 0xFFFF)),), outputs=(TxOut(1, b"\x51"),))
    assert g.block_connected(800, [spend]) == [SCID]
    assert g.handle(PEER, ch.update(A, NOW + 1, fee_base_msat=3), NOW + 1).reason == "funding output spent"
    assert g.handle(PEER, ch.update(A, NOW + 2, disabled=True), NOW + 2).accepted
    assert len(g.relay) == 0  # not relayed any more
    # a reorg takes the spend away: the channel is back
    g.block_disconnected(800)
    assert SCID in g.public_scids()
    g.block_connected(800, [spend])
    g.block_connected(871, [])
    assert SCID in g.graph
    g.block_connected(872, [])
    assert SCID not in g.graph and SCID not in g.chans
