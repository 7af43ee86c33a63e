"""The funding output of an announced channel, found on chain from its `short_channel_id`.

# BOLT #7: if the `short_channel_id`'s output does NOT correspond to a P2WSH (using
# `bitcoin_key_1` and `bitcoin_key_2`, as specified in BOLT #3) OR the output is spent:
# MUST ignore the message.

`FundingLookup` gathers the chain facts (block height -> transaction -> output, and whether
it is unspent); the gossiper core judges them (`judge`). Lookups of one block share one
block fetch; against bitcoind (or the dev chain) only the block's txid list is fetched,
then `gettxout`. Facts that cannot change without a reorg (no such output, spent) are
cached; an unspent output is always asked again.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from amiko.bitcoin.block import Block
from amiko.bitcoin.script import p2wsh
from amiko.bitcoin.tx import OutPoint, Transaction
from amiko.chain.interfaces import TxOutInfo
from amiko.channels.bolt.scripts import funding_script
from amiko.wire.types import scid_parts

log = logging.getLogger("amiko.gossip")


@dataclass(frozen=True, slots=True)
class FundingFacts:
    scid: int
    found: bool = False  # the block, the transaction and the output exist
    txid: bytes = b""
    value_sat: int = 0
    script_pubkey: bytes = b""
    unspent: bool = False
    confirmations: int = 0
    error: str = ""  # the lookup itself failed (chain unreachable): no verdict either way


def expected_script(bitcoin_key_1: bytes, bitcoin_key_2: bytes) -> bytes:
    """# BOLT #3: The funding output script is a P2WSH to: `2 <pubkey1> <pubkey2> 2
    # OP_CHECKMULTISIG` (keys in lexicographic order)."""
    return p2wsh(funding_script(bitcoin_key_1, bitcoin_key_2))


class FundingChain(Protocol):
    async def get_block_at(self, height: int) -> Block | None: ...

    async def get_block_hash(self, height: int) -> bytes | None: ...

    async def get_txout(self, outpoint: OutPoint, include_mempool: bool = True) -> TxOutInfo | None: ...


class FundingLookup:
    def __init__(self, chain: FundingChain, *, cache_size: int = 200_000, blocks_cached: int = 16) -> None:
        self.chain = chain
        self.cache_size = cache_size
        self.blocks_cached = blocks_cached
        self._final: OrderedDict[int, FundingFacts] = OrderedDict()  # not found / spent
        self._txids: OrderedDict[int, tuple[bytes, list[bytes]]] = OrderedDict()  # height -> (hash, txids)
        self.rpc_calls = 0

    def forget_from(self, height: int) -> None:
        """A reorg from `height` on: facts about those blocks no longer hold."""
        for scid in [s for s in self._final if s >> 40 >= height]:
            del self._final[scid]
        for h in [h for h in self._txids if h >= height]:
            del self._txids[h]

    async def lookup(self, scids: Sequence[int]) -> list[FundingFacts]:
        """Facts for each scid (in order). Never raises: failures come back as `error`."""
        by_height: dict[int, list[int]] = {}
        for scid in scids:
            by_height.setdefault(scid >> 40, []).append(scid)
        found: dict[int, FundingFacts] = {}
        for height in sorted(by_height):
            for scid in by_height[height]:
                cached = self._final.get(scid)
                if cached is not None:
                    found[scid] = cached
                    continue
                try:
                    facts = await self._one(scid)
                except Exception as exc:  # chain unreachable, RPC error: no verdict
                    log.debug("funding lookup of %d failed: %s", scid, exc)
                    facts = FundingFacts(scid, error=f"{type(exc).__name__}: {exc}")
                if not facts.error and not facts.unspent:
                    self._final[scid] = facts
                    if len(self._final) > self.cache_size:
                        self._final.popitem(last=False)
                found[scid] = facts
        return [found[s] for s in scids]

    async def _one(self, scid: int) -> FundingFacts:
        height, tx_index, out_index = scid_parts(scid)
        rpc = getattr(self.chain, "rpc", None)
        if rpc is not None and callable(getattr(rpc, "call", None)):
            return await self._via_rpc(rpc, scid, height, tx_index, out_index)
        block = await self.chain.get_block_at(height)
        if block is None or tx_index >= len(block.txs):
            return FundingFacts(scid)
        tx = block.txs[tx_index]
        if out_index >= len(tx.outputs):
            return FundingFacts(scid)
        return await self._with_output(scid, tx, out_index)

    async def _with_output(self, scid: int, tx: Transaction, out_index: int) -> FundingFacts:
        out = tx.outputs[out_index]
        txout = await self.chain.get_txout(tx.outpoint(out_index), include_mempool=False)
        return FundingFacts(
            scid, True, tx.txid, out.value, out.script_pubkey,
            unspent=txout is not None, confirmations=0 if txout is None else txout.confirmations,
        )

    async def _via_rpc(self, rpc: Any, scid: int, height: int, tx_index: int, out_index: int) -> FundingFacts:
        entry = self._txids.get(height)
        if entry is None:
            block_hash = await self.chain.get_block_hash(height)
            if block_hash is None:
                return FundingFacts(scid)
            self.rpc_calls += 1
            info = await rpc.call("getblock", block_hash[::-1].hex(), 1)
            entry = (block_hash, [bytes.fromhex(t)[::-1] for t in info["tx"]])
            self._txids[height] = entry
            if len(self._txids) > self.blocks_cached:
                self._txids.popitem(last=False)
        block_hash, txids = entry
        if tx_index >= len(txids):
            return FundingFacts(scid)
        txid = txids[tx_index]
        self.rpc_calls += 1
        txout = await self.chain.get_txout(OutPoint(txid, out_index), include_mempool=False)
        if txout is not None:
            return FundingFacts(scid, True, txid, txout.value, txout.script_pubkey, True, txout.confirmations)
        # Spent, or no such output: the transaction tells (no -txindex needed with the block).
        self.rpc_calls += 1
        raw = await rpc.call("getrawtransaction", txid[::-1].hex(), 0, block_hash[::-1].hex())
        tx = Transaction.from_hex(raw)
        if out_index >= len(tx.outputs):
            return FundingFacts(scid)
        out = tx.outputs[out_index]
        return FundingFacts(scid, True, txid, out.value, out.script_pubkey, unspent=False)
