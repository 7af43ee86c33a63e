"""Single-path route finding: prepare a query, search, price the path exactly.

The searches (`search.py`) run backwards from the payee, so each hop's fee is computed on
the exact amount it forwards. Whatever path they return, `materialise` prices it again
backwards from the payee, hop by hop, with integer msat:

    amount_in(u) = amount_in(v) + fee_base + amount_in(v) * ppm // 1_000_000
    cltv_in(u)   = cltv_in(v) + cltv_expiry_delta(u -> v)

by the policy u announced for the channel it forwards out on (the payer charges itself
nothing), and checks every limit on those exact numbers: htlc_minimum_msat,
htlc_maximum_msat, capacity, first-hop balances, `max_total_cltv`, `max_hops`,
`max_fee_msat`. Like every Lightning router the search is label-setting on an
amount-dependent cost, so the result is the best route it sees, not a proven optimum when
those limits bind.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

from amiko.routing.adjacency import E_CAP, E_HMIN, E_KEY, E_MAX, MANY_NEIGHBOURS, NO_IN_EDGES, EdgeT
from amiko.routing.graph import Graph, direction_of, edge_key
from amiko.routing.probability import (
    BANNED,
    EMPTY_VIEW,
    UNKNOWN_CAPACITY_MSAT,
    LiquidityView,
    success_probability,
)
from amiko.routing.route import FirstHop, Route, RouteHintHop, RouteHop
from amiko.routing.search import (
    DEFAULT_PARAMS,
    Query,
    RouteParams,
    Step,
    search_astar,
    search_backward,
)

__all__ = [
    "DEFAULT_FINAL_CLTV_DELTA",
    "DEFAULT_PARAMS",
    "FirstHop",
    "Route",
    "RouteHintHop",
    "RouteParams",
    "find_route",
    "materialise",
    "prepare",
    "route_for",
]

DEFAULT_FINAL_CLTV_DELTA = 18  # BOLT #11: `c` "Default is 18 if not specified."


def _by_max(edges: list[EdgeT]) -> list[EdgeT]:
    return sorted(edges, key=lambda e: -e[E_MAX])


def prepare(
    graph: Graph,
    source: bytes,
    target: bytes,
    first_hops: Sequence[FirstHop] | None,
    route_hints: Sequence[Sequence[RouteHintHop]],
    exclude_nodes: Collection[bytes],
    exclude_channels: Collection[tuple[int, int]],
    liquidity: LiquidityView,
) -> Query:
    """Everything a search needs beyond the graph, for one payment: overlay indices for
    nodes the graph does not know (a private payer or payee), hint edges (overriding the
    graph's policy for the same channel direction), the payer's own edges (its first hops
    with their balances, less what `liquidity` has in flight on them), exclusions, the
    dead-end gates, and the learned bounds. Cheap (a few hundred microseconds on the
    mainnet graph): make one per search."""
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
            b = bounds.get(key)
            if b is BANNED:
                continue
            # Other parts of this payment already committed on this channel.
            spendable = fh.spendable_msat - (b[3] if b is not None else 0)
            if spendable <= 0:
                continue
            e = (src, 0, 0, 0, fh.htlc_minimum_msat, spendable, spendable, key)
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
    # Nodes whose in-edges may cost less than the prior-based bound a lazy search uses:
    # a learned lower bound raises P above the prior.
    eager = set(in_override)
    for key, b in bounds.items():
        if b[0] > 0:
            ch = graph.channel(key >> 1)
            if ch is not None:
                head = graph.index_of(ch.node2 if key & 1 == 0 else ch.node1)
                if head is not None:
                    eager.add(head)
    all_ids = ids if not extra_ids else [*ids, *extra_ids]
    return Query(
        graph,
        adj.ins,
        adj.outs,
        n,
        all_ids,
        src,
        tgt,
        src_edges,
        src_out,
        in_override,
        out_override,
        gate_b,
        gate_f,
        bounds,
        eager,
    )


def materialise(
    q: Query, path: list[Step], amount: int, final_cltv: int, current_height: int, params: RouteParams
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


def route_for(q: Query, amount: int, final_cltv: int, current_height: int, params: RouteParams) -> Route | None:
    """Search a prepared query and price the result."""
    if final_cltv > params.max_total_cltv:
        return None
    if params.search == "astar":
        path = search_astar(q, amount, final_cltv, params)
    else:
        path = search_backward(q, amount, final_cltv, params)
    return None if path is None else materialise(q, path, amount, final_cltv, current_height, params)


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
    q = prepare(graph, source, target, first_hops, route_hints, exclude_nodes, exclude_channels, liquidity)
    return route_for(q, amount_msat, final_cltv_delta, current_height, params)
