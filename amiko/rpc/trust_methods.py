"""RPC methods of the trust channel: `opentrust`, `closetrust`, `trustproof`,
`verifytrustproof`, `trustaccept`.

`register(server, node_or_service)` takes the node (with `node.trust`, as `attach_trust`
sets it) or the `TrustService` itself.
"""

from __future__ import annotations

from typing import Any

from amiko.channels.trust.driver import FEATURE_NAME
from amiko.channels.trust.service import TrustError, TrustService
from amiko.channels.trust.state import check_trust_proof
from amiko.rpc.errors import CHANNEL_ERROR, INVALID_PARAMS, PEER_ERROR, RpcError
from amiko.rpc.params import parse_int, parse_node_id
from amiko.rpc.server import RpcServer
from amiko.wire.primitives import MAX_MSAT


def _msat(value: Any, what: str) -> int:
    """Whole msat from JSON or the command line; never a float."""
    number = parse_int(value, what)
    if number > MAX_MSAT:
        raise RpcError(INVALID_PARAMS, f"{what} out of range")
    return number


def _flag(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, 0, "0", "false", "no"):
        return False
    if value in (1, "1", "true", "yes"):
        return True
    raise RpcError(INVALID_PARAMS, f"{what} must be true or false")


def _service(node_or_service: Any) -> TrustService:
    if isinstance(node_or_service, TrustService):
        return node_or_service
    service = getattr(node_or_service, "trust", None)
    if not isinstance(service, TrustService):
        raise TypeError("the node has no trust service (call attach_trust first)")
    return service


def register(server: RpcServer, node_or_service: Any) -> None:
    service = _service(node_or_service)

    async def opentrust(id: str, limit_msat: Any, request_msat: Any = 0, wait: Any = True) -> dict[str, Any]:
        """Extend `limit_msat` of credit to peer `id` (it may come to owe us that much) and
        ask it for `request_msat` back."""
        node_id = parse_node_id(id)
        limit = _msat(limit_msat, "limit_msat")
        request = _msat(request_msat, "request_msat")
        try:
            driver = service.open_trust(node_id, limit, request)
        except ConnectionError as e:
            raise RpcError(PEER_ERROR, str(e)) from None
        except (TrustError, ValueError) as e:
            raise RpcError(CHANNEL_ERROR, str(e)) from None
        if _flag(wait, "wait"):
            try:
                await service.wait_open(driver)
            except (TrustError, TimeoutError) as e:
                raise RpcError(CHANNEL_ERROR, str(e)) from None
        return service.describe(driver)

    async def closetrust(channel: str, settle: Any = False, keep: Any = False) -> dict[str, Any]:
        """Close with a final co-signed state (no HTLC may be pending); `settle`: if we owe,
        pay the debt on chain from the wallet; `keep`: end with the final state only."""
        try:
            return await service.close_trust(channel, settle=_flag(settle, "settle"), keep=_flag(keep, "keep"))
        except ConnectionError as e:
            raise RpcError(PEER_ERROR, str(e)) from None
        except (TrustError, ValueError) as e:
            raise RpcError(CHANNEL_ERROR, str(e)) from None

    async def trustproof(channel: str) -> dict[str, Any]:
        """The latest state both signed, with both signatures checked."""
        try:
            return service.trust_proof(channel)
        except (TrustError, ValueError) as e:
            raise RpcError(CHANNEL_ERROR, str(e)) from None

    async def verifytrustproof(proof: Any) -> dict[str, Any]:
        """Check a proof someone showed us (JSON text or object)."""
        if isinstance(proof, dict) and "proof" in proof:
            proof = proof["proof"]
        if not isinstance(proof, str | dict):
            raise RpcError(INVALID_PARAMS, "proof must be JSON text or an object")
        check = check_trust_proof(proof)
        out: dict[str, Any] = {"valid": check.ok, "problem": check.why or None}
        if check.state is not None:
            s = check.state
            out.update({"channel_id": s.channel_id.hex(), "state_number": s.number, "final": s.final,
                        "node_1": s.node_1.hex(), "node_2": s.node_2.hex(),
                        "balance_1_msat": s.balance_1, "balance_2_msat": s.balance_2})
        return out

    async def trustaccept(id: str, limit_msat: Any) -> dict[str, Any]:
        """Accept trust lines from peer `id`, extending at most `limit_msat` back."""
        node_id = parse_node_id(id)
        service.accept_from(node_id, _msat(limit_msat, "limit_msat"))
        return {"id": node_id.hex(), "limit_msat": service.policy.accept_from[node_id],
                "feature": FEATURE_NAME}

    server.register("opentrust", opentrust)
    server.register("closetrust", closetrust)
    server.register("trustproof", trustproof)
    server.register("verifytrustproof", verifytrustproof)
    server.register("trustaccept", trustaccept)


__all__ = ["register"]
