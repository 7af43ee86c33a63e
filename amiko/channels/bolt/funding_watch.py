"""Watching funding outputs until their channels are ready, and telling channels the height.

On every block (and at start), each channel waiting for its funding transaction asks the
chain where that output is: `gettxout` gives its confirmations (and that it is unspent
with the right script and amount), the block at that depth gives the transaction's index,
and so the short channel id. This needs no transaction index on bitcoind and finds
confirmations that happened while the node was off.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from amiko.bitcoin.block import Block
from amiko.bitcoin.tx import OutPoint
from amiko.chain.bitcoind import BitcoindBackend
from amiko.wire.types import scid_from_parts

if TYPE_CHECKING:
    from amiko.channels.bolt.driver import BoltDriver

log = logging.getLogger("amiko.channels.bolt")


class FundingWatch:
    """A ChainListener for every Lightning channel's funding and height."""

    def __init__(self, backend: BitcoindBackend) -> None:
        self.backend = backend
        self.watched: dict[int, tuple[BoltDriver, OutPoint, bytes]] = {}  # by driver row id
        self.drivers: dict[int, BoltDriver] = {}
        self._located: dict[OutPoint, tuple[int, int]] = {}  # outpoint -> (height, tx index)
        self.height = 0

    def add_driver(self, driver: BoltDriver) -> None:
        self.drivers[driver.row_id] = driver

    def watch(self, driver: BoltDriver, outpoint: OutPoint, script_pubkey: bytes) -> None:
        self.watched[driver.row_id] = (driver, outpoint, script_pubkey)

    async def block_connected(self, height: int, block: Block) -> None:
        self.height = height
        txids = {tx.txid: i for i, tx in enumerate(block.txs)}
        for _driver, outpoint, _spk in self.watched.values():
            index = txids.get(outpoint.txid)
            if index is not None:
                self._located[outpoint] = (height, index)
        await self.check_all()

    async def block_disconnected(self, height: int, block_hash: bytes) -> None:
        self.height = height - 1
        for outpoint, (h, _i) in list(self._located.items()):
            if h >= height:
                del self._located[outpoint]

    async def check_all(self) -> None:
        for driver in list(self.drivers.values()):
            driver.block_height(self.height)
        for row_id, (driver, outpoint, spk) in list(self.watched.items()):
            try:
                done = await self._check(driver, outpoint, spk)
            except ConnectionError as e:
                log.debug("funding check postponed: %s", e)
                continue
            if done:
                del self.watched[row_id]

    async def _check(self, driver: BoltDriver, outpoint: OutPoint, spk: bytes) -> bool:
        info = await self.backend.get_txout(outpoint, include_mempool=False)
        if info is None:
            return False  # not confirmed yet (or spent: the on-chain watcher handles that)
        if info.script_pubkey != spk or info.value != driver.core.funding_sat:
            log.error("channel %s: funding output %s has the wrong script or amount",
                      driver.channel_id.hex(), outpoint)
            return True
        confirmations = info.confirmations
        located = self._located.get(outpoint)
        if located is None:
            height = self.height - confirmations + 1
            block = await self.backend.get_block_at(height)
            if block is None:
                return False
            index = next((i for i, tx in enumerate(block.txs) if tx.txid == outpoint.txid), None)
            if index is None:
                return False
            located = self._located[outpoint] = (height, index)
        scid = scid_from_parts(located[0], located[1], outpoint.index)
        driver.funding_depth(confirmations, scid)
        return confirmations >= max(driver.core.minimum_depth, 6)
