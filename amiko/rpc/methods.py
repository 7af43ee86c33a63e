"""The node's RPC methods: argument parsing and error mapping over the `Node` API."""

from __future__ import annotations

import asyncio
from typing import Any

from amiko.node import Node
from amiko.rpc.errors import INVALID_PARAMS, PEER_ERROR, RpcError
from amiko.rpc.server import RpcServer


def parse_node_id(text: Any) -> bytes:
    if not isinstance(text, str):
        raise RpcError(INVALID_PARAMS, "node id must be a hex string")
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise RpcError(INVALID_PARAMS, f"node id is not hex: {text!r}") from None
    if len(raw) != 33 or raw[0] not in (2, 3):
        raise RpcError(INVALID_PARAMS, "node id must be a 33-byte compressed public key")
    return raw


def parse_peer_address(target: Any, host: Any = None, port: Any = None) -> tuple[bytes, str, int]:
    """`ID@HOST:PORT` (or ID with separate host and port)."""
    if not isinstance(target, str):
        raise RpcError(INVALID_PARAMS, "expected ID@HOST:PORT")
    node_text, _, addr = target.partition("@")
    node_id = parse_node_id(node_text)
    if addr:
        host_text, sep, port_text = addr.rpartition(":")
        if not sep:
            host_text, port_text = addr, "9735"
        host = host_text.strip("[]")
        port = port_text
    if not host:
        raise RpcError(INVALID_PARAMS, "expected ID@HOST:PORT")
    try:
        port_num = int(port if port is not None else 9735)
    except (TypeError, ValueError):
        raise RpcError(INVALID_PARAMS, f"bad port {port!r}") from None
    if not 0 < port_num < 65536:
        raise RpcError(INVALID_PARAMS, f"bad port {port_num}")
    return node_id, str(host), port_num


def register(server: RpcServer, node: Node, stop: asyncio.Event) -> None:
    async def getinfo() -> dict[str, Any]:
        return node.info()

    async def connect(target: str, host: str | None = None, port: int | None = None) -> dict[str, Any]:
        node_id, h, p = parse_peer_address(target, host, port)
        if node_id == node.node_id:
            raise RpcError(PEER_ERROR, "cannot connect to ourselves")
        try:
            rec = await node.connect(node_id, h, p)
        except (TimeoutError, OSError, ConnectionError) as e:
            raise RpcError(PEER_ERROR, f"cannot connect to {h}:{p}: {e or type(e).__name__}") from None
        except Exception as e:
            raise RpcError(PEER_ERROR, f"connection to {h}:{p} failed: {e}") from None
        return {"id": node_id.hex(), "features": rec.remote_features.to_json(),
                "negotiated_features": rec.negotiated.to_json()}

    async def listpeers() -> dict[str, Any]:
        return {"peers": node.peer_list()}

    async def disconnect(id: str) -> dict[str, Any]:
        node_id = parse_node_id(id)
        try:
            await node.disconnect(node_id)
        except KeyError:
            raise RpcError(PEER_ERROR, "peer is not connected") from None
        return {"id": node_id.hex(), "disconnected": True}

    async def stop_() -> dict[str, Any]:
        asyncio.get_running_loop().call_later(0.05, stop.set)
        return {"stopping": True}

    async def help_() -> dict[str, Any]:
        return {"methods": server.methods()}

    for name, fn in [("getinfo", getinfo), ("connect", connect), ("listpeers", listpeers),
                     ("disconnect", disconnect), ("stop", stop_), ("help", help_)]:
        server.register(name, fn)
