"""`amiko demo`: a small local network of amiko nodes, each in its own process.

It starts a dev chain and the nodes (each its own process and data directory), connects
them in a ring over TCP with BOLT 8, funds their wallets, opens a ring of Lightning
channels and a trust line across it, waits until gossip has told every node a route to
every other, sends payments between random pairs (some refused on purpose, some too large
for one channel, so in several parts), and ends with a table that checks no msat was lost.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any, TextIO

from amiko.rpc.client import RPC_FILE, NodeNotRunning, call
from amiko.rpc.errors import RpcError


@dataclass
class DemoNode:
    name: str
    datadir: str
    port: int = 0  # known once the node listens
    proc: subprocess.Popen[bytes] | None = None
    node_id: str = ""

    def rpc(self, method: str, params: list[Any] | dict[str, Any] | None = None, timeout: float = 120.0) -> Any:
        """Call the node; if its process has exited, say so (RuntimeError) rather than
        leave the caller waiting for a node that is gone."""
        try:
            return call(self.datadir, method, params, timeout=timeout)
        except NodeNotRunning:
            code = self.proc.poll() if self.proc is not None else None
            if code is not None:
                raise RuntimeError(f"{self.name} exited (code {code}); see {self.datadir}/amiko.log") from None
            raise


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_devchain(datadir: str, timeout: float = 30.0) -> tuple[subprocess.Popen[bytes], str]:
    """A standalone dev chain shared by every node of the demo; returns (process, RPC URL)."""
    os.makedirs(datadir, exist_ok=True)
    url_file = os.path.join(datadir, "devchain", "rpc_url")
    if os.path.exists(url_file):
        os.unlink(url_file)
    log = open(os.path.join(datadir, "devchain.log"), "ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "amiko", "--dir", datadir, "devchain", "--rpc-port", str(free_port())],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the dev chain exited; see {datadir}/devchain.log")
        if os.path.exists(url_file):
            with open(url_file, encoding="utf-8") as f:
                return proc, f.read().strip()
        time.sleep(0.05)
    raise RuntimeError("the dev chain did not start in time")


def start_node(node: DemoNode, bitcoind: str, timeout: float = 30.0) -> None:
    os.makedirs(node.datadir, exist_ok=True)
    rpc_path = os.path.join(node.datadir, RPC_FILE)
    if os.path.exists(rpc_path):
        os.unlink(rpc_path)
    log = open(os.path.join(node.datadir, "stderr.log"), "ab")
    node.proc = subprocess.Popen(
        [sys.executable, "-m", "amiko", "--dir", node.datadir, "node",
         # port 0: the system picks a free port (one picked beforehand may be taken by then)
         "--listen", "127.0.0.1:0", "--alias", node.name, "--bitcoind", bitcoind,
         # a local network: gossip relayed every second rather than every minute
         "--gossip-interval", "1"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if node.proc.poll() is not None:
            raise RuntimeError(f"{node.name} exited; see {node.datadir}/amiko.log")
        if os.path.exists(rpc_path):
            try:
                info = node.rpc("getinfo")
                node.node_id, node.port = info["id"], int(info["listening"].rsplit(":", 1)[1])
                return
            except RpcError:
                pass
        time.sleep(0.05)
    raise RuntimeError(f"{node.name} did not start in {timeout} s")


def stop_node(node: DemoNode) -> None:
    if node.proc is None or node.proc.poll() is not None:
        return
    try:
        node.rpc("stop")
        node.proc.wait(timeout=10)
    except (RpcError, subprocess.TimeoutExpired):
        node.proc.send_signal(signal.SIGTERM)
        try:
            node.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            node.proc.kill()


def wait(cond: Any, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if cond():
                return
        except RpcError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not reached in {timeout:.0f} s")
        time.sleep(0.1)


def usable_channels(node: DemoNode) -> int:
    return sum(1 for c in node.rpc("listchannels")["channels"] if c["state"] == "normal" and c["peer_connected"])


def balances(net: list[DemoNode]) -> dict[str, int]:
    return {n.name: sum(c["local_msat"] for c in n.rpc("listchannels")["channels"]) for n in net}


def build_network(net: list[DemoNode]) -> list[tuple[str, str, str]]:
    """Fund every node, open a ring of Lightning channels, and a trust line across it."""
    edges = []
    for node in net:
        node.rpc("mine", [1])
    height = net[0].rpc("mine", [100])["blockheight"]
    for node in net:
        wait(lambda node=node: node.rpc("getinfo")["chain"]["blockheight"] >= height, what=f"{node.name} synced")
    for a, b in zip(net, net[1:] + net[:1], strict=True):
        a.rpc("openchannel", {"id": b.node_id, "amount": 1_000_000, "push_msat": 500_000_000})
        edges.append((a.name, b.name, "lightning"))
    net[0].rpc("mine", [6])
    if len(net) >= 4:
        a, d = net[0], net[len(net) // 2]
        a.rpc("connect", [f"{d.node_id}@127.0.0.1:{d.port}"])
        d.rpc("trustaccept", [a.node_id, 200_000_000])
        a.rpc("opentrust", {"id": d.node_id, "limit_msat": 200_000_000, "request_msat": 200_000_000})
        edges.append((a.name, d.name, "trust"))
    want = {n.name: 2 for n in net}
    if len(net) >= 4:
        want[net[0].name] += 1
        want[net[len(net) // 2].name] += 1
    for node in net:
        wait(lambda node=node: usable_channels(node) >= want[node.name], what=f"{node.name}'s channels")
    return edges


def wait_for_gossip(net: list[DemoNode], timeout: float = 60.0) -> float:
    """Wait until every node knows every channel of the ring, with both directions'
    policies, and so a route to every other node (the demo's nodes relay gossip every
    second); returns the seconds it took."""
    start = time.monotonic()
    n = len(net)  # nodes, and Lightning channels in the ring
    for node in net:
        wait(lambda node=node: node.rpc("getinfo")["graph"] == {"nodes": n, "channels": n, "channel_directions": 2 * n},
             timeout=max(1.0, timeout - (time.monotonic() - start)), what=f"{node.name}'s gossip")
        for other in net:
            if other is not node:
                wait(lambda node=node, other=other: bool(node.rpc("getroute", [other.node_id, 1_000_000])),
                     timeout=max(1.0, timeout - (time.monotonic() - start)),
                     what=f"{node.name}'s gossip about {other.name}")
    return time.monotonic() - start


@dataclass
class Tally:
    done: int = 0
    succeeded: int = 0
    multi_part: int = 0
    refused: int = 0
    fees: int = 0


class Progress:
    """The payments' live tally: one line rewritten in place on a terminal; on a file or a
    pipe, a line every `every` payments and after the last (no carriage returns in a log)."""

    def __init__(self, count: int, out: TextIO | None = None, every: int = 10) -> None:
        self.count, self.every = count, every
        self.out = out if out is not None else sys.stdout
        self.live = self.out.isatty()
        self.start = time.monotonic()

    def show(self, t: Tally) -> None:
        rate = t.done / max(time.monotonic() - self.start, 1e-6)
        line = (f"  payments {t.done}/{self.count}  succeeded {t.succeeded} ({t.multi_part} in several parts)  "
                f"refused on purpose {t.refused}  {rate:.1f}/s  fees {t.fees} msat")
        if self.live:
            print(f"\r{line}", end="\n" if t.done == self.count else "", file=self.out, flush=True)
        elif t.done % self.every == 0 or t.done == self.count:
            print(line, file=self.out, flush=True)


def large_amount(payer: DemoNode, payee: DemoNode) -> int | None:
    """An amount that no single channel of the payer's, or none of the payee's, can carry,
    while their channels together can: the payer must split it (None when there is no such
    amount)."""
    sends = [c["can_send_msat"] for c in payer.rpc("listchannels")["channels"] if c["state"] == "normal"]
    receives = [c["can_receive_msat"] for c in payee.rpc("listchannels")["channels"] if c["state"] == "normal"]
    if len(sends) < 2 or len(receives) < 2:
        return None
    low = min(max(sends), max(receives)) * 21 // 20
    high = min(sum(sends), sum(receives)) * 3 // 5
    return low if low < high else None


def run_payments(net: list[DemoNode], count: int, rng: random.Random) -> Tally:
    """Payments between random pairs of nodes, routed by what gossip told them (invoices
    also carry route hints); one in eight is refused by its payee on purpose, and one in
    eight is too large for any single channel, so it goes in several parts (and its payee
    then pays it back, in several parts too, so the network stays balanced)."""
    t = Tally()
    progress = Progress(count)
    n = len(net)
    back: tuple[DemoNode, DemoNode, int] | None = None
    for i in range(count):
        if back is not None:
            (payer, payee, amount), back, on_purpose = back, None, False
        else:
            src, dst = rng.sample(range(n), 2)
            payer, payee = net[src], net[dst]
            amount = rng.randrange(10_000, 20_000_000)
            on_purpose = rng.random() < 0.125
            if not on_purpose and i + 1 < count and rng.random() < 0.125:
                large = large_amount(payer, payee)
                if large is not None:
                    amount, back = large, (payee, payer, large)
        inv = payee.rpc("invoice", [amount, f"demo-{i}-{rng.random():.6f}"])
        if on_purpose:
            payee.rpc("cancelinvoice", [inv["payment_hash"]])
        try:
            result = payer.rpc("pay", {"bolt11": inv["bolt11"], "timeout": 20}, timeout=60)
            t.succeeded += 1
            t.multi_part += int(result["parts"]) > 1
            t.fees += int(result["fee_msat"])
        except RpcError:
            t.refused += on_purpose
            back = None
        t.done += 1
        progress.show(t)
    return t


def run_demo(nodes: int = 6, base_dir: str | None = None, keep: bool = False, payments: int = 40) -> int:
    if not 3 <= nodes <= 26:
        print("the demo runs 3 to 26 nodes (named A to Z)", file=sys.stderr)
        return 2
    if payments < 0:
        print("--payments cannot be negative", file=sys.stderr)
        return 2
    tmp = base_dir or tempfile.mkdtemp(prefix="amiko-demo-")
    names = [chr(ord("A") + i) for i in range(nodes)]
    net = [DemoNode(n, os.path.join(tmp, n)) for n in names]
    print(f"amiko demo: {nodes} nodes under {tmp}")
    chain: subprocess.Popen[bytes] | None = None
    ok = False
    try:
        chain, url = start_devchain(os.path.join(tmp, "chain"))
        print(f"  dev chain (Bitcoin Core's consensus engine) at {url.rsplit('@', 1)[-1]}")
        for node in net:
            start_node(node, url)
            print(f"  {node.name}  {node.node_id}  127.0.0.1:{node.port}")
        for a, b in zip(net, net[1:] + net[:1], strict=True):
            a.rpc("connect", [f"{b.node_id}@127.0.0.1:{b.port}"])
        print("  connected in a ring over BOLT 8; funding wallets and opening channels...")
        for left, right, kind in build_network(net):
            print(f"  {left} -- {right}  {kind}")
        print(f"  gossip: every node knows every channel and a route to every other after {wait_for_gossip(net):.1f} s")
        before = balances(net)
        rng = random.Random(7)
        t = run_payments(net, payments, rng)
        for node in net:
            wait(lambda node=node: all(c["htlcs_in_flight"] == 0 for c in node.rpc("listchannels")["channels"]),
                 what=f"{node.name}: locks resolved")
        after = balances(net)
        print()
        print(f"  {'node':<6}{'channels':>9}{'balance before':>18}{'after':>18}{'change':>14}")
        for node in net:
            ch = len(node.rpc("listchannels")["channels"])
            change = after[node.name] - before[node.name]
            print(f"  {node.name:<6}{ch:>9}{before[node.name]:>18}{after[node.name]:>18}{change:>+14}")
        total_before, total_after = sum(before.values()), sum(after.values())
        lost = total_before - total_after
        print(f"  {'total':<6}{'':>9}{total_before:>18}{total_after:>18}{-lost:>+14}")
        print()
        print(f"{t.done} payments, {t.succeeded} succeeded ({t.multi_part} in several parts), "
              f"{t.refused} refused on purpose, {t.done - t.succeeded - t.refused} failed otherwise; "
              f"{t.fees} msat in fees; {lost} msat lost")
        ok = lost == 0 and 10 * (t.succeeded + t.refused) >= 9 * t.done
        if keep:
            print("\nThe network keeps running. Try:")
            print(f"  amiko --dir {net[0].datadir} listchannels")
            print(f"  amiko --dir {net[1].datadir} invoice 100000 mine")
            print(f"  amiko --dir {net[0].datadir} pay BOLT11")
            print("Stop it with: " + "; ".join(f"amiko --dir {n.datadir} stop" for n in net)
                  + (f"; kill {chain.pid}" if chain is not None else ""))
        return 0 if ok else 1
    except KeyboardInterrupt:
        print("\ninterrupted")
        return 130
    except (RuntimeError, RpcError) as e:
        print(f"\ndemo failed: {e}", file=sys.stderr)
        return 1
    finally:
        if not keep:
            for node in net:
                stop_node(node)
            if chain is not None:
                chain.send_signal(signal.SIGTERM)
                try:
                    chain.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    chain.kill()
            if base_dir is None:
                shutil.rmtree(tmp, ignore_errors=True)
