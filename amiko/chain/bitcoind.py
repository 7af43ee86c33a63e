"""The bitcoind backend: ChainSource, Broadcaster and FeeEstimator over Bitcoin Core's
JSON-RPC. The same code serves a real bitcoind (regtest, signet, testnet, mainnet) and the
embedded dev chain.

It follows the tip by polling `getbestblockhash` and delivers `block_connected` /
`block_disconnected` to subscribers in order, also across reorgs: it keeps the hashes of the
last `history` blocks it delivered and, when the node's chain no longer contains its tip,
walks back with `getblockhash` to the fork, disconnects down to it, then connects up. It
survives bitcoind restarts: failures are retried with backoff and reported in `status`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import logging
import time
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import aiohttp

from amiko.bitcoin.block import Block
from amiko.bitcoin.tx import OutPoint, Transaction
from amiko.chain import rpc_errors as E
from amiko.chain.interfaces import (
    FEERATE_FLOOR_SAT_PER_KW,
    BroadcastError,
    ChainListener,
    ChainTip,
    PackageResult,
    PackageTxResult,
    TxOutInfo,
    TxStatus,
    btc_per_kvb_to_sat_per_kw,
)
from amiko.chain.rpc_errors import RpcError

log = logging.getLogger(__name__)

DEFAULT_FEE_TARGETS = (1, 2, 3, 6, 12, 24, 144, 1008)


class BitcoindUnavailable(ConnectionError):
    """bitcoind could not be reached, refused our credentials, or is still starting."""


def _hex_to_hash(display_hex: str) -> bytes:
    return bytes.fromhex(display_hex)[::-1]


def _sats(btc: Any) -> int:
    return int(Decimal(str(btc)) * 100_000_000)


class BitcoindRpc:
    """A JSON-RPC client for bitcoind. `url`: http://user:password@host:port[/wallet/name];
    without credentials in it, `cookie_file` (bitcoind's .cookie) supplies them, re-read
    after every authentication failure since bitcoind writes a new one when it restarts."""

    def __init__(self, url: str, *, cookie_file: str | Path | None = None,
                 timeout: float = 60.0) -> None:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        self._user = unquote(parts.username or "")
        self._password = unquote(parts.password or "")
        netloc = parts.hostname or "127.0.0.1"
        if ":" in netloc:
            netloc = f"[{netloc}]"
        if parts.port:
            netloc += f":{parts.port}"
        self.endpoint = urlunsplit((parts.scheme or "http", netloc, parts.path or "/", "", ""))
        self.cookie_file = Path(cookie_file) if cookie_file is not None else None
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._session: aiohttp.ClientSession | None = None

    def _auth_header(self) -> str:
        user, password = self._user, self._password
        if not user and self.cookie_file is not None:
            try:
                user, _, password = self.cookie_file.read_text().strip().partition(":")
            except OSError as e:
                raise BitcoindUnavailable(f"cannot read cookie file: {e}") from e
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    async def call(self, method: str, *params: Any) -> Any:
        """The result, or RpcError with bitcoind's code and message; BitcoindUnavailable
        when it cannot be reached or is warming up."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout))
        body = json.dumps({"jsonrpc": "1.0", "id": next(self._ids), "method": method,
                           "params": [_jsonable(p) for p in params]})
        headers = {"Authorization": self._auth_header(), "Content-Type": "application/json"}
        try:
            async with self._session.post(self.endpoint, data=body, headers=headers) as resp:
                if resp.status == 401:
                    raise BitcoindUnavailable("bitcoind refused the RPC credentials (401)")
                text = await resp.text()
        except (TimeoutError, aiohttp.ClientError, OSError) as e:
            raise BitcoindUnavailable(f"{type(e).__name__}: {e}") from e
        try:
            reply = json.loads(text, parse_float=Decimal)
        except ValueError as e:
            raise BitcoindUnavailable(f"HTTP {resp.status}: {text[:200]!r}") from e
        error = reply.get("error") if isinstance(reply, dict) else None
        if error:
            code, message = int(error.get("code", E.RPC_MISC_ERROR)), str(error.get("message"))
            if code == E.RPC_IN_WARMUP:
                raise BitcoindUnavailable(f"bitcoind is starting: {message}")
            raise RpcError(code, message)
        return reply.get("result") if isinstance(reply, dict) else None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


@dataclass(frozen=True, slots=True)
class BackendStatus:
    connected: bool
    last_error: str | None
    tip_height: int | None
    tip_hash: bytes | None
    last_success: float | None  # time.time() of the last answered call


class BitcoindBackend:
    """ChainSource + Broadcaster + FeeEstimator over a bitcoind (or dev chain) RPC."""

    def __init__(self, url: str, *, cookie_file: str | Path | None = None,
                 poll_interval: float = 2.0, max_backoff: float = 10.0, history: int = 288,
                 fallback_feerate: int = 2500,
                 fee_targets: tuple[int, ...] = DEFAULT_FEE_TARGETS) -> None:
        self.rpc = BitcoindRpc(url, cookie_file=cookie_file)
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.fallback_feerate = fallback_feerate  # sat/kw when bitcoind has no estimate
        self.fee_targets = fee_targets
        self._history: deque[tuple[int, bytes]] = deque(maxlen=max(history, 2))
        self._listeners: list[ChainListener] = []
        self._fees: dict[int, int] = {}
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._start_height: int | None = None
        self._connected = False
        self._last_error: str | None = None
        self._last_success: float | None = None

    # -- life cycle ---------------------------------------------------------------------------

    async def start(self, from_height: int | None = None) -> None:
        """Begin following the chain. Without `from_height`, events start after the current
        tip; with it, blocks from `from_height + 1` on are delivered as connected first.
        Tries once at once (errors go to `status`), then polls in the background."""
        self._start_height = from_height
        with contextlib.suppress(BitcoindUnavailable, RpcError):
            await self.sync()
        self._task = asyncio.create_task(self._run(), name="bitcoind-poll")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.rpc.close()

    @property
    def status(self) -> BackendStatus:
        tip = self.tip
        return BackendStatus(self._connected, self._last_error,
                             tip.height if tip else None, tip.block_hash if tip else None,
                             self._last_success)

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await self.sync()
                failures = 0
                delay = self.poll_interval
            except (BitcoindUnavailable, RpcError) as e:
                failures += 1
                delay = min(self.poll_interval * 2 ** min(failures, 10), self.max_backoff)
                log.debug("bitcoind poll failed (%s); retrying in %.1fs", e, delay)
            except Exception:
                failures += 1
                delay = self.max_backoff
                log.exception("bitcoind poll failed unexpectedly")
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    def poke(self) -> None:
        """Poll now instead of at the next interval."""
        self._wake.set()

    async def _call(self, method: str, *params: Any) -> Any:
        try:
            result = await self.rpc.call(method, *params)
        except BitcoindUnavailable as e:
            self._connected = False
            self._last_error = str(e)
            raise
        self._connected = True
        self._last_success = time.time()
        return result

    # -- following the tip --------------------------------------------------------------------

    def subscribe(self, listener: ChainListener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: ChainListener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    @property
    def tip(self) -> ChainTip | None:
        if not self._history:
            return None
        height, block_hash = self._history[-1]
        return ChainTip(height, block_hash)

    async def sync(self) -> None:
        """Catch up with the node's tip now, delivering events; returns when delivered."""
        async with self._lock:
            for _ in range(10):  # the chain may move under us; start over a few times
                try:
                    if await self._sync_once():
                        self._last_error = None
                        return
                except RpcError as e:
                    self._last_error = str(e)
                    if e.code not in (E.RPC_INVALID_PARAMETER, E.RPC_INVALID_ADDRESS_OR_KEY):
                        raise
                    # height out of range or block not found: a reorg raced us; retry

    async def _sync_once(self) -> bool:
        best = _hex_to_hash(await self._call("getbestblockhash"))
        if self._history and self._history[-1][1] == best:
            return True
        header = await self._call("getblockheader", best[::-1].hex())
        new_height = int(header["height"])
        if not self._history:
            if self._start_height is None or self._start_height >= new_height:
                self._history.append((new_height, best))
                await self._refresh_fees()
                return True
            start = max(self._start_height, 0)
            start_hash = _hex_to_hash(await self._call("getblockhash", start))
            self._history.append((start, start_hash))
        fork = await self._find_fork(new_height)
        while self._history and self._history[-1][0] > fork:
            height, block_hash = self._history.pop()
            await self._emit_disconnected(height, block_hash)
        for height in range(fork + 1, new_height + 1):
            block_hash = _hex_to_hash(await self._call("getblockhash", height))
            block = Block.from_hex(await self._call("getblock", block_hash[::-1].hex(), 0))
            if self._history and block.header.prev_hash != self._history[-1][1]:
                return False  # reorganised while we read: find the fork again
            self._history.append((height, block_hash))
            await self._emit_connected(height, block)
        await self._refresh_fees()
        return bool(self._history) and self._history[-1][0] == new_height

    async def _find_fork(self, new_height: int) -> int:
        """The highest height where our record and the node's chain agree."""
        for height, block_hash in reversed(self._history):
            if height > new_height:
                continue
            remote = _hex_to_hash(await self._call("getblockhash", height))
            if remote == block_hash:
                return height
        oldest = self._history[0][0]
        log.warning("reorg deeper than the %d blocks remembered; disconnecting all of them",
                    len(self._history))
        return oldest - 1

    async def _emit_connected(self, height: int, block: Block) -> None:
        for listener in list(self._listeners):
            try:
                await listener.block_connected(height, block)
            except Exception:
                log.exception("listener failed on block_connected(%d)", height)

    async def _emit_disconnected(self, height: int, block_hash: bytes) -> None:
        for listener in list(self._listeners):
            try:
                await listener.block_disconnected(height, block_hash)
            except Exception:
                log.exception("listener failed on block_disconnected(%d)", height)

    # -- ChainSource queries ------------------------------------------------------------------

    async def get_tip(self) -> ChainTip:
        info = await self._call("getblockchaininfo")
        return ChainTip(int(info["blocks"]), _hex_to_hash(info["bestblockhash"]))

    async def get_block_hash(self, height: int) -> bytes | None:
        try:
            return _hex_to_hash(await self._call("getblockhash", height))
        except RpcError as e:
            if e.code == E.RPC_INVALID_PARAMETER:
                return None
            raise

    async def get_block(self, block_hash: bytes) -> Block:
        return Block.from_hex(await self._call("getblock", block_hash[::-1].hex(), 0))

    async def get_block_at(self, height: int) -> Block | None:
        block_hash = await self.get_block_hash(height)
        return None if block_hash is None else await self.get_block(block_hash)

    async def get_transaction(self, txid: bytes) -> TxStatus | None:
        """Needs -txindex on a real bitcoind for confirmed non-wallet transactions."""
        try:
            info = await self._call("getrawtransaction", txid[::-1].hex(), 1)
        except RpcError as e:
            if e.code == E.RPC_INVALID_ADDRESS_OR_KEY:
                return None
            raise
        block_hash = _hex_to_hash(info["blockhash"]) if info.get("blockhash") else None
        return TxStatus(Transaction.from_hex(info["hex"]), block_hash,
                        int(info.get("confirmations", 0)))

    async def get_txout(self, outpoint: OutPoint,
                        include_mempool: bool = True) -> TxOutInfo | None:
        info = await self._call("gettxout", outpoint.txid_hex, outpoint.index, include_mempool)
        if info is None:
            return None
        return TxOutInfo(_sats(info["value"]), bytes.fromhex(info["scriptPubKey"]["hex"]),
                         int(info["confirmations"]), bool(info["coinbase"]),
                         _hex_to_hash(info["bestblock"]))

    async def get_network_info(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("getnetworkinfo")
        return result

    async def get_chain_name(self) -> str:
        return str((await self._call("getblockchaininfo"))["chain"])

    # -- Broadcaster --------------------------------------------------------------------------

    async def broadcast(self, tx: Transaction) -> bytes:
        try:
            txid_hex = await self._call("sendrawtransaction", tx.to_hex())
        except RpcError as e:
            raise BroadcastError(e.code, e.message) from None
        return _hex_to_hash(txid_hex)

    async def broadcast_package(self, txs: list[Transaction]) -> PackageResult:
        try:
            reply = await self._call("submitpackage", [tx.to_hex() for tx in txs])
        except RpcError as e:
            raise BroadcastError(e.code, e.message) from None
        results = reply.get("tx-results", {})
        out = []
        for tx in txs:
            r = results.get(tx.wtxid_hex, {})
            fees = r.get("fees")
            out.append(PackageTxResult(
                tx.txid, tx.wtxid, "error" not in r, r.get("error"),
                int(r["vsize"]) if "vsize" in r else None,
                _sats(fees["base"]) if fees else None))
        replaced = tuple(_hex_to_hash(t) for t in reply.get("replaced-transactions", []))
        return PackageResult(str(reply.get("package_msg", "")), tuple(out), replaced)

    async def test_accept(self, txs: list[Transaction]) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._call(
            "testmempoolaccept", [tx.to_hex() for tx in txs])
        return result

    # -- FeeEstimator -------------------------------------------------------------------------

    async def estimate_feerate(self, target_blocks: int) -> int:
        """estimatesmartfee now, in sat/kw (floor 253; `fallback_feerate` without data)."""
        target = max(1, min(target_blocks, 1008))
        reply = await self._call("estimatesmartfee", target)
        if "feerate" not in reply:
            return max(self.fallback_feerate, FEERATE_FLOOR_SAT_PER_KW)
        return btc_per_kvb_to_sat_per_kw(reply["feerate"])

    async def _refresh_fees(self) -> None:
        for target in self.fee_targets:
            try:
                self._fees[target] = await self.estimate_feerate(target)
            except RpcError as e:
                log.debug("estimatesmartfee %d failed: %s", target, e)

    def feerate_sat_per_kw(self, target_blocks: int) -> int:
        """The estimate cached at the last new block, for the nearest target at or above
        `target_blocks` (the longest known target if none)."""
        if not self._fees:
            return max(self.fallback_feerate, FEERATE_FLOOR_SAT_PER_KW)
        targets = sorted(self._fees)
        chosen = next((t for t in targets if t >= target_blocks), targets[-1])
        return max(self._fees[chosen], FEERATE_FLOOR_SAT_PER_KW)

    # -- regtest helpers ------------------------------------------------------------------------

    async def mine(self, n: int, address: str) -> list[bytes]:
        """generatetoaddress, then deliver the new blocks' events before returning."""
        hashes = await self._call("generatetoaddress", n, address)
        await self.sync()
        return [_hex_to_hash(h) for h in hashes]
