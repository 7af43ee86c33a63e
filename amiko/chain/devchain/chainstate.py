"""The dev chain's view of the block tree, the active chain and its UTXO set.

It mirrors libbitcoinkernel's chainstate (kernel.py), which decides validity and which chain
is active; this module only follows: the node asks the kernel for its active chain and calls
`follow` with it, which disconnects and connects blocks here (with undo data, so a reorg
restores spent coins) and reports what changed. Also a transaction index over every known
block (Core's -txindex). No I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from amiko.bitcoin.block import Block, block_work
from amiko.bitcoin.tx import OutPoint, Transaction
from amiko.chain.devchain.mempool import Coin
from amiko.chain.devchain.policy import is_unspendable


@dataclass(slots=True)
class BlockInfo:
    block: Block
    height: int
    chainwork: int
    sequence: int  # arrival order: the kernel breaks equal-work ties by it (first seen wins)
    invalid: bool = False  # the kernel found it invalid
    invalidated: bool = False  # invalidateblock
    size: int = 0
    weight: int = 0

    @property
    def hash(self) -> bytes:
        return self.block.hash

    @property
    def prev(self) -> bytes:
        return self.block.header.prev_hash


@dataclass(slots=True)
class TipChange:
    disconnected: list[BlockInfo] = field(default_factory=list)  # old tip first
    connected: list[BlockInfo] = field(default_factory=list)  # lowest first

    def __bool__(self) -> bool:
        return bool(self.disconnected or self.connected)


class ChainstateError(Exception):
    """The kernel's chain and ours disagree in a way that replay must repair."""


class Chainstate:
    def __init__(self, genesis: Block) -> None:
        self.blocks: dict[bytes, BlockInfo] = {}
        self.children: dict[bytes, list[bytes]] = {}
        self.active: list[bytes] = []
        self.utxos: dict[OutPoint, Coin] = {}
        self.undo: dict[bytes, list[tuple[OutPoint, Coin]]] = {}
        self.txindex: dict[bytes, list[bytes]] = {}  # txid -> hashes of blocks holding it
        self._mtp: list[int] = []
        self._sequence = 0
        info = self.add_block(genesis)
        self._connect(info)

    # -- the block tree ---------------------------------------------------------------------

    def add_block(self, block: Block) -> BlockInfo:
        """Index a block whose parent is known (or the genesis block)."""
        h = block.hash
        existing = self.blocks.get(h)
        if existing is not None:
            return existing
        parent = self.blocks.get(block.header.prev_hash)
        height = parent.height + 1 if parent is not None else 0
        work = (parent.chainwork if parent is not None else 0) + block_work(block.header.bits)
        self._sequence += 1
        info = BlockInfo(block, height, work, self._sequence, size=block.size(),
                         weight=block.weight())
        self.blocks[h] = info
        self.children.setdefault(block.header.prev_hash, []).append(h)
        for tx in block.txs:
            self.txindex.setdefault(tx.txid, []).append(h)
        return info

    def descendants(self, block_hash: bytes) -> Iterator[bytes]:
        todo = list(self.children.get(block_hash, []))
        while todo:
            h = todo.pop()
            yield h
            todo.extend(self.children.get(h, []))

    def ancestors(self, block_hash: bytes) -> Iterator[bytes]:
        info = self.blocks.get(block_hash)
        while info is not None and info.height > 0:
            yield info.prev
            info = self.blocks.get(info.prev)

    def excluded(self) -> set[bytes]:
        """Blocks that are, or descend from, an invalid or invalidated block."""
        out: set[bytes] = set()
        for h, info in self.blocks.items():
            if (info.invalid or info.invalidated) and h not in out:
                out.add(h)
                out.update(self.descendants(h))
        return out

    def eligible_parent(self, info: BlockInfo) -> bool:
        """May a new block build on `info`? Not if it or an ancestor is (in)validated away."""
        node = info
        while not self.in_active_chain(node.hash):
            if node.invalid or node.invalidated:
                return False
            node = self.blocks[node.prev]
        return True

    def best_candidate(self) -> BlockInfo:
        """The tip the kernel should have: most work, then first seen."""
        excluded = self.excluded()
        best = self.blocks[self.active[0]]
        for h, info in self.blocks.items():
            if (info.chainwork, -info.sequence) > (best.chainwork, -best.sequence) \
                    and h not in excluded:
                best = info
        return best

    def replay_order(self) -> list[BlockInfo]:
        """Every eligible block but the genesis, in arrival order."""
        excluded = self.excluded()
        return sorted((i for h, i in self.blocks.items() if i.height > 0 and h not in excluded),
                      key=lambda i: i.sequence)

    # -- the active chain -------------------------------------------------------------------

    @property
    def height(self) -> int:
        return len(self.active) - 1

    @property
    def tip(self) -> BlockInfo:
        return self.blocks[self.active[-1]]

    def in_active_chain(self, block_hash: bytes) -> bool:
        info = self.blocks.get(block_hash)
        return info is not None and info.height < len(self.active) \
            and self.active[info.height] == block_hash

    def median_time_past(self, height: int) -> int:
        """GetMedianTimePast of the active block at `height`: median of its last 11 times."""
        return self._mtp[height]

    def get_coin(self, outpoint: OutPoint) -> Coin | None:
        return self.utxos.get(outpoint)

    def follow(self, kernel_height: int, kernel_hash_at: Callable[[int], bytes]) -> TipChange:
        """Make our active chain the kernel's."""
        change = TipChange()
        h = min(self.height, kernel_height)
        while h > 0 and self.active[h] != kernel_hash_at(h):
            h -= 1
        while self.height > h:
            change.disconnected.append(self._disconnect())
        for height in range(h + 1, kernel_height + 1):
            block_hash = kernel_hash_at(height)
            info = self.blocks.get(block_hash)
            if info is None:
                raise ChainstateError(f"kernel connected unknown block {block_hash[::-1].hex()}")
            self._connect(info)
            change.connected.append(info)
        return change

    def _connect(self, info: BlockInfo) -> None:
        undo: list[tuple[OutPoint, Coin]] = []
        height = len(self.active)
        for tx in info.block.txs:
            if not tx.is_coinbase():
                for txin in tx.inputs:
                    coin = self.utxos.pop(txin.prevout, None)
                    if coin is None:
                        raise ChainstateError(f"missing coin {txin.prevout}")
                    undo.append((txin.prevout, coin))
            self._add_outputs(tx, height)
        self.undo[info.hash] = undo
        self.active.append(info.hash)
        times = sorted(self.blocks[h].block.header.time for h in self.active[-11:])
        self._mtp.append(times[len(times) // 2])

    def _add_outputs(self, tx: Transaction, height: int) -> None:
        coinbase = tx.is_coinbase()
        txid = tx.txid
        for k, out in enumerate(tx.outputs):
            if not is_unspendable(out.script_pubkey):
                self.utxos[OutPoint(txid, k)] = Coin(out, height, coinbase)

    def _disconnect(self) -> BlockInfo:
        info = self.blocks[self.active.pop()]
        self._mtp.pop()
        for tx in info.block.txs:
            for k in range(len(tx.outputs)):
                self.utxos.pop(OutPoint(tx.txid, k), None)
        for outpoint, coin in self.undo.pop(info.hash):
            self.utxos[outpoint] = coin
        return info

    # -- the transaction index ----------------------------------------------------------------

    def find_tx(self, txid: bytes) -> tuple[Transaction, BlockInfo] | None:
        """A transaction in a known block: the active chain's first, else a stale block's."""
        hashes = self.txindex.get(txid, [])
        ordered = sorted(hashes, key=lambda h: not self.in_active_chain(h))
        for h in ordered:
            info = self.blocks[h]
            for tx in info.block.txs:
                if tx.txid == txid:
                    return tx, info
        return None

    def spent_outputs(self, block_hash: bytes) -> list[Coin] | None:
        """The coins an active block spent, in input order (Core's undo data)."""
        undo = self.undo.get(block_hash)
        return None if undo is None else [coin for _, coin in undo]
