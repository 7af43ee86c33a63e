"""Mission control: what payment attempts taught us about channel liquidity.

Per directed channel (`graph.edge_key`) it keeps two learned bounds on the liquidity
available to forward:

- a lower bound, raised when an HTLC of some amount got through the channel (the next hop
  received it, whether the payment then succeeded or failed further on);
- an upper bound, lowered when the channel's sender answered `temporary_channel_failure`
  for an amount: it could not carry that much, so liquidity < amount.

Each bound carries the time it was learned and decays towards the uniform prior with a
half-life (`probability.py`): the lower bound towards 0, the upper bound's distance below
the capacity towards 0. Permanent failures (e.g. `permanent_channel_failure`,
`unknown_next_peer`, node failures) ban the channel direction or the node for a while.

Time is always an argument (seconds, any epoch): nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from amiko.routing.graph import direction_of, edge_key
from amiko.routing.probability import (
    BANNED,
    UNKNOWN_CAPACITY_MSAT,
    BoundT,
    LiquidityView,
    decay_factor,
)
from amiko.routing.route import Route

DEFAULT_HALF_LIFE_SECONDS = 6 * 3600.0
DEFAULT_BAN_SECONDS = 3600.0
_FORGOTTEN = 1e-3  # a bound decayed below this fraction of its information is dropped

# Persistence rows.
LiquidityRow = tuple[int, int, float, int | None, float]  # key, lo, lo_time, hi|None, hi_time
BanRow = tuple[str, bytes, float]  # ("node", node_id, until) or ("edge", key as 8+1 bytes, until)


@dataclass(frozen=True, slots=True)
class MissionControlRows:
    liquidity: list[LiquidityRow] = field(default_factory=list)
    bans: list[BanRow] = field(default_factory=list)


class MissionControl:
    def __init__(self, half_life_seconds: float = DEFAULT_HALF_LIFE_SECONDS, ban_seconds: float = DEFAULT_BAN_SECONDS) -> None:
        if half_life_seconds <= 0:
            raise ValueError("half-life must be positive")
        self.half_life = half_life_seconds
        self.ban_seconds = ban_seconds
        self._lo: dict[int, tuple[int, float]] = {}
        self._hi: dict[int, tuple[int, float]] = {}
        self._banned_edges: dict[int, float] = {}
        self._banned_nodes: dict[bytes, float] = {}
        self.changes = 0  # counts what was learned (for whoever keeps it: changed since?)
        # counts what may make routes worse (an upper bound, a ban, forgetting): a view
        # may be kept while only successes were learned, not across one of these
        self.setbacks = 0

    # -- learning ----------------------------------------------------------------------

    def _lo_now(self, key: int, now: float) -> int:
        old = self._lo.get(key)
        if old is None:
            return 0
        lo, t = old
        return int(lo * decay_factor(now - t, self.half_life))

    def channel_success(self, scid: int, direction: int, amount_msat: int, now: float) -> None:
        """An HTLC of `amount_msat` got through this channel direction: liquidity >= it."""
        key = edge_key(scid, direction)
        self.changes += 1
        if amount_msat > self._lo_now(key, now):
            self._lo[key] = (amount_msat, now)
        hi = self._hi.get(key)
        if hi is not None and hi[0] < amount_msat:
            del self._hi[key]  # contradicted: the liquidity moved since
        self._banned_edges.pop(key, None)

    def channel_failure(self, scid: int, direction: int, amount_msat: int, now: float) -> None:
        """The sender could not forward `amount_msat` over this direction
        (`temporary_channel_failure`): liquidity < amount."""
        key = edge_key(scid, direction)
        self.changes += 1
        self.setbacks += 1
        new_hi = max(amount_msat - 1, 0)
        old = self._hi.get(key)
        # An older, tighter bound still says more (and keeps decaying from its own time).
        if old is None or old[0] >= new_hi:
            self._hi[key] = (new_hi, now)
        if self._lo_now(key, now) > new_hi:
            self._lo.pop(key, None)  # contradicted

    def record_success(self, route: Route, now: float, up_to: int | None = None) -> None:
        """Hops `[0, up_to)` (all of them by default) carried their amounts."""
        prev = route.source
        for i, h in enumerate(route.hops):
            if up_to is not None and i >= up_to:
                break
            self.channel_success(h.scid, direction_of(prev, h.node_id), h.amount_msat, now)
            prev = h.node_id

    def record_failure(self, route: Route, failed_hop: int, now: float) -> None:
        """`temporary_channel_failure` on hop `failed_hop`'s channel: the node before it
        (the payer for hop 0, else `route.hops[failed_hop - 1].node_id`, the one that
        returned the error) could not forward `hops[failed_hop].amount_msat` over
        `hops[failed_hop].scid`. The hops before it carried their amounts."""
        if not 0 <= failed_hop < len(route.hops):
            raise ValueError("failed_hop out of range")
        self.record_success(route, now, up_to=failed_hop)
        prev = route.source if failed_hop == 0 else route.hops[failed_hop - 1].node_id
        h = route.hops[failed_hop]
        self.channel_failure(h.scid, direction_of(prev, h.node_id), h.amount_msat, now)

    def penalize_channel(self, scid: int, direction: int | None, now: float, seconds: float | None = None) -> None:
        """Ban a channel direction (both when `direction` is None) after a permanent
        failure, for `seconds` (default `ban_seconds`)."""
        until = now + (self.ban_seconds if seconds is None else seconds)
        self.changes += 1
        self.setbacks += 1
        for d in (0, 1) if direction is None else (direction,):
            self._banned_edges[edge_key(scid, d)] = until

    def penalize_node(self, node_id: bytes, now: float, seconds: float | None = None) -> None:
        self.changes += 1
        self.setbacks += 1
        self._banned_nodes[node_id] = now + (self.ban_seconds if seconds is None else seconds)

    def clear(self) -> None:
        """Forget everything learned."""
        self.changes += 1
        self.setbacks += 1
        self._lo.clear()
        self._hi.clear()
        self._banned_edges.clear()
        self._banned_nodes.clear()

    # -- what we know ------------------------------------------------------------------

    def bounds(self, scid: int, direction: int, capacity_msat: int, now: float) -> tuple[int, int]:
        """The decayed (min, max) liquidity estimate for a direction of that capacity."""
        key = edge_key(scid, direction)
        if self._banned_edges.get(key, -1.0) > now:
            return 0, -1
        lo = min(self._lo_now(key, now), capacity_msat)
        hi_entry = self._hi.get(key)
        hi = capacity_msat
        if hi_entry is not None and hi_entry[0] < capacity_msat:
            f = decay_factor(now - hi_entry[1], self.half_life)
            hi = capacity_msat - int((capacity_msat - hi_entry[0]) * f)
        return min(lo, hi), hi

    def view(self, now: float) -> LiquidityView:
        """A snapshot for the pathfinder."""
        out: dict[int, BoundT] = {}
        hl = self.half_life
        for key in self._lo.keys() | self._hi.keys():
            lo_e = self._lo.get(key)
            lo = 0 if lo_e is None else int(lo_e[0] * decay_factor(now - lo_e[1], hl))
            hi_e = self._hi.get(key)
            if hi_e is None:
                hi, fh = UNKNOWN_CAPACITY_MSAT, 1.0
            else:
                hi, fh = hi_e[0], decay_factor(now - hi_e[1], hl)
            if lo == 0 and (hi_e is None or fh < _FORGOTTEN):
                continue
            out[key] = (lo, hi, fh, 0)
        for key, until in self._banned_edges.items():
            if until > now:
                out[key] = BANNED
        nodes = frozenset(n for n, until in self._banned_nodes.items() if until > now)
        return LiquidityView(out, nodes)

    def prune(self, now: float) -> None:
        """Forget bounds that have decayed to nothing and bans that have ended."""
        hl = self.half_life
        self._lo = {k: v for k, v in self._lo.items() if int(v[0] * decay_factor(now - v[1], hl)) > 0}
        self._hi = {k: v for k, v in self._hi.items() if decay_factor(now - v[1], hl) >= _FORGOTTEN}
        self._banned_edges = {k: u for k, u in self._banned_edges.items() if u > now}
        self._banned_nodes = {k: u for k, u in self._banned_nodes.items() if u > now}

    # -- persistence -------------------------------------------------------------------

    def to_rows(self) -> MissionControlRows:
        rows: list[LiquidityRow] = []
        for key in sorted(self._lo.keys() | self._hi.keys()):
            lo, lo_t = self._lo.get(key, (0, 0.0))
            hi_e = self._hi.get(key)
            rows.append((key, lo, lo_t, None if hi_e is None else hi_e[0], 0.0 if hi_e is None else hi_e[1]))
        bans: list[BanRow] = [("node", n, u) for n, u in self._banned_nodes.items()]
        bans += [("edge", k.to_bytes(9, "big"), u) for k, u in self._banned_edges.items()]
        return MissionControlRows(rows, bans)

    @classmethod
    def from_rows(
        cls,
        rows: MissionControlRows,
        half_life_seconds: float = DEFAULT_HALF_LIFE_SECONDS,
        ban_seconds: float = DEFAULT_BAN_SECONDS,
    ) -> MissionControl:
        mc = cls(half_life_seconds, ban_seconds)
        mc._load(rows.liquidity, rows.bans)
        return mc

    def _load(self, liquidity: Iterable[LiquidityRow], bans: Iterable[BanRow]) -> None:
        for key, lo, lo_t, hi, hi_t in liquidity:
            if lo > 0:
                self._lo[key] = (lo, lo_t)
            if hi is not None:
                self._hi[key] = (hi, hi_t)
        for kind, ident, until in bans:
            if kind == "node":
                self._banned_nodes[ident] = until
            elif kind == "edge":
                self._banned_edges[int.from_bytes(ident, "big")] = until
