"""Int-indexed adjacency lists of the usable directed edges, kept for pathfinding.

Each directed edge `u -> v` appears twice, as flat tuples of precomputed constants
(`EdgeT`): in `ins[v]` with `u` first, and in `outs[u]` with `v` first; the other seven
fields are the same. Every list is sorted by the most one HTLC may carry (`max_msat`),
largest first, so a search for an amount stops scanning at the first edge too small.

`sole_in[v]` is v's only in-neighbour (or `NO_IN_EDGES` / `MANY_NEIGHBOURS`), and
`sole_out[u]` likewise: a node whose only way in is from the node a backward search
arrives from (only way out to the node a forward search comes from) is a dead end there.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right, insort
from collections import OrderedDict
from collections.abc import Callable, Hashable

# An edge tuple: (other_end, fee_base_msat, fee_proportional_millionths,
#   cltv_expiry_delta, htlc_minimum_msat, max_msat, capacity_msat, key)
# `other_end` is the node the edge comes from (in `ins`) or goes to (in `outs`).
# `max_msat` is the most a single HTLC may carry (htlc_maximum_msat, capped by the capacity
# when known); `capacity_msat` is the channel capacity, or htlc_maximum_msat when the
# capacity is unknown (BOLT #7 guarantees htlc_maximum_msat <= capacity).
EdgeT = tuple[int, int, int, int, int, int, int, int]
E_END, E_BASE, E_PPM, E_DELTA, E_HMIN, E_MAX, E_CAP, E_KEY = range(8)

NO_IN_EDGES = -2  # also "no out edges" in sole_out
MANY_NEIGHBOURS = -1


def _neg_max(e: EdgeT) -> int:
    return -e[E_MAX]


def _sole(lst: list[EdgeT]) -> int:
    if not lst:
        return NO_IN_EDGES
    first = lst[0][E_END]
    for e in lst:
        if e[E_END] != first:
            return MANY_NEIGHBOURS
    return first


def _index(lst: list[EdgeT], key: int, edge: EdgeT | None) -> int:
    """Where the edge with `key` is in a list sorted by `max_msat` (largest first), or -1.
    `edge`, the tuple as added, narrows the search to the edges of its `max_msat`."""
    if edge is not None:
        m = edge[E_MAX]
        for i in range(bisect_left(lst, -m, key=_neg_max), len(lst)):
            e = lst[i]
            if e[E_MAX] != m:
                break
            if e[E_KEY] == key:
                return i
    for i, e in enumerate(lst):
        if e[E_KEY] == key:
            return i
    return -1


class SortedIns:
    """Every node's in-edges sorted by `rank(edge)` (`edges[v]`), with the ranks alongside
    in a compact array (`ranks[v]`), kept current as the graph changes. A search uses the
    rank as a lower bound of an edge's cost at some amount."""

    def __init__(self, ins: list[list[EdgeT]], rank: Callable[[EdgeT], float]) -> None:
        self.rank = rank
        self.edges: list[list[EdgeT]] = []
        self.ranks: list[array[float]] = []
        for lst in ins:
            pairs = sorted(((rank(e), e) for e in lst), key=_first)
            self.edges.append([e for _, e in pairs])
            self.ranks.append(array("d", [r for r, _ in pairs]))

    def grow(self) -> None:
        self.edges.append([])
        self.ranks.append(array("d"))

    def insert(self, to: int, e: EdgeT) -> None:
        r = self.rank(e)
        i = bisect_right(self.ranks[to], r)
        self.ranks[to].insert(i, r)
        self.edges[to].insert(i, e)

    def remove(self, to: int, key: int, edge: EdgeT | None = None) -> None:
        lst, ranks = self.edges[to], self.ranks[to]
        i = -1
        if edge is not None:  # among the edges of its rank
            r = self.rank(edge)
            for j in range(bisect_left(ranks, r), len(ranks)):
                if ranks[j] != r:
                    break
                if lst[j][E_KEY] == key:
                    i = j
                    break
        if i < 0:
            i = _index(lst, key, None)
        if i >= 0:
            del lst[i]
            del ranks[i]


def _first(pair: tuple[float, EdgeT]) -> float:
    return pair[0]


MAX_ORDERS = 24


class Adjacency:
    def __init__(self) -> None:
        self.ins: list[list[EdgeT]] = []
        self.outs: list[list[EdgeT]] = []
        self.sole_in: list[int] = []
        self.sole_out: list[int] = []
        self._orders: OrderedDict[Hashable, SortedIns] = OrderedDict()

    def sorted_ins(self, name: Hashable, rank: Callable[[EdgeT], float]) -> SortedIns:
        """The in-lists ordered by `rank`, built on first use and then maintained; `name`
        identifies the rank function. The least recently used of more than `MAX_ORDERS`
        is dropped."""
        order = self._orders.get(name)
        if order is None:
            order = self._orders[name] = SortedIns(self.ins, rank)
            if len(self._orders) > MAX_ORDERS:
                self._orders.popitem(last=False)
        else:
            self._orders.move_to_end(name)
        return order

    def grow(self) -> None:
        """Make room for one more node index."""
        self.ins.append([])
        self.outs.append([])
        self.sole_in.append(NO_IN_EDGES)
        self.sole_out.append(NO_IN_EDGES)
        for order in self._orders.values():
            order.grow()

    def add(self, frm: int, to: int, e_in: EdgeT) -> None:
        """Insert an edge given as its `ins` tuple (whose first field is `frm`)."""
        insort(self.ins[to], e_in, key=_neg_max)
        insort(self.outs[frm], (to, *e_in[1:]), key=_neg_max)
        self.sole_in[to] = _sole(self.ins[to])
        self.sole_out[frm] = _sole(self.outs[frm])
        for order in self._orders.values():
            order.insert(to, e_in)

    def append_unsorted(self, frm: int, to: int, e_in: EdgeT) -> None:
        """Bulk insertion: call `finish_bulk()` afterwards."""
        self.ins[to].append(e_in)
        self.outs[frm].append((to, *e_in[1:]))

    def finish_bulk(self) -> None:
        self._orders.clear()
        for i, lst in enumerate(self.ins):
            lst.sort(key=_neg_max)
            self.sole_in[i] = _sole(lst)
        for i, lst in enumerate(self.outs):
            lst.sort(key=_neg_max)
            self.sole_out[i] = _sole(lst)

    def drop(self, frm: int, to: int, key: int, edge: EdgeT | None = None) -> None:
        """Remove the edge with that key, if present. Given `edge`, the tuple it was added
        as, the lists are searched from its place in their order (a hub's lists hold
        thousands of edges) instead of from their start."""
        for order in self._orders.values():
            order.remove(to, key, edge)
        for lst, idx, sole in ((self.ins[to], to, self.sole_in), (self.outs[frm], frm, self.sole_out)):
            i = _index(lst, key, edge)
            if i >= 0:
                del lst[i]
                sole[idx] = _sole(lst)

    def find_out(self, frm: int, key: int) -> EdgeT | None:
        for e in self.outs[frm]:
            if e[E_KEY] == key:
                return e
        return None
