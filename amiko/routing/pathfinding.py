"""Single-path route finding.

BOLT #7: "When building the route, amounts and expiries for HTLCs need to be calculated
backward from the destination to the source." A backward label at node `v` holds the
amount that must arrive at `v` and the cltv delta from there to the payee, so relaxing an
edge `u -> v` computes u's fee on the exact amount u forwards, by the policy u announced
for that channel direction:

    amount_in(u) = amount_in(v) + fee_base + amount_in(v) * ppm // 1_000_000
    cltv_in(u)   = cltv_in(v) + cltv_expiry_delta(u -> v)

The payer charges itself nothing, so its own channels add neither fee nor delta.

Cost of an edge (msat-equivalents, floats: scores, never money): fee +
`base_penalty_msat` + (`liquidity_penalty_msat` + amount * `liquidity_penalty_ppm` / 1e6)
* -ln P(amount) + amount * cltv_expiry_delta * `cltv_risk_billionths` / 1e9, with P from
the liquidity model (`probability.py`). Edges are skipped when the amount is below
`htlc_minimum_msat`, above `htlc_maximum_msat` or the capacity, when P is 0, when the total
cltv would pass `max_total_cltv`, or the hop count `max_hops`.

Two searches share that cost:
- `backward`: Dijkstra from the payee to the payer, exact at every step.
- `bidirectional` (default): the same backward search, plus a forward one from the payer
  that prices edges at the payment amount (the few msat of downstream fees are not known
  yet), expanding whichever side has the cheaper frontier; it stops when the two
  frontiers together cost more than the best meeting found. On the mainnet graph this
  explores a small fraction of what one search must. The chosen path is then priced
  exactly, backwards; if an exact amount breaks a limit the forward side could not see,
  the backward search runs instead.

Either way the route's amounts and expiries are computed backwards from the payee, hop by
hop (`_materialise`), and every limit is checked on those exact numbers. Like every
Lightning router this is label-setting on an amount-dependent cost, so the result is the
best route the search sees, not a proven optimum when limits bind.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from heapq import heappop, heappush

from amiko.routing.adjacency import E_CAP, E_HMIN, E_KEY, E_MAX, MANY_NEIGHBOURS, NO_IN_EDGES, EdgeT
from amiko.routing.graph import Graph, direction_of, edge_key
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
    bidirectional: bool = True


DEFAULT_PARAMS = RouteParams()

_NO_FEE_LIMIT = 1 << 64

# A path step: (from index, to index, edge tuple, exact liquidity). The edge tuple's first
# field is either end (in- or out-list form); only fields 1..7 are read.
Step = tuple[int, int, EdgeT, bool]


@dataclass(slots=True)
class _Query:
    """A search prepared from a graph and the payer's extras: private overlay indices for
    nodes the graph does not know, hint edges, first hops, exclusions."""

    ins: list[list[EdgeT]]
    outs: list[list[EdgeT]]
    n: int
    ids: list[bytes]
    src: int
    tgt: int
    src_edges: list[tuple[int, EdgeT, bool]]  # (to, edge in in-form, exact liquidity)
    src_out: dict[int, list[tuple[EdgeT, bool]]]  # to -> the same, for the backward side
    in_override: dict[int, list[EdgeT]]
    out_override: dict[int, list[EdgeT]]
    gate_b: list[int]  # -2: never an intermediate; else its sole in-neighbour, or -1
    gate_f: list[int]  # the same with out-neighbours
    bounds: dict[int, BoundT]


def _by_max(edges: list[EdgeT]) -> list[EdgeT]:
    return sorted(edges, key=lambda e: -e[E_MAX])


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
    adj = graph.adj
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
    hint_out: dict[int, list[EdgeT]] = {}
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
            tail = (h.fee_base_msat, h.fee_proportional_millionths, h.cltv_expiry_delta, h.htlc_minimum_msat, hmax, cap, key)
            hint_keys.add(key)
            if frm == src:
                hint_src.append((to, (frm, *tail)))
            else:
                hint_in.setdefault(to, []).append((frm, *tail))
                hint_out.setdefault(frm, []).append((to, *tail))
    in_override = {
        to: _by_max([e for e in adj.ins[to] if e[E_KEY] not in hint_keys] + es if to < n else es)
        for to, es in hint_in.items()
    }
    out_override = {
        frm: _by_max([e for e in adj.outs[frm] if e[E_KEY] not in hint_keys] + es if frm < n else es)
        for frm, es in hint_out.items()
    }
    # (A graph edge a hint overrides runs from a hint node to the hint's next node, so
    # the two overrides, and the payer's edges below, hide it from both searches.)

    src_edges: list[tuple[int, EdgeT, bool]] = []
    if first_hops is not None:
        for fh in first_hops:
            if fh.node_id == source or fh.spendable_msat <= 0:
                continue
            key = edge_key(fh.scid, direction_of(source, fh.node_id))
            if bounds.get(key) is BANNED:
                continue
            e = (src, 0, 0, 0, fh.htlc_minimum_msat, fh.spendable_msat, fh.spendable_msat, key)
            src_edges.append((idx(fh.node_id), e, True))
    else:
        if src < n:
            for e in adj.outs[src]:
                if e[E_KEY] not in hint_keys:
                    src_edges.append((e[0], (src, *e[1:]), False))
        for to, e in hint_src:
            src_edges.append((to, e, False))
    src_out: dict[int, list[tuple[EdgeT, bool]]] = {}
    for to, e, exact in src_edges:
        src_out.setdefault(to, []).append((e, exact))

    # A node whose only in-neighbour is the node a backward search arrives from is a dead
    # end (likewise out-neighbours, forwards). The payer's peers, hint nodes and the two
    # ends are reachable in ways the graph's lists do not show; excluded nodes and the
    # payer itself are never intermediate hops.
    extra = [MANY_NEIGHBOURS] * len(extra_ids)
    gate_b = [*adj.sole_in, *extra]
    gate_f = [*adj.sole_out, *extra]
    for i in (*src_out, *in_override, tgt):
        gate_b[i] = MANY_NEIGHBOURS
    for i in (*out_override, tgt):
        gate_f[i] = MANY_NEIGHBOURS
    for node_id in (*exclude_nodes, *liquidity.banned_nodes):
        found = graph.index_of(node_id)
        if found is None:
            found = extra_index.get(node_id)
        if found is not None and found != tgt:
            gate_b[found] = gate_f[found] = NO_IN_EDGES
    gate_b[src] = gate_f[src] = NO_IN_EDGES
    all_ids = ids if not extra_ids else [*ids, *extra_ids]
    return _Query(
        adj.ins, adj.outs, n, all_ids, src, tgt, src_edges, src_out, in_override, out_override, gate_b, gate_f, bounds
    )


def _neg_log_p(amt: int, cap: int, b: BoundT) -> float:
    """-ln P for an edge with learned bounds (inf when impossible)."""
    p = success_probability(amt, cap, b)
    return math.inf if p <= 0.0 else -math.log(p)


def _source_floor(q: _Query, amount: int, params: RouteParams) -> float:
    """A lower bound on the cost of the payer's own edge on any route: every route uses
    exactly one, and its cost only grows with the amount (which is at least `amount`), so
    the backward search subtracts this from each of them. It keeps that search from
    exploring the whole network when every first hop is expensive (one small channel)."""
    mult = params.liquidity_penalty_msat + amount * params.liquidity_penalty_ppm / 1e6
    floor = math.inf
    for _to, e, exact in q.src_edges:
        if amount > e[E_MAX]:
            continue
        if exact:
            return 0.0
        b = q.bounds.get(e[E_KEY])
        pen = -math.log1p(-amount / (e[E_CAP] + 1)) if b is None else _neg_log_p(amount, e[E_CAP], b)
        floor = min(floor, mult * pen)
    return floor


# Backward label: (amount_in, cltv_in, hops to the payee, next node, edge to it, exact).
_BLabel = tuple[int, int, int, int, EdgeT | None, bool]
# Forward label: (hops from the payer, cltv added so far, previous node, edge from it, exact).
_FLabel = tuple[int, int, int, EdgeT | None, bool]


def _backward_path(q: _Query, labb: dict[int, _BLabel], start: int) -> list[Step]:
    path: list[Step] = []
    v = start
    while v != q.tgt:
        _, _, _, w, e, exact = labb[v]
        assert e is not None
        path.append((v, w, e, exact))
        v = w
    return path


def _search_backward(q: _Query, amount: int, final_cltv: int, params: RouteParams) -> list[Step] | None:
    """Dijkstra from the target back to the source, exact at every step."""
    floor = _source_floor(q, amount, params)
    if floor == math.inf:
        return None
    src, tgt, ins, n = q.src, q.tgt, q.ins, q.n
    gate, src_out, override = q.gate_b, q.src_out, q.in_override
    bget = q.bounds.get
    max_cltv, max_hops = params.max_total_cltv, params.max_hops
    max_total = amount + (params.max_fee_msat if params.max_fee_msat is not None else _NO_FEE_LIMIT)
    bp = params.base_penalty_msat
    lp0 = float(params.liquidity_penalty_msat)
    lpp = params.liquidity_penalty_ppm / 1e6
    riskf = params.cltv_risk_billionths / 1e9
    log1p = math.log1p
    inf = math.inf

    best = [inf] * len(gate)
    lab: dict[int, _BLabel] = {tgt: (amount, final_cltv, 0, -1, None, False)}
    best[tgt] = 0.0
    heap: list[tuple[float, int]] = [(0.0, tgt)]
    while heap:
        c, v = heappop(heap)
        if c > best[v]:
            continue
        if v == src:
            return _backward_path(q, lab, src)
        amt, cl, h, _, _, _ = lab[v]
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
                    lab[src] = (amt, cl, h + 1, v, e, exact)
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
                break  # sorted by max_msat, largest first
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
                lab[u] = (au, cu, h + 1, v, e, False)
                heappush(heap, (cc, u))
    return None


def _search_bidirectional(q: _Query, amount: int, final_cltv: int, params: RouteParams) -> list[Step] | None:
    """Backward search from the target and forward search (priced at `amount`) from the
    source, expanding the side with the cheaper frontier until the frontiers together
    cost at least the best meeting."""
    src, tgt, ins, outs, n = q.src, q.tgt, q.ins, q.outs, q.n
    gate_b, gate_f, src_out = q.gate_b, q.gate_f, q.src_out
    in_ovr, out_ovr = q.in_override, q.out_override
    bget = q.bounds.get
    max_cltv, max_hops = params.max_total_cltv, params.max_hops
    max_total = amount + (params.max_fee_msat if params.max_fee_msat is not None else _NO_FEE_LIMIT)
    bp = params.base_penalty_msat
    lp0 = float(params.liquidity_penalty_msat)
    lpp = params.liquidity_penalty_ppm / 1e6
    riskf = params.cltv_risk_billionths / 1e9
    log1p = math.log1p
    inf = math.inf
    size = len(gate_b)

    bestb = [inf] * size
    labb: dict[int, _BLabel] = {tgt: (amount, final_cltv, 0, -1, None, False)}
    bestb[tgt] = 0.0
    heapb: list[tuple[float, int]] = [(0.0, tgt)]

    bestf = [inf] * size
    labf: dict[int, _FLabel] = {src: (0, 0, -1, None, False)}
    bestf[src] = 0.0
    heapf: list[tuple[float, int]] = []
    fmult = lp0 + amount * lpp
    frisk = amount * riskf
    # The payer's own edges start the forward side.
    for to, e, exact in q.src_edges:
        if amount > e[E_MAX] or amount < e[E_HMIN]:
            continue
        if exact:
            pen = 0.0
        else:
            b = bget(e[E_KEY])
            pen = -log1p(-amount / (e[E_CAP] + 1)) if b is None else _neg_log_p(amount, e[E_CAP], b)
            if pen == inf:
                continue
        cc = fmult * pen
        if cc < bestf[to]:
            bestf[to] = cc
            labf[to] = (1, 0, src, e, exact)
            heappush(heapf, (cc, to))

    mu = inf
    meet = -1
    if tgt in labf:
        mu, meet = bestf[tgt], tgt
    while heapf and heapb:
        topf, topb = heapf[0][0], heapb[0][0]
        if topf + topb >= mu:
            break
        if topf <= topb:
            c, x = heappop(heapf)
            if c > bestf[x] or x == tgt:
                continue
            hx, clx, _, _, _ = labf[x]
            if hx + 1 > max_hops:
                continue
            if x in out_ovr:
                edges = out_ovr[x]
            elif x < n:
                edges = outs[x]
            else:
                continue
            for e in edges:
                y, base, ppm, delta, hmin, hmax, cap, key = e
                if amount > hmax:
                    break
                g = gate_f[y]
                if g == x or g == -2 or amount < hmin:
                    continue
                b = bget(key)
                if b is None:
                    pen = -log1p(-amount / (cap + 1))
                else:
                    pen = _neg_log_p(amount, cap, b)
                    if pen == inf:
                        continue
                cc = c + base + amount * ppm // 1_000_000 + bp + fmult * pen + delta * frisk
                if cc < bestf[y]:
                    cly = clx + delta
                    if cly + final_cltv > max_cltv:
                        continue
                    bestf[y] = cc
                    labf[y] = (hx + 1, cly, x, e, False)
                    heappush(heapf, (cc, y))
                    cb = bestb[y]
                    if cc + cb < mu:
                        lb = labb[y]
                        if hx + 1 + lb[2] <= max_hops and cly + lb[1] <= max_cltv:
                            mu, meet = cc + cb, y
        else:
            c, v = heappop(heapb)
            if c > bestb[v] or v == src:
                continue
            amt, cl, h, _, _, _ = labb[v]
            mult = lp0 + amt * lpp
            risk = amt * riskf
            sout = src_out.get(v)
            if sout is not None and h < max_hops:
                for e, exact in sout:
                    if amt > e[E_MAX] or amt < e[E_HMIN]:
                        continue
                    if exact:
                        pen = 0.0
                    else:
                        b = bget(e[E_KEY])
                        pen = -log1p(-amt / (e[E_CAP] + 1)) if b is None else _neg_log_p(amt, e[E_CAP], b)
                    cc = c + mult * pen
                    if cc < bestb[src]:
                        bestb[src] = cc
                        labb[src] = (amt, cl, h + 1, v, e, exact)
                        if cc < mu:
                            mu, meet = cc, src
            if h + 2 > max_hops:
                continue
            if v in in_ovr:
                edges = in_ovr[v]
            elif v < n:
                edges = ins[v]
            else:
                continue
            for e in edges:
                u, base, ppm, delta, hmin, hmax, cap, key = e
                if amt > hmax:
                    break
                g = gate_b[u]
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
                if cc < bestb[u]:
                    cu = cl + delta
                    au = amt + fee
                    if cu > max_cltv or au > max_total:
                        continue
                    bestb[u] = cc
                    labb[u] = (au, cu, h + 1, v, e, False)
                    heappush(heapb, (cc, u))
                    cf = bestf[u]
                    if cc + cf < mu:
                        lf = labf[u]
                        if h + 1 + lf[0] <= max_hops and cu + lf[1] <= max_cltv:
                            mu, meet = cc + cf, u
    if meet < 0:
        return None
    fwd: list[Step] = []
    x = meet
    while x != src:
        _, _, w, fe, exact = labf[x]
        assert fe is not None
        fwd.append((w, x, fe, exact))
        x = w
    fwd.reverse()
    return fwd + _backward_path(q, labb, meet)


def _materialise(
    q: _Query, path: list[Step], amount: int, final_cltv: int, current_height: int, params: RouteParams
) -> Route | None:
    """Price a path exactly, backwards from the payee, and check every limit on the
    exact numbers. None when a limit is broken."""
    if not path or len(path) > params.max_hops:
        return None
    nodes = [q.src] + [to for _, to, _, _ in path]
    if len(set(nodes)) != len(nodes):
        return None
    bp = params.base_penalty_msat
    lp0 = params.liquidity_penalty_msat
    lpp = params.liquidity_penalty_ppm / 1e6
    riskf = params.cltv_risk_billionths / 1e9
    amt, cl = amount, final_cltv
    amts, cltvs = [amt], [cl]
    prob, cost = 1.0, 0.0
    for frm, _to, e, exact in reversed(path):
        if amt > e[E_MAX] or amt < e[E_HMIN]:
            return None
        p = (1.0 if amt <= e[E_MAX] else 0.0) if exact else success_probability(amt, e[E_CAP], q.bounds.get(e[E_KEY]))
        if p <= 0.0:
            return None
        prob *= p
        cost += (lp0 + amt * lpp) * -math.log(p)
        if frm != q.src:
            fee = e[1] + amt * e[2] // 1_000_000
            cost += fee + bp + amt * e[3] * riskf
            amt += fee
            cl += e[3]
        amts.append(amt)
        cltvs.append(cl)
    if cl > params.max_total_cltv:
        return None
    if params.max_fee_msat is not None and amt - amount > params.max_fee_msat:
        return None
    amts.reverse()
    cltvs.reverse()
    # amts[i] / cltvs[i]: what arrives at nodes[i]; index 0 is the payer (what it sends).
    hops = []
    for i, (_, to, e, _) in enumerate(path):
        k = i + 1
        last = k == len(path)
        hops.append(
            RouteHop(
                node_id=q.ids[to],
                scid=e[E_KEY] >> 1,
                amount_msat=amts[k],
                cltv_expiry=current_height + cltvs[k],
                fee_msat=0 if last else amts[k] - amts[k + 1],
                cltv_expiry_delta=final_cltv if last else cltvs[k] - cltvs[k + 1],
            )
        )
    return Route(q.ids[q.src], tuple(hops), prob, cost)


def _route(q: _Query, amount: int, final_cltv: int, current_height: int, params: RouteParams) -> Route | None:
    if final_cltv > params.max_total_cltv:
        return None
    if params.bidirectional:
        path = _search_bidirectional(q, amount, final_cltv, params)
        if path is None:
            return None
        route = _materialise(q, path, amount, final_cltv, current_height, params)
        if route is not None:
            return route
    path = _search_backward(q, amount, final_cltv, params)
    return None if path is None else _materialise(q, path, amount, final_cltv, current_height, params)


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
    return _route(q, amount_msat, final_cltv_delta, current_height, params)
