"""JSON-RPC 2.0 over HTTP (aiohttp), on loopback, with a bearer token.

Methods are async callables taking keyword arguments (named params) or positional
ones (a params list). A method raises `RpcError` for a failure the caller should see;
any other exception is logged and reported as an internal error.
"""

from __future__ import annotations

import hmac
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from amiko.rpc.errors import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    UNAUTHORIZED,
    RpcError,
)

log = logging.getLogger("amiko.rpc")

Method = Callable[..., Awaitable[Any]]
MAX_REQUEST_BYTES = 4 * 1024 * 1024


class RpcServer:
    def __init__(self, token: str) -> None:
        self.token = token
        self._methods: dict[str, Method] = {}
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def register(self, name: str, method: Method) -> None:
        if name in self._methods:
            raise ValueError(f"RPC method {name} registered twice")
        self._methods[name] = method

    def register_all(self, methods: Mapping[str, Method]) -> None:
        for name, method in methods.items():
            self.register(name, method)

    def methods(self) -> list[str]:
        return sorted(self._methods)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_post("/", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
        log.info("JSON-RPC on http://%s:%d/", host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization", "")
        if not hmac.compare_digest(auth.encode(), f"Bearer {self.token}".encode()):
            body = {"jsonrpc": "2.0", "id": None,
                    "error": {"code": UNAUTHORIZED, "message": "missing or wrong RPC token"}}
            return web.json_response(body, status=401)
        try:
            payload = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return self._reply(None, error=RpcError(PARSE_ERROR, "request is not JSON"))
        if isinstance(payload, list):
            results = [await self.call(item) for item in payload]
            return web.json_response(results, dumps=_dumps)
        return web.json_response(await self.call(payload), dumps=_dumps)

    async def call(self, req: Any) -> dict[str, Any]:
        """Answer one JSON-RPC request object (a dict)."""
        if not isinstance(req, dict) or not isinstance(req.get("method"), str):
            return _response(None, error=RpcError(INVALID_REQUEST, "not a JSON-RPC request"))
        req_id = req.get("id")
        name = req["method"]
        params = req.get("params", [])
        method = self._methods.get(name)
        if method is None:
            return _response(req_id, error=RpcError(METHOD_NOT_FOUND, f"unknown method {name!r}"))
        try:
            if isinstance(params, dict):
                _check_params(method, (), params)
                result = await method(**params)
            elif isinstance(params, list):
                _check_params(method, params, {})
                result = await method(*params)
            else:
                raise RpcError(INVALID_PARAMS, "params must be a list or an object")
        except RpcError as e:
            log.info("rpc %s failed: %s", name, e.message)
            return _response(req_id, error=e)
        except Exception as e:
            log.exception("rpc %s: internal error", name)
            return _response(req_id, error=RpcError(INTERNAL_ERROR, f"{type(e).__name__}: {e}"))
        return _response(req_id, result=result)

    def _reply(self, req_id: Any, error: RpcError) -> web.Response:
        return web.json_response(_response(req_id, error=error))


def _check_params(method: Method, args: Any, kwargs: dict[str, Any]) -> None:
    try:
        inspect.signature(method).bind(*args, **kwargs)
    except TypeError as e:
        raise RpcError(INVALID_PARAMS, str(e)) from None


def _response(req_id: Any, *, result: Any = None, error: RpcError | None = None) -> dict[str, Any]:
    if error is not None:
        return {"jsonrpc": "2.0", "id": req_id, "error": error.to_json()}
    return {"jsonrpc": "2.0", "id": req_id, "result": result}


def _dumps(obj: Any) -> str:
    return json.dumps(obj, default=_default)


def _default(obj: Any) -> Any:
    if isinstance(obj, bytes):
        return obj.hex()
    to_json = getattr(obj, "to_json", None)
    if callable(to_json):
        return to_json()
    raise TypeError(f"cannot serialize {type(obj).__name__}")
