"""Payments per second end to end (invoice -> pay -> preimage) over real TCP with durable
storage: two nodes with one channel, and a 3-hop line, with 1, 10 and 100 concurrent
payers. Prints payments/s, median and p99 latency, CPU per payment, and the crypto floor
(the signing and verification one commitment round needs, measured here).

    python bench/throughput.py [--payments N]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from amiko.crypto.keys import pubkey_of, sign, verify
from amiko.node import Node, NodeConfig
from amiko.payments.bolt11 import decode_invoice


async def wait_for(cond, timeout=60.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not cond():
        if asyncio.get_running_loop().time() > deadline:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.02)


async def network(base: Path, hops: int) -> list[Node]:
    first = Node(NodeConfig(datadir=str(base / "n0"), listen=("127.0.0.1", 0), poll_interval=0.05,
                            gossip_flush_interval=0.2, trust=False))
    await first.start()
    url = first.chain.devchain.url
    nodes = [first]
    for i in range(1, hops + 1):
        n = Node(NodeConfig(datadir=str(base / f"n{i}"), listen=("127.0.0.1", 0), bitcoind=url,
                            poll_interval=0.05, gossip_flush_interval=0.2, trust=False))
        await n.start()
        nodes.append(n)
    for n in nodes:
        await first.mine(1, n.wallet.new_address())
    await first.mine(100)
    for n in nodes:
        await n.chain.backend.sync()
    drivers = []
    for x, y in itertools.pairwise(nodes):
        await x.connect(y.node_id, "127.0.0.1", y.peers.listen_address[1])
        drivers.append(await x.open_channel(y.node_id, 10_000_000, push_msat=1_000_000_000))
    await wait_for(lambda: all(d.funding_broadcast for d in drivers))
    await first.mine(6)
    for n in nodes:
        await n.chain.backend.sync()
    await wait_for(lambda: all(d.status().usable for d in drivers))
    scids = [d.status().short_channel_id for d in drivers]
    await wait_for(lambda: all(first.graph.channel(s) is not None and first.graph.channel(s).policy(0)
                               and first.graph.channel(s).policy(1) for s in scids))
    return nodes


async def run(nodes: list[Node], payments: int, concurrency: int) -> dict[str, float]:
    payer, payee = nodes[0], nodes[-1]
    invoices = [decode_invoice(payee.invoices.create(1_000_000, f"t{concurrency}-{i}-{time.time_ns()}").bolt11)
                for i in range(payments)]
    latencies: list[float] = []
    queue = list(invoices)
    cpu0, t0 = time.process_time(), time.perf_counter()

    async def worker() -> None:
        while queue:
            inv = queue.pop()
            start = time.perf_counter()
            r = await payer.payer.pay_invoice(inv, timeout=120)
            if r.status != "complete":
                raise RuntimeError(f"payment failed: {r.failure}")
            latencies.append(time.perf_counter() - start)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    latencies.sort()
    return {"rate": payments / wall, "median_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
            "cpu_ms": cpu / payments * 1000}


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
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}")
    batched, alone = crypto_floor()
    print(f"crypto floor (one core): {batched:,.0f} HTLCs/s fully batched, {alone:,.0f} with one HTLC per commitment")
    for hops in (1, 3):
        with tempfile.TemporaryDirectory() as tmp:
            nodes = await network(Path(tmp), hops)
            for concurrency in (1, 10, 100):
                n = min(args.payments, max(50, concurrency * 3))
                f = await run(nodes, n, concurrency)
                print(f"{hops} hop(s), {concurrency:>3} payers: {f['rate']:7.1f} payments/s  "
                      f"median {f['median_ms']:7.1f} ms  p99 {f['p99_ms']:7.1f} ms  "
                      f"cpu {f['cpu_ms']:6.1f} ms/payment ({n} payments)")
            for node in reversed(nodes):
                await node.stop()


if __name__ == "__main__":
    asyncio.run(main())
