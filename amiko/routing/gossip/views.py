"""JSON views of the graph for the RPC: `listnodes`, `listchannels --all`, `getroute`.

Amounts are integers (msat or sat, as named); ids are hex; short channel ids are given
both as `BLOCKxTXxOUT` and as the u64.
"""

from __future__ import annotations

from typing import Any

from amiko.link.features import Features
from amiko.routing.gossip.records import ChanRec
from amiko.routing.graph import ChannelInfo, Graph, NodeInfo, Policy
from amiko.routing.route import Route
from amiko.wire.types import scid_to_str


def policy_json(p: Policy | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "fee_base_msat": p.fee_base_msat,
        "fee_proportional_millionths": p.fee_proportional_millionths,
        "cltv_expiry_delta": p.cltv_expiry_delta,
        "htlc_minimum_msat": p.htlc_minimum_msat,
        "htlc_maximum_msat": p.htlc_maximum_msat,
        "disabled": p.disabled,
        "last_update": p.timestamp,
    }


def channel_json(ch: ChannelInfo, rec: ChanRec | None = None) -> dict[str, Any]:
    """Both directions: `node1_policy` is what node1 announced for forwarding to node2."""
    return {
        "short_channel_id": scid_to_str(ch.scid),
        "scid": ch.scid,
        "node1": ch.node1.hex(),
        "node2": ch.node2.hex(),
        "capacity_sat": ch.capacity_sat,
        "features": ch.features.hex(),
        "verified": not ch.unverified,
        "announced": rec is not None and rec.ann is not None,
        "spent_height": None if rec is None else rec.spent_height,
        "node1_policy": policy_json(ch.policy1),
        "node2_policy": policy_json(ch.policy2),
    }


def list_channels(graph: Graph, chans: dict[int, ChanRec] | None = None, *, node_id: bytes | None = None,
                  scid: int | None = None) -> list[dict[str, Any]]:
    """Every channel of the graph (or those of one node, or one scid), by scid."""
    chans = chans or {}
    if scid is not None:
        ch = graph.channel(scid)
        return [] if ch is None else [channel_json(ch, chans.get(scid))]
    if node_id is not None:
        found = [graph.channel(s) for s in graph.channels_of(node_id)]
        return [channel_json(ch, chans.get(ch.scid)) for ch in found if ch is not None]
    return [channel_json(ch, chans.get(ch.scid)) for ch in sorted(graph.channels(), key=lambda c: c.scid)]


def node_json(graph: Graph, node_id: bytes, info: NodeInfo | None = None) -> dict[str, Any]:
    info = info if info is not None else graph.node(node_id)
    out: dict[str, Any] = {"node_id": node_id.hex(), "num_channels": len(graph.channels_of(node_id))}
    if info is not None:
        out.update({
            "alias": info.alias,
            "color": "#" + info.rgb_color.hex(),
            "last_update": info.timestamp,
            "features": Features.from_bytes(info.features).to_json(),
            "addresses": list(info.addresses),
        })
    return out


def list_nodes(graph: Graph, node_id: bytes | None = None) -> list[dict[str, Any]]:
    """Nodes with at least one channel (with their announcement's data when we have it)."""
    if node_id is not None:
        return [node_json(graph, node_id)] if graph.has_node(node_id) else []
    return [node_json(graph, n) for n in sorted(graph.nodes())]


def route_json(route: Route) -> dict[str, Any]:
    return {
        "source": route.source.hex(),
        "destination": route.target.hex(),
        "amount_msat": route.amount_msat,
        "total_amount_msat": route.total_amount_msat,
        "total_fee_msat": route.total_fee_msat,
        "total_cltv_expiry": route.total_cltv_expiry,
        "probability": route.probability,
        "hops": [
            {
                "node_id": h.node_id.hex(),
                "short_channel_id": scid_to_str(h.scid),
                "amount_msat": h.amount_msat,
                "cltv_expiry": h.cltv_expiry,
                "fee_msat": h.fee_msat,
                "cltv_expiry_delta": h.cltv_expiry_delta,
            }
            for h in route.hops
        ],
    }
