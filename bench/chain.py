"""Dev chain figures: blocks/s mined (each validated by libbitcoinkernel), and transactions/s
for 1,000 signed P2WPKH spends: signing, mempool acceptance (policy + kernel script checks),
mining them, and the same through the JSON-RPC server with the bitcoind backend.

Run: python bench/chain.py [number of transactions, default 1000]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from amiko.bitcoin.tx import OutPoint, Transaction, TxOut
from amiko.chain.devchain import DevChain
from amiko.chain.devchain.testing import TestKey, devchain_backend, spend_p2wpkh

KEY = TestKey.from_seed("bench")
PER_FANOUT = 100


def funded_outputs(dc: DevChain, n: int) -> list[tuple[OutPoint, int]]:
    """`n` confirmed P2WPKH outputs of KEY, made by fan-out transactions from coinbases."""
    n_fanouts = (n + PER_FANOUT - 1) // PER_FANOUT
    hashes = dc.generate(n_fanouts, KEY.script_pubkey)
    dc.generate(100, KEY.script_pubkey)
    outs: list[tuple[OutPoint, int]] = []
    for h in hashes:
        info = dc.block_info(h)
        assert info is not None
        cb = info.block.txs[0]
        value = (cb.outputs[0].value - 10_000) // PER_FANOUT
        fan = spend_p2wpkh(KEY, [(cb.outpoint(0), cb.outputs[0].value)],
                           [TxOut(value, KEY.script_pubkey)] * PER_FANOUT)
        dc.send_raw_transaction(fan)
        outs.extend((fan.outpoint(k), value) for k in range(PER_FANOUT))
    dc.generate(1, KEY.script_pubkey)
    return outs[:n]


def sign_all(outs: list[tuple[OutPoint, int]]) -> list[Transaction]:
    return [spend_p2wpkh(KEY, [(op, value)], [TxOut(value - 200, KEY.script_pubkey)])
            for op, value in outs]


def line(name: str, count: int, seconds: float, unit: str) -> None:
    print(f"{name:<46} {count / seconds:>10.0f} {unit}/s   ({count} in {seconds:.3f} s)")


def direct(n: int, tmp: Path) -> None:
    dc = DevChain(tmp / "direct")
    try:
        start = time.perf_counter()
        dc.generate(500, KEY.script_pubkey)
        line("mine empty blocks", 500, time.perf_counter() - start, "blocks")
        outs = funded_outputs(dc, n)
        start = time.perf_counter()
        txs = sign_all(outs)
        line("sign 1-in-1-out P2WPKH spends (coincurve)", n, time.perf_counter() - start, "tx")
        start = time.perf_counter()
        for tx in txs:
            dc.send_raw_transaction(tx)
        accept = time.perf_counter() - start
        line("mempool accept (policy + kernel scripts)", n, accept, "tx")
        start = time.perf_counter()
        [block_hash] = dc.generate(1, KEY.script_pubkey)
        mine = time.perf_counter() - start
        info = dc.block_info(block_hash)
        assert info is not None and len(info.block.txs) == n + 1 and len(dc.mempool) == 0
        line("mine them in one block (assembly + kernel)", n, mine, "tx")
        line("accept + mine", n, accept + mine, "tx")
        start = time.perf_counter()
        dc.invalidate_block(block_hash)
        elapsed = time.perf_counter() - start
        print(f"{'invalidateblock (replay ' + str(dc.height) + ' blocks, txs back)':<46} "
              f"{elapsed:>10.3f} s    ({len(dc.mempool)} txs back in the mempool)")
    finally:
        dc.close()


async def over_rpc(n: int, tmp: Path) -> None:
    dc = DevChain(tmp / "rpc")
    outs = funded_outputs(dc, n)
    txs = sign_all(outs)
    async with devchain_backend(tmp / "rpc", chain=dc) as (_, backend):
        start = time.perf_counter()
        for tx in txs:
            await backend.broadcast(tx)
        send = time.perf_counter() - start
        line("sendrawtransaction over JSON-RPC", n, send, "tx")
        start = time.perf_counter()
        await backend.mine(1, KEY.address)
        mine = time.perf_counter() - start
        line("generatetoaddress + backend block event", n, mine, "tx")
        start = time.perf_counter()
        await backend.mine(100, KEY.address)
        line("generatetoaddress 100 + backend events", 100, time.perf_counter() - start,
             "blocks")


def with_wallet(n: int, tmp: Path) -> None:
    """The node's own path: the Wallet picks coins, signs (BIP143) and tracks the blocks."""
    from amiko.bitcoin.address import address_to_script
    from amiko.bitcoin.bip39 import mnemonic_to_seed
    from amiko.bitcoin.networks import REGTEST
    from amiko.chain.wallet import Wallet
    from amiko.store.sqlite import Store

    dc = DevChain(tmp / "wallet")
    wallet = Wallet(Store(str(tmp / "wallet.sqlite"), synchronous="NORMAL"),
                    mnemonic_to_seed("abandon " * 11 + "about"), REGTEST)
    try:
        def follow(hashes: list[bytes]) -> None:
            for h in hashes:
                info = dc.block_info(h)
                assert info is not None
                wallet.apply_block(info.height, h, info.block.txs)

        # n confirmed wallet coins: fan-outs from coinbases paid to the wallet
        spk = address_to_script(wallet.new_address(), REGTEST)
        n_fanouts = (n + PER_FANOUT - 1) // PER_FANOUT
        follow(dc.generate(n_fanouts, spk))
        follow(dc.generate(100, KEY.script_pubkey))
        value = 40_000_000
        for _ in range(n_fanouts):
            outs = [TxOut(value, address_to_script(wallet.new_address(), REGTEST)) for _ in range(PER_FANOUT)]
            tx = wallet.create_transaction(outs, 1000)
            dc.send_raw_transaction(tx)
            wallet.apply_mempool_tx(tx)
        follow(dc.generate(1, KEY.script_pubkey))
        start = time.perf_counter()
        txs = []
        for _ in range(n):
            tx = wallet.create_transaction([TxOut(value // 2, KEY.script_pubkey)], 1000)
            wallet.apply_mempool_tx(tx)
            txs.append(tx)
        line("wallet: select coins + sign + record", n, time.perf_counter() - start, "tx")
        start = time.perf_counter()
        for tx in txs:
            dc.send_raw_transaction(tx)
        accept = time.perf_counter() - start
        line("wallet txs: mempool accept", n, accept, "tx")
        start = time.perf_counter()
        hashes = dc.generate(1, KEY.script_pubkey)
        follow(hashes)
        mine = time.perf_counter() - start
        line("wallet txs: mine + wallet follows the block", n, mine, "tx")
        assert not dc.mempool
    finally:
        dc.close()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(f"os.cpu_count() = {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as d:
        direct(n, Path(d))
        with_wallet(n, Path(d))
        asyncio.run(over_rpc(n, Path(d)))


if __name__ == "__main__":
    main()
