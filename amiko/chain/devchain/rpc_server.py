"""The dev chain's JSON-RPC server: HTTP POST with basic auth, JSON-RPC 1.0 and 2.0 requests
and batches, answered as bitcoind answers them (httprpc.cpp, rpc/request.cpp): JSON-RPC 1.0
errors with HTTP 500 (404 for an unknown method), 2.0 errors with HTTP 200, 401 on bad auth.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import inspect
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiohttp import web

from amiko.chain import rpc_errors as E
from amiko.chain.devchain.node import DevChain, DevChainError
from amiko.chain.devchain.rpc_json import dumps
from amiko.chain.devchain.rpc_methods import RpcMethods

log = logging.getLogger(__name__)

DEFAULT_USER = "amiko"


class _Reply:
    def __init__(self, body: Any, status: int) -> None:
        self.body = body
        self.status = status


class RpcServer:
    """Serves `RpcMethods` of a DevChain on host:port (port 0: any free port)."""

    def __init__(self, chain: DevChain, *, user: str = DEFAULT_USER,
                 password: str | None = None,
                 on_stop: Callable[[], None] | None = None) -> None:
        self.chain = chain
        self.user = user
        self.password = password if password is not None else secrets.token_hex(16)
        self.methods = RpcMethods(chain, on_stop=on_stop)
        self._expected_auth = "Basic " + base64.b64encode(
            f"{self.user}:{self.password}".encode()).decode()
        self._runner: web.AppRunner | None = None
        self.host = ""
        self.port = 0

    @property
    def url(self) -> str:
        """http://user:password@host:port, as `--bitcoind` takes it."""
        return f"http://{self.user}:{self.password}@{self.host}:{self.port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/", self._handle)
        app.router.add_post("/wallet/{name:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        sock = server.sockets[0]  # type: ignore[attr-defined]
        self.host, self.port = sock.getsockname()[:2]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- requests -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization", "")
        if not hmac.compare_digest(auth.encode(), self._expected_auth.encode()):
            return web.Response(status=401, headers={"WWW-Authenticate":
                                                     'Basic realm="jsonrpc"'})
        try:
            payload = json.loads(await request.read(), parse_float=Decimal)
        except ValueError:
            return self._respond(_Reply(_error_obj(None, E.RPC_PARSE_ERROR, "Parse error",
                                                   legacy=True), 500))
        if isinstance(payload, list):
            replies = [self._call(item) for item in payload]
            return self._respond(_Reply([r.body for r in replies if r.body is not None], 200))
        if not isinstance(payload, dict):
            return self._respond(_Reply(_error_obj(None, E.RPC_INVALID_REQUEST,
                                                   "Top-level object parse error",
                                                   legacy=True), 400))
        reply = self._call(payload)
        if reply.body is None:
            return web.Response(status=204)
        return self._respond(reply)

    @staticmethod
    def _respond(reply: _Reply) -> web.Response:
        return web.Response(status=reply.status, text=dumps(reply.body) + "\n",
                            content_type="application/json")

    def _call(self, req: Any) -> _Reply:
        if not isinstance(req, dict):
            return _Reply(_error_obj(None, E.RPC_INVALID_REQUEST, "Invalid Request object",
                                     legacy=True), 400)
        req_id = req.get("id")
        legacy = req.get("jsonrpc") != "2.0"
        notification = not legacy and "id" not in req
        method = req.get("method")
        params = req.get("params", [])
        if not isinstance(method, str):
            return _Reply(_error_obj(req_id, E.RPC_INVALID_REQUEST, "Method must be a string",
                                     legacy), 400 if legacy else 200)
        func = getattr(self.methods, method, None) if not method.startswith("_") else None
        if func is None or not callable(func):
            return _Reply(_error_obj(req_id, E.RPC_METHOD_NOT_FOUND, E.MSG_METHOD_NOT_FOUND,
                                     legacy), 404 if legacy else 200)
        try:
            result = _invoke(func, params)
        except DevChainError as e:
            if notification:
                return _Reply(None, 204)
            return _Reply(_error_obj(req_id, e.code, e.message, legacy), 500 if legacy else 200)
        except Exception as e:  # a bug: answer like Core's catch-all, keep serving
            log.exception("RPC %s failed", method)
            return _Reply(_error_obj(req_id, E.RPC_MISC_ERROR, str(e), legacy),
                          500 if legacy else 200)
        if notification:
            return _Reply(None, 204)
        if legacy:
            return _Reply({"result": result, "error": None, "id": req_id}, 200)
        return _Reply({"jsonrpc": "2.0", "result": result, "id": req_id}, 200)


def _error_obj(req_id: Any, code: int, message: str, legacy: bool) -> dict[str, Any]:
    err = {"code": code, "message": message}
    if legacy:
        return {"result": None, "error": err, "id": req_id}
    return {"jsonrpc": "2.0", "error": err, "id": req_id}


def _invoke(func: Callable[..., Any], params: Any) -> Any:
    """Call with positional (list) or named (object) parameters, as Core's transformNamedArguments."""
    sig = inspect.signature(func)
    names = list(sig.parameters)
    if isinstance(params, dict):
        unknown = [k for k in params if k not in names]
        if unknown:
            raise DevChainError(E.RPC_INVALID_PARAMETER, f"Unknown named parameter {unknown[0]}")
        args = params
    elif isinstance(params, list):
        if len(params) > len(names):
            raise DevChainError(E.RPC_MISC_ERROR, f"too many parameters ({len(params)} > "
                                                  f"{len(names)})")
        args = dict(zip(names, params, strict=False))
        args = {k: v for k, v in args.items() if v is not None}
    else:
        raise DevChainError(E.RPC_INVALID_REQUEST, "Params must be an array or object")
    missing = [n for n, p in sig.parameters.items()
               if p.default is inspect.Parameter.empty and n not in args]
    if missing:
        raise DevChainError(E.RPC_MISC_ERROR, f"Missing required parameter {missing[0]}")
    return func(**args)


# -- running it ------------------------------------------------------------------------------

@dataclass
class ServedChain:
    chain: DevChain
    server: RpcServer
    stopped: asyncio.Event

    @property
    def url(self) -> str:
        return self.server.url

    async def close(self) -> None:
        await self.server.stop()
        self.chain.close()


async def serve(datadir: str | Path, host: str = "127.0.0.1", port: int = 0,
                user: str = DEFAULT_USER, password: str | None = None,
                chain: DevChain | None = None) -> ServedChain:
    """Open (or create) the dev chain in `datadir` and serve its RPC; `close()` to stop."""
    stopped = asyncio.Event()
    dev = chain if chain is not None else DevChain(datadir)
    server = RpcServer(dev, user=user, password=password, on_stop=stopped.set)
    try:
        await server.start(host, port)
    except BaseException:
        if chain is None:
            dev.close()
        raise
    return ServedChain(dev, server, stopped)


async def run_standalone(datadir: str, rpc_port: int) -> None:
    """`amiko devchain`: serve until cancelled (or the `stop` RPC). Prints the RPC URL and
    writes it to <datadir>/rpc_url (mode 0600) for `--bitcoind`."""
    served = await serve(datadir, port=rpc_port)
    url_file = Path(datadir) / "rpc_url"
    try:
        url_file.write_text(served.url + "\n")
        url_file.chmod(0o600)
        print(f"dev chain at height {served.chain.height}; RPC: {served.url}", flush=True)
        log.info("dev chain RPC at %s", served.url)
        await served.stopped.wait()
    finally:
        await served.close()
        with contextlib.suppress(OSError):
            url_file.unlink()
