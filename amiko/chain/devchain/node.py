"""DevChain: the embedded regtest chain. Glues the kernel (validity, active chain), the
chainstate mirror (UTXO set, indexes), the mempool, block assembly and the block log.

Synchronous and single-threaded; the RPC server calls it from the event loop.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from amiko.bitcoin.block import Block
from amiko.bitcoin.tx import OutPoint, Transaction, TxDecodeError
from amiko.chain import rpc_errors as E
from amiko.chain.devchain import store
from amiko.chain.devchain.chainstate import BlockInfo, Chainstate, ChainstateError, TipChange
from amiko.chain.devchain.kernel import Kernel
from amiko.chain.devchain.mempool import (
    AcceptResult,
    Coin,
    Mempool,
    MempoolPolicy,
    PackageAcceptResult,
)
from amiko.chain.devchain.miner import build_block as _build_block
from amiko.chain.devchain.miner import select_transactions
from amiko.chain.devchain.scripts import ScriptVerifier

log = logging.getLogger(__name__)

# Core's DEFAULT_MAX_RAW_TX_FEE_RATE for sendrawtransaction/testmempoolaccept: 0.10 BTC/kvB.
DEFAULT_MAX_FEE_RATE = 10_000_000  # sat/kvB


class DevChainError(Exception):
    """A refusal with Bitcoin Core's RPC error code and message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{message} (code {code})")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class FoundTx:
    tx: Transaction
    block: BlockInfo | None  # None: in the mempool
    in_active_chain: bool


class DevChain:
    """A regtest chain in `datadir`, validated by libbitcoinkernel.

    `fee_estimate` is what estimatesmartfee answers, in sat/kvB. The time is the system's,
    or `mocktime` when set (the setmocktime RPC), as in Core; the kernel itself still refuses
    blocks more than two hours ahead of the system clock.
    """

    def __init__(self, datadir: str | Path, *, policy: MempoolPolicy | None = None,
                 fee_estimate: int = 1000, fsync: bool = False) -> None:
        self.datadir = Path(datadir)
        self.datadir.mkdir(parents=True, exist_ok=True)
        self.fee_estimate = fee_estimate
        self.mocktime = 0
        self.started = time.time()
        self._log = store.BlockLog(self.datadir / "blocks.log", fsync=fsync)
        self.kernel = Kernel(self.datadir / "kernel")
        self.chain = Chainstate(Block.parse(self.kernel.genesis()))
        self.mempool = Mempool(self.chain, ScriptVerifier().verify, policy)
        self._load()

    # -- start and stop ---------------------------------------------------------------------

    def _load(self) -> None:
        for kind, payload in self._log.records():
            if kind == store.BLOCK:
                block = Block.parse(payload)
                if block.header.prev_hash in self.chain.blocks:
                    self.chain.add_block(block)
            elif payload in self.chain.blocks:
                info = self.chain.blocks[payload]
                if kind == store.INVALID:
                    info.invalid = True
                elif kind == store.INVALIDATED:
                    info.invalidated = True
                elif kind == store.RECONSIDERED:
                    self._clear_invalidated(payload)
        expected = self.chain.best_candidate()
        if self.kernel.tip_hash() != expected.hash:
            log.info("kernel chainstate differs from the block log: replaying")
            self._rebuild_kernel()
        try:
            self.chain.follow(self.kernel.height(), self.kernel.hash_at)
        except ChainstateError:
            log.warning("kernel chainstate inconsistent: replaying")
            self._rebuild_kernel()
            self.chain.follow(self.kernel.height(), self.kernel.hash_at)

    def close(self) -> None:
        self.kernel.close()
        self._log.close()

    # -- time ---------------------------------------------------------------------------------

    def now(self) -> int:
        return self.mocktime or int(time.time())

    # -- chain queries ----------------------------------------------------------------------

    @property
    def height(self) -> int:
        return self.chain.height

    @property
    def tip(self) -> BlockInfo:
        return self.chain.tip

    def block_info(self, block_hash: bytes) -> BlockInfo | None:
        return self.chain.blocks.get(block_hash)

    def block_hash(self, height: int) -> bytes | None:
        if 0 <= height <= self.chain.height:
            return self.chain.active[height]
        return None

    def get_coin(self, outpoint: OutPoint, include_mempool: bool = False) -> Coin | None:
        """An unspent output (gettxout): with `include_mempool`, outputs of mempool
        transactions count and outputs spent by them do not."""
        if include_mempool:
            if outpoint in self.mempool.spenders:
                return None
            coin = self.mempool.mempool_coin(outpoint)
            if coin is not None:
                return coin
        return self.chain.get_coin(outpoint)

    def find_transaction(self, txid: bytes) -> FoundTx | None:
        entry = self.mempool.get(txid)
        if entry is not None:
            return FoundTx(entry.tx, None, False)
        found = self.chain.find_tx(txid)
        if found is None:
            return None
        tx, info = found
        return FoundTx(tx, info, self.chain.in_active_chain(info.hash))

    # -- blocks -----------------------------------------------------------------------------

    def submit_block(self, block: Block) -> str | None:
        """submitblock: None when accepted, else a BIP22 answer ("duplicate",
        "duplicate-invalid", "inconclusive", "prev-blk-not-found", "high-hash",
        "bad-txnmrklroot", "rejected")."""
        h = block.hash
        known = self.chain.blocks.get(h)
        if known is not None:
            return "duplicate-invalid" if known.invalid else "duplicate"
        parent = self.chain.blocks.get(block.header.prev_hash)
        if parent is None:
            return "prev-blk-not-found"
        if not block.header.check_pow():
            return "high-hash"
        if not block.check_merkle_root():
            return "bad-txnmrklroot"
        if not self.chain.eligible_parent(parent):
            return "bad-prevblk"
        raw = block.serialize()
        self._log.append(store.BLOCK, raw)
        info = self.chain.add_block(block)
        verdict = self.kernel.process(raw, h)
        for checked_hash, valid in verdict.checked.items():
            if not valid and checked_hash in self.chain.blocks:
                self.chain.blocks[checked_hash].invalid = True
                self._log.append(store.INVALID, checked_hash)
        if not verdict.accepted:
            info.invalid = True
            self._log.append(store.INVALID, h)
        self._follow_kernel()
        if info.invalid:
            return "rejected"
        if not self.chain.in_active_chain(h) and verdict.checked.get(h) is None:
            return "inconclusive"
        return None

    def _follow_kernel(self) -> TipChange:
        change = self.chain.follow(self.kernel.height(), self.kernel.hash_at)
        if change:
            self._update_mempool(change)
        return change

    def _update_mempool(self, change: TipChange) -> None:
        if not change.disconnected:
            for info in change.connected:
                self.mempool.remove_for_block(info.block.txs[1:])
            return
        # MaybeUpdateMempoolForReorg: transactions of disconnected blocks go back (without fee
        # floors), then what was in the mempool; whatever no longer fits is dropped.
        old = self.mempool.clear()
        now = self.now()
        for info in reversed(change.disconnected):
            for tx in info.block.txs[1:]:
                self.mempool.accept(tx, now, bypass_limits=True)
        for entry in old:
            self.mempool.accept(entry.tx, entry.time, bypass_limits=True)

    def generate(self, n: int, script_pubkey: bytes,
                 max_tries: int = 1_000_000) -> list[bytes]:
        """generatetoaddress: mine `n` blocks on the tip with mempool transactions."""
        hashes = []
        for _ in range(n):
            entries = select_transactions(self.mempool)
            block = self.build_block(script_pubkey, [e.tx for e in entries],
                                     sum(e.fee for e in entries))
            result = self.submit_block(block)
            if result is not None:
                raise DevChainError(E.RPC_INTERNAL_ERROR, f"ProcessNewBlock, block not accepted: "
                                                          f"{result}")
            hashes.append(block.hash)
        return hashes

    def generate_block(self, script_pubkey: bytes, txs: Sequence[Transaction],
                       submit: bool = True) -> Block:
        """generateblock: a block with exactly `txs` (in this order)."""
        fees = 0
        created: dict[OutPoint, int] = {}
        for tx in txs:
            value_in = 0
            for txin in tx.inputs:
                coin = self.chain.get_coin(txin.prevout)
                value_in += coin.output.value if coin else created.get(txin.prevout, 0)
            fees += value_in - sum(o.value for o in tx.outputs)
            created.update({tx.outpoint(k): o.value for k, o in enumerate(tx.outputs)})
        block = self.build_block(script_pubkey, txs, max(fees, 0))
        if submit:
            result = self.submit_block(block)
            if result is not None:
                raise DevChainError(E.RPC_VERIFY_ERROR, f"TestBlockValidity failed: {result}")
        return block

    def build_block(self, script_pubkey: bytes, txs: Sequence[Transaction], fees: int) -> Block:
        tip = self.chain.tip
        height = tip.height + 1
        # UpdateTime: max(median time past + 1, now); never behind the previous block.
        t = max(self.chain.median_time_past(tip.height) + 1, self.now(), tip.block.header.time)
        return _build_block(tip.hash, height, t, txs, fees, script_pubkey, os.urandom(4))

    def invalidate_block(self, block_hash: bytes) -> None:
        info = self.chain.blocks.get(block_hash)
        if info is None:
            raise DevChainError(E.RPC_INVALID_ADDRESS_OR_KEY, E.MSG_BLOCK_NOT_FOUND)
        if info.height == 0:
            raise DevChainError(E.RPC_DATABASE_ERROR, "Cannot invalidate the genesis block")
        info.invalidated = True
        self._log.append(store.INVALIDATED, block_hash)
        self._rebuild_kernel()
        self._follow_kernel()

    def reconsider_block(self, block_hash: bytes) -> None:
        if block_hash not in self.chain.blocks:
            raise DevChainError(E.RPC_INVALID_ADDRESS_OR_KEY, E.MSG_BLOCK_NOT_FOUND)
        self._clear_invalidated(block_hash)
        self._log.append(store.RECONSIDERED, block_hash)
        self._rebuild_kernel()
        self._follow_kernel()

    def _clear_invalidated(self, block_hash: bytes) -> None:
        """ResetBlockFailureFlags: the block, its descendants and its ancestors."""
        for h in (block_hash, *self.chain.descendants(block_hash),
                  *self.chain.ancestors(block_hash)):
            self.chain.blocks[h].invalidated = False

    def _rebuild_kernel(self) -> None:
        """Wipe the kernel's chainstate and feed it every block we still want, in arrival
        order (so equal-work ties resolve as they did)."""
        self.kernel.wipe()
        for info in self.chain.replay_order():
            verdict = self.kernel.process(info.block.serialize(), info.hash)
            for checked_hash, valid in verdict.checked.items():
                if not valid and checked_hash in self.chain.blocks:
                    self.chain.blocks[checked_hash].invalid = True
                    self._log.append(store.INVALID, checked_hash)

    # -- transactions ---------------------------------------------------------------------------

    def send_raw_transaction(self, tx: Transaction,
                             max_fee_rate: int = DEFAULT_MAX_FEE_RATE) -> bytes:
        """sendrawtransaction / BroadcastTransaction: the txid, or DevChainError with Core's
        code and message."""
        for k in range(len(tx.outputs)):
            if self.chain.get_coin(OutPoint(tx.txid, k)) is not None:
                raise DevChainError(E.RPC_VERIFY_ALREADY_IN_CHAIN, E.MSG_ALREADY_IN_UTXO_SET)
        if tx.txid in self.mempool:
            return tx.txid
        if max_fee_rate > 0:
            test = self.mempool.accept(tx, self.now(), test_only=True)
            self._raise_for(test)
            if test.fee * 1000 > max_fee_rate * test.vsize:
                raise DevChainError(E.RPC_VERIFY_ERROR, E.MSG_MAX_FEE_EXCEEDED)
        result = self.mempool.accept(tx, self.now())
        self._raise_for(result)
        return tx.txid

    @staticmethod
    def _raise_for(result: AcceptResult) -> None:
        """HandleATMPError: missing inputs are -25, other refusals -26."""
        if result.ok:
            return
        assert result.reject is not None
        code = (E.RPC_VERIFY_ERROR if result.reject.result == "TX_MISSING_INPUTS"
                else E.RPC_VERIFY_REJECTED)
        raise DevChainError(code, str(result.reject))

    def test_mempool_accept(self, txs: Sequence[Transaction]) -> list[AcceptResult | None]:
        return self.mempool.test_accept_many(txs)

    def submit_package(self, txs: Sequence[Transaction]) -> PackageAcceptResult:
        return self.mempool.accept_package(txs, self.now())


def parse_tx_hex(hex_str: str) -> Transaction:
    """DecodeHexTx, with Core's error for anything that does not parse."""
    try:
        return Transaction.from_hex(hex_str)
    except (TxDecodeError, ValueError) as e:
        raise DevChainError(E.RPC_DESERIALIZATION_ERROR, E.MSG_TX_DECODE_FAILED) from e
