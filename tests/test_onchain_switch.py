"""The switch uses the chain: a forward A -> B -> C whose outgoing channel (B-C) ends on chain.

- C claims the HTLC on chain with the preimage: B reads it in C's HTLC-success witness and
  settles A's incoming HTLC off chain; A's payment completes; the A-B channel stays open.
- C never answers: B's outgoing HTLC reaches its expiry, B fails the B-C channel, times the
  HTLC out on chain, and fails A's incoming HTLC back off chain before its own deadline; A's
  payment fails cleanly and the A-B channel stays open.
"""

from __future__ import annotations

import asyncio
import hashlib

from amiko.channels.interface import ChannelState
from amiko.node import Node, NodeConfig
from amiko.payments.bolt11 import decode_invoice
from tests.async_wait import wait_for

BURN = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


async def three_nodes(tmp_path) -> tuple[Node, Node, Node]:
    a = Node(NodeConfig(datadir=str(tmp_path / "a"), listen=("127.0.0.1", 0), poll_interval=0.05,
                        gossip=False, onchain_final_depth=10))
    await a.start()
    url = a.chain.devchain.url
    b = Node(NodeConfig(datadir=str(tmp_path / "b"), listen=("127.0.0.1", 0), bitcoind=url, poll_interval=0.05,
                        gossip=False, onchain_final_depth=10))
    c = Node(NodeConfig(datadir=str(tmp_path / "c"), listen=("127.0.0.1", 0), bitcoind=url, poll_interval=0.05,
                        gossip=False, onchain_final_depth=10))
    await b.start()
    await c.start()
    await a.connect(b.node_id, "127.0.0.1", b.peers.listen_address[1])
    await b.connect(c.node_id, "127.0.0.1", c.peers.listen_address[1])
    return a, b, c


async def mine(nodes: list[Node], n: int, each: bool = False) -> None:
    for _ in range(n if each else 1):
        await nodes[0].mine(1 if each else n, BURN)
        for node in nodes:
            await node.chain.backend.sync()
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)


async def setup(tmp_path):
    a, b, c = await three_nodes(tmp_path)
    nodes = [a, b, c]
    for n in (a, b):
        await n.mine(101, n.wallet.new_address())
    # C has on-chain coins too: with anchors, claiming an HTLC takes a fee input
    await a.withdraw(c.wallet.new_address(), 100_000)
    await mine(nodes, 100)
    ab = await a.open_channel(b.node_id, 1_000_000)
    bc = await b.open_channel(c.node_id, 1_000_000)
    await wait_for(lambda: ab.funding_broadcast and bc.funding_broadcast, what="funding")
    await mine(nodes, 3)
    await wait_for(lambda: ab.status().usable and bc.status().usable, what="channels ready")
    await wait_for(lambda: c.channels.by_channel_id(bc.channel_id) is not None
                   and c.channels.by_channel_id(bc.channel_id).status().usable, what="C ready")
    return a, b, c, ab, bc


async def held_forward(a: Node, c: Node, ab, bc, msat: int, label: str, timeout: float):
    """A pays C's hold invoice through B; returns once the HTLCs are held on both channels."""
    preimage = hashlib.sha256(label.encode()).digest()
    inv = c.invoices.create(msat, label, payment_hash=hashlib.sha256(preimage).digest(),
                            route_hints=c.invoice_route_hints(msat))
    pay = asyncio.create_task(a.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=timeout))
    await wait_for(lambda: bc.status().htlcs_in_flight == 1 and ab.status().htlcs_in_flight == 1,
                   what="HTLCs held along the route")
    # held: committed in both of B-C's commitments, so that C has it (an HTLC B offered
    # but C never signed is only in C's commitment, and rightly failed once B's is deep)
    c_side = c.channels.by_channel_id(bc.channel_id)
    await wait_for(lambda: bool(c_side.pending_incoming()) or bool(c.payee.sets), what="C holds the HTLC")
    return preimage, pay


def test_preimage_on_chain_settles_upstream(tmp_path) -> None:
    async def main() -> None:
        a, b, c, ab, bc = await setup(tmp_path)
        nodes = [a, b, c]
        preimage, pay = await held_forward(a, c, ab, bc, 200_000_000, "held", timeout=120)
        c_side = c.channels.by_channel_id(bc.channel_id)
        # C force-closes, then releases the preimage: it can only claim on chain now
        await c.force_close(c_side)
        await asyncio.sleep(0.3)
        await mine(nodes, 1)
        assert c.payee.settle_hold(preimage)
        await asyncio.sleep(0.3)
        await mine(nodes, 1)  # C's HTLC-success confirms: B reads the preimage
        result = await asyncio.wait_for(pay, 30)
        assert result.status == "complete" and result.preimage == preimage
        await wait_for(lambda: ab.status().htlcs_in_flight == 0, what="A-B settled off chain")
        assert ab.status().state is ChannelState.NORMAL
        assert ab.status().remote_msat >= 200_000_000
        closed_b = b.onchain.list_closed()
        assert [x["close_kind"] for x in closed_b] == ["remote"]
        await asyncio.gather(*(n.stop() for n in nodes))

    asyncio.run(main())


def test_stuck_outgoing_htlc_is_timed_out_on_chain_and_failed_upstream(tmp_path) -> None:
    async def main() -> None:
        a, b, c, ab, bc = await setup(tmp_path)
        _preimage, pay = await held_forward(a, c, ab, bc, 150_000_000, "stuck", timeout=600)
        await c.stop()  # C vanishes with the HTLC
        out_htlc = next(iter(bc.core.data.htlcs.values()))
        in_htlc = next(iter(ab.core.data.htlcs.values()))
        assert in_htlc.cltv_expiry > out_htlc.cltv_expiry
        live = [a, b]
        while b.onchain.closing_kind(bc.row_id) is None:
            await mine(live, 1)
            assert a.onchain.height < in_htlc.cltv_expiry, "B let the upstream deadline pass"
        while not pay.done():
            await mine(live, 1)
            assert a.onchain.height < in_htlc.cltv_expiry, "B let the upstream deadline pass"
        result = pay.result()
        assert result.status == "failed"
        await wait_for(lambda: ab.status().htlcs_in_flight == 0, what="A-B failed back off chain")
        assert ab.status().state is ChannelState.NORMAL
        assert ab.status().local_msat == 1_000_000_000 - (ab.status().remote_msat or 0)
        sweeps = [s["kind"] for s in b.onchain.list_sweeps() if s["status"] == "confirmed"]
        assert "htlc-timeout" in sweeps
        await asyncio.gather(*(n.stop() for n in live))

    asyncio.run(main())
