"""Signature checks of a burst of gossip, made ahead on every core.

A peer's sync arrives in bursts (one read of the connection holds hundreds of messages),
and most of the cost of a new message is its signatures: four for a
`channel_announcement`, one for the others. The gossiper still handles each message alone
and in order; for a burst it first predicts, from its state before the burst, which
signatures the handling will check, checks those together (`amiko.crypto.parallel`:
libsecp256k1 runs without the GIL), and then the handling takes a result when it checks
the very same key, hash and signature, or checks inline when there is none.

The prediction applies the cheap tests the handling applies first (known channel, newer
timestamp, rate limit...), and only to the first message per channel, channel direction
or node in a burst (a later one may be made moot by the first): a flood costs at most one
check ahead per key per burst, on top of what handling it alone costs. A wrong prediction
costs one check made for nothing, or nothing (the handling checks inline). Results are
kept only for the burst.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from amiko.crypto.keys import verify
from amiko.crypto.parallel import MIN_PARALLEL, verify_each
from amiko.routing.gossip.validation import (
    DISABLE_BIT,
    channel_announcement_hash,
    channel_update_hash,
    node_announcement_hash,
)
from amiko.wire.messages import ChannelAnnouncement, ChannelUpdate, NodeAnnouncement

if TYPE_CHECKING:
    from amiko.routing.gossip.gossiper import Gossiper

Check = tuple[bytes, bytes, bytes]  # (public key, 32-byte hash, 64-byte signature)


class ChecksAhead:
    """Results of signature checks made ahead, each taken at most once."""

    __slots__ = ("_results", "made", "used")

    def __init__(self) -> None:
        self._results: dict[Check, bool] = {}
        self.made = 0  # checks made ahead, in all
        self.used = 0  # of which the handling took the result

    @contextmanager
    def holding(self, checks: Sequence[Check]) -> Iterator[None]:
        """Make `checks` (in parallel) and keep their results for the `with` block. Fewer
        than a parallel batch's worth are left to the handling: no gain in making them
        ahead."""
        if len(checks) >= MIN_PARALLEL:
            self._results = dict(zip(checks, verify_each(checks), strict=True))
            self.made += len(checks)
        try:
            yield
        finally:
            self._results = {}

    def verify(self, pubkey: bytes, msg_hash32: bytes, sig64: bytes) -> bool:
        """`amiko.crypto.keys.verify`, from a result made ahead when there is one."""
        result = self._results.pop((pubkey, msg_hash32, sig64), None)
        if result is None:
            return verify(pubkey, msg_hash32, sig64)
        self.used += 1
        return result


def checks_of_burst(g: Gossiper, msgs: Sequence[object], now: float) -> list[Check]:
    """The signature checks handling `msgs` in order is expected to make."""
    out: list[Check] = []
    seen: set[object] = set()
    for m in msgs:
        if isinstance(m, ChannelUpdate):
            key: object = (m.short_channel_id, m.channel_flags & 1)
            if key not in seen:
                seen.add(key)
                out.extend(_update_check(g, m, now))
        elif isinstance(m, ChannelAnnouncement):
            if m.short_channel_id not in seen:
                seen.add(m.short_channel_id)
                out.extend(_announcement_checks(g, m))
        elif isinstance(m, NodeAnnouncement) and m.node_id not in seen:
            seen.add(m.node_id)
            out.extend(_node_check(g, m, now))
    return out


def checks_of_release(g: Gossiper, scids: Sequence[int]) -> list[Check]:
    """The checks of the updates and node announcements held for these channels, which
    their funding results release."""
    out: list[Check] = []
    for scid in scids:
        p = g.pending.get(scid)
        if p is None:
            continue
        ann = p.msg
        for d, (upd, _, _) in g.held_updates.get(scid, {}).items():
            node_id = ann.node_id_1 if d == 0 else ann.node_id_2
            out.append((node_id, channel_update_hash(upd.encode()), upd.signature))
        for n in (ann.node_id_1, ann.node_id_2):
            held = g.held_nodes.get(n)
            if held is not None:
                out.append((n, node_announcement_hash(held[0].encode()), held[0].signature))
    return out


def _update_check(g: Gossiper, m: ChannelUpdate, now: float) -> list[Check]:
    ch = g.graph.channel(m.short_channel_id)
    if ch is None or m.chain_hash != g.chain_hash:
        return []
    d = m.channel_flags & 1
    old = ch.policy(d)
    ts = m.timestamp
    if (old is not None and ts <= old.timestamp) or not (
            now - g.config.stale_seconds <= ts <= now + g.config.max_future_seconds):
        return []
    rec = g.chans.get(m.short_channel_id)
    if rec is not None and rec.spent_height is not None and not m.channel_flags & DISABLE_BIT:
        return []  # (only a disabling update of a spent channel is taken)
    if not g.limiter.allows(m.short_channel_id << 1 | d, now):
        return []
    return [(ch.node1 if d == 0 else ch.node2, channel_update_hash(m.encode()), m.signature)]


def _announcement_checks(g: Gossiper, m: ChannelAnnouncement) -> list[Check]:
    scid = m.short_channel_id
    rec = g.chans.get(scid)
    if (m.chain_hash != g.chain_hash or (rec is not None and rec.ann is not None) or scid in g.pending
            or scid in g.bad or not m.node_id_1 < m.node_id_2):
        return []
    known = g.graph.channel(scid)  # imported: the announcement must name its nodes
    if known is not None and (known.node1, known.node2) != (m.node_id_1, m.node_id_2):
        return []
    h = channel_announcement_hash(m.encode())
    return [(m.node_id_1, h, m.node_signature_1), (m.node_id_2, h, m.node_signature_2),
            (m.bitcoin_key_1, h, m.bitcoin_signature_1), (m.bitcoin_key_2, h, m.bitcoin_signature_2)]


def _node_check(g: Gossiper, m: NodeAnnouncement, now: float) -> list[Check]:
    old = g.graph.node(m.node_id)
    if not g.graph.has_node(m.node_id) or (old is not None and m.timestamp <= old.timestamp):
        return []
    if m.timestamp > now + g.config.max_future_seconds or not g.limiter.allows(m.node_id, now):
        return []
    return [(m.node_id, node_announcement_hash(m.encode()), m.signature)]
