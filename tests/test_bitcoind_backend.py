"""The bitcoind backend against the dev chain's RPC: ordered block events across reorgs,
transactions of invalidated blocks back in the mempool, restarts of the chain under it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from amiko.bitcoin.block import Block
from amiko.bitcoin.tx import TxOut
from amiko.chain.bitcoind import BitcoindBackend, BitcoindRpc
from amiko.chain.devchain import serve
from amiko.chain.devchain.testing import TestKey, devchain_backend, spend_p2wpkh
from amiko.chain.interfaces import ChainListener

KEY = TestKey.from_seed("backend")
MINER = TestKey.from_seed("backend-miner")


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, int, bytes]] = []

    async def block_connected(self, height: int, block: Block) -> None:
        self.events.append(("connected", height, block.hash))

    async def block_disconnected(self, height: int, block_hash: bytes) -> None:
        self.events.append(("disconnected", height, block_hash))


def test_events_in_order_across_reorgs(tmp_path: Path) -> None:
    async def main() -> None:
        async with devchain_backend(tmp_path / "chain") as (served, backend):
            rec = Recorder()
            assert isinstance(rec, ChainListener)
            backend.subscribe(rec)
            funded = await backend.mine(101, KEY.address)
            assert [e[1] for e in rec.events] == list(range(1, 102))
            assert [e[2] for e in rec.events] == funded
            cb = (await backend.get_block(funded[0])).txs[0]
            tx = spend_p2wpkh(KEY, [(cb.outpoint(0), cb.outputs[0].value)],
                              [TxOut(cb.outputs[0].value - 1000, MINER.script_pubkey)])
            await backend.broadcast(tx)
            [b102] = await backend.mine(1, MINER.address)
            assert (await backend.get_block(b102)).txs[1].txid == tx.txid
            rec.events.clear()

            # invalidate the tip: its transaction goes back to the mempool
            await backend.rpc.call("invalidateblock", b102[::-1].hex())
            assert await backend.rpc.call("getrawmempool") == [tx.txid_hex]
            await backend.sync()
            assert rec.events == [("disconnected", 102, b102)]
            rec.events.clear()
            new = await backend.mine(2, MINER.address)
            assert rec.events == [("connected", 102, new[0]), ("connected", 103, new[1])]
            assert (await backend.get_block(new[0])).txs[1].txid == tx.txid
            rec.events.clear()

            # a reorg the backend only notices at its next poll: fork found by walking back
            await backend.rpc.call("invalidateblock", new[0][::-1].hex())
            other = await backend.rpc.call("generatetoaddress", 3, KEY.address)
            await backend.sync()
            assert rec.events == [
                ("disconnected", 103, new[1]), ("disconnected", 102, new[0]),
                *[("connected", 102 + i, bytes.fromhex(h)[::-1]) for i, h in enumerate(other)]]
            assert backend.tip is not None and backend.tip.height == 104
            tips = await backend.rpc.call("getchaintips")
            assert {t["status"] for t in tips} == {"active", "invalid"}
            rec.events.clear()

            # reconsiderblock: the longer old branch wins back
            await backend.rpc.call("reconsiderblock", b102[::-1].hex())
            await backend.rpc.call("reconsiderblock", new[0][::-1].hex())
            await backend.sync()
            assert (await backend.get_tip()).height == 104  # equal work: first seen stays

            # polling, not only sync(), delivers events
            rec.events.clear()
            await backend.rpc.call("generatetoaddress", 1, KEY.address)
            for _ in range(100):
                if rec.events:
                    break
                await asyncio.sleep(0.02)
            assert [e[:2] for e in rec.events] == [("connected", 105)]

    asyncio.run(main())


def test_restart_keeps_chain_and_backend_reconnects(tmp_path: Path) -> None:
    datadir = tmp_path / "chain"

    async def main() -> None:
        served = await serve(datadir, password="secret")
        port = served.server.port
        backend = BitcoindBackend(served.url, poll_interval=0.05, max_backoff=0.1)
        rec = Recorder()
        backend.subscribe(rec)
        await backend.start()
        try:
            hashes = await backend.mine(101, KEY.address)
            cb = (await backend.get_block(hashes[0])).txs[0]
            tx = spend_p2wpkh(KEY, [(cb.outpoint(0), cb.outputs[0].value)],
                              [TxOut(cb.outputs[0].value - 500, MINER.script_pubkey)])
            await backend.broadcast(tx)
            await backend.mine(1, MINER.address)
            tip = await backend.get_tip()
            utxo = await backend.get_txout(tx.outpoint(0))
            assert utxo is not None and utxo.confirmations == 1

            await served.close()
            for _ in range(100):
                if not backend.status.connected:
                    break
                await asyncio.sleep(0.02)
            status = backend.status
            assert not status.connected and status.last_error
            assert status.tip_height == tip.height

            served = await serve(datadir, port=port, password="secret")
            for _ in range(200):
                if backend.status.connected:
                    break
                await asyncio.sleep(0.02)
            assert backend.status.connected
            assert await backend.get_tip() == tip
            assert await backend.get_txout(tx.outpoint(0)) == utxo
            found = await backend.get_transaction(tx.txid)
            assert found is not None and found.block_hash == tip.block_hash
            rec.events.clear()
            await backend.mine(1, MINER.address)
            assert [e[:2] for e in rec.events] == [("connected", tip.height + 1)]
        finally:
            await backend.stop()
            await served.close()

    asyncio.run(main())


def test_start_from_height_and_cookie_auth(tmp_path: Path) -> None:
    async def main() -> None:
        async with devchain_backend(tmp_path / "chain") as (served, backend):
            await backend.mine(5, MINER.address)
            cookie = tmp_path / ".cookie"
            cookie.write_text(f"amiko:{served.server.password}")
            host = f"http://{served.server.host}:{served.server.port}"
            late = BitcoindBackend(host, cookie_file=cookie, poll_interval=0.05)
            rec = Recorder()
            late.subscribe(rec)
            await late.start(from_height=2)
            try:
                assert [e[1] for e in rec.events] == [3, 4, 5]
                assert late.status.connected and late.status.tip_height == 5
                assert late.feerate_sat_per_kw(2) == 253
            finally:
                await late.stop()
            bad = BitcoindRpc(host)
            started = time.monotonic()
            try:
                await bad.call("getblockcount")
            except ConnectionError as e:
                assert "401" in str(e)
            else:
                raise AssertionError("expected a refusal")
            finally:
                await bad.close()
            assert time.monotonic() - started < 5

    asyncio.run(main())
