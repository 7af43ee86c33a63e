"""Checking RPC parameters: what a user or a client may send, turned into typed values or a
clear INVALID_PARAMS error. Money is whole numbers, never floats."""

from __future__ import annotations

from typing import Any

from amiko.rpc.errors import INVALID_PARAMS, RpcError


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


def parse_int(value: Any, what: str, minimum: int = 0) -> int:
    """An integer from JSON or the command line; money is never a float."""
    if isinstance(value, bool):
        raise RpcError(INVALID_PARAMS, f"{what} must be an integer")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value)
    else:
        raise RpcError(INVALID_PARAMS, f"{what} must be a whole number, got {value!r}")
    if number < minimum:
        raise RpcError(INVALID_PARAMS, f"{what} must be at least {minimum}")
    return number
