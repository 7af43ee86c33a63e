"""Staggered broadcast and rate limiting.

# BOLT #7 (Rebroadcasting): A node: SHOULD flush outgoing gossip messages once every 60
# seconds, independently of the arrival times of the messages. Note: this results in
# staggered announcements that are unique (not duplicated).
#
# Rationale: Once the gossip message has been processed, it's added to a list of outgoing
# messages, destined for the processing node's peers, replacing any older updates from the
# origin node. This list of gossip messages will be flushed at regular intervals.

`RelayBuffer` is that list: the newest message per origin (a channel's announcement, one
direction's update, a node's announcement), in the order accepted, each remembering the
peers that sent it to us (they do not get it back). `TimestampFilter` is a peer's
`gossip_timestamp_filter`. `RateLimiter` bounds how many updates per channel direction
(or node) we accept and relay.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RawMessage:
    """A message kept as its exact encoding (type included): gossip is relayed byte for
    byte, signatures and unknown trailing fields intact. `Link.send` takes it like any
    message."""

    data: bytes

    @property
    def TYPE(self) -> int:
        return int.from_bytes(self.data[:2], "big")

    def encode(self) -> bytes:
        return self.data


@dataclass(frozen=True, slots=True)
class TimestampFilter:
    """# BOLT #7: SHOULD restrict future gossip messages to those whose `timestamp` is
    # greater or equal to `first_timestamp`, and less than `first_timestamp` plus
    # `timestamp_range`."""

    first: int
    end: int  # first_timestamp + timestamp_range (may exceed 2**32)

    def contains(self, ts: int) -> bool:
        return self.first <= ts < self.end


class Kind(enum.IntEnum):
    ANNOUNCEMENT = 0
    UPDATE = 1
    NODE = 2


@dataclass(slots=True)
class RelayItem:
    kind: Kind
    raw: bytes
    timestamp: int  # for an announcement: the timestamp of the update that released it
    scid: int = 0  # ANNOUNCEMENT, UPDATE
    node_id: bytes = b""  # NODE
    sources: set[bytes] = field(default_factory=set)


RelayKey = tuple[int, int | bytes]


class RelayBuffer:
    def __init__(self) -> None:
        self.items: dict[RelayKey, RelayItem] = {}

    def __len__(self) -> int:
        return len(self.items)

    @staticmethod
    def key_announcement(scid: int) -> RelayKey:
        return (0, scid)

    @staticmethod
    def key_update(scid: int, direction: int) -> RelayKey:
        return (1, scid << 1 | direction)

    @staticmethod
    def key_node(node_id: bytes) -> RelayKey:
        return (2, node_id)

    def put(self, key: RelayKey, item: RelayItem) -> None:
        """Queue, replacing an older message of the same origin (in its place)."""
        self.items[key] = item

    def also_from(self, key: RelayKey, raw: bytes, peer: bytes) -> None:
        """Another peer sent us the same message: do not send it back there either."""
        item = self.items.get(key)
        if item is not None and item.raw == raw:
            item.sources.add(peer)

    def drop_channel(self, scid: int) -> None:
        self.items.pop(self.key_announcement(scid), None)
        self.items.pop(self.key_update(scid, 0), None)
        self.items.pop(self.key_update(scid, 1), None)

    def take(self, ready: Callable[[RelayItem], bool]) -> list[RelayItem]:
        """Remove and return the items ready to go, in order; the rest wait."""
        out: list[RelayItem] = []
        keep: dict[RelayKey, RelayItem] = {}
        for key, item in self.items.items():
            if ready(item):
                out.append(item)
            else:
                keep[key] = item
        self.items = keep
        return out


class RateLimiter:
    """GCRA (a token bucket kept as one number per key): up to `burst` messages at once,
    then one per `interval` seconds. O(1) per check; keys whose bucket is full again are
    swept by `sweep()`."""

    def __init__(self, burst: int, interval: float) -> None:
        if burst < 1 or interval <= 0:
            raise ValueError("burst must be >= 1 and interval > 0")
        self.interval = interval
        self.tolerance = interval * (burst - 1)
        self._tat: dict[Hashable, float] = {}  # theoretical arrival time of the next message

    def __len__(self) -> int:
        return len(self._tat)

    def allows(self, key: Hashable, now: float) -> bool:
        tat = self._tat.get(key)
        return tat is None or tat - now <= self.tolerance

    def take(self, key: Hashable, now: float) -> bool:
        """Count one message; False (and nothing counted) when over the limit."""
        tat = self._tat.get(key)
        if tat is None or tat < now:
            tat = now
        if tat - now > self.tolerance:
            return False
        self._tat[key] = tat + self.interval
        return True

    def sweep(self, now: float) -> None:
        self._tat = {k: t for k, t in self._tat.items() if t > now}
