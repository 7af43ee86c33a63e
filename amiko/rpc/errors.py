"""JSON-RPC error codes of amiko's RPC (JSON-RPC 2.0's own, then amiko's)."""

from __future__ import annotations

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
UNAUTHORIZED = -32001

# amiko's own (positive, grouped by layer)
PEER_ERROR = 100  # connecting, unknown peer, peer not connected
CHAIN_ERROR = 200  # backend unreachable, transaction refused
WALLET_ERROR = 300  # insufficient funds, bad address
CHANNEL_ERROR = 400
PAYMENT_ERROR = 500


class RpcError(Exception):
    """An error to report to the RPC caller as {"code": ..., "message": ...}."""

    def __init__(self, code: int, message: str, data: object = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"code": self.code, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        return out
