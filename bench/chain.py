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


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(f"os.cpu_count() = {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as d:
        direct(n, Path(d))
        asyncio.run(over_rpc(n, Path(d)))


if __name__ == "__main__":
    main()
