"""Anchor CPFP: a child spending our anchor and a wallet coin lifts our commitment's package
to the feerate asked; Bitcoin Core's package rules (through the dev chain) accept it."""

from __future__ import annotations

import asyncio

from amiko.channels.bolt.onchain.sweep_tx import anchor_cpfp
from tests.test_channel_e2e import open_channel, two_nodes

BURN = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


def test_anchor_child_pays_for_the_commitment(tmp_path) -> None:
    async def main() -> None:
        a, b = await two_nodes(tmp_path)
        await a.mine(101)
        await a.mine(100, BURN)
        await b.chain.backend.sync()
        ours, _ = await open_channel(a, b, 1_000_000, push_msat=300_000_000)
        commitment = ours.core.latest_commitment_tx()
        assert commitment is not None
        parent_fee = ours.core.funding_sat - sum(o.value for o in commitment.outputs)
        target = 20_000  # sat/kw, far above the commitment's own
        assert parent_fee * 1000 < target * commitment.weight()
        child = anchor_cpfp(commitment, ours.core._keys.funding_secret, ours.core.funding_sat, target,
                            a.wallet, "cpfp-test")
        assert child is not None and child.inputs[0].prevout.txid == commitment.txid
        wallet_in = sum(a.wallet.db.utxo(i.prevout).amount_sat for i in child.inputs[1:])
        child_fee = 330 + wallet_in - sum(o.value for o in child.outputs)
        package_weight = commitment.weight() + child.weight()
        assert (parent_fee + child_fee) * 1000 >= target * package_weight
        assert (parent_fee + child_fee) * 1000 < target * package_weight * 11 // 10  # not wasteful
        result = await a.chain.backend.broadcast_package([commitment, child])
        assert result.ok, result
        await a.mine(1, BURN)
        status = await a.chain.backend.get_transaction(child.txid)
        assert status is not None and status.confirmations == 1
        await a.stop()
        await b.stop()

    asyncio.run(main())
