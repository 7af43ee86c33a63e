"""`amiko node`: run a node and its RPC server until stopped."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import time

from amiko.node import Node, NodeConfig
from amiko.rpc import methods
from amiko.rpc.client import RPC_FILE, call
from amiko.rpc.errors import RpcError
from amiko.rpc.server import RpcServer

log = logging.getLogger("amiko.daemon")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(datadir: str, level: str = "INFO") -> None:
    os.makedirs(datadir, mode=0o700, exist_ok=True)
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    fmt = logging.Formatter(LOG_FORMAT)
    file_handler = logging.FileHandler(os.path.join(datadir, "amiko.log"))
    file_handler.setFormatter(fmt)
    root.addHandler(file_handler)
    err = logging.StreamHandler(sys.stderr)
    err.setFormatter(fmt)
    root.addHandler(err)
    logging.getLogger("aiohttp").setLevel("WARNING")


def write_rpc_file(datadir: str, port: int, token: str) -> None:
    path = os.path.join(datadir, RPC_FILE)
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"url": f"http://127.0.0.1:{port}/", "token": token, "pid": os.getpid()}, f)
    os.replace(tmp, path)


async def run(config: NodeConfig, rpc_port: int = 0) -> None:
    node = Node(config)
    await node.start()
    stop = asyncio.Event()
    server = RpcServer(secrets.token_hex(16))
    methods.register(server, node, stop)
    port = await server.start("127.0.0.1", rpc_port)
    write_rpc_file(config.datadir, port, server.token)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(json.dumps({"id": node.node_id.hex(), "listening": node.info()["listening"],
                      "rpc": f"127.0.0.1:{port}"}), flush=True)
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        try:
            os.unlink(os.path.join(config.datadir, RPC_FILE))
        except FileNotFoundError:
            pass
        await server.stop()
        await node.stop()


def detach(argv: list[str], datadir: str, timeout: float = 30.0) -> int:
    """`--daemon`: start the same command in the background and wait until its RPC answers."""
    rpc_path = os.path.join(datadir, RPC_FILE)
    if os.path.exists(rpc_path):
        os.unlink(rpc_path)
    os.makedirs(datadir, mode=0o700, exist_ok=True)
    args = [sys.executable, "-m", "amiko"] + [a for a in argv if a != "--daemon"]
    with open(os.devnull, "rb") as devnull, open(os.path.join(datadir, "daemon.out"), "ab") as out:
        proc = subprocess.Popen(args, stdin=devnull, stdout=out, stderr=out, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            print(json.dumps({"error": {"code": -1, "message":
                  f"node exited with code {proc.returncode}; see {datadir}/amiko.log"}}))
            return 1
        if os.path.exists(rpc_path):
            try:
                info = call(datadir, "getinfo", timeout=5)
            except RpcError:
                pass
            else:
                print(json.dumps({"started": True, "pid": proc.pid, **info}, indent=2))
                return 0
        time.sleep(0.1)
    print(json.dumps({"error": {"code": -1, "message": "node did not start in time"}}))
    return 1
