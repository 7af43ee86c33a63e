"""The in-memory channel graph, laid out for pathfinding.

Nodes are interned to small ints (index into `Graph.node_ids`). Channels are keyed by the
`short_channel_id` as an int (its 8-byte big-endian form). Each channel has two directions:
direction 0 is the `channel_update` of `node_id_1` (forwarding out from node 1 to node 2),
direction 1 that of `node_id_2`. BOLT #7: `node_id_1` is "the numerically-lesser of the two
DER-encoded keys", so the direction of a hop from A to B is `0 if A < B else 1`.

A *directed edge* is keyed by `edge_key(scid, direction) = scid << 1 | direction`; mission
control (`learning.py`) and the pathfinder's exclusions use that key.

For pathfinding the graph keeps int-indexed adjacency lists (`adjacency.py`) of the usable
directed edges, as flat tuples of precomputed constants, both into and out of every node.
They are updated in place on every change, so a gossip update costs a scan of two nodes'
lists, never a rebuild.

Persistence: `to_rows()` / `Graph.from_rows()` give plain tuples (bytes, ints, str) that
fit a SQL table or a compact file; `from_rows` rebuilds a 50,000-channel graph in well
under a second.
"""

from __future__ import annotations

import enum
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from amiko.routing.adjacency import Adjacency, EdgeT

# BOLT #7: "if the `timestamp` of the latest `channel_update` in either direction is older
# than two weeks (1209600 seconds): MAY prune the channel."
STALE_AFTER_SECONDS = 1_209_600

MSAT_PER_SAT = 1000


def edge_key(scid: int, direction: int) -> int:
    """The directed-edge key: `scid << 1 | direction`."""
    return scid << 1 | direction


def direction_of(from_node: bytes, to_node: bytes) -> int:
    """Direction bit of a hop from `from_node` to `to_node` (BOLT #7 `channel_flags` bit 0)."""
    return 0 if from_node < to_node else 1


def forward_fee(fee_base_msat: int, fee_proportional_millionths: int, amount_to_forward: int) -> int:
    """BOLT #7 HTLC Fees: "fee_base_msat + ( amount_to_forward * fee_proportional_millionths
    / 1000000 )", integer arithmetic, rounded down (as every implementation checks it)."""
    return fee_base_msat + amount_to_forward * fee_proportional_millionths // 1_000_000


@dataclass(frozen=True, slots=True)
class Policy:
    """One direction of a channel: the parameters of a `channel_update`."""

    fee_base_msat: int
    fee_proportional_millionths: int
    cltv_expiry_delta: int
    htlc_minimum_msat: int
    htlc_maximum_msat: int
    disabled: bool = False
    timestamp: int = 0

    def fee(self, amount_to_forward: int) -> int:
        return forward_fee(self.fee_base_msat, self.fee_proportional_millionths, amount_to_forward)

    def same_parameters(self, other: Policy) -> bool:
        """True when every field but the timestamp matches."""
        return replace(other, timestamp=self.timestamp) == self


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """A channel as the graph knows it. `capacity_sat` is None until the funding output is
    known; `unverified` marks channels taken on trust (e.g. imported from another node's
    dump) whose funding output nobody has checked."""

    scid: int
    node1: bytes
    node2: bytes
    capacity_sat: int | None = None
    unverified: bool = False
    features: bytes = b""
    policy1: Policy | None = None  # announced by node1: forwarding node1 -> node2
    policy2: Policy | None = None  # announced by node2: forwarding node2 -> node1

    def policy(self, direction: int) -> Policy | None:
        return self.policy1 if direction == 0 else self.policy2

    def endpoints(self, direction: int) -> tuple[bytes, bytes]:
        """(from, to) for that direction."""
        return (self.node1, self.node2) if direction == 0 else (self.node2, self.node1)

    def other(self, node_id: bytes) -> bytes:
        return self.node2 if node_id == self.node1 else self.node1


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What a `node_announcement` told us. Addresses are kept as `host:port` strings."""

    node_id: bytes
    timestamp: int = 0
    features: bytes = b""
    alias: str = ""
    rgb_color: bytes = b"\x00\x00\x00"
    addresses: tuple[str, ...] = ()


class UpdateResult(enum.Enum):
    APPLIED = "applied"
    UNKNOWN_CHANNEL = "unknown_channel"
    # BOLT #7: "if `timestamp` is lower than that of the last-received `channel_update` for
    # this `short_channel_id` AND for `node_id`: SHOULD ignore the message."
    OUTDATED = "outdated"
    # BOLT #7: "if the `timestamp` is equal to the last-received `channel_update` ... if the
    # fields below `timestamp` are equal: SHOULD ignore this message"
    DUPLICATE = "duplicate"
    # ... "if the fields below `timestamp` differ: MAY blacklist this `node_id`." The graph
    # keeps the first one and reports the conflict; the gossip layer decides.
    CONFLICT = "conflict"


# Row forms for persistence: plain tuples of bytes / int / str / None.
NodeRow = tuple[bytes, int, bytes, str, bytes, str]  # node_id, ts, features, alias, rgb, addrs
ChannelRow = tuple[int, bytes, bytes, int | None, int, bytes]  # scid, n1, n2, cap, unverified, features
PolicyRow = tuple[int, int, int, int, int, int, int, int, int]
# scid, direction, fee_base, ppm, cltv_delta, htlc_min, htlc_max, disabled, timestamp


@dataclass(frozen=True, slots=True)
class GraphRows:
    nodes: list[NodeRow] = field(default_factory=list)
    channels: list[ChannelRow] = field(default_factory=list)
    policies: list[PolicyRow] = field(default_factory=list)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many long-lived objects that
    form no cycles: otherwise each of its full passes walks everything built so far,
    which doubles the time to load a 50,000-channel graph."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _edge_tuple(from_idx: int, p: Policy, capacity_sat: int | None, key: int) -> EdgeT | None:
    """The precomputed search tuple (`adjacency.EdgeT`, in-list form) for a policy, or
    None when the edge is unusable."""
    if p.disabled:
        return None
    # BOLT #7: "if `htlc_maximum_msat` < `htlc_minimum_msat`: SHOULD ignore this channel
    # during route considerations."
    if p.htlc_maximum_msat < p.htlc_minimum_msat:
        return None
    if capacity_sat is None:
        cap = p.htlc_maximum_msat
    else:
        cap = capacity_sat * MSAT_PER_SAT
        # BOLT #7: "if `htlc_maximum_msat` is greater than channel capacity: ... SHOULD
        # ignore this channel during route considerations."
        if p.htlc_maximum_msat > cap:
            return None
    if cap <= 0:
        return None
    return (
        from_idx,
        p.fee_base_msat,
        p.fee_proportional_millionths,
        p.cltv_expiry_delta,
        p.htlc_minimum_msat,
        min(p.htlc_maximum_msat, cap),
        cap,
        key,
    )


class Graph:
    """The channel graph. Mutable (gossip updates it), not thread-safe."""

    def __init__(self) -> None:
        self._ids: list[bytes] = []
        self._index: dict[bytes, int] = {}
        self._nodes: dict[bytes, NodeInfo] = {}
        self._chans: dict[int, ChannelInfo] = {}
        self._chans_of: list[set[int]] = []
        self.adj = Adjacency()  # read only outside this class
        self.version = 0  # bumped on every change that can alter a route

    # -- nodes -------------------------------------------------------------------------

    def intern(self, node_id: bytes) -> int:
        """The small int for a node id (assigned on first sight, never reused)."""
        idx = self._index.get(node_id)
        if idx is None:
            if len(node_id) != 33:
                raise ValueError("node id must be a 33-byte compressed public key")
            idx = len(self._ids)
            self._index[node_id] = idx
            self._ids.append(node_id)
            self._chans_of.append(set())
            self.adj.grow()
        return idx

    def index_of(self, node_id: bytes) -> int | None:
        return self._index.get(node_id)

    @property
    def node_ids(self) -> list[bytes]:
        """Node id by index (read only: do not mutate)."""
        return self._ids

    def node(self, node_id: bytes) -> NodeInfo | None:
        return self._nodes.get(node_id)

    def has_node(self, node_id: bytes) -> bool:
        idx = self._index.get(node_id)
        return idx is not None and bool(self._chans_of[idx])

    def nodes(self) -> Iterator[bytes]:
        """Nodes that have at least one channel."""
        for idx, chans in enumerate(self._chans_of):
            if chans:
                yield self._ids[idx]

    @property
    def num_nodes(self) -> int:
        return sum(1 for c in self._chans_of if c)

    def update_node(self, info: NodeInfo) -> UpdateResult:
        """Apply a node_announcement's data. BOLT #7: nodes "not associated with an already
        known channel are ignored"; an older or equal timestamp is ignored."""
        if not self.has_node(info.node_id):
            return UpdateResult.UNKNOWN_CHANNEL
        old = self._nodes.get(info.node_id)
        if old is not None:
            if info.timestamp < old.timestamp:
                return UpdateResult.OUTDATED
            if info.timestamp == old.timestamp:
                same = replace(info, timestamp=old.timestamp) == old
                return UpdateResult.DUPLICATE if same else UpdateResult.CONFLICT
        self._nodes[info.node_id] = info
        return UpdateResult.APPLIED

    def channels_of(self, node_id: bytes) -> list[int]:
        idx = self._index.get(node_id)
        return sorted(self._chans_of[idx]) if idx is not None else []

    # -- channels ----------------------------------------------------------------------

    @property
    def num_channels(self) -> int:
        return len(self._chans)

    def __contains__(self, scid: object) -> bool:
        return scid in self._chans

    def channel(self, scid: int) -> ChannelInfo | None:
        return self._chans.get(scid)

    def channels(self) -> Iterable[ChannelInfo]:
        return self._chans.values()

    def policy(self, scid: int, direction: int) -> Policy | None:
        ch = self._chans.get(scid)
        return None if ch is None else ch.policy(direction)

    def policy_from(self, scid: int, node_id: bytes) -> Policy | None:
        """The policy `node_id` announced for forwarding out over `scid`."""
        ch = self._chans.get(scid)
        if ch is None:
            return None
        if node_id == ch.node1:
            return ch.policy1
        if node_id == ch.node2:
            return ch.policy2
        return None

    def add_channel(
        self,
        scid: int,
        node1: bytes,
        node2: bytes,
        capacity_sat: int | None = None,
        *,
        unverified: bool = False,
        features: bytes = b"",
    ) -> bool:
        """Add a channel (from a `channel_announcement`, or an import). Returns False if
        the scid is already known (the existing channel is kept)."""
        if scid in self._chans:
            return False
        if not 0 <= scid < 1 << 64:
            raise ValueError("short_channel_id must be a u64")
        if node1 == node2:
            raise ValueError("a channel needs two distinct nodes")
        if node2 < node1:
            # BOLT #7: node_id_1 is the numerically-lesser of the two keys.
            raise ValueError("node1 must be the numerically lesser node id")
        if capacity_sat is not None and capacity_sat < 0:
            raise ValueError("negative capacity")
        i1, i2 = self.intern(node1), self.intern(node2)
        self._chans[scid] = ChannelInfo(scid, node1, node2, capacity_sat, unverified, features)
        self._chans_of[i1].add(scid)
        self._chans_of[i2].add(scid)
        self.version += 1
        return True

    def remove_channel(self, scid: int) -> bool:
        ch = self._chans.pop(scid, None)
        if ch is None:
            return False
        i1, i2 = self._index[ch.node1], self._index[ch.node2]
        for frm, to, key, e in self._edges(ch):
            if e is not None:
                self.adj.drop(frm, to, key, e)
        self._chans_of[i1].discard(scid)
        self._chans_of[i2].discard(scid)
        # BOLT #7: "if the announced node no longer has any associated open channels: MAY
        # prune nodes added through `node_announcement` messages from their local view."
        for idx, node_id in ((i1, ch.node1), (i2, ch.node2)):
            if not self._chans_of[idx]:
                self._nodes.pop(node_id, None)
        self.version += 1
        return True

    def set_capacity(self, scid: int, capacity_sat: int, *, verified: bool = True) -> bool:
        """Record the funding output's value once it is known (and checked)."""
        ch = self._chans.get(scid)
        if ch is None:
            return False
        self._set(replace(ch, capacity_sat=capacity_sat, unverified=ch.unverified and not verified))
        return True

    def update_policy(self, scid: int, direction: int, policy: Policy) -> UpdateResult:
        """Apply a `channel_update` for one direction, keeping timestamps monotonic."""
        ch = self._chans.get(scid)
        if ch is None:
            return UpdateResult.UNKNOWN_CHANNEL
        if direction not in (0, 1):
            raise ValueError("direction is 0 or 1")
        old = ch.policy(direction)
        if old is not None:
            if policy.timestamp < old.timestamp:
                return UpdateResult.OUTDATED
            if policy.timestamp == old.timestamp:
                if policy.same_parameters(old):
                    return UpdateResult.DUPLICATE
                return UpdateResult.CONFLICT
        if direction == 0:
            self._set(replace(ch, policy1=policy))
        else:
            self._set(replace(ch, policy2=policy))
        return UpdateResult.APPLIED

    def remove_stale(self, now: int, max_age: int = STALE_AFTER_SECONDS) -> list[int]:
        """Prune channels whose oldest known `channel_update` is older than `max_age`
        (BOLT #7 Recommendation on Pruning Stale Entries; "The oldest `channel_update` is
        used to prune the channel since both sides need to be active"). A direction that
        never had an update does not count; a channel with no update at all is kept (the
        gossip layer prunes those by announcement age). Returns the removed scids."""
        cutoff = now - max_age
        stale = []
        for scid, ch in self._chans.items():
            stamps = [p.timestamp for p in (ch.policy1, ch.policy2) if p is not None]
            if stamps and min(stamps) < cutoff:
                stale.append(scid)
        for scid in stale:
            self.remove_channel(scid)
        return stale

    # -- pathfinding view --------------------------------------------------------------

    def out_edges(self, node_id: bytes) -> list[EdgeT]:
        """The usable edges out of `node_id` (first field: the node they go to)."""
        idx = self._index.get(node_id)
        return [] if idx is None else list(self.adj.outs[idx])

    def _edges(self, ch: ChannelInfo) -> list[tuple[int, int, int, EdgeT | None]]:
        """(from, to, key, edge tuple or None: unusable) of both directions: what the
        adjacency lists hold for `ch`."""
        i1, i2 = self._index[ch.node1], self._index[ch.node2]
        return [(frm, to, key, None if p is None else _edge_tuple(frm, p, ch.capacity_sat, key))
                for frm, to, key, p in ((i1, i2, edge_key(ch.scid, 0), ch.policy1),
                                        (i2, i1, edge_key(ch.scid, 1), ch.policy2))]

    def _set(self, ch: ChannelInfo) -> None:
        """Store a changed channel and replace those of its edge tuples that changed."""
        old = self._chans.get(ch.scid)
        self._chans[ch.scid] = ch
        before = [None, None] if old is None else [e for _, _, _, e in self._edges(old)]
        for (frm, to, key, e), was in zip(self._edges(ch), before, strict=True):
            if e == was:
                continue
            if was is not None:
                self.adj.drop(frm, to, key, was)
            if e is not None:
                self.adj.add(frm, to, e)
        self.version += 1

    # -- persistence -------------------------------------------------------------------

    def to_rows(self) -> GraphRows:
        nodes: list[NodeRow] = [
            (n.node_id, n.timestamp, n.features, n.alias, n.rgb_color, " ".join(n.addresses))
            for n in self._nodes.values()
        ]
        channels: list[ChannelRow] = []
        policies: list[PolicyRow] = []
        for ch in self._chans.values():
            channels.append((ch.scid, ch.node1, ch.node2, ch.capacity_sat, int(ch.unverified), ch.features))
            for d, p in ((0, ch.policy1), (1, ch.policy2)):
                if p is not None:
                    policies.append(
                        (
                            ch.scid,
                            d,
                            p.fee_base_msat,
                            p.fee_proportional_millionths,
                            p.cltv_expiry_delta,
                            p.htlc_minimum_msat,
                            p.htlc_maximum_msat,
                            int(p.disabled),
                            p.timestamp,
                        )
                    )
        return GraphRows(nodes, channels, policies)

    @classmethod
    def from_rows(cls, rows: GraphRows) -> Graph:
        """Rebuild a graph from `to_rows()` output (trusted: it is our own storage)."""
        g = cls()
        with gc_paused():
            g._load_rows(rows)
        return g

    def _load_rows(self, rows: GraphRows) -> None:
        pol: dict[int, list[Policy | None]] = {}
        for scid, d, base, ppm, delta, hmin, hmax, disabled, ts in rows.policies:
            slot = pol.get(scid)
            if slot is None:
                slot = pol[scid] = [None, None]
            slot[d] = Policy(base, ppm, delta, hmin, hmax, bool(disabled), ts)
        self.bulk_load(
            (
                ChannelInfo(scid, n1, n2, cap, bool(unv), feat, *pol.get(scid, (None, None)))
                for scid, n1, n2, cap, unv, feat in rows.channels
            ),
            (
                NodeInfo(nid, ts, feat, alias, rgb, tuple(addrs.split()) if addrs else ())
                for nid, ts, feat, alias, rgb, addrs in rows.nodes
            ),
        )

    def bulk_load(self, channels: Iterable[ChannelInfo], nodes: Iterable[NodeInfo] = ()) -> int:
        """Add many channels with their policies at once (no timestamp checks: for
        loading our own storage or an import into a fresh graph). Channels whose scid is
        already known, or whose node order is wrong, are skipped. Node infos for nodes
        without channels are skipped. Returns the number of channels added."""
        with gc_paused():
            return self._bulk_load(channels, nodes)

    def _bulk_load(self, channels: Iterable[ChannelInfo], nodes: Iterable[NodeInfo]) -> int:
        index, chans, chans_of, adj = self._index, self._chans, self._chans_of, self.adj
        added = 0
        for ch in channels:
            if ch.scid in chans or not ch.node1 < ch.node2 or not 0 <= ch.scid < 1 << 64:
                continue
            i1 = index.get(ch.node1)
            if i1 is None:
                i1 = self.intern(ch.node1)
            i2 = index.get(ch.node2)
            if i2 is None:
                i2 = self.intern(ch.node2)
            chans[ch.scid] = ch
            chans_of[i1].add(ch.scid)
            chans_of[i2].add(ch.scid)
            if ch.policy1 is not None:
                e = _edge_tuple(i1, ch.policy1, ch.capacity_sat, ch.scid << 1)
                if e is not None:
                    adj.append_unsorted(i1, i2, e)
            if ch.policy2 is not None:
                e = _edge_tuple(i2, ch.policy2, ch.capacity_sat, ch.scid << 1 | 1)
                if e is not None:
                    adj.append_unsorted(i2, i1, e)
            added += 1
        adj.finish_bulk()
        for n in nodes:
            idx = index.get(n.node_id)
            if idx is not None and chans_of[idx]:
                self._nodes[n.node_id] = n
        self.version += 1
        return added
