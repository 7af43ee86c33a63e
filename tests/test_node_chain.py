"""The node on its chain: wallet funds through reorgs and restarts, and user errors."""

from __future__ import annotations

import asyncio

import pytest

from amiko.bitcoin.address import AddressError
from amiko.chain.wallet import InsufficientFunds
from amiko.node import Node, NodeConfig

OTHER = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


def make_node(tmp_path) -> Node:
    return Node(NodeConfig(datadir=str(tmp_path / "n"), listen=None, poll_interval=0.1))


def funds(node: Node) -> list[tuple[str, int, int, int]]:
    return sorted((u.outpoint.txid_hex, u.outpoint.index, u.amount_sat, u.confirmations)
                  for u in node.wallet.list_funds())


async def wait_for(cond, timeout=5.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not cond():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


def test_reorg_unconfirms_then_reconfirms_a_payment(tmp_path):
    async def main():
        node = make_node(tmp_path)
        await node.start()
        await node.mine(101)
        spendable = node.wallet.balance().confirmed_sat
        assert spendable >= 50 * 10**8
        tx = await node.withdraw(OTHER, 1_000_000, 1000)
        (change,) = [o.value for o in tx.outputs if node.wallet.is_mine(o.script_pubkey)]
        assert node.wallet.balance().unconfirmed_sat == change
        (block_hash,) = await node.mine(1, OTHER)
        b = node.wallet.balance()
        assert b.unconfirmed_sat == 0 and b.reserved_sat == 0
        assert b.confirmed_sat == spendable - 50 * 10**8 + change + 50 * 10**8  # one more coin matured
        wtx = node.wallet.get_transaction(tx.txid)
        assert wtx is not None and wtx.block_height == 102

        # the block holding it is reorganised away: the payment is unconfirmed again
        chain = node.chain.devchain.chain
        chain.invalidate_block(block_hash)
        await node.chain.backend.sync()
        assert node.wallet.get_transaction(tx.txid).block_height is None
        assert node.wallet.balance().unconfirmed_sat == change

        # a competing branch that is longer, with the tx back from the mempool: confirmed again
        await node.mine(2, OTHER)
        wtx = node.wallet.get_transaction(tx.txid)
        assert wtx.block_height == 102
        assert node.wallet.balance().unconfirmed_sat == 0
        await node.stop()

    asyncio.run(main())


def test_restart_keeps_height_utxos_and_balance(tmp_path):
    async def main():
        node = make_node(tmp_path)
        await node.start()
        await node.mine(105)
        await node.withdraw(OTHER, 123_456, 500)
        await node.mine(1, OTHER)
        await node.withdraw(OTHER, 654_321, 500)  # this one stays unconfirmed
        before = (node.info()["chain"]["blockheight"], funds(node), node.wallet.balance())
        await node.stop()

        again = make_node(tmp_path)
        await again.start()
        after = (again.info()["chain"]["blockheight"], funds(again), again.wallet.balance())
        assert after == before
        assert after[0] == 106
        await again.stop()

    asyncio.run(main())


def test_blocks_mined_while_the_node_was_away_are_seen(tmp_path):
    async def main():
        node = make_node(tmp_path)
        await node.start()
        address = node.wallet.new_address()
        await node.mine(3)
        chain_dir = tmp_path / "n" / "devchain"
        await node.stop()
        # someone mines to our address while we are off
        from amiko.bitcoin.address import address_to_script
        from amiko.bitcoin.networks import REGTEST
        from amiko.chain.devchain import DevChain

        chain = DevChain(str(chain_dir))
        chain.generate(2, address_to_script(address, REGTEST))
        chain.close()
        again = make_node(tmp_path)
        await again.start()
        assert again.info()["chain"]["blockheight"] == 5
        assert again.wallet.balance().immature_sat == 5 * 50 * 10**8
        await again.stop()

    asyncio.run(main())


def test_bad_withdrawals_change_nothing(tmp_path):
    async def main():
        node = make_node(tmp_path)
        await node.start()
        await node.mine(101)
        before = funds(node)
        with pytest.raises(AddressError):
            await node.withdraw("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", 1000)  # mainnet address
        with pytest.raises(InsufficientFunds):
            await node.withdraw(OTHER, 10**15)
        assert funds(node) == before
        assert node.wallet.balance().reserved_sat == 0
        await node.stop()

    asyncio.run(main())
