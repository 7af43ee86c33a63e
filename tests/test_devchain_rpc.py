"""The dev chain over its real JSON-RPC server, driven by the bitcoind backend: the same
client code a real bitcoind meets. Refusals must carry Bitcoin Core's codes and messages."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from amiko.bitcoin.block import Block, BlockHeader, assemble_block, block_subsidy
from amiko.bitcoin.script import (
    OP_CHECKLOCKTIMEVERIFY,
    OP_CHECKSEQUENCEVERIFY,
    OP_CHECKSIG,
    OP_DROP,
    p2wsh,
    push_data,
    push_int,
)
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.chain.bitcoind import BitcoindBackend
from amiko.chain.devchain import DevChain
from amiko.chain.devchain.rpc_server import ServedChain
from amiko.chain.devchain.testing import TestKey, devchain_backend, spend_p2wpkh
from amiko.chain.interfaces import BroadcastError
from amiko.chain.rpc_errors import RpcError

KEY = TestKey.from_seed("rpc")
MINER = TestKey.from_seed("miner")

Scenario = Callable[[ServedChain, BitcoindBackend], Awaitable[None]]


def run(tmp_path: Path, scenario: Scenario) -> None:
    async def main() -> None:
        async with devchain_backend(tmp_path / "chain") as (served, backend):
            await scenario(served, backend)

    asyncio.run(main())


async def fund(backend: BitcoindBackend, n: int) -> list[tuple[OutPoint, int]]:
    """`n` mature coinbase outputs of KEY."""
    hashes = await backend.mine(n, KEY.address)
    await backend.mine(100, MINER.address)
    coins = []
    for h in hashes:
        cb = (await backend.get_block(h)).txs[0]
        coins.append((cb.outpoint(0), cb.outputs[0].value))
    return coins


async def refusal(backend: BitcoindBackend, tx: Transaction) -> tuple[int, str]:
    with pytest.raises(BroadcastError) as info:
        await backend.broadcast(tx)
    return info.value.code, info.value.message


def timelock_script(lock: int, opcode: int, pubkey: bytes) -> bytes:
    return push_int(lock) + bytes((opcode, OP_DROP)) + push_data(pubkey) + bytes((OP_CHECKSIG,))


def spend_script(script: bytes, prev: tuple[OutPoint, int], *, sequence: int,
                 locktime: int = 0) -> Transaction:
    op, amount = prev
    tx = Transaction(2, (TxIn(op, b"", sequence),), (TxOut(amount - 1000, KEY.script_pubkey),),
                     locktime)
    return KEY.sign_p2wsh(tx, 0, script, amount)


def test_refusals_over_rpc(tmp_path: Path) -> None:
    async def scenario(served: ServedChain, backend: BitcoindBackend) -> None:
        (op, amount), (op2, amount2) = await fund(backend, 2)
        unknown = spend_p2wpkh(KEY, [(OutPoint(b"\x42" * 32, 1), amount)],
                               [TxOut(amount - 1000, KEY.script_pubkey)])
        assert await refusal(backend, unknown) == (-25, "bad-txns-inputs-missingorspent")
        above = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount + 10**8, KEY.script_pubkey)])
        assert await refusal(backend, above) == (
            -26, "bad-txns-in-belowout, value in (50.00) < value out (51.00)")
        good = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount - 1000, KEY.script_pubkey)])
        forged = good.with_witness(0, (MINER.sign(b"\x01" * 32), KEY.pubkey))
        assert await refusal(backend, forged) == (
            -26, "mandatory-script-verify-flag-failed (Script evaluated without error but "
                 "finished with a false/empty top stack element)")
        assert await backend.broadcast(good) == good.txid
        double = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount - 1000, MINER.script_pubkey)])
        code, message = await refusal(backend, double)
        assert code == -26 and message.startswith("insufficient fee, rejecting replacement ")
        await backend.mine(1, MINER.address)
        assert await refusal(backend, double) == (-25, "bad-txns-inputs-missingorspent")
        code, message = await refusal(backend, good)
        assert (code, message) == (-27, "Transaction outputs already in utxo set")
        with pytest.raises(BroadcastError) as info:
            await backend.broadcast(good)
        assert info.value.already_known

        with pytest.raises(RpcError) as rpc_info:
            await backend.rpc.call("sendrawtransaction", "00ff")
        assert (rpc_info.value.code, rpc_info.value.message) == (
            -22, "TX decode failed. Make sure the tx has at least one input.")

        # testmempoolaccept: Core's result shape
        above2 = spend_p2wpkh(KEY, [(op2, amount2)], [TxOut(amount2 + 1, KEY.script_pubkey)])
        ok2 = spend_p2wpkh(KEY, [(op2, amount2)], [TxOut(amount2 - 1000, KEY.script_pubkey)])
        [bad_r] = await backend.test_accept([above2])
        assert bad_r["allowed"] is False and bad_r["reject-reason"] == "bad-txns-in-belowout"
        [ok_r] = await backend.test_accept([ok2])
        assert ok_r["allowed"] is True and ok_r["vsize"] == ok2.vsize()
        assert ok_r["fees"]["base"] == Decimal("0.00001000")
        [missing] = await backend.test_accept([unknown])
        assert missing["reject-reason"] == "missing-inputs"

    run(tmp_path, scenario)


def test_csv_and_cltv_locks(tmp_path: Path) -> None:
    async def scenario(served: ServedChain, backend: BitcoindBackend) -> None:
        (op, amount), (op2, amount2) = await fund(backend, 2)
        delay = 5
        csv = timelock_script(delay, OP_CHECKSEQUENCEVERIFY, KEY.pubkey)
        tip = (await backend.get_tip()).height
        cltv_height = tip + 6
        cltv = timelock_script(cltv_height, OP_CHECKLOCKTIMEVERIFY, KEY.pubkey)
        funding = spend_p2wpkh(KEY, [(op, amount)], [TxOut(10**8, p2wsh(csv)),
                                                     TxOut(10**8, p2wsh(cltv)),
                                                     TxOut(amount - 2 * 10**8 - 2000,
                                                           KEY.script_pubkey)])
        await backend.broadcast(funding)
        await backend.mine(1, MINER.address)
        csv_prev = (funding.outpoint(0), 10**8)
        cltv_prev = (funding.outpoint(1), 10**8)

        early_csv = spend_script(csv, csv_prev, sequence=delay)
        assert await refusal(backend, early_csv) == (-26, "non-BIP68-final")
        short_csv = spend_script(csv, csv_prev, sequence=1)
        assert await refusal(backend, short_csv) == (
            -26, "mandatory-script-verify-flag-failed (Locktime requirement not satisfied)")
        early_cltv = spend_script(cltv, cltv_prev, sequence=0xFFFFFFFE, locktime=cltv_height)
        assert await refusal(backend, early_cltv) == (-26, "non-final")
        short_cltv = spend_script(cltv, cltv_prev, sequence=0xFFFFFFFE, locktime=tip)
        assert await refusal(backend, short_cltv) == (
            -26, "mandatory-script-verify-flag-failed (Locktime requirement not satisfied)")

        await backend.mine(delay - 1, MINER.address)  # the funding block plus 4
        assert await backend.broadcast(early_csv) == early_csv.txid
        assert await refusal(backend, early_cltv) == (-26, "non-final")
        await backend.mine(1, MINER.address)  # tip = cltv_height: final for the next block
        assert await backend.broadcast(early_cltv) == early_cltv.txid
        await backend.mine(1, MINER.address)
        for tx, depth in ((early_csv, 2), (early_cltv, 1)):
            status = await backend.get_transaction(tx.txid)
            assert status is not None and status.confirmations == depth
        assert await backend.rpc.call("getrawmempool") == []

    run(tmp_path, scenario)


def test_package_over_rpc(tmp_path: Path) -> None:
    async def scenario(served: ServedChain, backend: BitcoindBackend) -> None:
        [(op, amount)] = await fund(backend, 1)
        parent = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount, KEY.script_pubkey)], version=3)
        child = spend_p2wpkh(KEY, [(parent.outpoint(0), amount)],
                             [TxOut(amount - 4000, KEY.script_pubkey)], version=3)
        code, message = await refusal(backend, parent)
        assert code == -26 and message.startswith("min relay fee not met, 0 < ")
        result = await backend.broadcast_package([parent, child])
        assert result.ok and [r.accepted for r in result.txs] == [True, True]
        assert result.txs[1].fee == 4000
        raw = await backend.rpc.call("getmempoolentry", child.txid_hex)
        assert raw["ancestorcount"] == 2 and raw["depends"] == [parent.txid_hex]
        [block_hash] = await backend.mine(1, MINER.address)
        block = await backend.get_block(block_hash)
        assert [t.txid for t in block.txs[1:]] == [parent.txid, child.txid]
        with pytest.raises(BroadcastError) as info:
            await backend.broadcast_package([child, parent])
        assert info.value.code == -25

    run(tmp_path, scenario)


def test_rejected_block_never_becomes_tip(tmp_path: Path) -> None:
    seen: dict[str, bytes] = {}

    async def scenario(served: ServedChain, backend: BitcoindBackend) -> None:
        await backend.mine(3, MINER.address)
        tip = await backend.get_tip()
        prev = await backend.get_block(tip.block_hash)
        height = tip.height + 1
        t = prev.header.time + 1
        greedy = assemble_block(tip.block_hash, height, t, [], MINER.script_pubkey,
                                block_subsidy(height) + 1)
        assert await backend.rpc.call("submitblock", greedy.to_hex()) == "rejected"
        assert await backend.get_tip() == tip
        assert await backend.rpc.call("submitblock", greedy.to_hex()) == "duplicate-invalid"
        bad_root = Block(BlockHeader(greedy.header.version, tip.block_hash, b"\x01" * 32, t,
                                     greedy.header.bits, 0).grind(), greedy.txs)
        assert await backend.rpc.call("submitblock", bad_root.to_hex()) == "bad-txnmrklroot"
        orphan = assemble_block(b"\x07" * 32, height, t, [], MINER.script_pubkey, 1)
        assert await backend.rpc.call("submitblock", orphan.to_hex()) == "prev-blk-not-found"
        honest = assemble_block(tip.block_hash, height, t, [], MINER.script_pubkey,
                                block_subsidy(height))
        assert await backend.rpc.call("submitblock", honest.to_hex()) is None
        assert (await backend.get_tip()).block_hash == honest.hash
        seen.update(greedy=greedy.hash, honest=honest.hash)

    run(tmp_path, scenario)
    # the refused block is remembered across restarts and stays out of the chain
    again = DevChain(tmp_path / "chain")
    try:
        assert again.tip.hash == seen["honest"]
        info = again.block_info(seen["greedy"])
        assert info is not None and info.invalid
    finally:
        again.close()


async def _post(url: str, body: Any, password: str | None = None) -> tuple[int, Any]:
    base, _, hostport = url.rpartition("@")
    user, real_password = base.removeprefix("http://").split(":", 1)
    token = base64.b64encode(f"{user}:{password or real_password}".encode()).decode()
    async with aiohttp.ClientSession() as session, session.post(
            f"http://{hostport}/", data=json.dumps(body),
            headers={"Authorization": f"Basic {token}"}) as resp:
        text = await resp.text()
        return resp.status, json.loads(text, parse_float=Decimal) if text else None


def test_rpc_shapes(tmp_path: Path) -> None:
    async def scenario(served: ServedChain, backend: BitcoindBackend) -> None:
        call = backend.rpc.call
        [(op, amount)] = await fund(backend, 1)
        info = await call("getblockchaininfo")
        assert info["chain"] == "regtest" and info["blocks"] == 101
        assert info["bestblockhash"] == await call("getbestblockhash")
        assert await call("getblockcount") == 101
        h1 = await call("getblockhash", 1)
        header = await call("getblockheader", h1)
        assert header["height"] == 1 and header["confirmations"] == 101
        assert header["nextblockhash"] == await call("getblockhash", 2)
        assert len(await call("getblockheader", h1, False)) == 160
        block1 = await call("getblock", h1)
        assert block1["tx"][0] == (await backend.get_block(bytes.fromhex(h1)[::-1])).txs[0].txid_hex
        block2 = await call("getblock", h1, 2)
        vout = block2["tx"][0]["vout"][0]
        assert vout["value"] == Decimal("50.00000000")
        assert vout["scriptPubKey"]["address"] == KEY.address
        assert vout["scriptPubKey"]["type"] == "witness_v0_keyhash"
        assert vout["scriptPubKey"]["desc"].startswith(f"addr({KEY.address})#")
        assert Block.from_hex(await call("getblock", h1, 0)).hash_hex == h1

        tx = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount - 1000, MINER.script_pubkey)])
        await backend.broadcast(tx)
        assert await call("getrawmempool") == [tx.txid_hex]
        verbose = await call("getrawmempool", True)
        assert verbose[tx.txid_hex]["fees"]["base"] == Decimal("0.00001000")
        assert verbose[tx.txid_hex]["vsize"] == tx.vsize()
        assert await backend.get_txout(op, include_mempool=True) is None
        assert (await backend.get_txout(op, include_mempool=False)) is not None
        mem_out = await backend.get_txout(tx.outpoint(0))
        assert mem_out is not None and mem_out.confirmations == 0
        raw = await call("getrawtransaction", tx.txid_hex, True)
        assert raw["txid"] == tx.txid_hex and "blockhash" not in raw
        await backend.mine(1, MINER.address)
        raw = await call("getrawtransaction", tx.txid_hex, 2)
        assert raw["confirmations"] == 1 and raw["fee"] == Decimal("0.00001000")
        assert raw["vin"][0]["prevout"]["value"] == Decimal("50.00000000")
        with pytest.raises(RpcError) as err:
            await call("getmempoolentry", tx.txid_hex)
        assert (err.value.code, err.value.message) == (-5, "Transaction not in mempool")
        with pytest.raises(RpcError) as err:
            await call("getblockhash", 1000)
        assert (err.value.code, err.value.message) == (-8, "Block height out of range")
        with pytest.raises(RpcError) as err:
            await call("getrawtransaction", "ab" * 32)
        assert err.value.code == -5
        with pytest.raises(RpcError) as err:
            await call("generatetoaddress", 1, "bc1qnotregtest")
        assert (err.value.code, err.value.message) == (-5, "Error: Invalid address")

        spare = spend_p2wpkh(MINER, [((await backend.get_block(bytes.fromhex(h1)[::-1])).txs[0]
                                      .outpoint(0), 0)], [TxOut(1, MINER.script_pubkey)])
        with pytest.raises(RpcError) as err:
            await call("generateblock", KEY.address, [spare.to_hex()])
        assert err.value.code == -25  # that coinbase is KEY's: the kernel refuses the block
        made = await call("generateblock", KEY.address, [])
        assert made["hash"] == await call("getbestblockhash")

        fee = await call("estimatesmartfee", 6)
        assert fee == {"feerate": Decimal("0.00001000"), "blocks": 6}
        assert backend.feerate_sat_per_kw(6) == 253
        await call("setfeeestimate", 20_000)
        assert await backend.estimate_feerate(3) == 5000
        net = await backend.get_network_info()
        assert net["version"] >= 280000 and "subversion" in net
        assert await call("uptime") >= 0

        # the HTTP face: auth, JSON-RPC 1.0 and 2.0 errors, named parameters, batches
        status, _ = await _post(served.url, {"method": "getblockcount"}, "wrong")
        assert status == 401
        status, body = await _post(served.url, {"jsonrpc": "2.0", "id": 7, "method": "nope"})
        assert status == 200 and body == {"jsonrpc": "2.0", "error": {
            "code": -32601, "message": "Method not found"}, "id": 7}
        status, body = await _post(served.url, {"id": 1, "method": "nope"})
        assert status == 404 and body["error"]["code"] == -32601 and body["result"] is None
        status, body = await _post(served.url, {"id": 2, "method": "getblockhash",
                                                "params": {"height": 0}})
        assert status == 200 and body["result"] == await call("getblockhash", 0)
        status, body = await _post(served.url, [{"id": 1, "method": "getblockcount"},
                                                {"id": 2, "method": "getblockhash",
                                                 "params": [5000]}])
        assert status == 200 and body[0]["result"] == 103 and body[1]["error"]["code"] == -8

    run(tmp_path, scenario)


def test_run_standalone_writes_url_and_stops(tmp_path: Path) -> None:
    from amiko.chain.devchain import run_standalone

    async def main() -> None:
        task = asyncio.create_task(run_standalone(str(tmp_path), 0))
        url_file = tmp_path / "rpc_url"
        for _ in range(250):
            if url_file.exists():
                break
            await asyncio.sleep(0.02)
        url = url_file.read_text().strip()
        assert url.startswith("http://amiko:")
        backend = BitcoindBackend(url)
        try:
            assert await backend.rpc.call("getblockcount") == 0
            assert await backend.rpc.call("stop") == "Bitcoin Core stopping"
        finally:
            await backend.stop()
        await asyncio.wait_for(task, 10)
        assert not url_file.exists()

    asyncio.run(main())
