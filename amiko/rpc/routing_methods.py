"""RPC methods of the network graph and routing: `listnodes`, `getroute`, `importgraph`,
`listmission`, `resetmission`."""

from __future__ import annotations

import time
from typing import Any

from amiko.node import Node
from amiko.routing.gossip import views as gossip_views
from amiko.routing.gossip.importer import import_describegraph
from amiko.routing.graph import Graph
from amiko.routing.learning import MissionControl
from amiko.routing.pathfinding import find_route
from amiko.routing.probability import UNKNOWN_CAPACITY_MSAT
from amiko.rpc.errors import INVALID_PARAMS, PAYMENT_ERROR, RpcError
from amiko.rpc.params import parse_int, parse_node_id
from amiko.rpc.server import RpcServer
from amiko.wire.types import scid_to_str


def mission_json(mission: MissionControl, graph: Graph, now: float) -> dict[str, Any]:
    """What payments learned: per channel direction, the liquidity it is believed to have
    now (bounds decayed since they were learned), and what is left out of routes."""
    rows = mission.to_rows()
    channels = []
    for key, _lo, lo_time, hi, hi_time in rows.liquidity:
        scid, direction = key >> 1, key & 1
        info = graph.channel(scid)
        capacity_sat = None if info is None else info.capacity_sat
        low, high = mission.bounds(scid, direction,
                                   UNKNOWN_CAPACITY_MSAT if capacity_sat is None else capacity_sat * 1000, now)
        channels.append({
            "short_channel_id": scid_to_str(scid), "direction": direction,
            "min_msat": max(low, 0),
            # an upper bound learned, decayed towards the capacity (None: none learned,
            # or the channel's capacity is unknown to the graph)
            "max_msat": high if hi is not None and capacity_sat is not None and high >= 0 else None,
            "learned_at": int(max(lo_time, hi_time)),
        })
    banned_nodes, banned_channels = [], []
    for kind, ident, until in rows.bans:
        if until <= now:
            continue
        if kind == "node":
            banned_nodes.append({"node_id": ident.hex(), "until": int(until)})
        else:
            key = int.from_bytes(ident, "big")
            banned_channels.append({"short_channel_id": scid_to_str(key >> 1), "direction": key & 1,
                                    "until": int(until)})
    return {"channels": channels, "banned_nodes": banned_nodes, "banned_channels": banned_channels}


def register(server: RpcServer, node: Node) -> None:
    async def listnodes(id: str | None = None) -> dict[str, Any]:
        return {"nodes": gossip_views.list_nodes(node.graph, None if id is None else parse_node_id(id))}

    async def getroute(id: str, amount_msat: Any, final_cltv_delta: Any = 18) -> dict[str, Any]:
        """The route a payment would take now: our channels as they are, and what
        payments learned about the others' liquidity."""
        try:
            route = find_route(node.graph, node.node_id, parse_node_id(id), parse_int(amount_msat, "amount_msat", 1),
                               current_height=node._height(),
                               final_cltv_delta=parse_int(final_cltv_delta, "cltv", 1),
                               params=node.payer.route_params, first_hops=node.payer.first_hops(),
                               liquidity=node.payer.learned_liquidity())
        except ValueError as e:
            raise RpcError(INVALID_PARAMS, str(e)) from None
        if route is None:
            raise RpcError(PAYMENT_ERROR, "no route")
        return gossip_views.route_json(route)

    async def importgraph(file: str) -> dict[str, Any]:
        try:
            result = import_describegraph(file, node.graph, node.gossip_store, gossiper=node.gossiper)
        except (OSError, ValueError) as e:
            raise RpcError(INVALID_PARAMS, f"cannot import {file}: {e}") from None
        return {"channels": result.channels, "known": result.known, "skipped": result.skipped,
                "nodes": result.nodes}

    async def listmission() -> dict[str, Any]:
        return mission_json(node.payer.mission, node.graph, time.time())

    async def resetmission() -> dict[str, Any]:
        node.payer.reset_mission()
        return {"reset": True}

    server.register_all({"listnodes": listnodes, "getroute": getroute, "importgraph": importgraph,
                         "listmission": listmission, "resetmission": resetmission})
