"""What the node's upper layers need from a Bitcoin chain: the chain itself, a way to
broadcast, and fee estimates.

Implemented by `amiko.chain.bitcoind.BitcoindBackend` over JSON-RPC, which serves both a real
bitcoind and the embedded dev chain. Hashes and txids are bytes in internal byte order (as
hashed; `OutPoint.txid` is the same); Bitcoin Core displays them reversed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from amiko.bitcoin.block import Block
from amiko.bitcoin.tx import OutPoint, Transaction
from amiko.chain.rpc_errors import is_already_known

# BOLT #3: "feerate_per_kw ... the floor of 253 satoshi per kiloweight" (1 sat/vB rounded up,
# as in Bitcoin Core's 1000 sat/kvB minimum relay fee: 1000 / 4 = 250, plus rounding slack).
FEERATE_FLOOR_SAT_PER_KW = 253


@dataclass(frozen=True, slots=True)
class ChainTip:
    height: int
    block_hash: bytes  # internal byte order


@dataclass(frozen=True, slots=True)
class TxOutInfo:
    """An unspent output as `gettxout` describes it."""

    value: int  # satoshis
    script_pubkey: bytes
    confirmations: int  # 0: created by a mempool transaction
    coinbase: bool
    best_block: bytes


@dataclass(frozen=True, slots=True)
class TxStatus:
    """Where a transaction is: in the mempool (`block_hash` None) or in a block."""

    tx: Transaction
    block_hash: bytes | None
    confirmations: int


class BroadcastError(Exception):
    """A transaction the chain refused, with Bitcoin Core's RPC error code and message
    (e.g. -26 "bad-txns-in-belowout, value in (0.50) < value out (0.60)")."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{message} (code {code})")
        self.code = code
        self.message = message

    @property
    def already_known(self) -> bool:
        """The transaction is already in the mempool or the chain: no need to retry."""
        return is_already_known(self.code, self.message)


@dataclass(frozen=True, slots=True)
class PackageTxResult:
    txid: bytes
    wtxid: bytes
    accepted: bool
    error: str | None
    vsize: int | None
    fee: int | None  # satoshis


@dataclass(frozen=True, slots=True)
class PackageResult:
    """`submitpackage`'s answer: "success" or a package-wide message, and each transaction's."""

    message: str
    txs: tuple[PackageTxResult, ...]
    replaced: tuple[bytes, ...]

    @property
    def ok(self) -> bool:
        return self.message == "success"


@runtime_checkable
class ChainListener(Protocol):
    """Receives the chain's tip changes in order. Across a reorg: first every disconnected
    block from the old tip down to the fork, then every connected block from the fork up."""

    async def block_connected(self, height: int, block: Block) -> None: ...

    async def block_disconnected(self, height: int, block_hash: bytes) -> None: ...


class ChainSource(Protocol):
    @property
    def tip(self) -> ChainTip | None:
        """The tip as of the last delivered event (None before the first sync)."""
        ...

    async def get_tip(self) -> ChainTip: ...

    async def get_block_hash(self, height: int) -> bytes | None: ...

    async def get_block(self, block_hash: bytes) -> Block: ...

    async def get_block_at(self, height: int) -> Block | None: ...

    async def get_transaction(self, txid: bytes) -> TxStatus | None: ...

    async def get_txout(self, outpoint: OutPoint,
                        include_mempool: bool = True) -> TxOutInfo | None: ...

    def subscribe(self, listener: ChainListener) -> None: ...

    def unsubscribe(self, listener: ChainListener) -> None: ...


class Broadcaster(Protocol):
    async def broadcast(self, tx: Transaction) -> bytes:
        """Send `tx` to the network; returns its txid. Raises BroadcastError."""
        ...

    async def broadcast_package(self, txs: list[Transaction]) -> PackageResult:
        """Submit parents and their child together (`submitpackage`). Raises BroadcastError
        for package-wide refusals; per-transaction errors are in the result."""
        ...


class FeeEstimator(Protocol):
    def feerate_sat_per_kw(self, target_blocks: int) -> int:
        """A feerate to confirm within `target_blocks`, never below 253 sat/kw."""
        ...


def btc_per_kvb_to_sat_per_kw(btc_per_kvb: float | str | object) -> int:
    """Bitcoin Core's BTC/kvB (a JSON number) to sat per 1000 weight units: 1 vbyte is
    4 weight units, so sat/kw = sat/kvB / 4. Floored at 253 sat/kw."""
    from decimal import Decimal

    sat_per_kvb = Decimal(str(btc_per_kvb)) * 100_000_000
    return max(FEERATE_FLOOR_SAT_PER_KW, int(sat_per_kvb / 4))
