"""The gossip core, sans-IO: messages in, verdicts and outputs out.

    g = Gossiper(GossipConfig(chain_hash, node_id=our_id), graph)
    g.peer_connected(peer_id, remote_features, now)   # sends our filter and range query
    verdict = g.handle(peer_id, msg, now)             # any gossip or query message
    g.handle_many(peer_id, msgs, now)                 # a burst: signatures checked ahead
    g.funding_result(facts, now)                      # answer to a LookupFunding output
    g.funding_results(facts_list, now)                # several, with their releases
    g.block_connected(height, txs)                    # spends of funding outputs
    g.tick(now)                                       # flush, backlogs, queries, pruning
    outputs = g.take_outputs()                        # Send / LookupFunding / DropPeer
    writes = g.take_writes()                          # rows for `GossipStore.apply`

Time, chain facts and peers' messages are inputs; nothing here waits, reads a clock or
touches a socket or the database. A message from a peer is checked in order of cost:
cheap lookups (chain, known channel, timestamps, rate limit) drop most junk before any
signature is verified, so a flood costs microseconds a message. Whatever the peer sends,
the graph only changes through validated messages.

Our own gossip (announcements for channels we are in, our updates and node announcement)
goes to every peer at once, whatever their filters; everything else waits in the relay
buffer for the next flush and goes to the peers whose `gossip_timestamp_filter` admits it.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from amiko.bitcoin.tx import Transaction
from amiko.link.features import Features
from amiko.routing.gossip import answers, spends, upkeep
from amiko.routing.gossip.addresses import parse_addresses
from amiko.routing.gossip.ahead import ChecksAhead, checks_of_burst, checks_of_release
from amiko.routing.gossip.funding import FundingFacts, expected_script
from amiko.routing.gossip.queries import QUERY_ALL, QUERY_UPDATE_1
from amiko.routing.gossip.records import ChanRec, GossipWrites, LoadedGossip
from amiko.routing.gossip.relay import (
    Kind,
    RateLimiter,
    RawMessage,
    RelayBuffer,
    RelayItem,
    TimestampFilter,
)
from amiko.routing.gossip.sync import QuerySync, RangeEntry
from amiko.routing.gossip.validation import (
    DONT_FORWARD_BIT,
    Action,
    Verdict,
    accepted,
    check_channel_announcement,
    check_channel_update_signature,
    check_node_announcement_signature,
    ignored,
    node_info_of,
    pending,
    policy_of,
    rejected,
    same_fields,
    unknown_even_bits,
)
from amiko.routing.graph import STALE_AFTER_SECONDS, Graph, UpdateResult
from amiko.wire.messages import (
    ChannelAnnouncement,
    ChannelUpdate,
    GossipTimestampFilter,
    NodeAnnouncement,
    QueryChannelRange,
    QueryShortChannelIds,
    ReplyChannelRange,
    ReplyShortChannelIdsEnd,
    WarningMsg,
)
from amiko.wire.types import ALL_CHANNELS

log = logging.getLogger("amiko.gossip")

NO_GOSSIP = 0xFFFFFFFF  # BOLT #7: first_timestamp for "send me nothing"


@dataclass
class GossipConfig:
    chain_hash: bytes
    node_id: bytes | None = None  # ours: our gossip is sent at once and never pruned
    flush_interval: float = 60.0
    max_future_seconds: int = 1_209_600  # updates further ahead are discarded
    stale_seconds: int = STALE_AFTER_SECONDS
    prune_interval: float = 3600.0
    update_burst: int = 10  # per channel direction (and per node): a burst of this many,
    update_interval: float = 60.0  # then one per this many seconds
    min_confirmations: int = 6
    confirmation_slack: int = 2  # BOLT #7: MAY accept if the output is close to 6
    spent_forget_blocks: int = 72
    max_pending: int = 20_000
    pending_backpressure: int = 2000  # no new scid queries while this many wait for the chain
    max_held: int = 20_000
    hold_seconds: float = 600.0
    reply_chunk: int = 2000  # scids per reply_channel_range
    query_batch: int = 1000  # scids per query_short_channel_ids
    backlog_batch: int = 2000  # messages per peer per tick from a filter's backlog
    sync_peers: int = 3  # peers we run a full channel range sync with
    filter_margin_seconds: int = 600  # our filter starts this early: gossip still on its way
    range_timeout: float = 120.0  # a range query unanswered this long is taken as complete
    warnings_per_minute: int = 10
    max_rejections: int = 100  # invalid messages from one peer (per hour) before we drop it
    bad_cache: int = 100_000


# -- outputs -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Send:
    peer: bytes
    msg: Any  # a wire message or a RawMessage: anything with encode()


@dataclass(frozen=True, slots=True)
class LookupFunding:
    scid: int


@dataclass(frozen=True, slots=True)
class DropPeer:
    peer: bytes
    reason: str


Output = Send | LookupFunding | DropPeer


@dataclass
class PeerState:
    peer_id: bytes
    queries: bool = False  # the peer offers gossip_queries: worth querying
    queries_ex: bool = False
    filter: TimestampFilter | None = None  # none yet: we relay nothing to it
    backlog: Iterator[bytes] | None = None
    sync: QuerySync | None = None
    range_sync: bool = False
    sync_activity: float = 0.0  # when the range query was sent or last answered
    rejections: int = 0


@dataclass(slots=True)
class Pending:
    msg: ChannelAnnouncement
    raw: bytes
    peer: bytes
    since: float
    sources: set[bytes] = field(default_factory=set)
    expected_sat: int | None = None


Held = tuple[Any, bytes, float]  # (message, peer, since)


class Gossiper:
    def __init__(self, config: GossipConfig, graph: Graph, loaded: LoadedGossip | None = None) -> None:
        self.config = config
        self.chain_hash = config.chain_hash
        self.our_id = config.node_id
        self.graph = graph
        self.chans: dict[int, ChanRec] = {}
        self.node_raw: dict[bytes, bytes] = {}
        self.outpoints: dict[tuple[bytes, int], int] = {}
        self.spent: dict[int, int] = {}
        self.peers: dict[bytes, PeerState] = {}
        self.pending: dict[int, Pending] = {}
        self._pending_nodes: dict[bytes, int] = {}
        self.held_updates: dict[int, dict[int, Held]] = {}
        self.held_nodes: dict[bytes, Held] = {}
        self.bad: OrderedDict[int, str] = OrderedDict()  # scid -> why its announcement is useless
        self.relay = RelayBuffer()
        self.limiter = RateLimiter(config.update_burst, config.update_interval)
        self._warn_limiter = RateLimiter(max(1, config.warnings_per_minute), 60.0 / max(1, config.warnings_per_minute))
        self.range_query_limiter = RateLimiter(4, 60.0)  # query_channel_range per peer
        self._reject_limiter = RateLimiter(max(1, config.max_rejections), 3600.0 / max(1, config.max_rejections))
        self.release_sources: dict[int, set[bytes]] = {}  # scid -> peers its announcement came from
        self._own_node_ann: NodeAnnouncement | None = None
        self._scids: list[int] | None = None
        self._range_syncs = 0
        self._last_flush: float | None = None
        self._last_prune: float | None = None
        self._out: list[Output] = []
        self.dirty_chans: set[int] = set()
        self.dirty_upds: set[tuple[int, int]] = set()
        self.dirty_nodes: set[bytes] = set()
        self._stats: dict[tuple[type, Action], int] = {}
        self.funding_stats: dict[Action, int] = {}
        self.ahead = ChecksAhead()
        if loaded is not None:
            self._load(loaded)

    def _load(self, loaded: LoadedGossip) -> None:
        self.chans = loaded.chans
        self.node_raw = loaded.node_raw
        for scid, rec in self.chans.items():
            if rec.txid is not None:
                self.outpoints[(rec.txid, scid & 0xFFFF)] = scid
            if rec.spent_height is not None:
                self.spent[scid] = rec.spent_height
            rec.relayed = rec.upd1 is not None or rec.upd2 is not None

    # -- outputs -------------------------------------------------------------------------------

    def take_outputs(self) -> list[Output]:
        out, self._out = self._out, []
        return out

    def send(self, peer: bytes, msg: Any) -> None:
        self._out.append(Send(peer, msg))

    def stats(self) -> dict[str, int]:
        """Messages handled, by type and verdict (e.g. `ChannelUpdate.accepted`), and
        funding checks by verdict."""
        out = {f"{t.__name__}.{a.value}": n for (t, a), n in sorted(self._stats.items(), key=str)}
        out.update({f"funding.{a.value}": n for a, n in self.funding_stats.items()})
        return out

    # -- peers ---------------------------------------------------------------------------------

    def peer_connected(self, peer: bytes, remote_features: Features, now: float) -> None:
        """A connection finished `init`: send our filter, and start a sync where useful.

        # BOLT #7: A node which wants any gossip messages has to send this
        # [gossip_timestamp_filter], otherwise no gossip messages would be received.
        # (sender) If the receiver does not offer `gossip_queries`: SHOULD set
        # `first_timestamp` to 0xFFFFFFFF and `timestamp_range` to 0.
        """
        if peer in self.peers:
            self.peer_disconnected(peer)  # a new connection replaces the old one
        ps = PeerState(peer, remote_features.has("gossip_queries"), remote_features.has("gossip_queries_ex"))
        self.peers[peer] = ps
        if not ps.queries:
            self.send(peer, GossipTimestampFilter(self.chain_hash, NO_GOSSIP, 0))
            return
        ps.sync = QuerySync(self.chain_hash, batch=self.config.query_batch)
        # (earlier: gossip made just before may still be on its way to the peer)
        first = max(0, int(now) - self.config.filter_margin_seconds)
        if self._range_syncs < self.config.sync_peers:
            self._range_syncs += 1
            ps.range_sync = True
            if not ps.queries_ex and self.chans:
                # Without timestamps in the range replies we only learn of new channels;
                # newer updates of known ones come through the filter.
                newest = max((p.timestamp for ch in self.graph.channels() for p in (ch.policy1, ch.policy2) if p),
                             default=first)
                first = max(0, min(first, newest - 3600))
        self.send(peer, GossipTimestampFilter(self.chain_hash, first, NO_GOSSIP - first))
        if ps.range_sync:
            q = ps.sync.start_range(timestamps=ps.queries_ex)
            if q is not None:
                ps.sync_activity = now
                self.send(peer, q)

    def peer_disconnected(self, peer: bytes) -> None:
        ps = self.peers.pop(peer, None)
        if ps is not None and ps.range_sync and ps.sync is not None and not ps.sync.range_done:
            self._range_syncs -= 1

    def _blame(self, peer: bytes, reason: str, now: float) -> None:
        ps = self.peers.get(peer)
        if ps is None:
            return
        ps.rejections += 1
        if not self._reject_limiter.take(peer, now):
            self._out.append(DropPeer(peer, f"too many invalid gossip messages ({reason})"))
            return
        if self._warn_limiter.take(peer, now):
            self.send(peer, WarningMsg(channel_id=ALL_CHANNELS, data=f"gossip: {reason}".encode()[:500]))

    # -- messages ------------------------------------------------------------------------------

    def handle(self, peer: bytes, msg: object, now: float) -> Verdict:
        """A gossip or query message from `peer`. Never raises on peer input."""
        if isinstance(msg, ChannelUpdate):
            v = self._channel_update(peer, msg, now)
        elif isinstance(msg, ChannelAnnouncement):
            v = self._channel_announcement(peer, msg, now)
        elif isinstance(msg, NodeAnnouncement):
            v = self._node_announcement(peer, msg, now)
        elif isinstance(msg, GossipTimestampFilter | QueryChannelRange | QueryShortChannelIds):
            v = answers.answer(self, self._peer(peer), msg, now)
        elif isinstance(msg, ReplyChannelRange | ReplyShortChannelIdsEnd):
            v = self._reply(self._peer(peer), msg, now)
        else:
            v = ignored("not a gossip message")
        key = (type(msg), v.action)
        self._stats[key] = self._stats.get(key, 0) + 1
        if v.action is Action.REJECTED:
            self._blame(peer, v.reason, now)
        return v

    def handle_many(self, peer: bytes, msgs: Sequence[object], now: float) -> list[Verdict]:
        """A burst of messages from `peer` (one read), handled in order as by `handle`;
        the signatures they are expected to need are checked first, together, on every
        core (`ahead`). Stops after a message that gets the peer dropped."""
        verdicts = []
        with self.ahead.holding(checks_of_burst(self, msgs, now)):
            for m in msgs:
                verdicts.append(v := self.handle(peer, m, now))
                if v.action is Action.REJECTED and any(type(o) is DropPeer and o.peer == peer for o in self._out):
                    break  # dropped: the rest of its burst is not read (as the link stops reading)
        return verdicts

    def announce_own(self, msg: ChannelAnnouncement | ChannelUpdate | NodeAnnouncement, now: float,
                     *, funding_sat: int | None = None) -> Verdict:
        """Our own gossip, checked like any other (a channel announcement also waits for
        its funding output; `funding_sat`, when given, must be its value), then sent to
        every peer at once.

        # BOLT #7: SHOULD send gossip messages as it generates them regardless of
        # `timestamp`.
        """
        if isinstance(msg, NodeAnnouncement):
            self._own_node_ann = msg
            return self._node_announcement(b"", msg, now)
        if isinstance(msg, ChannelAnnouncement):
            v = self._channel_announcement(b"", msg, now)
            p = self.pending.get(msg.short_channel_id)
            if p is not None and funding_sat is not None:
                p.expected_sat = funding_sat
            return v
        return self._channel_update(b"", msg, now)

    def _peer(self, peer: bytes) -> PeerState:
        ps = self.peers.get(peer)
        if ps is None:
            ps = self.peers[peer] = PeerState(peer)
        return ps

    def is_own(self, node_id: bytes) -> bool:
        return node_id == self.our_id

    def _emit(self, kind: Kind, key: tuple[int, int | bytes], raw: bytes, ts: int, own: bool,
              sources: set[bytes], *, scid: int = 0, node_id: bytes = b"") -> None:
        if own:
            for p in self.peers:
                if p not in sources:
                    self.send(p, RawMessage(raw))
        else:
            self.relay.put(key, RelayItem(kind, raw, ts, scid, node_id, set(sources)))

    # -- channel_announcement ------------------------------------------------------------------

    def _channel_announcement(self, peer: bytes, msg: ChannelAnnouncement, now: float) -> Verdict:
        # BOLT #7: if the specified `chain_hash` is unknown to the receiver: MUST ignore
        # the message.
        if msg.chain_hash != self.chain_hash:
            return ignored("unknown chain_hash")
        scid = msg.short_channel_id
        raw = msg.encode()
        rec = self.chans.get(scid)
        if rec is not None and rec.ann is not None:
            if rec.ann == raw:
                self.relay.also_from(RelayBuffer.key_announcement(scid), raw, peer)
                return ignored("duplicate")
            return ignored("another announcement for a known channel")
        p = self.pending.get(scid)
        if p is not None:
            if p.raw == raw:
                p.sources.add(peer)
                return pending("already waiting for its funding output")
            return ignored("another announcement for a channel being checked")
        why = self.bad.get(scid)
        if why is not None:
            return ignored(why)
        known = self.graph.channel(scid)  # imported: a real announcement verifies it
        if known is not None and (known.node1, known.node2) != (msg.node_id_1, msg.node_id_2):
            return ignored("announcement disagrees with the imported channel")
        problem = check_channel_announcement(msg, raw, self.ahead.verify)
        if problem is not None:
            return rejected(problem)
        bits = unknown_even_bits(msg.features, node_context=False)
        if bits:
            # BOLT #7: if there is an unknown even bit in the `features` field: MUST NOT
            # attempt to route messages through the channel.
            self._mark_bad(scid, f"unknown even feature bits {bits}")
            return ignored(f"unknown even feature bits {bits}")
        if len(self.pending) >= self.config.max_pending:
            return ignored("too many announcements waiting for their funding output")
        self.pending[scid] = Pending(msg, raw, peer, now, {peer} if peer else set())
        for n in (msg.node_id_1, msg.node_id_2):
            self._pending_nodes[n] = self._pending_nodes.get(n, 0) + 1
        self._out.append(LookupFunding(scid))
        return pending("waiting for the funding output")

    def _mark_bad(self, scid: int, why: str) -> None:
        self.bad[scid] = why
        if len(self.bad) > self.config.bad_cache:
            self.bad.popitem(last=False)

    def funding_result(self, facts: FundingFacts, now: float) -> Verdict:
        """The chain's answer to a `LookupFunding`."""
        p = self.pending.pop(facts.scid, None)
        if p is None:
            return ignored("no announcement waiting for this output")
        for n in (p.msg.node_id_1, p.msg.node_id_2):
            left = self._pending_nodes.get(n, 0) - 1
            if left > 0:
                self._pending_nodes[n] = left
            else:
                self._pending_nodes.pop(n, None)
        v = self._judge(p, facts, now)
        self.funding_stats[v.action] = self.funding_stats.get(v.action, 0) + 1
        if v.action is Action.REJECTED and p.peer:
            self._blame(p.peer, v.reason, now)
        if not v.accepted:
            self.held_updates.pop(facts.scid, None)
        return v

    def funding_results(self, facts: Sequence[FundingFacts], now: float) -> list[Verdict]:
        """`funding_result` of each, in order; the updates and node announcements they
        release have their signatures checked first, together. A failure on one (a bug) is
        logged and does not stop the others."""
        verdicts = []
        with self.ahead.holding(checks_of_release(self, [f.scid for f in facts])):
            for f in facts:
                try:
                    verdicts.append(self.funding_result(f, now))
                except Exception:
                    log.exception("funding result for %d failed", f.scid)
                    verdicts.append(ignored("internal error"))
        return verdicts

    def _judge(self, p: Pending, facts: FundingFacts, now: float) -> Verdict:
        scid, msg = facts.scid, p.msg
        if facts.error:
            return ignored(f"funding lookup failed: {facts.error}")
        if not facts.found:
            self._mark_bad(scid, "no output at this short_channel_id")
            return rejected("no output at this short_channel_id")
        # BOLT #7: if the `short_channel_id`'s output does NOT correspond to a P2WSH (using
        # `bitcoin_key_1` and `bitcoin_key_2`) OR the output is spent: MUST ignore the message.
        if facts.script_pubkey != expected_script(msg.bitcoin_key_1, msg.bitcoin_key_2):
            # Not cached by scid: anyone can sign an announcement of their own keys for
            # somebody else's output, and must not keep the real one out.
            return rejected("funding output is not the 2-of-2 P2WSH of the bitcoin keys")
        if p.expected_sat is not None and facts.value_sat != p.expected_sat:
            return rejected(f"funding output holds {facts.value_sat} sat, not {p.expected_sat}")
        if not facts.unspent:
            self._mark_bad(scid, "funding output is spent")
            return ignored("funding output is spent")
        # BOLT #7: if the `short_channel_id`'s output does NOT have at least 6
        # confirmations: MAY accept the message if the output is close to 6 confirmations
        # ... otherwise: SHOULD ignore the message.
        if facts.confirmations < self.config.min_confirmations - self.config.confirmation_slack:
            return ignored(f"funding output has {facts.confirmations} confirmations")
        self._add_channel(p, facts, now)
        return accepted()

    def _add_channel(self, p: Pending, facts: FundingFacts, now: float) -> None:
        msg, scid = p.msg, facts.scid
        if self.graph.channel(scid) is not None:
            self.graph.set_capacity(scid, facts.value_sat, verified=True)
        else:
            self.graph.add_channel(scid, msg.node_id_1, msg.node_id_2, facts.value_sat, features=msg.features)
        # BOLT #7: otherwise: SHOULD store this `channel_announcement`.
        self.chans[scid] = ChanRec(p.raw, int(now), txid=facts.txid)
        self.outpoints[(facts.txid, scid & 0xFFFF)] = scid
        self.release_sources[scid] = p.sources
        self._scids = None
        self.dirty_chans.add(scid)
        held = self.held_updates.pop(scid, {})
        for d in (0, 1):
            if d in held:
                upd, peer, _ = held[d]
                self._channel_update(peer, upd, now)
        for n in (msg.node_id_1, msg.node_id_2):
            h = self.held_nodes.pop(n, None)
            if h is not None:
                self._node_announcement(h[1], h[0], now)
            elif self.is_own(n) and self._own_node_ann is not None:
                self._node_announcement(b"", self._own_node_ann, now)

    # -- channel_update ------------------------------------------------------------------------

    def _channel_update(self, peer: bytes, msg: ChannelUpdate, now: float) -> Verdict:
        # BOLT #7: if the specified `chain_hash` value is unknown (meaning it isn't active
        # on the specified chain): MUST ignore the channel update.
        if msg.chain_hash != self.chain_hash:
            return ignored("unknown chain_hash")
        scid = msg.short_channel_id
        d = msg.channel_flags & 1
        ch = self.graph.channel(scid)
        if ch is None:
            if scid in self.pending:
                return self._hold_update(peer, msg, now)
            # BOLT #7: if the `short_channel_id` does NOT match a previous
            # `channel_announcement`: MUST ignore `channel_update`s that do NOT correspond
            # to one of its own channels.
            self._want(peer, scid)
            return ignored("unknown channel")
        ts = msg.timestamp
        old = ch.policy(d)
        if old is not None:
            # BOLT #7: if `timestamp` is lower than that of the last-received
            # `channel_update` for this `short_channel_id` AND for `node_id`: SHOULD ignore
            # the message.
            if ts < old.timestamp:
                return ignored("outdated")
            # BOLT #7: if the `timestamp` is equal to the last-received `channel_update` ...
            # if the fields below `timestamp` are equal: SHOULD ignore this message
            if ts == old.timestamp:
                if same_fields(msg, old):
                    self.relay.also_from(RelayBuffer.key_update(scid, d), msg.encode(), peer)
                    return ignored("duplicate")
                return ignored("same timestamp, different parameters")
        # BOLT #7: if the `timestamp` is unreasonably far in the future: MAY discard the
        # `channel_update`.
        if ts > now + self.config.max_future_seconds:
            return ignored("timestamp too far in the future")
        if ts < now - self.config.stale_seconds:
            return ignored("older than two weeks")
        rec = self.chans.get(scid)
        disable = bool(msg.channel_flags & 2)
        if rec is not None and rec.spent_height is not None and not disable:
            # BOLT #7: if the channel output has been spent: MUST ignore `channel_update`s,
            # unless they have the `disable` bit set to 1.
            return ignored("funding output spent")
        key = scid << 1 | d
        if not self.limiter.allows(key, now):
            return ignored("rate limited")
        node_id = ch.node1 if d == 0 else ch.node2
        raw = msg.encode()
        if not check_channel_update_signature(msg, raw, node_id, self.ahead.verify):
            return rejected("bad channel_update signature")
        result = self.graph.update_policy(scid, d, policy_of(msg))
        if result is not UpdateResult.APPLIED:
            return ignored(result.value)
        self.limiter.take(key, now)
        self.dirty_upds.add((scid, d))
        # BOLT #7 (dont_forward): MUST NOT forward such a `channel_update` to other peers.
        forward = not msg.message_flags & DONT_FORWARD_BIT
        if rec is None:
            return accepted("channel without an announcement: not relayed")
        rec.set_upd(d, raw if forward else None)
        if forward and rec.ann is not None and rec.spent_height is None:
            own_chan = self.is_own(ch.node1) or self.is_own(ch.node2)
            if not rec.relayed:
                # BOLT #7: MUST consider whether to send the `channel_announcement` after
                # receiving the first corresponding `channel_update`; MUST consider the
                # `timestamp` of the `channel_announcement` to be the `timestamp` of a
                # corresponding `channel_update`.
                rec.relayed = True
                src = self.release_sources.pop(scid, set())
                self._emit(Kind.ANNOUNCEMENT, RelayBuffer.key_announcement(scid), rec.ann, ts, own_chan, src, scid=scid)
            self._emit(Kind.UPDATE, RelayBuffer.key_update(scid, d), raw, ts, self.is_own(node_id),
                       {peer} if peer else set(), scid=scid)
        return accepted()

    def _hold_update(self, peer: bytes, msg: ChannelUpdate, now: float) -> Verdict:
        slot = self.held_updates.get(msg.short_channel_id)
        if slot is None:
            if len(self.held_updates) >= self.config.max_held:
                return ignored("too many updates waiting for their announcement")
            slot = self.held_updates[msg.short_channel_id] = {}
        d = msg.channel_flags & 1
        prev = slot.get(d)
        if prev is None or prev[0].timestamp < msg.timestamp:
            slot[d] = (msg, peer, now)
        return pending("waiting for its channel_announcement")

    def _want(self, peer: bytes, scid: int) -> None:
        """An update for a channel we do not know: ask its sender, if it answers queries."""
        ps = self.peers.get(peer)
        if ps is None or ps.sync is None or scid in self.bad or len(ps.sync.queue) >= 10_000:
            return
        ps.sync.enqueue(scid, QUERY_ALL)

    # -- node_announcement ---------------------------------------------------------------------

    def _node_announcement(self, peer: bytes, msg: NodeAnnouncement, now: float) -> Verdict:
        nid = msg.node_id
        if not self.graph.has_node(nid):
            if nid in self._pending_nodes:
                prev = self.held_nodes.get(nid)
                if prev is None and len(self.held_nodes) >= self.config.max_held:
                    return ignored("too many node announcements waiting")
                if prev is None or prev[0].timestamp < msg.timestamp:
                    self.held_nodes[nid] = (msg, peer, now)
                return pending("waiting for its channel")
            # BOLT #7: if `node_id` is NOT previously known from a `channel_announcement`
            # message ... SHOULD ignore the message.
            return ignored("node without a known channel")
        old = self.graph.node(nid)
        if old is not None and msg.timestamp <= old.timestamp:
            # BOLT #7: ... OR if `timestamp` is NOT greater than the last-received
            # `node_announcement` from this `node_id`: SHOULD ignore the message.
            if msg.timestamp == old.timestamp:
                self.relay.also_from(RelayBuffer.key_node(nid), msg.encode(), peer)
                return ignored("duplicate")
            return ignored("outdated")
        if msg.timestamp > now + self.config.max_future_seconds:
            return ignored("timestamp too far in the future")
        if not self.limiter.allows(nid, now):
            return ignored("rate limited")
        raw = msg.encode()
        if not check_node_announcement_signature(msg, raw, self.ahead.verify):
            return rejected("bad node_announcement signature")
        addresses = parse_addresses(msg.addresses)
        if addresses.malformed:
            # BOLT #7: if `addrlen` is insufficient to hold the address descriptors of the
            # known types: SHOULD send a `warning`. MAY close the connection.
            return rejected("address descriptors run past addrlen")
        result = self.graph.update_node(node_info_of(msg, addresses))
        if result is not UpdateResult.APPLIED:
            return ignored(result.value)
        self.limiter.take(nid, now)
        self.dirty_nodes.add(nid)
        if addresses.forwardable:
            # BOLT #7: if `timestamp` is greater than the last-received `node_announcement`
            # from this `node_id`: SHOULD queue the message for rebroadcasting.
            self.node_raw[nid] = raw
            self._emit(Kind.NODE, RelayBuffer.key_node(nid), raw, msg.timestamp, self.is_own(nid),
                       {peer} if peer else set(), node_id=nid)
        else:
            self.node_raw.pop(nid, None)
        return accepted()

    # -- replies to our queries ----------------------------------------------------------------

    def _reply(self, ps: PeerState, msg: ReplyChannelRange | ReplyShortChannelIdsEnd, now: float) -> Verdict:
        if ps.sync is None:
            return ignored("no query sent to this peer")
        if isinstance(msg, ReplyShortChannelIdsEnd):
            problem = ps.sync.on_reply_end(msg)
            if problem is None:
                self._pump(ps)
            return ignored(problem) if problem else accepted()
        ps.sync_activity = now
        problem = ps.sync.on_reply_range(msg)
        if problem is not None:
            return rejected(problem)
        if ps.sync.range_done:
            self._range_finished(ps)
        return accepted()

    def _range_finished(self, ps: PeerState) -> None:
        assert ps.sync is not None
        entries, ps.sync.collected = ps.sync.collected, []
        for e in entries:
            flags = self._flags_for(e, ps.queries_ex)
            if flags:
                ps.sync.enqueue(e.scid, flags)
        self._pump(ps)

    def _flags_for(self, e: RangeEntry, with_flags: bool) -> int:
        """What to ask about a channel the peer has (0: nothing)."""
        scid = e.scid
        if scid in self.pending or scid in self.bad:
            return 0
        ch = self.graph.channel(scid)
        rec = self.chans.get(scid)
        if ch is None or rec is None or rec.ann is None:
            return QUERY_ALL
        if rec.spent_height is not None or e.timestamps is None:
            return 0
        flags = 0
        for d, theirs in enumerate(e.timestamps):
            mine = ch.policy(d)
            if theirs and (mine is None or theirs > mine.timestamp):
                flags |= QUERY_UPDATE_1 << d
        if flags and not with_flags:
            return QUERY_ALL
        return flags

    def _pump(self, ps: PeerState) -> None:
        """Send the next `query_short_channel_ids`, unless the announcements of the last
        ones still wait for their funding outputs (the chain is the bottleneck: asking
        faster would only fill `pending`)."""
        if ps.sync is not None and len(self.pending) < self.config.pending_backpressure:
            q = ps.sync.next_query(with_flags=ps.queries_ex)
            if q is not None:
                self.send(ps.peer_id, q)

    # -- chain ---------------------------------------------------------------------------------

    def block_connected(self, height: int, txs: Iterable[Transaction]) -> list[int]:
        """Spends of known funding outputs in a new block (`spends.block_connected`)."""
        return spends.block_connected(self, height, txs)

    def block_disconnected(self, height: int) -> None:
        """A reorg took the block at `height` away (`spends.block_disconnected`)."""
        spends.block_disconnected(self, height)

    def scids_changed(self) -> None:
        """The channels we relay changed: `public_scids` is sorted again when next asked."""
        self._scids = None

    def forget_channel(self, scid: int) -> None:
        """Drop a channel and what hangs on it (`spends.forget_channel`)."""
        spends.forget_channel(self, scid)

    # -- time ----------------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        if self._last_flush is None:
            self._last_flush = now
        elif now - self._last_flush >= self.config.flush_interval:
            self.flush()
            self._last_flush = now
        for ps in list(self.peers.values()):
            if ps.backlog is not None:
                self._pump_backlog(ps)
            if ps.sync is not None and ps.sync.in_range and now - ps.sync_activity > self.config.range_timeout:
                ps.sync.finish_range()  # the peer never said it was complete
                self._range_finished(ps)
            self._pump(ps)
        self._expire(now)
        if self._last_prune is None:
            self._last_prune = now
        elif now - self._last_prune >= self.config.prune_interval:
            self.prune_stale(now)
            self.limiter.sweep(now)
            self._last_prune = now

    def flush(self) -> int:
        """Send the relay buffer to the peers whose filter admits each message; returns
        the number of messages sent.

        # BOLT #7: MUST not send gossip it did not generate itself, until it receives
        # `gossip_timestamp_filter`.
        """
        items = self.relay.take(self._ready)
        sent = 0
        for ps in self.peers.values():
            f = ps.filter
            if f is None:
                continue
            for it in items:
                if ps.peer_id not in it.sources and f.contains(it.timestamp):
                    self.send(ps.peer_id, RawMessage(it.raw))
                    sent += 1
        return sent

    def _ready(self, item: RelayItem) -> bool:
        """A node announcement waits until one of its channels has gone out (BOLT #7: MUST
        send the `channel_announcement` prior to any corresponding `channel_update`s and
        `node_announcement`s)."""
        if item.kind is not Kind.NODE:
            return True
        for scid in self.graph.channels_of(item.node_id):
            rec = self.chans.get(scid)
            if rec is not None and rec.relayed:
                return True
        return False

    def _pump_backlog(self, ps: PeerState) -> None:
        assert ps.backlog is not None
        for _ in range(self.config.backlog_batch):
            raw = next(ps.backlog, None)
            if raw is None:
                ps.backlog = None
                return
            self.send(ps.peer_id, RawMessage(raw))

    def _expire(self, now: float) -> None:
        limit = now - self.config.hold_seconds
        for scid in [s for s, slot in self.held_updates.items() if all(h[2] < limit for h in slot.values())]:
            del self.held_updates[scid]
        for nid in [n for n, h in self.held_nodes.items() if h[2] < limit]:
            del self.held_nodes[nid]

    def prune_stale(self, now: float) -> list[int]:
        """Forget channels not updated for two weeks (see `upkeep.prune_stale`)."""
        return upkeep.prune_stale(self, now)

    def has_announcement(self, scid: int) -> bool:
        """We hold the channel's `channel_announcement` (not only an imported channel)."""
        rec = self.chans.get(scid)
        return rec is not None and rec.ann is not None

    # -- storage -------------------------------------------------------------------------------

    def take_writes(self) -> GossipWrites:
        """What changed since the last call, as rows (`GossipStore.apply`)."""
        return upkeep.take_writes(self)

    # -- views ---------------------------------------------------------------------------------

    def public_scids(self) -> list[int]:
        """Sorted scids of the channels we relay and answer queries about."""
        if self._scids is None:
            self._scids = sorted(s for s, r in self.chans.items() if r.ann is not None and r.spent_height is None)
        return self._scids
