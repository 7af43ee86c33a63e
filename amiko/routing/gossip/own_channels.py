"""Announcing our own public channels (BOLT 7 `announcement_signatures`).

Once a public channel is usable and its funding has 6 confirmations, each side sends its
two signatures of the channel announcement; with both, either side can build the full
`channel_announcement`, which goes into our gossip with our `channel_update` and our
`node_announcement`. The channel types know nothing of this: the node hands this class
what it needs about each channel (ids, keys, depth) through `AnnounceableChannel`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from amiko.link.features import Features
from amiko.routing.gossip.addresses import Address
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
from amiko.wire.messages import AnnouncementSignatures

log = logging.getLogger("amiko.gossip")

ANNOUNCE_DEPTH = 6  # BOLT #7: announcement_signatures once the funding has 6 confirmations


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
    progress: dict[bytes, _Progress] = field(default_factory=dict)

    def keys(self, ch: AnnounceableChannel) -> ChannelKeys:
        return ChannelKeys(self.chain_hash, ch.scid, self.node_id, ch.peer_id,
                           ch.local_funding_pubkey, ch.remote_funding_pubkey)

    def channel_deep_enough(self, ch: AnnounceableChannel, height: int) -> None:
        """Called for each usable public channel on every block (and at start)."""
        confirmations = height - (ch.scid >> 40) + 1
        if confirmations < ANNOUNCE_DEPTH:
            return
        p = self.progress.setdefault(ch.channel_id, _Progress())
        if p.ours is None:
            from amiko.routing.gossip.announcements import sign_announcement

            p.ours = sign_announcement(self.keys(ch), self.node_secret, ch.funding_secret)
        if not p.announced:
            # (re)send ours until the announcement is made: the peer may have missed it
            self.send(ch.peer_id, announcement_signatures(self.keys(ch), ch.channel_id, p.ours))
        self._maybe_announce(ch, confirmations)

    def receive(self, ch: AnnounceableChannel | None, msg: AnnouncementSignatures, height: int) -> str | None:
        """The peer's signatures; returns a reason when they are refused."""
        if ch is None:
            return "announcement_signatures for a channel we do not announce"
        problem = check_announcement_signatures(self.keys(ch), msg)
        if problem is not None:
            return problem
        p = self.progress.setdefault(ch.channel_id, _Progress())
        p.theirs = remote_signatures(msg)
        self._maybe_announce(ch, height - (ch.scid >> 40) + 1)
        return None

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
        now = int(time.time())
        self.gossip.announce_own(make_node_announcement(self.node_secret, now, features=self.features.to_bytes(),
                                                        alias=self.alias, addresses=self.addresses))
        log.info("channel %s announced as %d", ch.channel_id.hex(), ch.scid)

    def is_announced(self, channel_id: bytes) -> bool:
        p = self.progress.get(channel_id)
        return p is not None and p.announced

    def update(self, ch: AnnounceableChannel, disabled: bool = False) -> None:
        """Our channel_update for our direction (after a policy change too)."""
        pol = self.policy_of(ch.channel_id)
        upd = make_channel_update(
            self.node_secret, self.chain_hash, ch.scid, ch.peer_id, int(time.time()),
            cltv_expiry_delta=pol.cltv_expiry_delta, htlc_minimum_msat=max(1, ch.htlc_minimum_msat),
            htlc_maximum_msat=ch.htlc_maximum_msat, fee_base_msat=pol.fee_base_msat,
            fee_proportional_millionths=pol.fee_proportional_millionths, disabled=disabled,
            local_node_id=self.node_id)
        self.gossip.announce_own(upd)
