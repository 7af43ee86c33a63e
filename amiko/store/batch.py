"""Grouped commits: many writers, one fsync.

A synced SQLite commit costs milliseconds; a node with many channels would spend its life
in fsync if each channel update committed alone. Writers stage their statements and await
the returned future; everything staged while a commit runs goes into the next one. The
commit runs on one writer thread, so the event loop keeps serving meanwhile.

Futures resolve in staging order, so a writer that awaits its futures in order sees its
writes durable in order: "persist before you send" holds per channel.

Where the disk is fast (the COMMIT itself, fsync included, took under a millisecond lately)
the whole commit runs on the event loop. Only the sync waits on the disk; executing the
statements is Python and SQLite work that holds the GIL (and the store's lock) wherever it
runs, and on the thread it would also queue for the GIL behind a busy loop, once per
statement. Slow syncs send the next commits to the thread; one in PROBE_EVERY then runs on
the loop again to see whether the disk got fast.

A batch starts once the event loop has run what was ready when its first write was
staged, and what that scheduled at once: a channel that takes a message stages its new
state, and signs its `commitment_signed` (scheduled once per loop turn) right after; both
states then share one sync instead of waiting for two in turn. The same holds between
batches: what the end of one commit sets going (the messages it held back, the events it
delivered) joins the next.

A write may carry a `key`: a later write with the same key, staged before the batch starts,
takes the earlier one's place (a channel saved ten times in one batch is written once, with
its newest state, at the position of the first save). Its parameters may be a function,
called when the batch starts, so a state is encoded once per commit, not once per save.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor

from amiko.store.sqlite import Params, Store

log = logging.getLogger("amiko.store")

INLINE_COMMIT_BELOW = 0.001  # seconds: commits whose sync is faster than this (on average) run on the loop
PROBE_EVERY = 64  # commits on the thread between two timed on the loop


class CommitBatcher:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="amiko-store")
        self._pending: list[tuple[str, Params | Callable[[], Params]]] = []
        self._keyed: dict[Hashable, int] = {}  # key -> its place in _pending
        self._waiters: list[asyncio.Future[None]] = []
        self._running = False
        self._loop_sync_seconds = 0.0  # moving average of the COMMITs run on the loop
        self._since_probe = 0
        self.commits = 0  # for benchmarks: how many commits carried how many writes
        self.writes = 0
        if store.batcher is None:
            store.batcher = self

    def write(self, sql: str, params: Params | Callable[[], Params] = (), *,
              key: Hashable | None = None) -> asyncio.Future[None]:
        """Stage a statement; the future resolves once it is durable (or fails with the
        database's error, in which case none of its batch was written). A statement with
        the `key` of one still waiting replaces it (a full rewrite of the same row)."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        place = None if key is None else self._keyed.get(key)
        if place is None:
            if key is not None:
                self._keyed[key] = len(self._pending)
            self._pending.append((sql, params))
        else:
            self._pending[place] = (sql, params)
        self._waiters.append(fut)
        if not self._running:
            self._running = True
            loop.call_soon(self._start_after_turn)
        return fut

    def retract(self, key: Hashable) -> bool:
        """Take back the keyed write if it still waits for its commit (its future resolves
        with the batch all the same); False if it is already on its way."""
        place = self._keyed.pop(key, None)
        if place is None:
            return False
        self._pending[place] = ("", ())
        return True

    def _start_after_turn(self) -> None:
        """Start the batch after what is ready now (see the module's text)."""
        asyncio.get_running_loop().call_soon(self._start)

    def _start(self) -> None:
        staged, waiters = self._pending, self._waiters
        self._pending, self._waiters, self._keyed = [], [], {}
        if not staged:
            self._running = False
            return
        loop = asyncio.get_running_loop()
        try:
            batch = [(sql, params() if callable(params) else params) for sql, params in staged if sql]
        except Exception as e:  # a state that cannot be encoded: nothing of the batch is written
            failed: asyncio.Future[None] = loop.create_future()
            failed.set_exception(e)
            self._done(failed, waiters)
            return
        if self._on_loop():
            job = loop.create_future()
            try:
                took = self._commit(batch)
            except Exception as e:
                job.set_exception(e)
            else:
                job.set_result(None)
                probe = self._loop_sync_seconds >= INLINE_COMMIT_BELOW  # the fresh look decides
                self._loop_sync_seconds = took if probe else 0.7 * self._loop_sync_seconds + 0.3 * took
            self._done(job, waiters)
            return
        job = loop.run_in_executor(self._executor, self._commit, batch)
        job.add_done_callback(lambda f: self._done(f, waiters))

    def _on_loop(self) -> bool:
        """Whether the next commit runs on the event loop (see the module's text)."""
        if self._loop_sync_seconds < INLINE_COMMIT_BELOW:
            return True
        self._since_probe += 1
        if self._since_probe < PROBE_EVERY:
            return False
        self._since_probe = 0
        return True

    def _commit(self, batch: list[tuple[str, Params]]) -> float:
        """Write the batch in one transaction; returns how long its COMMIT (the sync) took."""
        with self.store.transaction():
            for sql, params in batch:
                self.store.execute(sql, params)
            start = time.perf_counter()
        took = time.perf_counter() - start
        self.commits += 1
        self.writes += len(batch)
        return took

    def _done(self, job: asyncio.Future[None], waiters: list[asyncio.Future[None]]) -> None:
        error = job.exception()
        if error is not None:
            log.error("grouped commit failed: %s", error)
        for fut in waiters:
            if fut.done():
                continue
            if error is None:
                fut.set_result(None)
            else:
                fut.set_exception(error)
        if self._pending:
            self._start_after_turn()
        else:
            self._running = False

    async def drain(self) -> None:
        """Wait until everything staged so far is durable."""
        if self._waiters:
            await asyncio.gather(*self._waiters, return_exceptions=True)
        while self._running and self._waiters:
            await asyncio.gather(*self._waiters, return_exceptions=True)

    def close(self) -> None:
        self._executor.shutdown(wait=True)


def write(store: Store, sql: str, params: Params = ()) -> asyncio.Future[None] | None:
    """Write through the store's grouped-commit writer when called in an event loop (the
    future of its durability), else commit it at once (None)."""
    batcher = store.batcher
    if batcher is not None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            return batcher.write(sql, params)
    store.execute(sql, params)
    return None
