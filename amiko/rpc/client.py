"""A small synchronous JSON-RPC client for the `amiko` command (stdlib only: it starts fast)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from amiko.rpc.errors import RpcError

RPC_FILE = "rpc.json"


class NodeNotRunning(RpcError):
    pass


def rpc_info(datadir: str) -> dict[str, Any]:
    path = os.path.join(datadir, RPC_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            info: dict[str, Any] = json.load(f)
    except FileNotFoundError:
        raise NodeNotRunning(-1, f"no node is running in {datadir} (start one with `amiko node`)") from None
    except ValueError:
        raise NodeNotRunning(-1, f"{path} is unreadable") from None
    return info


DEFAULT_CLIENT_TIMEOUT = 120.0  # seconds


def call(datadir: str, method: str, params: list[Any] | dict[str, Any] | None = None,
         *, timeout: float | None = DEFAULT_CLIENT_TIMEOUT) -> Any:
    """Call `method` on the node running in `datadir`; `timeout` None waits without end."""
    info = rpc_info(datadir)
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    req = urllib.request.Request(
        info["url"], data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {info['token']}"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            reply = json.loads(resp.read())
    except urllib.error.HTTPError as e:
        try:
            reply = json.loads(e.read())
        except ValueError:
            raise RpcError(-1, f"RPC HTTP error {e.code}") from None
    except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
        reason = getattr(e, "reason", e)
        raise NodeNotRunning(-1, f"cannot reach the node's RPC at {info['url']}: {reason}") from None
    if reply.get("error"):
        err = reply["error"]
        raise RpcError(int(err.get("code", -1)), str(err.get("message", "")), err.get("data"))
    return reply.get("result")
