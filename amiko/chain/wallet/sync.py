"""Keeps the wallet in step with the chain: blocks in order, across reorgs and restarts."""

from __future__ import annotations

import logging

from amiko.bitcoin.block import Block
from amiko.chain.interfaces import ChainSource
from amiko.chain.wallet.wallet import Wallet

log = logging.getLogger("amiko.wallet")


class WalletSync:
    """A `ChainListener` that applies and undoes blocks on the wallet."""

    def __init__(self, wallet: Wallet, chain: ChainSource) -> None:
        self.wallet = wallet
        self.chain = chain

    async def resume_height(self) -> int | None:
        """Undo what the chain no longer holds (a reorg while we were off), then return the
        height the wallet has seen up to; None for a new wallet (it starts at the tip: a
        fresh seed has no history to scan)."""
        while True:
            tip = self.wallet.tip
            if tip is None:
                return None
            height, block_hash = tip
            if await self.chain.get_block_hash(height) == block_hash:
                return height
            log.info("block %d %s left the chain while we were away: undoing it",
                     height, block_hash[::-1].hex())
            self.wallet.undo_block(height, block_hash)

    async def block_connected(self, height: int, block: Block) -> None:
        found = self.wallet.apply_block(height, block.hash, block.txs)
        if found:
            log.info("block %d confirms %d wallet transaction(s)", height, len(found))

    async def block_disconnected(self, height: int, block_hash: bytes) -> None:
        back = self.wallet.undo_block(height, block_hash)
        if back:
            log.info("block %d disconnected: %d wallet transaction(s) unconfirmed", height, len(back))
