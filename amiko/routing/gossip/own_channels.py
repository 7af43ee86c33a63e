"""Announcing our own public channels (BOLT 7 `announcement_signatures`), and keeping
what we announced fresh.

Once a public channel is usable and its funding has 6 confirmations, each side sends its
two signatures of the channel announcement; with both, either side can build the full
`channel_announcement`, which goes into our gossip with our `channel_update` and our
`node_announcement`. The channel types know nothing of this: the node hands this class
what it needs about each channel (ids, keys, depth) through `AnnounceableChannel`.

After a restart a channel whose announcement our gossip store holds counts as announced
(its policy changes go out at once), and our `node_announcement` is made again if what it
says (features, alias, addresses) changed. Our `channel_update`s are signed again before
they grow old enough for the network to prune the channel, or when they no longer say the
channel's policy (`refresh_updates`); they say "disabled" while the peer is away for long
(`peers_away`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from amiko.link.features import Features
from amiko.routing.gossip.addresses import Address, parse_addresses
from amiko.routing.gossip.announcements import (
    ChannelKeys,
    LocalSignatures,
    announcement_if_ready,
    announcement_signatures,
    check_announcement_signatures,
    make_channel_update,
    make_node_announcement,
    remote_signatures,
)
from amiko.routing.gossip.driver import GossipDriver
from amiko.routing.gossip.validation import node_info_of
from amiko.routing.graph import Policy
from amiko.wire.messages import AnnouncementSignatures, NodeAnnouncement

log = logging.getLogger("amiko.gossip")

ANNOUNCE_DEPTH = 6  # BOLT #7: announcement_signatures once the funding has 6 confirmations
# Our channel_update is signed again when it is this old: the network MAY prune a channel
# whose latest update is two weeks old (BOLT #7, "Recommendation on Pruning Stale Entries").
REFRESH_AFTER_SECONDS = 7 * 86400
# A peer away this long: our channels with it are announced disabled, so that payers stop
# routing through them (BOLT #7: MAY create and send a `channel_update` with the `disable`
# bit set to 1, to signal a channel's temporary unavailability, e.g. due to a loss of
# connectivity). Shorter absences (a restart, a network blip) are not worth the gossip.
DISABLE_AFTER_SECONDS = 600


@dataclass(frozen=True)
class AnnounceableChannel:
    channel_id: bytes
    peer_id: bytes
    scid: int
    local_funding_pubkey: bytes
    remote_funding_pubkey: bytes
    funding_secret: bytes
    capacity_sat: int
    htlc_minimum_msat: int
    htlc_maximum_msat: int


class PolicySource(Protocol):
    def __call__(self, channel_id: bytes) -> Any: ...


@dataclass
class _Progress:
    ours: LocalSignatures | None = None
    theirs: LocalSignatures | None = None
    announced: bool = False
    sent_on: object = None  # the connection to the peer our signatures last went out on


def _no_connection(_peer_id: bytes) -> object:
    return None


@dataclass
class OwnChannelAnnouncer:
    node_secret: bytes
    node_id: bytes
    chain_hash: bytes
    alias: str
    gossip: GossipDriver
    send: Any  # (peer_id, msg) -> bool
    policy_of: PolicySource
    features: Features = field(default_factory=Features)  # ours, as node_announcement shows them
    addresses: tuple[Address, ...] = ()  # where we can be reached
    # the peer's current connection (any value that differs from one connection to the
    # next), None when it is not connected
    connection_of: Callable[[bytes], object] = _no_connection
    progress: dict[bytes, _Progress] = field(default_factory=dict)
    node_checked: bool = False  # our node_announcement was compared with what it should say
    # channel -> since when its peer is away
    away_since: dict[bytes, float] = field(default_factory=dict)

    def keys(self, ch: AnnounceableChannel) -> ChannelKeys:
        return ChannelKeys(self.chain_hash, ch.scid, self.node_id, ch.peer_id,
                           ch.local_funding_pubkey, ch.remote_funding_pubkey)

    def channel_deep_enough(self, ch: AnnounceableChannel, height: int) -> None:
        """Called for each usable public channel on every block (and at start)."""
        confirmations = height - (ch.scid >> 40) + 1
        if confirmations < ANNOUNCE_DEPTH:
            return
        p = self._progress(ch)
        if not p.announced:
            # (re)send ours until the announcement is made: the peer may have missed it
            self._send_ours(ch, p)
        self._maybe_announce(ch, confirmations)

    def receive(self, ch: AnnounceableChannel | None, msg: AnnouncementSignatures, height: int) -> str | None:
        """The peer's signatures; returns a reason when they are refused."""
        if ch is None:
            return "announcement_signatures for a channel we do not announce"
        problem = check_announcement_signatures(self.keys(ch), msg)
        if problem is not None:
            return problem
        p = self._progress(ch)
        p.theirs = remote_signatures(msg)
        confirmations = height - (ch.scid >> 40) + 1
        if confirmations >= ANNOUNCE_DEPTH and p.sent_on != self.connection_of(ch.peer_id):
            # BOLT #7: Upon reconnection (once the above timing requirements have been met):
            # If it receives `announcement_signatures` for the funding transaction: MUST
            # respond with its own `announcement_signatures` message.
            # (Once per connection: two nodes that both answer would never stop.)
            self._send_ours(ch, p)
        self._maybe_announce(ch, confirmations)
        return None

    def _progress(self, ch: AnnounceableChannel) -> _Progress:
        p = self.progress.get(ch.channel_id)
        if p is None:
            p = self.progress[ch.channel_id] = _Progress()
            # After a restart: our gossip store kept the announcement, the network has it.
            p.announced = self.gossip.gossiper.has_announcement(ch.scid)
            if p.announced:
                self._check_node_announcement()
        return p

    def _send_ours(self, ch: AnnounceableChannel, p: _Progress) -> None:
        if p.ours is None:
            from amiko.routing.gossip.announcements import sign_announcement

            p.ours = sign_announcement(self.keys(ch), self.node_secret, ch.funding_secret)
        self.send(ch.peer_id, announcement_signatures(self.keys(ch), ch.channel_id, p.ours))
        p.sent_on = self.connection_of(ch.peer_id)

    def _maybe_announce(self, ch: AnnounceableChannel, confirmations: int) -> None:
        p = self.progress[ch.channel_id]
        if p.announced:
            return
        ann = announcement_if_ready(self.keys(ch), p.ours, p.theirs, confirmations)
        if ann is None:
            return
        p.announced = True
        self.gossip.announce_own(ann, funding_sat=ch.capacity_sat)
        self.update(ch)
        self.gossip.announce_own(self._node_announcement())
        self.node_checked = True
        log.info("channel %s announced as %d", ch.channel_id.hex(), ch.scid)

    def _node_announcement(self, timestamp: int | None = None) -> NodeAnnouncement:
        if timestamp is None:
            # BOLT #7: MUST set `timestamp` to be greater than that of any previous
            # `node_announcement` it has previously created.
            known = self.gossip.gossiper.graph.node(self.node_id)
            timestamp = max(int(time.time()), 0 if known is None else known.timestamp + 1)
        return make_node_announcement(self.node_secret, timestamp, features=self.features.to_bytes(),
                                      alias=self.alias, addresses=self.addresses)

    def _check_node_announcement(self) -> None:
        """Once per run, with a channel announced: if our announcement the network knows
        says something else than we would now (a new `--announce-addr`, new features), or
        none is known, make a new one."""
        if self.node_checked:
            return
        self.node_checked = True
        known = self.gossip.gossiper.graph.node(self.node_id)
        if known is not None:
            same = self._node_announcement(known.timestamp)
            if node_info_of(same, parse_addresses(same.addresses)) == known:
                return
        self.gossip.announce_own(self._node_announcement())
        log.info("node announcement made again: what it says changed")

    def refresh_updates(self, channels: Iterable[AnnounceableChannel], now: float) -> list[int]:
        """Sign our `channel_update` again for the announced channels among `channels` whose
        update the network has is stale: older than `REFRESH_AFTER_SECONDS`, or saying
        another policy than the channel's now (changed while the peer was away, or the
        node's defaults changed across a restart). Returns their scids."""
        done = []
        for ch in channels:
            if not self._progress(ch).announced:
                continue
            known = self.gossip.gossiper.graph.policy_from(ch.scid, self.node_id)
            if (known is None or known.timestamp < now - REFRESH_AFTER_SECONDS
                    or not known.same_parameters(self._policy(ch))):
                self.update(ch)
                done.append(ch.scid)
        return done

    def peers_away(self, channels: Iterable[AnnounceableChannel], now: float) -> list[int]:
        """`channels` are the open public ones whose peer is not connected (all of them, at
        every call): those away for `DISABLE_AFTER_SECONDS` are announced disabled; returns
        their scids. (`refresh_updates` enables them again once the peer is back.)"""
        done = []
        away = {}
        for ch in channels:
            since = away[ch.channel_id] = self.away_since.get(ch.channel_id, now)
            if now - since < DISABLE_AFTER_SECONDS or not self._progress(ch).announced:
                continue
            known = self.gossip.gossiper.graph.policy_from(ch.scid, self.node_id)
            if known is None or not known.disabled:
                self.update(ch, disabled=True)
                done.append(ch.scid)
        self.away_since = away
        return done

    def _policy(self, ch: AnnounceableChannel, disabled: bool = False) -> Policy:
        """What our `channel_update` for `ch` says."""
        pol = self.policy_of(ch.channel_id)
        return Policy(pol.fee_base_msat, pol.fee_proportional_millionths, pol.cltv_expiry_delta,
                      max(1, ch.htlc_minimum_msat), ch.htlc_maximum_msat, disabled)

    def is_announced(self, channel_id: bytes) -> bool:
        p = self.progress.get(channel_id)
        return p is not None and p.announced

    def update(self, ch: AnnounceableChannel, disabled: bool = False) -> None:
        """Our channel_update for our direction (after a policy change too)."""
        pol = self._policy(ch, disabled)
        # BOLT #7: MUST set `timestamp` to greater than 0, AND to greater than any
        # previously-sent `channel_update` for this `short_channel_id`. (Two policy changes
        # within a second would otherwise leave the second unannounced.)
        previous = self.gossip.gossiper.graph.policy_from(ch.scid, self.node_id)
        timestamp = max(int(time.time()), 0 if previous is None else previous.timestamp + 1)
        upd = make_channel_update(
            self.node_secret, self.chain_hash, ch.scid, ch.peer_id, timestamp,
            cltv_expiry_delta=pol.cltv_expiry_delta, htlc_minimum_msat=pol.htlc_minimum_msat,
            htlc_maximum_msat=pol.htlc_maximum_msat, fee_base_msat=pol.fee_base_msat,
            fee_proportional_millionths=pol.fee_proportional_millionths, disabled=disabled,
            local_node_id=self.node_id)
        self.gossip.announce_own(upd)
