"""Five nodes in a line over TCP on one dev chain, with public Lightning channels: gossip
converges (every node learns every channel and both directions' updates), payments cross
the whole line both ways by the graph alone, the msat are conserved, and a closed channel
disappears from every node's graph."""

from __future__ import annotations

import asyncio
import itertools
import random

import pytest

from amiko.link.features import Features
from amiko.node import Node, NodeConfig
from amiko.payments.bolt11 import decode_invoice
from amiko.routing.gossip.addresses import address_from_text
from tests.async_wait import wait_for

pytestmark = pytest.mark.slow



def make(tmp_path, name, url=None, **more):
    return Node(NodeConfig(datadir=str(tmp_path / name), listen=("127.0.0.1", 0), bitcoind=url,
                           poll_interval=0.05, gossip_flush_interval=0.5, trust=False, **more))


def known(node: Node, scids) -> bool:
    for scid in scids:
        ch = node.graph.channel(scid)
        if ch is None or ch.policy(0) is None or ch.policy(1) is None:
            return False
    return True


def test_five_node_line(tmp_path):
    async def main():
        a = make(tmp_path, "a")
        await a.start()
        url = a.chain.devchain.url
        e_reached_at = (address_from_text("203.0.113.7:9735"), address_from_text("[2001:db8::7]:9735"))
        nodes = [a] + [make(tmp_path, n, url) for n in "bcd"] + [make(tmp_path, "e", url, announce_addresses=e_reached_at)]
        for n in nodes[1:]:
            await n.start()
        for n in nodes:
            await a.mine(1, n.wallet.new_address())
        await a.mine(100)
        for n in nodes:
            await n.chain.backend.sync()
        drivers = []
        for x, y in itertools.pairwise(nodes):
            await x.connect(y.node_id, "127.0.0.1", y.peers.listen_address[1])
            drivers.append(await x.open_channel(y.node_id, 1_000_000, push_msat=400_000_000))
        await wait_for(lambda: all(d.funding_broadcast for d in drivers), what="funding")
        await a.mine(6)
        for n in nodes:
            await n.chain.backend.sync()
        await wait_for(lambda: all(d.status().usable for d in drivers), what="channels ready")
        scids = [d.status().short_channel_id for d in drivers]
        await wait_for(lambda: all(known(n, scids) for n in nodes), timeout=60.0, what="gossip converged")

        # every node announced its features (BOLT 9 context N) and e where it can be reached
        await wait_for(lambda: all(a.graph.node(n.node_id) is not None for n in nodes), what="node announcements")
        e_seen = a.graph.node(nodes[4].node_id)
        assert e_seen is not None
        assert e_seen.addresses == ("203.0.113.7:9735", "[2001:db8::7]:9735")
        assert a.graph.node(nodes[1].node_id).addresses == ()  # nothing configured: nothing announced
        announced = Features.from_bytes(e_seen.features)
        assert announced == nodes[4].features.in_context("N")
        assert announced.has("basic_mpp") and announced.has("payment_secret")  # with its dependency
        assert announced.has("option_anchors") and not announced.has("gossip_queries")  # init only

        def total() -> int:
            return sum(c.status().local_msat for n in nodes for c in n.channels.channels.values())

        before = total()
        rng = random.Random(3)
        done = 0
        for i in range(12):
            src, dst = rng.sample(range(5), 2)
            if i < 2:
                src, dst = (0, 4) if i == 0 else (4, 0)  # the whole line, both ways
            inv = nodes[dst].invoices.create(rng.randrange(10_000, 50_000_000), f"l{i}")
            r = await nodes[src].payer.pay_invoice(decode_invoice(inv.bolt11), timeout=30)
            assert r.status == "complete", (src, dst, r)
            done += 1
        await wait_for(lambda: all(c.status().htlcs_in_flight == 0 for n in nodes for c in n.channels.channels.values()))
        assert total() == before  # fees moved between nodes, nothing lost
        earned = sum(f.fee_msat for n in nodes for f in n.switch.forwards() if f.status == "settled")
        paid = sum(p.fee_msat for n in nodes for p in n.payer.all() if p.status == "complete")
        assert earned == paid > 0

        # a channel closed: once its funding output is spent and buried, every node drops it
        closed = drivers[2]  # C-D
        txid = await nodes[2].close_channel(closed)
        assert txid is not None
        await a.mine(80)
        for n in nodes:
            await n.chain.backend.sync()
        await wait_for(lambda: all(n.graph.channel(scids[2]) is None for n in nodes), timeout=60,
                       what="closed channel gone everywhere")
        assert all(n.graph.channel(scids[0]) is not None for n in nodes)
        for n in reversed(nodes):
            await n.stop()

    asyncio.run(main())
