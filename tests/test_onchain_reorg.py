"""The watcher through a reorganisation: the block confirming a force close leaves the chain
(with the sweep that followed it); the close confirms again in the new chain, the sweep is
made again, and nothing is counted twice."""

from __future__ import annotations

import asyncio

from amiko.node import Node
from tests.test_channel_e2e import open_channel, two_nodes

BURN = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


async def mine(nodes: list[Node], n: int) -> list[bytes]:
    hashes = await nodes[0].mine(n, BURN)
    for node in nodes:
        await node.chain.backend.sync()
    await asyncio.sleep(0.2)
    return hashes


def test_close_reorganised_out_and_back(tmp_path) -> None:
    async def main() -> None:
        a, b = await two_nodes(tmp_path)
        nodes = [a, b]
        await a.mine(101)
        await mine(nodes, 100)
        ours, theirs = await open_channel(a, b, 1_000_000, push_msat=300_000_000)
        b_before = b.wallet.balance().total_sat
        commitment_txid = await a.force_close(ours)
        await asyncio.sleep(0.3)
        (h1,) = await mine(nodes, 1)
        first = b.onchain.list_closed()
        assert first and first[0]["closing_txid"] == commitment_txid
        assert [s["status"] for s in b.onchain.list_sweeps()] == ["broadcast"]
        # the block leaves the chain
        await a.chain.backend.rpc.call("invalidateblock", h1[::-1].hex())
        for node in nodes:
            await node.chain.backend.sync()
        await asyncio.sleep(0.3)
        assert b.onchain.channels[theirs.row_id].resolution is not None
        assert b.onchain.channels[theirs.row_id].resolution.close is None  # unspent again
        # A rebroadcasts its commitment; it confirms again, B sweeps again
        await mine(nodes, 1)
        await mine(nodes, 1)
        await mine(nodes, 1)
        closed = b.onchain.list_closed()
        assert closed[0]["closing_txid"] == commitment_txid
        confirmed = [s for s in b.onchain.list_sweeps() if s["status"] == "confirmed"]
        assert len(confirmed) == 1 and confirmed[0]["amount_sat"] == 300_000
        assert b.wallet.balance().total_sat - b_before == 300_000 - confirmed[0]["fee_sat"]
        await a.stop()
        await b.stop()

    asyncio.run(main())
