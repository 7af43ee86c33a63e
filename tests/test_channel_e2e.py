"""The Lightning channel end to end: two nodes over TCP on one dev chain. Open a channel
funded from the wallet, make 1,000 payments through it both ways (HTLCs added then fulfilled, added then
failed, many in flight at once), close cooperatively, and check both wallets to the sat."""

from __future__ import annotations

import asyncio
import random

from amiko.channels.interface import ChannelState
from amiko.node import Node, NodeConfig
from amiko.payments.bolt11 import decode_invoice
from tests.async_wait import wait_for


async def two_nodes(tmp_path):
    a = Node(NodeConfig(datadir=str(tmp_path / "a"), listen=("127.0.0.1", 0), poll_interval=0.05))
    await a.start()
    url = a.chain.devchain.url
    b = Node(NodeConfig(datadir=str(tmp_path / "b"), listen=("127.0.0.1", 0), bitcoind=url, poll_interval=0.05))
    await b.start()
    await a.connect(b.node_id, "127.0.0.1", b.peers.listen_address[1])
    return a, b


async def mine(a: Node, b: Node, n: int) -> None:
    await a.mine(n, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080")
    await b.chain.backend.sync()
    await a._funding_watch.check_all()
    await b._funding_watch.check_all()


async def open_channel(a: Node, b: Node, sat: int, push_msat: int = 0):
    driver = await a.open_channel(b.node_id, sat, push_msat)
    await wait_for(lambda: driver.funding_broadcast, what="funding broadcast")
    await mine(a, b, 3)
    await wait_for(lambda: driver.status().usable, what="channel ready at A")
    theirs = b.channels.by_channel_id(driver.channel_id)
    await wait_for(lambda: theirs is not None or b.channels.by_channel_id(driver.channel_id) is not None)
    theirs = b.channels.by_channel_id(driver.channel_id)
    await wait_for(lambda: theirs.status().usable, what="channel ready at B")
    return driver, theirs


def test_open_pay_both_ways_close(tmp_path):
    async def main():
        a, b = await two_nodes(tmp_path)
        await a.mine(101)
        await b.chain.backend.sync()
        ours, theirs = await open_channel(a, b, 2_000_000, push_msat=1_000_000_000)
        a_wallet_open = a.wallet.balance().total_sat
        assert b.wallet.balance().total_sat == 0

        rng = random.Random(5)
        tasks = []
        for i in range(1000):
            amount = rng.randrange(1_000, 1_000_000)
            payer, payee = (a, b) if rng.random() < 0.5 else (b, a)
            inv = payee.invoices.create(amount, f"p{i}")
            if rng.random() < 0.2:
                payee.invoices.cancel(inv.payment_hash)  # the payee refuses it: added then failed
                amount = 0
            task = asyncio.create_task(payer.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=60))
            tasks.append((payer, amount, task))
        moved = 0  # msat from A to B
        for payer, amount, task in tasks:
            r = await task
            if amount:
                assert r.status == "complete", r
                moved += amount if payer is a else -amount
            else:
                assert r.status == "failed"
        await wait_for(lambda: ours.status().htlcs_in_flight == 0 and theirs.status().htlcs_in_flight == 0,
                       what="no HTLC in flight")
        a_msat, b_msat = ours.status().local_msat, theirs.status().local_msat
        assert b_msat == 1_000_000_000 + moved
        assert a_msat + b_msat == 2_000_000_000
        assert (ours.status().remote_msat, theirs.status().remote_msat) == (b_msat, a_msat)

        txid = await a.close_channel(ours)
        assert txid is not None
        await mine(a, b, 1)
        await wait_for(lambda: b.wallet.balance().confirmed_sat > 0, what="B's closing output")
        closing = next(t.tx for t in b.wallet.transactions() if t.tx.txid_hex == txid)
        closing_fee = 2_000_000 - sum(o.value for o in closing.outputs)
        assert closing_fee > 0
        # B (not the funder) gets exactly its balance, rounded down to the sat; A gets its
        # own balance less the closing fee, which the funder pays.
        assert b.wallet.balance().total_sat == b_msat // 1000
        a_out = a.wallet.balance().total_sat - a_wallet_open
        rounding = (a_msat % 1000 + b_msat % 1000) // 1000  # sub-sat remainders become fee
        assert a_out == a_msat // 1000 - (closing_fee - rounding)
        assert ours.status().state in (ChannelState.CLOSING, ChannelState.CLOSED)
        await a.stop()
        await b.stop()

    asyncio.run(main())
