"""Gossip ingestion at mainnet size: time and memory to validate and apply a full set.

Run: python bench/gossip.py GRAPH.json[.gz] [--n CHANNELS] [--burst N] [--store]

The gossip set is synthesised from the shape of an LND `describegraph` dump: the same
channels (scids, capacities, which nodes), the same policies and node aliases/addresses,
but every node and funding key fresh and every message really signed. The gossiper then
ingests it as if one peer sent everything, in bursts of `--burst` messages (what one read
of a connection holds; the node handles a burst's signatures together, on every core):
channel announcements (4 signatures each, then the funding check answered from a table, not
a chain), channel updates (1 signature) and node announcements (1 signature). Prints the
cost per message of each kind, the raw cost of one signature verification, the memory the
gossip state takes, and `os.cpu_count()`. `--burst 1` hands the messages over one at a
time (every signature checked on the one core, in turn).
With --store: writing the result to SQLite and loading it back into a Graph.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable

from amiko.bitcoin.networks import BITCOIN
from amiko.crypto.keys import sign, verify
from amiko.routing.describegraph import read_describegraph
from amiko.routing.gossip.addresses import Address, address_from_text
from amiko.routing.gossip.gossiper import GossipConfig, Gossiper
from amiko.routing.gossip.synth import FakeChain, SynthChannel, SynthNode
from amiko.routing.gossip.validation import Action
from amiko.routing.graph import Graph
from amiko.wire.messages import ChannelAnnouncement, ChannelUpdate, NodeAnnouncement

CHAIN = BITCOIN.chain_hash
PEER = SynthNode.make("bench peer").node_id


def rss_mb() -> float:
    """Resident set size now (Linux /proc), in MB."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def per_call_us(fn: Callable[[], object], n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n * 1e6


def addresses_of(texts: tuple[str, ...]) -> list[Address]:
    out: list[Address] = []
    for t in texts:
        try:
            a = address_from_text(t)
            a.encode()
        except (ValueError, UnicodeError):
            continue
        if a.kind not in {x.kind for x in out} or a.kind != 5:
            out.append(a)
    return out[:8]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("graph", help="describegraph JSON (optionally .gz)")
    ap.add_argument("--n", type=int, default=0, help="channels to use (default: all)")
    ap.add_argument("--burst", type=int, default=200, help="messages per burst (default 200)")
    ap.add_argument("--store", action="store_true", help="also write to SQLite and load back")
    ap.add_argument("--no-memory", action="store_true", help="skip the second, traced, pass for memory")
    args = ap.parse_args()

    print(f"cpu_count={os.cpu_count()} python={sys.version.split()[0]}")
    t = time.perf_counter()
    shape, _ = read_describegraph(args.graph)
    chans = sorted(shape.channels(), key=lambda c: c.scid)
    if args.n:
        chans = chans[:args.n]
    print(f"shape: {len(chans)} channels of {shape.num_channels}, read in {time.perf_counter() - t:.1f} s")

    # -- synthesise ----------------------------------------------------------------------------
    t = time.perf_counter()
    keys: dict[bytes, SynthNode] = {}

    def node(old: bytes) -> SynthNode:
        n = keys.get(old)
        if n is None:
            n = keys[old] = SynthNode.make(b"bench" + old)
        return n

    newest = max((p.timestamp for c in chans for p in (c.policy1, c.policy2) if p), default=1_700_000_000)
    now = newest + 60
    anns: list[ChannelAnnouncement] = []
    upds: list[ChannelUpdate] = []
    synth: list[SynthChannel] = []
    for c in chans:
        a, b = node(c.node1), node(c.node2)
        cap = c.capacity_sat or 1_000_000
        ch = SynthChannel.make(CHAIN, c.scid, a, b, capacity_sat=cap)
        synth.append(ch)
        anns.append(ch.announcement)
        for sender, p in ((a, c.policy1), (b, c.policy2)):
            if p is None:
                continue
            upds.append(ch.update(sender, max(p.timestamp, 1), fee_base_msat=p.fee_base_msat,
                                  fee_proportional_millionths=p.fee_proportional_millionths,
                                  cltv_expiry_delta=p.cltv_expiry_delta, htlc_minimum_msat=p.htlc_minimum_msat,
                                  htlc_maximum_msat=max(p.htlc_maximum_msat, p.htlc_minimum_msat),
                                  disabled=p.disabled))
    nas: list[NodeAnnouncement] = []
    for old, n in keys.items():
        info = shape.node(old)
        if info is None:
            continue
        nas.append(n.node_announcement(max(info.timestamp, 1), info.alias, rgb_color=info.rgb_color,
                                       addresses=addresses_of(info.addresses)))
    gen = time.perf_counter() - t
    print(f"synthesised {len(anns)} channel_announcements, {len(upds)} channel_updates, "
          f"{len(nas)} node_announcements ({len(keys)} nodes) with real signatures in {gen:.1f} s")

    # -- raw signature cost --------------------------------------------------------------------
    s = keys[next(iter(keys))]
    h = bytes(range(32))
    sig = sign(s.secret, h)
    v_us = per_call_us(lambda: verify(s.node_id, h, sig), 3000)
    print(f"one ECDSA verification (libsecp256k1 via coincurve): {v_us:.1f} us")

    # -- ingest ----------------------------------------------------------------------------------
    chain = FakeChain()
    chain.add(synth)

    def ingest(g: Gossiper) -> tuple[dict[str, tuple[float, int, dict[str, int]]], float]:
        results: dict[str, tuple[float, int, dict[str, int]]] = {}

        def run(name: str, msgs: list[ChannelAnnouncement] | list[ChannelUpdate] | list[NodeAnnouncement]) -> None:
            verdicts: dict[str, int] = {}
            t0 = time.perf_counter()
            for i in range(0, len(msgs), args.burst):
                for v in g.handle_many(PEER, msgs[i:i + args.burst], now):
                    key = v.action.value if v.action is not Action.IGNORED else f"ignored ({v.reason})"
                    verdicts[key] = verdicts.get(key, 0) + 1
            results[name] = (time.perf_counter() - t0, len(msgs), verdicts)

        run("channel_announcement", anns)
        t0 = time.perf_counter()
        chain.answer(g, g.take_outputs(), now)
        fund = time.perf_counter() - t0
        run("channel_update", upds)
        run("node_announcement", nas)
        return results, fund

    g = Gossiper(GossipConfig(CHAIN, max_pending=len(anns) + 1), Graph())
    results, fund = ingest(g)
    for name, (elapsed, n, verdicts) in results.items():
        counts = ", ".join(f"{k} {c}" for k, c in sorted(verdicts.items()))
        print(f"{name:22s} {n:7d} in {elapsed:6.2f} s = {elapsed / max(n, 1) * 1e6:6.1f} us each ({counts})")
    print(f"{'funding results':22s} {len(anns):7d} in {fund:6.2f} s = {fund / max(len(anns), 1) * 1e6:6.1f} us "
          f"each (graph insertion; chain lookups not included)")
    total = sum(r[0] for r in results.values()) + fund
    n_total = sum(r[1] for r in results.values())
    print(f"total: {n_total} messages in {total:.1f} s ({n_total / total:.0f} messages/s, bursts of {args.burst} on {os.cpu_count()} cores; "
          f"{g.ahead.made} signatures checked ahead, {g.ahead.used} of them used); "
          f"graph {g.graph.num_channels} channels, {g.graph.num_nodes} nodes")
    raw = sum(len(r.ann or b"") + len(r.upd1 or b"") + len(r.upd2 or b"") for r in g.chans.values())
    raw += sum(len(x) for x in g.node_raw.values())
    if not args.no_memory:
        g2 = Gossiper(GossipConfig(CHAIN, max_pending=len(anns) + 1), Graph())
        gc.collect()
        tracemalloc.start()
        ingest(g2)
        g2.take_outputs()
        g2.relay.items.clear()  # relay buffer and writes are transient
        g2.take_writes()
        gc.collect()
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"memory: gossip state + graph {held / 1e6:.0f} MB held after ingestion, peak {peak / 1e6:.0f} MB "
              f"(raw signed messages kept for relaying: {raw / 1e6:.0f} MB); process RSS {rss_mb():.0f} MB")
        del g2

    if args.store:
        from amiko.routing.gossip.store import GossipStore
        from amiko.store.sqlite import Store

        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "gossip.sqlite")
            store = Store(path)
            t0 = time.perf_counter()
            GossipStore(store).apply(g.take_writes())
            w = time.perf_counter() - t0
            store.close()
            store = Store(path)
            graph = Graph()
            t0, c0 = time.perf_counter(), time.process_time()
            GossipStore(store).load(graph)
            lt, lc = time.perf_counter() - t0, time.process_time() - c0
            print(f"store: wrote in {w:.2f} s ({os.path.getsize(path) / 1e6:.0f} MB), loaded "
                  f"{graph.num_channels} channels into a Graph in {lt:.2f} s ({lc:.2f} s CPU)")
            store.close()


if __name__ == "__main__":
    main()
