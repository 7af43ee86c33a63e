"""The wallet's transactions on the dev chain: Bitcoin Core's consensus engine
(libbitcoinkernel, through the dev chain's mempool and block validation) accepts them."""

from __future__ import annotations

from pathlib import Path

from amiko.bitcoin import bip39
from amiko.bitcoin.address import address_to_script
from amiko.bitcoin.networks import REGTEST
from amiko.bitcoin.psbt import Psbt
from amiko.bitcoin.script import p2wsh
from amiko.bitcoin.tx import TxOut
from amiko.chain.devchain import DevChain
from amiko.chain.devchain.testing import TestKey
from amiko.chain.wallet import Wallet
from amiko.store.sqlite import Store

SEED = bip39.mnemonic_to_seed("legal winner thank year wave sausage worth useful legal winner thank yellow")
MINER = TestKey.from_seed("wallet devchain miner")


def sync(wallet: Wallet, dc: DevChain) -> None:
    """Feed the wallet the blocks it has not seen (no reorgs in this test)."""
    start = 1 if wallet.tip is None else wallet.tip[0] + 1
    for height in range(start, dc.height + 1):
        block_hash = dc.block_hash(height)
        assert block_hash is not None
        info = dc.block_info(block_hash)
        assert info is not None
        wallet.apply_block(height, block_hash, info.block.txs)


def test_wallet_transactions_pass_consensus(tmp_path: Path) -> None:
    dc = DevChain(tmp_path / "chain")
    try:
        wallet = Wallet(Store(":memory:"), SEED, REGTEST)
        dc.generate(2, address_to_script(wallet.new_address(), REGTEST))
        dc.generate(100, MINER.script_pubkey)
        sync(wallet, dc)
        assert wallet.balance().confirmed_sat == 2 * 50 * 100_000_000

        # a plain payment with change
        pay = wallet.create_transaction([TxOut(1_000_000, MINER.script_pubkey)], 1000)
        dc.send_raw_transaction(pay)
        wallet.apply_mempool_tx(pay)

        # a funding transaction built unsigned, then signed; spends the unconfirmed change
        funding, info = wallet.prepare_funding(TxOut(2_000_000, p2wsh(b"\x51")), 2000,
                                               min_confirmations=0, reserve_for="chan")
        signed = wallet.sign(funding)
        assert signed.txid == funding.txid
        dc.send_raw_transaction(signed)
        wallet.apply_mempool_tx(signed)

        # the PSBT route
        psbt = wallet.sign_psbt(Psbt.from_base64(
            wallet.fund_psbt([TxOut(3_000_000, MINER.script_pubkey)], 1000).to_base64()))
        via_psbt = psbt.extract()
        dc.send_raw_transaction(via_psbt)
        wallet.apply_mempool_tx(via_psbt)

        dc.generate(1, MINER.script_pubkey)
        sync(wallet, dc)
        mined = {tx.txid for tx in dc.tip.block.txs}
        assert {pay.txid, signed.txid, via_psbt.txid} <= mined
        b = wallet.balance()
        assert b.unconfirmed_sat == 0 and b.reserved_sat == 0
        assert b.confirmed_sat > 2 * 50 * 100_000_000 - 6_100_000

        # sweep everything
        sweep = wallet.create_transaction([], 1000, send_all_to=MINER.script_pubkey)
        dc.send_raw_transaction(sweep)
        wallet.apply_mempool_tx(sweep)
        dc.generate(1, MINER.script_pubkey)
        sync(wallet, dc)
        assert wallet.balance().total_sat == 0
    finally:
        dc.close()
