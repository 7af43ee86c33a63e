"""Routes, and `check_route`: the hop-by-hop recomputation every forwarding node does.

A route is a sequence of channel traversals from the payer (`Route.source`). Hop `i`
goes over channel `hops[i].scid` to node `hops[i].node_id`; its HTLC carries
`hops[i].amount_msat` and expires at `hops[i].cltv_expiry`. So the onion payload for node
`hops[i].node_id` (not the last) holds `short_channel_id = hops[i+1].scid`,
`amt_to_forward = hops[i+1].amount_msat` and `outgoing_cltv_value = hops[i+1].cltv_expiry`
(`Route.payloads()` spells this out), and the payer's own `update_add_htlc` carries
`hops[0].amount_msat` and `hops[0].cltv_expiry`.

`hops[i].fee_msat` is what `hops[i].node_id` keeps for forwarding (0 for the payee), and
`hops[i].cltv_expiry_delta` the blocks it keeps (the payee's is its final delta).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from amiko.routing.graph import Graph, Policy, direction_of, edge_key


@dataclass(frozen=True, slots=True)
class RouteHop:
    node_id: bytes  # the node this hop reaches
    scid: int  # the channel from the previous node to node_id
    amount_msat: int  # HTLC amount over scid (= amt_to_forward in the previous payload)
    cltv_expiry: int  # HTLC expiry over scid (= outgoing_cltv_value in the previous payload)
    fee_msat: int  # what node_id keeps for forwarding on; 0 for the payee
    cltv_expiry_delta: int  # the blocks node_id keeps; for the payee, its final delta


@dataclass(frozen=True, slots=True)
class HopPayload:
    """The BOLT #4 payload fields for one node on the route."""

    node_id: bytes
    short_channel_id: int | None  # None for the final node
    amt_to_forward: int
    outgoing_cltv_value: int


@dataclass(frozen=True, slots=True)
class Route:
    source: bytes
    hops: tuple[RouteHop, ...]
    probability: float  # estimated success probability (product over the hops)
    cost: float = 0.0  # the search's score (fees + penalties), for comparing routes

    @property
    def target(self) -> bytes:
        return self.hops[-1].node_id

    @property
    def amount_msat(self) -> int:
        """What the payee receives."""
        return self.hops[-1].amount_msat

    @property
    def total_amount_msat(self) -> int:
        """What the payer sends: the amount plus every fee."""
        return self.hops[0].amount_msat

    @property
    def total_fee_msat(self) -> int:
        return self.hops[0].amount_msat - self.hops[-1].amount_msat

    @property
    def total_cltv_expiry(self) -> int:
        """Absolute expiry of the payer's HTLC."""
        return self.hops[0].cltv_expiry

    def total_cltv_delta(self, current_height: int) -> int:
        return self.hops[0].cltv_expiry - current_height

    def edge_keys(self) -> list[int]:
        """Directed edge keys of the hops, in order (for mission control)."""
        keys = []
        prev = self.source
        for h in self.hops:
            keys.append(edge_key(h.scid, direction_of(prev, h.node_id)))
            prev = h.node_id
        return keys

    def payloads(self) -> list[HopPayload]:
        out = []
        for i, h in enumerate(self.hops):
            if i + 1 < len(self.hops):
                n = self.hops[i + 1]
                out.append(HopPayload(h.node_id, n.scid, n.amount_msat, n.cltv_expiry))
            else:
                out.append(HopPayload(h.node_id, None, h.amount_msat, h.cltv_expiry))
        return out


@dataclass(frozen=True, slots=True)
class FirstHop:
    """One of the payer's own channels, with its real state: the amount it can send now
    and the peer's `htlc_minimum_msat`. When given, these replace the graph's edges out
    of the payer (and private channels need not be in the graph at all)."""

    scid: int
    node_id: bytes  # the peer
    spendable_msat: int
    htlc_minimum_msat: int = 0


@dataclass(frozen=True, slots=True)
class RouteHintHop:
    """One entry of a BOLT #11 `r` field: the channel from `node_id` to the next node of
    the hint (or to the payee, for the last entry) with `node_id`'s forwarding policy."""

    node_id: bytes
    scid: int
    fee_base_msat: int
    fee_proportional_millionths: int
    cltv_expiry_delta: int
    htlc_minimum_msat: int = 0
    htlc_maximum_msat: int | None = None

    def policy(self) -> Policy:
        return Policy(
            self.fee_base_msat,
            self.fee_proportional_millionths,
            self.cltv_expiry_delta,
            self.htlc_minimum_msat,
            self.htlc_maximum_msat if self.htlc_maximum_msat is not None else (1 << 64) - 1,
        )


def hint_policies(target: bytes, route_hints: Sequence[Sequence[RouteHintHop]]) -> dict[int, Policy]:
    """Policy by directed edge key for every hint channel (hints override the graph)."""
    out: dict[int, Policy] = {}
    for hint in route_hints:
        for i, h in enumerate(hint):
            nxt = hint[i + 1].node_id if i + 1 < len(hint) else target
            if nxt == h.node_id:
                continue
            out[edge_key(h.scid, direction_of(h.node_id, nxt))] = h.policy()
    return out


def check_route(
    graph: Graph,
    route: Route,
    amount_msat: int,
    final_cltv_delta: int,
    current_height: int,
    *,
    first_hops: Sequence[FirstHop] | None = None,
    route_hints: Sequence[Sequence[RouteHintHop]] = (),
    max_total_cltv: int | None = None,
) -> list[str]:
    """Recompute the route hop by hop, as each forwarding node will check it. Returns the
    problems found (empty when every node would accept its HTLC).

    Each channel's policy comes from the hints (when the hint covers that direction),
    else the graph; the first hop comes from `first_hops` when given."""
    problems: list[str] = []
    hops = route.hops
    if not hops:
        return ["empty route"]
    hints = hint_policies(route.target, route_hints)
    last = hops[-1]
    # BOLT #4 (final node): "MUST return an error if: incoming `amount_msat` <
    # `amt_to_forward`" / "incoming `cltv_expiry` < `current_block_height` +
    # `min_final_cltv_expiry_delta`".
    if last.amount_msat < amount_msat:
        problems.append(f"payee gets {last.amount_msat} < {amount_msat}")
    if last.cltv_expiry < current_height + final_cltv_delta:
        problems.append(f"final cltv {last.cltv_expiry} < {current_height} + {final_cltv_delta}")
    if last.fee_msat != 0:
        problems.append("payee hop has a fee")
    seen = {route.source}
    for h in hops:
        if h.node_id in seen:
            problems.append(f"node {h.node_id.hex()} visited twice")
        seen.add(h.node_id)
    if max_total_cltv is not None and hops[0].cltv_expiry - current_height > max_total_cltv:
        problems.append("total cltv above the limit")
    prev = route.source
    for i, h in enumerate(hops):
        key = edge_key(h.scid, direction_of(prev, h.node_id))
        if i == 0 and first_hops is not None:
            fh = next((f for f in first_hops if f.scid == h.scid and f.node_id == h.node_id), None)
            if fh is None:
                problems.append(f"hop 0: no first hop {h.scid} to {h.node_id.hex()}")
            else:
                if h.amount_msat > fh.spendable_msat:
                    problems.append(f"hop 0: {h.amount_msat} above spendable {fh.spendable_msat}")
                if h.amount_msat < fh.htlc_minimum_msat:
                    problems.append(f"hop 0: {h.amount_msat} below the peer's htlc minimum")
        else:
            pol = hints.get(key)
            if pol is None:
                ch = graph.channel(h.scid)
                if ch is None or {ch.node1, ch.node2} != {prev, h.node_id}:
                    problems.append(f"hop {i}: channel {h.scid} does not join the two nodes")
                    prev = h.node_id
                    continue
                pol = graph.policy_from(h.scid, prev)
                if pol is None:
                    problems.append(f"hop {i}: no policy for {h.scid} from {prev.hex()}")
                    prev = h.node_id
                    continue
                if ch.capacity_sat is not None and h.amount_msat > ch.capacity_sat * 1000:
                    problems.append(f"hop {i}: amount above capacity")
            if pol.disabled:
                problems.append(f"hop {i}: channel {h.scid} disabled")
            # The forwarding node checks its outgoing HTLC against the channel's limits.
            if h.amount_msat < pol.htlc_minimum_msat:
                problems.append(f"hop {i}: {h.amount_msat} below htlc_minimum_msat")
            if h.amount_msat > pol.htlc_maximum_msat:
                problems.append(f"hop {i}: {h.amount_msat} above htlc_maximum_msat")
            if i > 0:
                # BOLT #4: a forwarding node MUST return an error if "incoming
                # `amount_msat` - `fee` < `amt_to_forward`" or "`cltv_expiry` -
                # `cltv_expiry_delta` < `outgoing_cltv_value`" (fee per BOLT #7).
                into = hops[i - 1]
                fee = pol.fee(h.amount_msat)
                if into.amount_msat - fee < h.amount_msat:
                    problems.append(f"hop {i}: fee {into.amount_msat - h.amount_msat} below {fee}")
                if into.fee_msat != into.amount_msat - h.amount_msat:
                    problems.append(f"hop {i - 1}: fee_msat does not match the amounts")
                if into.cltv_expiry - pol.cltv_expiry_delta < h.cltv_expiry:
                    problems.append(f"hop {i}: cltv delta {into.cltv_expiry - h.cltv_expiry} below {pol.cltv_expiry_delta}")
                if into.cltv_expiry_delta != into.cltv_expiry - h.cltv_expiry:
                    problems.append(f"hop {i - 1}: cltv_expiry_delta does not match the expiries")
        prev = h.node_id
    return problems
