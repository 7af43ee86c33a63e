"""Routing figures on a real channel graph: load times, memory, route and split times.

Run: python bench/pathfinding.py PATH_TO_DESCRIBEGRAPH [--n 1000] [--seed S]

PATH_TO_DESCRIBEGRAPH is the output of LND's `lncli describegraph > graph.json` (optionally
gzip-compressed), e.g. a dump of your own node's view of the network. It prints:
- load time and memory for the describegraph JSON, and save/load times for the graph's
  row form through SQLite (how a node stores and reloads it);
- for N random (payer, payee, amount) draws, amounts log-uniform from 1k to 1M sat: the
  median and p99 time of a single route, of a multi-part split by min-cost flow, and of
  the halving baseline, the fraction found, and how the splits compare;
- the same comparison of the two splitters for larger payments between well-connected
  nodes, where splitting matters. (The flow runs without its fallback to the baseline.)
Every route found is checked hop by hop with `check_route` (outside the timings).
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import pathlib
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from amiko.routing.describegraph import read_describegraph
from amiko.routing.graph import Graph, GraphRows
from amiko.routing.mpp import DEFAULT_MPP, MppParams, PaymentSplit, split_halving, split_payment
from amiko.routing.pathfinding import DEFAULT_PARAMS, find_route
from amiko.routing.route import Route, check_route
from amiko.routing.search import cost_order, warm_up

HEIGHT = 920_000
T = TypeVar("T")


def rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def pct(xs: Sequence[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * p))] if s else float("nan")


def ms(xs: Sequence[float]) -> str:
    if not xs:
        return "n/a"
    return f"median {statistics.median(xs) * 1e3:7.2f} ms  p90 {pct(xs, 0.9) * 1e3:7.2f}  p99 {pct(xs, 0.99) * 1e3:7.2f}  max {max(xs) * 1e3:7.2f}"


def save_sqlite(rows: GraphRows, path: str) -> None:
    db = sqlite3.connect(path)
    db.execute("create table nodes (id blob primary key, ts int, features blob, alias text, rgb blob, addrs text)")
    db.execute("create table channels (scid int primary key, n1 blob, n2 blob, cap int, unverified int, features blob)")
    db.execute(
        "create table policies (scid int, dir int, base int, ppm int, cltv int, hmin int, hmax int,"
        " disabled int, ts int, primary key (scid, dir))"
    )
    db.executemany("insert into nodes values (?,?,?,?,?,?)", rows.nodes)
    db.executemany("insert into channels values (?,?,?,?,?,?)", rows.channels)
    db.executemany("insert into policies values (?,?,?,?,?,?,?,?,?)", rows.policies)
    db.commit()
    db.close()


def load_sqlite(path: str) -> Graph:
    db = sqlite3.connect(path)
    rows = GraphRows(
        db.execute("select * from nodes").fetchall(),
        db.execute("select * from channels").fetchall(),
        db.execute("select * from policies").fetchall(),
    )
    db.close()
    return Graph.from_rows(rows)


def timed(fn: Callable[..., T], *args: object, **kw: object) -> tuple[float, T]:
    t = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t, out


def rows_timings(g: Graph) -> None:
    t_rows, rows = timed(g.to_rows)
    t_from, _ = timed(Graph.from_rows, rows)
    print(f"  to_rows {t_rows:.2f} s; from_rows {t_from:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        db = str(pathlib.Path(tmp) / "graph.sqlite")
        t_save, _ = timed(save_sqlite, rows, db)
        t_sql, _ = timed(load_sqlite, db)
        print(f"  SQLite: save {t_save:.2f} s, load (select + from_rows) {t_sql:.2f} s, "
              f"file {os.path.getsize(db) / 2**20:.1f} MB")


def check_split(g: Graph, split: PaymentSplit, amount: int) -> None:
    assert split.amount_msat == amount, "split does not add up"
    for r in split.parts:
        problems = check_route(g, r, r.amount_msat, 18, HEIGHT, max_total_cltv=2016)
        assert not problems, problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", help="lncli describegraph JSON (.json or .json.gz)")
    ap.add_argument("--n", type=int, default=1000, help="random (payer, payee, amount) draws")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mpp-n", type=int, default=None, help="draws for the splitters (default: --n)")
    ap.add_argument("--hub-n", type=int, default=100, help="large payments between well-connected nodes")
    args = ap.parse_args()

    print(f"python {sys.version.split()[0]}, os.cpu_count() = {os.cpu_count()}, load average {os.getloadavg()}")
    gc.collect()
    rss0 = rss_mb()
    t_load, (g, stats) = timed(read_describegraph, args.path)
    gc.collect()
    print(f"\nloaded {args.path}: {stats.channels} channels, {stats.policies} policies, {stats.nodes} nodes "
          f"(skipped {stats.skipped_channels} channels, {stats.skipped_policies} policies)")
    print(f"  describegraph JSON -> graph: {t_load:.2f} s, RSS +{rss_mb() - rss0:.0f} MB")
    tracemalloc.start()
    g2, _ = read_describegraph(args.path)
    del _
    gc.collect()
    print(f"  graph size (tracemalloc, graph only): {tracemalloc.get_traced_memory()[0] / 2**20:.0f} MB")
    tracemalloc.stop()
    del g2
    rows_timings(g)
    t_warm, n_cls = timed(warm_up, g, DEFAULT_PARAMS, DEFAULT_MPP.min_part_msat, 5_000_000_000)
    tracemalloc.start()
    extra = cost_order(g, 1_000_000, replace(DEFAULT_PARAMS, base_penalty_msat=501))  # one more, measured
    per_class = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    del extra
    print(f"  lazy edge orders for {n_cls} amount classes (10 sat..5M sat): {t_warm:.2f} s, {per_class:.1f} MB each")
    # A node holding the graph should do the same: the graph is millions of long-lived
    # objects, and without this every full collection of the cyclic GC walks them all
    # (a 100-300 ms pause in the middle of whatever runs then).
    gc.collect()
    gc.freeze()

    rnd = random.Random(args.seed)
    nodes = sorted(g.nodes())
    draws = []
    for _ in range(args.n):
        s, t = rnd.sample(nodes, 2)
        amount = int(math.exp(rnd.uniform(math.log(1_000), math.log(1_000_000)))) * 1000
        draws.append((s, t, amount))

    print(f"\nsingle routes, {args.n} draws (amounts log-uniform 1k..1M sat):")
    times: list[float] = []
    found_times: list[float] = []
    routes: list[Route] = []
    for s, t, amount in draws:
        dt, r = timed(find_route, g, s, t, amount, current_height=HEIGHT)
        times.append(dt)
        if r is not None:
            found_times.append(dt)
            routes.append(r)
            problems = check_route(g, r, amount, 18, HEIGHT, max_total_cltv=2016)
            assert not problems, problems
    print(f"  all:   {ms(times)}")
    print(f"  found: {ms(found_times)}")
    print(f"  found {len(routes)}/{args.n} = {len(routes) / args.n:.1%}; every route passed check_route")
    if routes:
        print(f"  hops: median {statistics.median(len(r.hops) for r in routes)}, "
              f"fee: median {statistics.median(r.total_fee_msat for r in routes) / 1000:.1f} sat, "
              f"P(success) estimate: median {statistics.median(r.probability for r in routes):.3f}")

    def compare(title: str, sample: list[tuple[bytes, bytes, int]]) -> None:
        print(f"\n{title}:")
        res: dict[str, list[PaymentSplit | None]] = {}
        no_fallback = MppParams(fallback=False)
        for name, fn in (("min-cost flow", split_payment), ("halving baseline", split_halving)):
            ts, found_ts, out = [], [], []
            for s, t, amount in sample:
                dt, sp = timed(fn, g, s, t, amount, current_height=HEIGHT, mpp=no_fallback)
                ts.append(dt)
                out.append(sp)
                if sp is not None:
                    found_ts.append(dt)
                    check_split(g, sp, amount)
            res[name] = out
            n_found = sum(1 for x in out if x is not None)
            parts = [len(x.parts) for x in out if x is not None]
            print(f"  {name:16s} all:   {ms(ts)}")
            print(f"  {name:16s} found: {ms(found_ts)}")
            print(f"  {name:16s} found {n_found}/{len(sample)} = {n_found / max(len(sample), 1):.1%}, "
                  f"parts: mean {statistics.mean(parts) if parts else 0:.2f}, max {max(parts, default=0)}")
        both = [(a, b) for a, b in zip(res["min-cost flow"], res["halving baseline"], strict=True) if a and b]
        if both:
            pa = [a.probability for a, _ in both]
            pb = [b.probability for _, b in both]
            better = sum(1 for a, b in both if a.probability > b.probability * 1.001)
            worse = sum(1 for a, b in both if a.probability < b.probability * 0.999)
            fa = sum(a.total_fee_msat for a, _ in both) / 1000
            fb = sum(b.total_fee_msat for _, b in both) / 1000
            print(f"  where both found a split ({len(both)}): joint P mean {statistics.mean(pa):.3f} (flow) vs "
                  f"{statistics.mean(pb):.3f} (halving); flow higher in {better}, lower in {worse}; "
                  f"total fees {fa:,.0f} vs {fb:,.0f} sat")

    m = args.n if args.mpp_n is None else args.mpp_n
    compare(f"multi-part splits, the first {m} draws", draws[:m])
    hubs = sorted(nodes, key=lambda n: -len(g.channels_of(n)))[:200]
    hub_draws = []
    for _ in range(args.hub_n):
        s, t = rnd.sample(hubs, 2)
        hub_draws.append((s, t, int(math.exp(rnd.uniform(math.log(500_000), math.log(5_000_000)))) * 1000))
    compare(f"multi-part splits between the 200 best-connected nodes, {args.hub_n} draws, 0.5M..5M sat", hub_draws)


if __name__ == "__main__":
    main()
