"""Multi-part payments: split an amount over several routes (BOLT #4 basic_mpp).

`split_payment` follows Pickhardt & Richter, "Optimally reliable & cheap payment flows on
the Lightning Network" (2021): the payment is a flow, each channel direction's cost is its
fees plus a price on the uncertainty of its liquidity, -ln P(flow), which is convex in the
flow, so a min-cost flow finds the split that best trades fees for joint success
probability. Here:

1. Candidate routes (a few single-path searches, each seeing the earlier candidates'
   amounts as already in flight, so they spread out) pick a neighbourhood: the nodes on
   them. The flow runs on every usable edge between those nodes.
2. Each edge's cost on [0, min(amount, usable liquidity)] is linearised in `pieces`
   pieces (convex: the pieces' unit costs rise), plus a linear part: ppm, the time-lock
   price, and base fee + hop penalty spread over the amount (a flow cannot price a fixed
   fee exactly; Pickhardt & Richter leave it out).
3. Successive shortest paths (Bellman-Ford on the residual network) push the amount from
   payer to payee, one cheapest augmenting path at a time.
4. The flow is decomposed into paths, each capped by its edges' htlc_maximum_msat; parts
   beyond `max_parts` or below `min_part_msat` are folded into the others where their
   edges have room. Each part is then priced exactly, backwards, like any single route
   (`pathfinding.materialise`); if fees push a part over a limit, the flow is redone
   with a margin.

`split_halving` is the simple baseline (what the payer does without this module): send
what is missing along the best single route; when there is none, halve the amount and
try again, with the parts already placed counted as in flight.

The joint probability of a split is the product over channel directions of P(the total
the parts send through it), not the product of the parts' own estimates.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import deque
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from amiko.routing.adjacency import E_CAP, E_KEY, E_MAX, EdgeT
from amiko.routing.graph import Graph
from amiko.routing.pathfinding import DEFAULT_FINAL_CLTV_DELTA, materialise, prepare
from amiko.routing.probability import EMPTY_VIEW, LiquidityView, effective_max, success_probability
from amiko.routing.route import FirstHop, Route, RouteHintHop
from amiko.routing.search import (
    DEFAULT_PARAMS,
    Query,
    RouteParams,
    Step,
    reachable,
    search_astar,
    search_backward,
)


@dataclass(frozen=True, slots=True)
class MppParams:
    max_parts: int = 8
    min_part_msat: int = 10_000
    pieces: int = 6  # linear pieces per channel direction
    candidates: int = 6  # single-path searches that pick the neighbourhood
    fallback: bool = True  # when the flow finds no split, try the halving baseline


DEFAULT_MPP = MppParams()


@dataclass(frozen=True, slots=True)
class PaymentSplit:
    parts: tuple[Route, ...]
    probability: float  # joint: product over channels of P(total sent through it)

    @property
    def amount_msat(self) -> int:
        return sum(r.amount_msat for r in self.parts)

    @property
    def total_amount_msat(self) -> int:
        return sum(r.total_amount_msat for r in self.parts)

    @property
    def total_fee_msat(self) -> int:
        return sum(r.total_fee_msat for r in self.parts)


def _search(q: Query, amount: int, final_cltv: int, params: RouteParams) -> list[Step] | None:
    if final_cltv > params.max_total_cltv:
        return None
    if params.search == "astar":
        return search_astar(q, amount, final_cltv, params)
    return search_backward(q, amount, final_cltv, params)


def joint_probability(q: Query, parts: Sequence[tuple[Route, list[Step]]]) -> float:
    """Product over channel directions of P(sum of what the parts send through it), by
    the knowledge in `q` (a query made before any part was in flight)."""
    load: dict[int, int] = {}
    edge: dict[int, tuple[EdgeT, bool]] = {}
    for route, steps in parts:
        for hop, (_, _, e, exact) in zip(route.hops, steps, strict=True):
            key = e[E_KEY]
            load[key] = load.get(key, 0) + hop.amount_msat
            edge[key] = (e, exact)
    own = {e[E_KEY]: e for _, e, exact in q.src_edges if exact}  # the whole balance
    p = 1.0
    for key, amt in load.items():
        e, exact = edge[key]
        if exact:
            p *= 1.0 if amt <= own.get(key, e)[E_MAX] else 0.0
        else:
            p *= success_probability(amt, e[E_CAP], q.bounds.get(key))
    return p


# -- the baseline ------------------------------------------------------------------------


def split_halving(
    graph: Graph,
    source: bytes,
    target: bytes,
    amount_msat: int,
    *,
    current_height: int,
    final_cltv_delta: int = DEFAULT_FINAL_CLTV_DELTA,
    params: RouteParams = DEFAULT_PARAMS,
    mpp: MppParams = DEFAULT_MPP,
    first_hops: Sequence[FirstHop] | None = None,
    route_hints: Sequence[Sequence[RouteHintHop]] = (),
    exclude_nodes: Collection[bytes] = (),
    exclude_channels: Collection[tuple[int, int]] = (),
    liquidity: LiquidityView = EMPTY_VIEW,
) -> PaymentSplit | None:
    """Repeated single-path search with halving (the baseline): send what is missing
    along the best route; when there is none, try half as much (not below
    `min_part_msat`); the parts already placed count as in flight."""
    if amount_msat <= 0:
        raise ValueError("amount must be positive")
    remaining = amount_msat
    attempt = amount_msat
    in_flight: dict[int, int] = {}
    parts: list[tuple[Route, list[Step]]] = []
    fee_left = params.max_fee_msat
    q0: Query | None = None
    while remaining > 0:
        if len(parts) >= mpp.max_parts:
            return None
        view = liquidity.with_in_flight(in_flight) if in_flight else liquidity
        p = params if fee_left is None else _with_fee_limit(params, fee_left)
        q = prepare(graph, source, target, first_hops, route_hints, exclude_nodes, exclude_channels, view)
        q0 = q0 or q
        steps = _search(q, attempt, final_cltv_delta, p)
        route = None if steps is None else materialise(q, steps, attempt, final_cltv_delta, current_height, p)
        if route is None or steps is None:
            if attempt <= mpp.min_part_msat:
                return None
            attempt = min(max(attempt // 2, mpp.min_part_msat), remaining)
            continue
        parts.append((route, steps))
        remaining -= attempt
        if fee_left is not None:
            fee_left -= route.total_fee_msat
        for hop, (_, _, e, _) in zip(route.hops, steps, strict=True):
            in_flight[e[E_KEY]] = in_flight.get(e[E_KEY], 0) + hop.amount_msat
        attempt = remaining
    assert q0 is not None
    return PaymentSplit(tuple(r for r, _ in parts), joint_probability(q0, parts))


def _with_fee_limit(params: RouteParams, fee_left: int) -> RouteParams:
    return replace(params, max_fee_msat=max(fee_left, 0))


# -- the min-cost flow -------------------------------------------------------------------


class _Arc:
    """A channel direction in the flow network, its cost linearised in pieces."""

    __slots__ = ("breaks", "costs", "e", "exact", "flow", "frm", "to")

    def __init__(self, frm: int, to: int, e: EdgeT, exact: bool, breaks: list[int], costs: list[float]) -> None:
        self.frm, self.to, self.e, self.exact = frm, to, e, exact
        self.breaks, self.costs = breaks, costs  # piece i: [breaks[i], breaks[i+1]) at costs[i]
        self.flow = 0

    @property
    def limit(self) -> int:
        return self.breaks[-1]

    def forward(self) -> tuple[float, int] | None:
        """(unit cost, room) to push more, or None when full."""
        x = self.flow
        if x >= self.breaks[-1]:
            return None
        i = bisect_right(self.breaks, x) - 1
        return self.costs[i], self.breaks[i + 1] - x

    def backward(self) -> tuple[float, int] | None:
        """(unit cost, room) to take flow back, or None when empty."""
        x = self.flow
        if x <= 0:
            return None
        j = bisect_right(self.breaks, x - 1) - 1
        return -self.costs[j], x - self.breaks[j]


def _make_arc(
    q: Query, frm: int, to: int, e: EdgeT, exact: bool, amount: int, params: RouteParams, pieces: int, shrink: float
) -> _Arc | None:
    cap = e[E_CAP]
    b = q.bounds.get(e[E_KEY])
    if exact:
        limit = min(amount, e[E_MAX])
    else:
        limit = min(amount, cap)
        if b is not None:
            limit = min(limit, effective_max(cap, b[1], b[2]) - b[3])
    limit = int(limit * shrink)
    if limit <= 0:
        return None
    w = params.liquidity_penalty_msat + amount * params.liquidity_penalty_ppm / 1e6
    if frm == q.src:
        lin = 0.0
    else:
        lin = e[2] / 1e6 + (e[1] + params.base_penalty_msat) / amount + e[3] * params.cltv_risk_billionths / 1e9

    def nlp(x: int) -> float:
        if exact or x <= 0:
            return 0.0
        p = success_probability(x, cap, b)
        return math.inf if p <= 0.0 else -math.log(p)

    points = {0, limit} | {limit * k // pieces for k in range(1, pieces)}
    if b is not None and 0 < b[0] - b[3] < limit:
        points.add(b[0] - b[3])  # P is 1 up to the learned minimum
    breaks = sorted(points)
    costs = []
    for lo, hi in pairwise(breaks):
        d = nlp(hi) - nlp(lo)
        costs.append(lin + (w * d / (hi - lo) if d != math.inf else 1e30))
    return _Arc(frm, to, e, exact, breaks, costs)


def _network(q: Query, nodes: set[int], amount: int, params: RouteParams, mpp: MppParams, shrink: float) -> list[_Arc]:
    """The flow network on `nodes`. Channels whose htlc_maximum_msat is below
    `min_part_msat`, or below a quarter of the amount over `max_parts`, are left out:
    the few parts allowed through them could carry little, and a flow leaning on them
    would decompose into too many parts."""
    arcs: list[_Arc] = []
    pieces = mpp.pieces
    floor = max(mpp.min_part_msat, amount // (4 * mpp.max_parts))
    for to, e, exact in q.src_edges:
        if to in nodes and e[E_MAX] >= floor:
            a = _make_arc(q, q.src, to, e, exact, amount, params, pieces, shrink)
            if a is not None:
                arcs.append(a)
    for v in nodes:
        if v == q.src:
            continue
        if v in q.in_override:
            edges = q.in_override[v]
        elif v < q.n:
            edges = q.ins[v]
        else:
            continue
        for e in edges:
            u = e[0]
            if u == q.src or u not in nodes or q.gate_b[u] == -2 or e[4] > amount or e[E_MAX] < floor:
                continue
            a = _make_arc(q, u, v, e, False, amount, params, pieces, shrink)
            if a is not None:
                arcs.append(a)
    return arcs


def _min_cost_flow(arcs: list[_Arc], src: int, tgt: int, amount: int) -> bool:
    """Successive shortest paths; True when all of `amount` reached `tgt`."""
    out: dict[int, list[_Arc]] = {}
    into: dict[int, list[_Arc]] = {}
    for a in arcs:
        out.setdefault(a.frm, []).append(a)
        into.setdefault(a.to, []).append(a)
    nodes = set(out) | set(into)
    demand = amount
    while demand > 0:
        dist = dict.fromkeys(nodes, math.inf)
        pred: dict[int, tuple[_Arc, bool]] = {}
        dist[src] = 0.0
        queue = deque([src])
        queued = {src}
        rounds = 0
        while queue:
            rounds += 1
            if rounds > 50 * len(nodes) * len(nodes) + 1000:
                return False  # a negative cycle from rounding: give up
            u = queue.popleft()
            queued.discard(u)
            du = dist[u]
            for a in out.get(u, ()):
                fw = a.forward()
                if fw is not None and du + fw[0] < dist[a.to] - 1e-12:
                    dist[a.to] = du + fw[0]
                    pred[a.to] = (a, True)
                    if a.to not in queued:
                        queue.append(a.to)
                        queued.add(a.to)
            for a in into.get(u, ()):
                bw = a.backward()
                if bw is not None and du + bw[0] < dist[a.frm] - 1e-12:
                    dist[a.frm] = du + bw[0]
                    pred[a.frm] = (a, False)
                    if a.frm not in queued:
                        queue.append(a.frm)
                        queued.add(a.frm)
        if dist.get(tgt, math.inf) == math.inf:
            return False
        path: list[tuple[_Arc, bool]] = []
        v = tgt
        while v != src:
            a, fwd = pred[v]
            path.append((a, fwd))
            v = a.frm if fwd else a.to
            if len(path) > len(nodes):
                return False
        room = demand
        for a, fwd in path:
            r = a.forward() if fwd else a.backward()
            assert r is not None
            room = min(room, r[1])
        for a, fwd in path:
            a.flow += room if fwd else -room
        demand -= room
    return True


def _decompose(arcs: list[_Arc], src: int, tgt: int) -> list[tuple[list[_Arc], int]]:
    """Split a flow into paths (cancelling any cycle), each within htlc_maximum_msat."""
    rem = {id(a): a.flow for a in arcs}
    out: dict[int, list[_Arc]] = {}
    for a in arcs:
        if a.flow > 0:
            out.setdefault(a.frm, []).append(a)
    paths: list[tuple[list[_Arc], int]] = []
    while True:
        path: list[_Arc] = []
        on_path = {src: 0}
        u = src
        while u != tgt:
            nxt = next((x for x in out.get(u, ()) if rem[id(x)] > 0), None)
            if nxt is None:
                return paths  # nothing left from here (conservation ends at src)
            a = nxt
            if a.to in on_path:  # a cycle: cancel it and start again
                cycle = [*path[on_path[a.to] :], a]
                m = min(rem[id(x)] for x in cycle)
                for x in cycle:
                    rem[id(x)] -= m
                path, on_path, u = [], {src: 0}, src
                continue
            path.append(a)
            on_path[a.to] = len(path)
            u = a.to
        amt = min(min(rem[id(a)] for a in path), min(a.e[E_MAX] for a in path))
        for a in path:
            rem[id(a)] -= amt
        paths.append((path, amt))


class _Part:
    __slots__ = ("amt", "arcs")

    def __init__(self, arcs: list[_Arc], amt: int) -> None:
        self.arcs, self.amt = arcs, amt


def _consolidate(paths: list[tuple[list[_Arc], int]], max_parts: int, min_part: int) -> list[tuple[list[_Arc], int]] | None:
    """Fold the smallest parts into the others until at most `max_parts` remain, none
    below `min_part` (unless it is the only one). None when they do not fit."""
    parts = sorted((_Part(p, amt) for p, amt in paths if amt > 0), key=lambda x: -x.amt)
    load: dict[int, int] = {}
    for part in parts:
        for a in part.arcs:
            load[id(a)] = load.get(id(a), 0) + part.amt
    while len(parts) > max_parts or (len(parts) > 1 and parts[-1].amt < min_part):
        small = parts.pop()
        for a in small.arcs:
            load[id(a)] -= small.amt
        left = small.amt
        for part in parts:
            room = min(min(a.e[E_MAX] - part.amt, a.limit - load[id(a)]) for a in part.arcs)
            give = min(room, left)
            if give > 0:
                part.amt += give
                for a in part.arcs:
                    load[id(a)] += give
                left -= give
            if left == 0:
                break
        if left > 0:
            return None
        parts.sort(key=lambda x: -x.amt)
    return [(part.arcs, part.amt) for part in parts]


def split_payment(
    graph: Graph,
    source: bytes,
    target: bytes,
    amount_msat: int,
    *,
    current_height: int,
    final_cltv_delta: int = DEFAULT_FINAL_CLTV_DELTA,
    params: RouteParams = DEFAULT_PARAMS,
    mpp: MppParams = DEFAULT_MPP,
    first_hops: Sequence[FirstHop] | None = None,
    route_hints: Sequence[Sequence[RouteHintHop]] = (),
    exclude_nodes: Collection[bytes] = (),
    exclude_channels: Collection[tuple[int, int]] = (),
    liquidity: LiquidityView = EMPTY_VIEW,
) -> PaymentSplit | None:
    """Split `amount_msat` over up to `mpp.max_parts` routes by a min-cost flow on the
    neighbourhood of a few candidate routes (see the module docstring); one part when
    that is best. When the flow cannot place the whole amount: the halving baseline's
    split if `mpp.fallback`, else None."""
    if amount_msat <= 0:
        raise ValueError("amount must be positive")
    if source == target:
        raise ValueError("source and target are the same node")
    q = prepare(graph, source, target, first_hops, route_hints, exclude_nodes, exclude_channels, liquidity)
    nodes, single = _candidate_nodes(graph, source, target, amount_msat, final_cltv_delta, params, mpp, first_hops,
                                     route_hints, exclude_nodes, exclude_channels, liquidity, q)
    if not nodes:
        return _fallback(graph, source, target, amount_msat, current_height, final_cltv_delta, params, mpp,
                         first_hops, route_hints, exclude_nodes, exclude_channels, liquidity)
    # The flow prices a fixed fee per msat, so it may split more than is worth it: every
    # consolidation from one part to `max_parts` (and the best single route) is priced
    # exactly, and the cheapest by the true objective wins.
    options: list[list[tuple[Route, list[Step]]]] = []
    if single is not None:
        route = materialise(q, single, amount_msat, final_cltv_delta, current_height, params)
        if route is not None:
            options.append([(route, single)])
    for shrink in (1.0, 0.99, 0.95):
        arcs = _network(q, nodes, amount_msat, params, mpp, shrink)
        if not _min_cost_flow(arcs, q.src, q.tgt, amount_msat):
            break
        paths = _decompose(arcs, q.src, q.tgt)
        if len(paths) > 8 * mpp.max_parts:
            break  # cannot be folded into few parts in reasonable time
        found = False
        for k in range(1, mpp.max_parts + 1):
            cons = _consolidate(paths, k, mpp.min_part_msat)
            if cons is None:
                continue
            parts = _materialise_all(q, cons, final_cltv_delta, current_height, params)
            if parts is not None:
                options.append(parts)
                found = True
            if cons is not None and len(cons) < k:
                break  # more parts allowed changes nothing
        if found:
            break
    best: tuple[float, list[tuple[Route, list[Step]]]] | None = None
    for parts in options:
        fees = sum(r.total_fee_msat for r, _ in parts)
        if params.max_fee_msat is not None and fees > params.max_fee_msat:
            continue
        cost = split_cost(q, parts, amount_msat, params)
        if best is None or cost < best[0]:
            best = (cost, parts)
    if best is None:
        return _fallback(graph, source, target, amount_msat, current_height, final_cltv_delta, params, mpp,
                         first_hops, route_hints, exclude_nodes, exclude_channels, liquidity)
    return PaymentSplit(tuple(r for r, _ in best[1]), joint_probability(q, best[1]))


def _fallback(
    graph: Graph,
    source: bytes,
    target: bytes,
    amount: int,
    current_height: int,
    final_cltv: int,
    params: RouteParams,
    mpp: MppParams,
    first_hops: Sequence[FirstHop] | None,
    route_hints: Sequence[Sequence[RouteHintHop]],
    exclude_nodes: Collection[bytes],
    exclude_channels: Collection[tuple[int, int]],
    liquidity: LiquidityView,
) -> PaymentSplit | None:
    if not mpp.fallback:
        return None
    return split_halving(graph, source, target, amount, current_height=current_height, final_cltv_delta=final_cltv,
                         params=params, mpp=mpp, first_hops=first_hops, route_hints=route_hints,
                         exclude_nodes=exclude_nodes, exclude_channels=exclude_channels, liquidity=liquidity)


def _materialise_all(
    q: Query, paths: list[tuple[list[_Arc], int]], final_cltv: int, current_height: int, params: RouteParams
) -> list[tuple[Route, list[Step]]] | None:
    parts: list[tuple[Route, list[Step]]] = []
    for path, amt in paths:
        steps: list[Step] = [(a.frm, a.to, a.e, a.exact) for a in path]
        route = materialise(q, steps, amt, final_cltv, current_height, params)
        if route is None:
            return None
        parts.append((route, steps))
    return parts


def split_cost(q: Query, parts: Sequence[tuple[Route, list[Step]]], amount: int, params: RouteParams) -> float:
    """The objective a split is judged by: every part's fees, hop penalties and time-lock
    price, plus the price of the joint failure probability at the payment's amount."""
    cost = 0.0
    riskf = params.cltv_risk_billionths / 1e9
    for route, _ in parts:
        cost += route.total_fee_msat + params.base_penalty_msat * (len(route.hops) - 1)
        for i in range(1, len(route.hops)):
            cost += route.hops[i].amount_msat * route.hops[i - 1].cltv_expiry_delta * riskf
    p = joint_probability(q, parts)
    w = params.liquidity_penalty_msat + amount * params.liquidity_penalty_ppm / 1e6
    return cost + (math.inf if p <= 0.0 else -w * math.log(p))


def _candidate_nodes(
    graph: Graph,
    source: bytes,
    target: bytes,
    amount: int,
    final_cltv: int,
    params: RouteParams,
    mpp: MppParams,
    first_hops: Sequence[FirstHop] | None,
    route_hints: Sequence[Sequence[RouteHintHop]],
    exclude_nodes: Collection[bytes],
    exclude_channels: Collection[tuple[int, int]],
    liquidity: LiquidityView,
    q0: Query,
) -> tuple[set[int], list[Step] | None]:
    """Nodes on a few diverse routes: each search sees the earlier candidates' amounts in
    flight, and the amounts shrink when a search finds nothing. Also returns the best
    single route's path for the whole amount, if there is one."""
    nodes: set[int] = set()
    single: list[Step] | None = None
    in_flight: dict[int, int] = {}
    size = amount
    q = q0
    for _ in range(mpp.candidates):
        steps = _search(q, size, final_cltv, params)
        if steps is None:
            if size <= mpp.min_part_msat or not reachable(q, mpp.min_part_msat):
                break
            size = max(size // 2, mpp.min_part_msat)
            continue
        if size == amount and single is None:
            single = steps
        nodes.add(steps[0][0])
        for _, to, e, _ in steps:
            nodes.add(to)
            in_flight[e[E_KEY]] = in_flight.get(e[E_KEY], 0) + size
        size = max(size // 2, mpp.min_part_msat)
        q = prepare(graph, source, target, first_hops, route_hints, exclude_nodes, exclude_channels,
                    liquidity.with_in_flight(in_flight))
    return nodes, single
