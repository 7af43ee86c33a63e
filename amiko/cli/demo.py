"""`amiko demo`: a small local network of amiko nodes, each in its own process.

Today it starts the nodes, connects them in a ring over real TCP with BOLT 8 encryption,
and shows what each node sees of its peers. Channels and payments join as they land.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

from amiko.rpc.client import RPC_FILE, call
from amiko.rpc.errors import RpcError


@dataclass
class DemoNode:
    name: str
    datadir: str
    port: int
    proc: subprocess.Popen[bytes] | None = None
    node_id: str = ""

    def rpc(self, method: str, params: list[Any] | dict[str, Any] | None = None) -> Any:
        return call(self.datadir, method, params)


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
         "--listen", f"127.0.0.1:{node.port}", "--alias", node.name, "--bitcoind", bitcoind],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if node.proc.poll() is not None:
            raise RuntimeError(f"{node.name} exited; see {node.datadir}/amiko.log")
        if os.path.exists(rpc_path):
            try:
                node.node_id = node.rpc("getinfo")["id"]
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


def run_demo(nodes: int = 6, base_dir: str | None = None, keep: bool = False) -> int:
    if nodes < 2:
        print("the demo needs at least 2 nodes", file=sys.stderr)
        return 2
    tmp = base_dir or tempfile.mkdtemp(prefix="amiko-demo-")
    names = [chr(ord("A") + i) for i in range(nodes)]
    net = [DemoNode(n, os.path.join(tmp, n), free_port()) for n in names]
    print(f"amiko demo: {nodes} nodes under {tmp}")
    chain: subprocess.Popen[bytes] | None = None
    try:
        chain, url = start_devchain(os.path.join(tmp, "chain"))
        print(f"  dev chain (Bitcoin Core's consensus engine) at {url.rsplit('@', 1)[-1]}")
        for node in net:
            start_node(node, url)
            print(f"  {node.name}  {node.node_id}  127.0.0.1:{node.port}")
        for a, b in zip(net, net[1:] + net[:1], strict=True):
            a.rpc("connect", [f"{b.node_id}@127.0.0.1:{b.port}"])
            print(f"  {a.name} -> {b.name} connected (BOLT 8, init exchanged)")
        print()
        print(f"  {'node':<5}{'peers':>6}  connected to")
        by_id = {n.node_id: n.name for n in net}
        for node in net:
            peers = node.rpc("listpeers")["peers"]
            up = sorted(by_id.get(p["id"], "?") for p in peers if p["connected"])
            print(f"  {node.name:<5}{len(up):>6}  {', '.join(up)}")
        ok = all(len([p for p in n.rpc("listpeers")["peers"] if p["connected"]]) == 2 for n in net)
        print()
        print("every node holds its two links" if ok else "some links are down")
        if keep:
            print("\nThe network keeps running. Try:")
            print(f"  amiko --dir {net[0].datadir} listpeers")
            print(f"  amiko --dir {net[0].datadir} getinfo")
            print("Stop it with: " + "; ".join(f"amiko --dir {n.datadir} stop" for n in net)
                  + (f"; kill {chain.pid}" if chain is not None else ""))
        return 0 if ok else 1
    except KeyboardInterrupt:
        print("\ninterrupted")
        return 130
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
