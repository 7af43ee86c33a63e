"""A started node with its RPC methods, called in process (no HTTP): for tests of the
methods themselves."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from amiko.node import Node, NodeConfig
from amiko.rpc import methods
from amiko.rpc.server import RpcServer

Rpc = Callable[..., Awaitable[dict[str, Any]]]


async def started_with_rpc(datadir: str) -> tuple[Node, Rpc]:
    """A node started in `datadir` (no listening, no trust lines), and `rpc(method,
    **params)`, which returns the JSON-RPC reply (its `result` or its `error`)."""
    node = Node(NodeConfig(datadir=datadir, listen=None, trust=False))
    await node.start()
    server = RpcServer("t")
    methods.register(server, node, asyncio.Event())

    async def rpc(method: str, **params: Any) -> dict[str, Any]:
        reply: dict[str, Any] = await server.call({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        return reply
    return node, rpc
