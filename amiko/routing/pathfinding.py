"""Single-path route finding: Dijkstra from the payee back to the payer.

BOLT #7: "When building the route, amounts and expiries for HTLCs need to be calculated
backward from the destination to the source." The search does exactly that: a label at
node `v` holds the amount that must arrive at `v` and the cltv delta from there to the
payee, so relaxing an edge `u -> v` computes u's fee on the exact amount u forwards, by the
policy u announced for that channel direction:

    amount_in(u) = amount_in(v) + fee_base + amount_in(v) * ppm // 1_000_000
    cltv_in(u)   = cltv_in(v) + cltv_expiry_delta(u -> v)

The payer charges itself nothing, so its own channels add neither fee nor delta.

Cost of an edge (all terms in msat-equivalents, floats: scores, never money):
fee + `base_penalty_msat` + (`liquidity_penalty_msat` + amount * `liquidity_penalty_ppm`
/ 1e6) * -ln P(amount) + amount * cltv_expiry_delta * `cltv_risk_billionths` / 1e9,
with P from the liquidity model (`probability.py`). Edges are skipped when the amount is
below `htlc_minimum_msat`, above `htlc_maximum_msat` or the capacity, when P is 0, when
the total cltv would pass `max_total_cltv`, or the hop count `max_hops`.

Like every Lightning router this is label-setting on an amount-dependent cost, so the
result is the best route the search sees, not a proven optimum when limits bind.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from heapq import heappop, heappush

from amiko.routing.graph import (
    E_CAP,
    E_HMIN,
    E_KEY,
    E_MAX,
    MANY_IN_NEIGHBOURS,
    NO_IN_EDGES,
    EdgeT,
    Graph,
    direction_of,
    edge_key,
)
from amiko.routing.probability import (
    BANNED,
    EMPTY_VIEW,
    UNKNOWN_CAPACITY_MSAT,
    BoundT,
    LiquidityView,
    success_probability,
)
from amiko.routing.route import FirstHop, Route, RouteHintHop, RouteHop

DEFAULT_FINAL_CLTV_DELTA = 18  # BOLT #11: `c` "Default is 18 if not specified."


@dataclass(frozen=True, slots=True)
class RouteParams:
    max_total_cltv: int = 2016  # blocks, payee's final delta included
    max_hops: int = 20
    max_fee_msat: int | None = None
    base_penalty_msat: int = 500  # per forwarding hop: prefers shorter routes
    liquidity_penalty_msat: int = 10_000  # per unit of -ln P
    liquidity_penalty_ppm: int = 1_000  # plus this share of the amount per unit of -ln P
    cltv_risk_billionths: int = 15  # cost per msat locked per block of delta, in 1e-9


DEFAULT_PARAMS = RouteParams()

_NO_FEE_LIMIT = 1 << 64


@dataclass(slots=True)
class _Query:
    """A search prepared from a graph and the payer's extras (private overlay indices
    for nodes the graph does not know, hint edges, first hops, exclusions)."""

    ins: list[list[EdgeT]]
    n: int
    ids: list[bytes]
    src: int
    tgt: int
    src_out: dict[int, list[tuple[EdgeT, bool]]]  # to-node -> (edge, exact liquidity)
    override_in: dict[int, list[EdgeT]]
    gate: list[int]  # per node: -2 never an intermediate, else its sole in-neighbour or -1
    bounds: dict[int, BoundT]
    exact_first: bool


def _prepare(
    graph: Graph,
    source: bytes,
    target: bytes,
    first_hops: Sequence[FirstHop] | None,
    route_hints: Sequence[Sequence[RouteHintHop]],
    exclude_nodes: Collection[bytes],
    exclude_channels: Collection[tuple[int, int]],
    liquidity: LiquidityView,
) -> _Query:
    ins = graph.in_edges()
    ids = graph.node_ids
    n = len(ids)
    extra_ids: list[bytes] = []
    extra_index: dict[bytes, int] = {}

    def idx(node_id: bytes) -> int:
        i = graph.index_of(node_id)
        if i is not None:
            return i
        j = extra_index.get(node_id)
        if j is None:
            j = extra_index[node_id] = n + len(extra_ids)
            extra_ids.append(node_id)
        return j

    src, tgt = idx(source), idx(target)
    bounds = dict(liquidity.bounds)
    for scid, d in exclude_channels:
        bounds[edge_key(scid, d)] = BANNED

    # Route hints: edges into the hint's next node (the payee for the last entry). A hint
    # overrides the graph's edge for the same channel direction.
    hint_in: dict[int, list[EdgeT]] = {}
    hint_src: list[tuple[int, EdgeT]] = []
    hint_keys: set[int] = set()
    for hint in route_hints:
        for i, h in enumerate(hint):
            nxt = hint[i + 1].node_id if i + 1 < len(hint) else target
            if nxt == h.node_id:
                continue
            frm, to = idx(h.node_id), idx(nxt)
            key = edge_key(h.scid, direction_of(h.node_id, nxt))
            ch = graph.channel(h.scid)
            if ch is not None and ch.capacity_sat is not None and {ch.node1, ch.node2} == {h.node_id, nxt}:
                cap = ch.capacity_sat * 1000
            elif h.htlc_maximum_msat is not None:
                cap = h.htlc_maximum_msat
            else:
                cap = UNKNOWN_CAPACITY_MSAT
            hmax = cap if h.htlc_maximum_msat is None else min(cap, h.htlc_maximum_msat)
            e = (frm, h.fee_base_msat, h.fee_proportional_millionths, h.cltv_expiry_delta, h.htlc_minimum_msat, hmax, cap, key)
            hint_keys.add(key)
            if frm == src:
                hint_src.append((to, e))
            else:
                hint_in.setdefault(to, []).append(e)
    override_in: dict[int, list[EdgeT]] = {}
    for to, edges in hint_in.items():
        base = [e for e in ins[to] if e[E_KEY] not in hint_keys] if to < n else []
        override_in[to] = sorted(base + edges, key=lambda e: -e[E_MAX])

    src_out: dict[int, list[tuple[EdgeT, bool]]] = {}
    if first_hops is not None:
        for fh in first_hops:
            if fh.node_id == source or fh.spendable_msat <= 0:
                continue
            to = idx(fh.node_id)
            key = edge_key(fh.scid, direction_of(source, fh.node_id))
            if bounds.get(key) is BANNED:
                continue
            e = (src, 0, 0, 0, fh.htlc_minimum_msat, fh.spendable_msat, fh.spendable_msat, key)
            src_out.setdefault(to, []).append((e, True))
    else:
        for to, _scid, e in graph.out_edges(source):
            if e[E_KEY] not in hint_keys:
                src_out.setdefault(to, []).append((e, False))
        for to, e in hint_src:
            src_out.setdefault(to, []).append((e, False))

    # A node whose only in-neighbour is the node the search arrives from is a dead end;
    # the payer's peers and nodes with hint edges are reachable in ways the graph's lists
    # do not show, and the payer itself is never an intermediate hop.
    gate = graph.sole_in().copy()
    gate.extend([MANY_IN_NEIGHBOURS] * len(extra_ids))
    for i in (*src_out, *override_in):
        gate[i] = MANY_IN_NEIGHBOURS
    for node_id in (*exclude_nodes, *liquidity.banned_nodes):
        found = graph.index_of(node_id)
        if found is None:
            found = extra_index.get(node_id)
        if found is not None and found != tgt:
            gate[found] = NO_IN_EDGES
    gate[src] = NO_IN_EDGES
    all_ids = ids if not extra_ids else [*ids, *extra_ids]
    return _Query(ins, n, all_ids, src, tgt, src_out, override_in, gate, bounds, first_hops is not None)


def _neg_log_p(amt: int, cap: int, b: BoundT) -> float:
    """-ln P for an edge with learned bounds (inf when impossible)."""
    p = success_probability(amt, cap, b)
    return math.inf if p <= 0.0 else -math.log(p)


_Labels = dict[int, tuple[int, int, int, int, EdgeT | None]]


def _source_floor(q: _Query, amount: int, params: RouteParams) -> float:
    """A lower bound on the cost of the payer's own edge on any route: every route uses
    exactly one, and its cost only grows with the amount (which is at least `amount`), so
    this is subtracted from each of them. It keeps the search from exploring the whole
    network when every first hop is expensive (a payer with one small channel)."""
    mult = params.liquidity_penalty_msat + amount * params.liquidity_penalty_ppm / 1e6
    floor = math.inf
    for outs in q.src_out.values():
        for e, exact in outs:
            if amount > e[E_MAX]:
                continue
            if exact:
                return 0.0
            b = q.bounds.get(e[E_KEY])
            pen = -math.log1p(-amount / (e[E_CAP] + 1)) if b is None else _neg_log_p(amount, e[E_CAP], b)
            floor = min(floor, mult * pen)
    return floor


def _search(q: _Query, amount: int, final_cltv: int, params: RouteParams) -> tuple[_Labels, float] | None:
    """Dijkstra from the target back to the source. Returns the labels
    (amount_in, cltv_in, hops, next node, edge to next) when the source was reached,
    and the route's cost."""
    floor = _source_floor(q, amount, params)
    if floor == math.inf or final_cltv > params.max_total_cltv:
        return None
    src, tgt, ins, n = q.src, q.tgt, q.ins, q.n
    gate, src_out, override = q.gate, q.src_out, q.override_in
    bget = q.bounds.get
    max_cltv = params.max_total_cltv
    max_hops = params.max_hops
    max_total = amount + (params.max_fee_msat if params.max_fee_msat is not None else _NO_FEE_LIMIT)
    bp = params.base_penalty_msat
    lp0 = float(params.liquidity_penalty_msat)
    lpp = params.liquidity_penalty_ppm / 1e6
    riskf = params.cltv_risk_billionths / 1e9
    log1p = math.log1p
    inf = math.inf

    best = [inf] * len(gate)
    lab: _Labels = {tgt: (amount, final_cltv, 0, -1, None)}
    best[tgt] = 0.0
    heap: list[tuple[float, int]] = [(0.0, tgt)]
    while heap:
        c, v = heappop(heap)
        if c > best[v]:
            continue
        if v == src:
            return lab, c + floor
        amt, cl, h, _, _ = lab[v]
        mult = lp0 + amt * lpp
        risk = amt * riskf
        outs = src_out.get(v)
        if outs is not None and h < max_hops:
            for e, exact in outs:
                if amt > e[E_MAX] or amt < e[E_HMIN]:
                    continue
                if exact:
                    pen = 0.0
                else:
                    b = bget(e[E_KEY])
                    pen = -log1p(-amt / (e[E_CAP] + 1)) if b is None else _neg_log_p(amt, e[E_CAP], b)
                cc = c + mult * pen - floor
                if cc < best[src]:
                    best[src] = cc
                    lab[src] = (amt, cl, h + 1, v, e)
                    heappush(heap, (cc, src))
        if h + 2 > max_hops:
            continue
        if v in override:
            edges = override[v]
        elif v < n:
            edges = ins[v]
        else:
            continue
        for e in edges:
            u, base, ppm, delta, hmin, hmax, cap, key = e
            if amt > hmax:
                break  # the list is sorted by hmax, largest first
            g = gate[u]
            if g == v or g == -2 or amt < hmin:
                continue
            b = bget(key)
            if b is None:
                pen = -log1p(-amt / (cap + 1))
            else:
                pen = _neg_log_p(amt, cap, b)
                if pen == inf:
                    continue
            fee = base + amt * ppm // 1_000_000
            cc = c + fee + bp + mult * pen + delta * risk
            if cc < best[u]:
                cu = cl + delta
                au = amt + fee
                if cu > max_cltv or au > max_total:
                    continue
                best[u] = cc
                lab[u] = (au, cu, h + 1, v, e)
                heappush(heap, (cc, u))
    return None


def _edge_probability(e: EdgeT, amt: int, exact: bool, bounds: dict[int, BoundT]) -> float:
    if exact:
        return 1.0 if amt <= e[E_MAX] else 0.0
    return success_probability(amt, e[E_CAP], bounds.get(e[E_KEY]))


def _build(q: _Query, lab: _Labels, current_height: int, cost: float) -> Route:
    hops: list[RouteHop] = []
    prob = 1.0
    v = q.src
    first = True
    while v != q.tgt:
        _, _, _, w, e = lab[v]
        assert e is not None
        amt_w, cltv_w, _, nxt, _ = lab[w]
        amt_next = lab[nxt][0] if nxt >= 0 else amt_w
        cltv_next = lab[nxt][1] if nxt >= 0 else 0
        prob *= _edge_probability(e, amt_w, first and q.exact_first, q.bounds)
        hops.append(
            RouteHop(
                node_id=q.ids[w],
                scid=e[E_KEY] >> 1,
                amount_msat=amt_w,
                cltv_expiry=current_height + cltv_w,
                fee_msat=amt_w - amt_next,
                cltv_expiry_delta=cltv_w - cltv_next,
            )
        )
        first = False
        v = w
    return Route(q.ids[q.src], tuple(hops), prob, cost)


def find_route(
    graph: Graph,
    source: bytes,
    target: bytes,
    amount_msat: int,
    *,
    current_height: int,
    final_cltv_delta: int = DEFAULT_FINAL_CLTV_DELTA,
    params: RouteParams = DEFAULT_PARAMS,
    first_hops: Sequence[FirstHop] | None = None,
    route_hints: Sequence[Sequence[RouteHintHop]] = (),
    exclude_nodes: Collection[bytes] = (),
    exclude_channels: Collection[tuple[int, int]] = (),
    liquidity: LiquidityView = EMPTY_VIEW,
) -> Route | None:
    """The cheapest route (fees + failure and time-lock penalties) delivering exactly
    `amount_msat` to `target` with an HTLC expiring at `current_height +
    final_cltv_delta`, or None when there is none.

    `first_hops`: the payer's own channels with their spendable balances; when given they
    replace the graph's edges out of `source`. `route_hints`: BOLT #11 `r` fields (each a
    path ending at the payee). `exclude_channels`: (scid, direction) pairs.
    `liquidity`: learned bounds and bans (`MissionControl.view(now)`)."""
    if amount_msat <= 0:
        raise ValueError("amount must be positive")
    if source == target:
        raise ValueError("source and target are the same node")
    q = _prepare(graph, source, target, first_hops, route_hints, exclude_nodes, exclude_channels, liquidity)
    found = _search(q, amount_msat, final_cltv_delta, params)
    if found is None:
        return None
    return _build(q, found[0], current_height, found[1])
