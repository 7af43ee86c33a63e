"""Import LND's `lncli describegraph` JSON into a `Graph`.

Shape (LND field names): `{"nodes": [...], "edges": [...]}`. An edge has `channel_id` (the
short_channel_id as a decimal string of its u64 form), `capacity` (sat, a string),
`node1_pub` < `node2_pub` (hex), and `node1_policy` / `node2_policy`: the `channel_update`
that node1 (node2) announced for forwarding out over the channel, or null when that
direction has no update. A policy has `time_lock_delta` (= cltv_expiry_delta),
`min_htlc`, `max_htlc_msat`, `fee_base_msat`, `fee_rate_milli_msat` (= BOLT #7
`fee_proportional_millionths`, despite the name), `disabled`, `last_update` (unix time).
Numbers may be JSON numbers or decimal strings (LND prints u64s as strings).
Nodes have `pub_key`, `alias`, `addresses` (strings, or LND's `{"network", "addr"}`
objects), and optionally `last_update`, `color` (`#rrggbb`) and `features` (LND's map of
bit number to `{name, is_required, is_known}`).

LND's inbound fees (`inbound_fee_*`, an LND extension outside the BOLTs) are ignored: they
can only lower what a node charges, so routes priced without them are still accepted.

Every imported channel is marked `unverified`: the dump is taken on trust, nobody here has
checked the funding outputs or the signatures.
"""

from __future__ import annotations

import gzip
import json
import pathlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from amiko.routing.graph import ChannelInfo, Graph, NodeInfo, Policy, gc_paused

_U16 = (1 << 16) - 1
_U32 = (1 << 32) - 1
_U64 = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class ImportStats:
    channels: int
    policies: int
    nodes: int
    skipped_channels: int
    skipped_policies: int


class _Bad(ValueError):
    pass


def _int(v: Any, hi: int) -> int:
    if isinstance(v, bool):
        raise _Bad("boolean where a number was expected")
    if isinstance(v, str):
        if not v.isdigit() or not v.isascii():
            raise _Bad(f"not a decimal number: {v!r}")
        n = int(v)
    elif isinstance(v, int):
        n = v
    else:
        raise _Bad(f"not a number: {v!r}")
    if not 0 <= n <= hi:
        raise _Bad(f"out of range: {n}")
    return n


def _policy(p: Mapping[str, Any]) -> Policy:
    disabled = p.get("disabled", False)
    if not isinstance(disabled, bool):
        raise _Bad("disabled must be a boolean")
    return Policy(
        fee_base_msat=_int(p["fee_base_msat"], _U32),
        fee_proportional_millionths=_int(p["fee_rate_milli_msat"], _U32),
        cltv_expiry_delta=_int(p["time_lock_delta"], _U16),
        htlc_minimum_msat=_int(p["min_htlc"], _U64),
        htlc_maximum_msat=_int(p["max_htlc_msat"], _U64),
        disabled=disabled,
        timestamp=_int(p.get("last_update", 0), _U32),
    )


def _pub(v: Any) -> bytes:
    if not isinstance(v, str) or len(v) != 66:
        raise _Bad("node id must be 66 hex digits")
    try:
        b = bytes.fromhex(v)
    except ValueError as exc:
        raise _Bad("node id is not hex") from exc
    if b[0] not in (2, 3):
        raise _Bad("node id is not a compressed point")
    return b


def _features(v: Any) -> bytes:
    """LND's `{"bit": {...}}` map to a BOLT #9 feature bitfield (big-endian bytes)."""
    if not isinstance(v, Mapping) or not v:
        return b""
    bits = [int(k) for k in v if isinstance(k, str) and k.isdigit() and int(k) < 1 << 16]
    if not bits:
        return b""
    n = 0
    for b in bits:
        n |= 1 << b
    return n.to_bytes((max(bits) + 8) // 8, "big")


def _addresses(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list):
        return ()
    out = []
    for a in v:
        if isinstance(a, str):
            out.append(a)
        elif isinstance(a, Mapping) and isinstance(a.get("addr"), str):
            out.append(a["addr"])
    return tuple(s for s in out if s and " " not in s)


def _color(v: Any) -> bytes:
    if isinstance(v, str) and len(v) == 7 and v[0] == "#":
        try:
            return bytes.fromhex(v[1:])
        except ValueError:
            pass
    return b"\x00\x00\x00"


def graph_from_describegraph(data: Mapping[str, Any], graph: Graph | None = None) -> tuple[Graph, ImportStats]:
    """Build (or extend) a graph from parsed describegraph JSON. Malformed edges or
    policies are skipped and counted, never fatal."""
    g = Graph() if graph is None else graph
    counts = {"pol": 0, "skip_ch": 0, "skip_pol": 0}

    def channels() -> Iterator[ChannelInfo]:
        for e in data.get("edges") or ():
            try:
                scid = _int(e["channel_id"], _U64)
                n1, n2 = _pub(e["node1_pub"]), _pub(e["node2_pub"])
                cap_raw = e.get("capacity")
                cap = None if cap_raw in (None, "", "0", 0) else _int(cap_raw, _U64 // 1000)
                if n1 == n2:
                    raise _Bad("loop channel")
            except (_Bad, KeyError, TypeError):
                counts["skip_ch"] += 1
                continue
            pols: list[Policy | None] = []
            for name in ("node1_policy", "node2_policy"):
                raw = e.get(name)
                if raw is None:
                    pols.append(None)
                    continue
                try:
                    pols.append(_policy(raw))
                    counts["pol"] += 1
                except (_Bad, KeyError, TypeError):
                    pols.append(None)
                    counts["skip_pol"] += 1
            p1, p2 = pols
            if n2 < n1:  # BOLT #7 order: node_id_1 is the lesser key
                n1, n2, p1, p2 = n2, n1, p2, p1
            yield ChannelInfo(scid, n1, n2, cap, True, b"", p1, p2)

    def nodes() -> Iterator[NodeInfo]:
        for n in data.get("nodes") or ():
            try:
                nid = _pub(n["pub_key"])
                ts = _int(n.get("last_update", 0) or 0, _U32)
            except (_Bad, KeyError, TypeError):
                continue
            alias = n.get("alias")
            yield NodeInfo(
                node_id=nid,
                timestamp=ts,
                features=_features(n.get("features")),
                alias=alias if isinstance(alias, str) else "",
                rgb_color=_color(n.get("color")),
                addresses=_addresses(n.get("addresses")),
            )

    before = g.num_channels
    total = len(data.get("edges") or ())
    added = g.bulk_load(channels(), nodes())
    stats = ImportStats(
        channels=added,
        policies=counts["pol"],
        nodes=g.num_nodes,
        skipped_channels=total - added,
        skipped_policies=counts["skip_pol"],
    )
    assert g.num_channels == before + added
    return g, stats


def read_describegraph(path: str | pathlib.Path, graph: Graph | None = None) -> tuple[Graph, ImportStats]:
    """Load a describegraph dump from a file (gzip-compressed if it ends in `.gz`)."""
    p = pathlib.Path(path)
    opener = gzip.open if p.suffix == ".gz" else open
    with gc_paused():
        with opener(p, "rb") as f:
            data = json.load(f)
        if not isinstance(data, Mapping):
            raise ValueError("describegraph JSON must be an object with nodes and edges")
        return graph_from_describegraph(data, graph)
