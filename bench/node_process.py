"""One amiko node in its own process, driven by the benchmark through a pipe.

Nodes are separate processes in a real network; running each benchmark node in its own
process lets the operating system spread them over the cores as it would for daemons, and
lets the benchmark read each node's CPU time. The parent sends (command, args) and gets back
("ok", result) or ("error", text). Payments go through the node's Python API
(`node.payer.pay_invoice`), as an application embedding amiko would call it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


async def _wait_for(cond: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.02)


def _cpu_of(pid: int) -> float:
    """Another process's CPU time, from /proc (0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Host:
    def __init__(self) -> None:
        self.node: Any = None
        self.drivers: list[Any] = []  # Lightning channels we opened
        self.trust_drivers: list[Any] = []  # trust lines we opened

    async def start(self, datadir: str, bitcoind: str | None, trust: bool = False) -> dict[str, Any]:
        from amiko.node import Node, NodeConfig

        self.node = Node(NodeConfig(datadir=datadir, listen=("127.0.0.1", 0), bitcoind=bitcoind,
                                    poll_interval=0.05, gossip_flush_interval=0.2, trust=trust))
        await self.node.start()
        devchain = self.node.chain.devchain
        return {"node_id": self.node.node_id, "port": self.node.peers.listen_address[1],
                "bitcoind": devchain.url if devchain is not None else None}

    async def address(self) -> str:
        return str(self.node.wallet.new_address())

    async def mine(self, blocks: int, address: str | None = None) -> None:
        await self.node.mine(blocks, address)

    async def sync(self) -> None:
        await self.node.chain.backend.sync()

    async def open(self, node_id: bytes, port: int, funding_sat: int, push_msat: int) -> None:
        await self.node.connect(node_id, "127.0.0.1", port)
        driver = await self.node.open_channel(node_id, funding_sat, push_msat=push_msat)
        self.drivers.append(driver)
        await _wait_for(lambda: driver.funding_broadcast)

    async def accept_trust(self, node_id: bytes, limit_msat: int) -> None:
        self.node.trust.accept_from(node_id, limit_msat)

    async def open_trust(self, node_id: bytes, port: int, limit_msat: int) -> None:
        """A trust line to `node_id`, `limit_msat` of credit each way (it must accept us)."""
        await self.node.connect(node_id, "127.0.0.1", port)
        driver = self.node.trust.open_trust(node_id, limit_msat, limit_msat)
        await self.node.trust.wait_open(driver)
        self.trust_drivers.append(driver)

    async def wait_usable(self) -> list[int]:
        """The short channel ids of our Lightning channels, once all our channels are usable."""
        await _wait_for(lambda: all(d.status().usable for d in self.drivers + self.trust_drivers))
        return [d.status().short_channel_id for d in self.drivers]

    async def wait_graph(self, scids: list[int]) -> None:
        def known(scid: int) -> bool:
            ch = self.node.graph.channel(scid)
            return ch is not None and bool(ch.policy(0)) and bool(ch.policy(1))
        await _wait_for(lambda: all(known(s) for s in scids))

    async def poll_chain_every(self, seconds: float) -> None:
        """The chain poll interval: short while the benchmark sets up (blocks are mined
        then), the default while it measures."""
        self.node.chain.backend.poll_interval = seconds

    async def invoices(self, n: int, amount_msat: int, tag: str) -> list[str]:
        return [self.node.invoices.create(amount_msat, f"{tag}-{i}").bolt11 for i in range(n)]

    async def cpu(self) -> float:
        """This node's CPU time, with its payment helper's (a process of its own)."""
        helper = self.node.payer.helper.pid if self.node is not None else None
        return time.process_time() + (_cpu_of(helper) if helper is not None else 0.0)

    async def pay(self, bolt11s: list[str], concurrency: int, spread: float = 0.0) -> dict[str, Any]:
        """Pay with `concurrency` payers, each paying again once its payment is done; they
        start together, or one after another over `spread` seconds."""
        queue = list(bolt11s)
        latencies: list[float] = []
        failures: list[str] = []

        async def worker(i: int) -> None:
            await asyncio.sleep(i * spread / concurrency)
            while queue:
                bolt11 = queue.pop()
                start = time.perf_counter()
                r = await self.node.payer.pay_invoice(await self.node.payer.decode(bolt11), timeout=120)
                if r.status != "complete":
                    failures.append(str(r.failure))
                latencies.append(time.perf_counter() - start)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        wall = time.perf_counter() - t0
        latencies.sort()
        return {"wall": wall, "failures": failures, "median": statistics.median(latencies),
                "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}

    async def stop(self) -> None:
        await self.node.stop()


def _serve(conn: Connection) -> None:
    async def loop() -> None:
        host = _Host()
        while True:
            command, args = await asyncio.to_thread(conn.recv)
            try:
                result = await getattr(host, command)(*args)
            except Exception as e:  # reported to the parent, which stops the run
                conn.send(("error", f"{command}: {type(e).__name__}: {e}"))
                continue
            conn.send(("ok", result))
            if command == "stop":
                return
    asyncio.run(loop())


class NodeProcess:
    """The parent's handle on one node process."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        self.pid = self._process.pid

    async def call(self, command: str, *args: Any) -> Any:
        self._conn.send((command, args))
        status, result = await asyncio.to_thread(self._conn.recv)
        if status != "ok":
            raise RuntimeError(result)
        return result

    async def close(self) -> None:
        if self._process.is_alive():
            try:
                await self.call("stop")
            finally:
                self._process.join(10)
                if self._process.is_alive():
                    self._process.kill()
