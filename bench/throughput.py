"""Payments per second end to end (invoice -> pay -> preimage) over real TCP with durable
storage: two nodes with one channel, and a 3-hop line, with 1, 10 and 100 concurrent
payers. Each node runs in its own process; the payer pays through the Python API. Prints
payments/s, median and p99 latency, CPU per payment (all nodes' CPU time added up, and
each node's, the payer first), and
the crypto floor (the signing and verification one commitment round needs, measured here).

    python bench/throughput.py [--payments N] [--hops 1 3] [--payers 1 10 100] [--rounds R]
                               [--trust-first] [--spread-ms MS]

`--trust-first` makes the payer's channel a trust line (Amiko Pay's credit channel), the
rest of the line Lightning channels: one hop measures the trust channel alone, more hops
a switch forwarding from one channel type to the other.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from amiko.crypto.keys import pubkey_of, sign, verify
from amiko.node import NodeConfig
from bench.node_process import NodeProcess

TRUST_LIMIT_MSAT = 5_000_000_000  # each way, on a trust line (5M sat)


async def network(base: Path, hops: int, trust_first: bool = False) -> list[NodeProcess]:
    """A line of hops + 1 nodes, each its own process, with a channel between neighbours
    funded by the left one (10M sat, 1M sat pushed) and known to the first node's graph;
    `trust_first`: the first channel is a trust line instead (5M sat of credit each way),
    the payer's own, so no gossip is needed about it."""
    nodes = [NodeProcess() for _ in range(hops + 1)]
    first = await nodes[0].call("start", str(base / "n0"), None, trust_first)
    infos = [first] + [await n.call("start", str(base / f"n{i}"), first["bitcoind"], trust_first and i == 1)
                       for i, n in enumerate(nodes[1:], 1)]
    for n in nodes:
        await nodes[0].call("mine", 1, await n.call("address"))
    await nodes[0].call("mine", 100)
    for n in nodes:
        await n.call("sync")
    for i, (x, y) in enumerate(itertools.pairwise(zip(nodes, infos, strict=True))):
        if trust_first and i == 0:
            await y[0].call("accept_trust", x[1]["node_id"], TRUST_LIMIT_MSAT)
            await x[0].call("open_trust", y[1]["node_id"], y[1]["port"], TRUST_LIMIT_MSAT)
        else:
            await x[0].call("open", y[1]["node_id"], y[1]["port"], 10_000_000, 1_000_000_000)
    await nodes[0].call("mine", 6)
    for n in nodes:
        await n.call("sync")
    scids = [scid for n in nodes[:-1] for scid in await n.call("wait_usable")]
    await nodes[0].call("wait_graph", scids)
    for n in nodes:
        await n.call("poll_chain_every", NodeConfig.poll_interval)
    return nodes


async def run(nodes: list[NodeProcess], payments: int, concurrency: int, spread_ms: float = 0) -> dict[str, Any]:
    payer, payee = nodes[0], nodes[-1]
    bolt11s = await payee.call("invoices", payments, 1_000_000, f"t{concurrency}-{time.time_ns()}")
    cpu0 = [await n.call("cpu") for n in nodes]
    r = await payer.call("pay", bolt11s, concurrency, spread_ms / 1000)
    by_node = [await n.call("cpu") - c0 for n, c0 in zip(nodes, cpu0, strict=True)]
    if r["failures"]:
        raise RuntimeError(f"{len(r['failures'])} payments failed, e.g. {r['failures'][0]}")
    return {"rate": payments / r["wall"], "median_ms": r["median"] * 1000, "p99_ms": r["p99"] * 1000,
            "cpu_ms": sum(by_node) / payments * 1000, "by_node": [c / payments * 1000 for c in by_node]}


def crypto_floor() -> tuple[float, float]:
    """HTLCs/s one core could sign and verify at best: per commitment round each side signs
    one commitment and one HTLC signature per HTLC and verifies the same."""
    secret = os.urandom(32)
    pub, msg = pubkey_of(secret), os.urandom(32)
    n = 2000
    t = time.perf_counter()
    for _ in range(n):
        sig = sign(secret, msg)
    sign_s = (time.perf_counter() - t) / n
    t = time.perf_counter()
    for _ in range(n):
        verify(pub, msg, sig)
    verify_s = (time.perf_counter() - t) / n
    per_htlc_batched = 2 * (sign_s + verify_s)  # HTLC signatures, both sides
    per_htlc_alone = per_htlc_batched + 2 * 2 * (sign_s + verify_s)  # plus a commitment pair each way
    return 1 / per_htlc_batched, 1 / per_htlc_alone


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=300)
    parser.add_argument("--hops", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--payers", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure each set-up this many times, each on a fresh network, "
                             "and print the median round (shared machines are noisy)")
    parser.add_argument("--trust-first", action="store_true",
                        help="the payer's channel is a trust line; the hops after it are Lightning "
                             "channels (forwarded across channel types)")
    parser.add_argument("--spread-ms", type=float, default=0,
                        help="start the payers one after another over this many ms instead of all "
                             "at once (each then pays again as soon as its payment is done)")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}" + (f"; payers start over {args.spread_ms:g} ms" if args.spread_ms else ""))
    batched, alone = crypto_floor()
    print(f"crypto floor (one core): {batched:,.0f} HTLCs/s fully batched, {alone:,.0f} with one HTLC per commitment")
    for hops in args.hops:
        rounds: dict[int, list[dict[str, Any]]] = {c: [] for c in args.payers}
        for _ in range(args.rounds):
            with tempfile.TemporaryDirectory() as tmp:
                nodes = await network(Path(tmp), hops, args.trust_first)
                for concurrency in args.payers:
                    f = await run(nodes, payments_for(args.payments, concurrency), concurrency, args.spread_ms)
                    rounds[concurrency].append(f)
                    if args.rounds > 1:
                        print(f"  round {len(rounds[concurrency])}: {hops} hop(s), {concurrency:>3} payers: "
                              f"{f['rate']:7.1f} payments/s", flush=True)
                for node in reversed(nodes):
                    await node.close()
        kind = " (trust first)" if args.trust_first else ""
        for concurrency, figures in rounds.items():
            f = sorted(figures, key=lambda r: r["rate"])[len(figures) // 2]
            spread = f" (median of {len(figures)} rounds, {figures_range(figures)})" if len(figures) > 1 else ""
            print(f"{hops} hop(s){kind}, {concurrency:>3} payers: {f['rate']:7.1f} payments/s  "
                  f"median {f['median_ms']:7.1f} ms  p99 {f['p99_ms']:7.1f} ms  "
                  f"cpu {f['cpu_ms']:6.1f} ms/payment ({' + '.join(f'{c:.2f}' for c in f['by_node'])}, payer first; "
                  f"{payments_for(args.payments, concurrency)} payments){spread}")


def payments_for(payments: int, concurrency: int) -> int:
    """Payments per measurement: enough for every payer to pay ten times."""
    return max(payments, concurrency * 10) if concurrency > 1 else max(50, payments // 10)


def figures_range(figures: list[dict[str, Any]]) -> str:
    rates = sorted(f["rate"] for f in figures)
    return f"{rates[0]:.0f}-{rates[-1]:.0f}/s"


if __name__ == "__main__":
    asyncio.run(main())
