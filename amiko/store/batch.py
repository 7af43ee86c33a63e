"""Grouped commits: many writers, one fsync.

A synced SQLite commit costs milliseconds; a node with many channels would spend its life
in fsync if each channel update committed alone. Writers stage their statements and await
the returned future; everything staged while a commit runs goes into the next one. The
commit runs on one writer thread, so the event loop keeps serving meanwhile.

Futures resolve in staging order, so a writer that awaits its futures in order sees its
writes durable in order: "persist before you send" holds per channel.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from amiko.store.sqlite import Params, Store

log = logging.getLogger("amiko.store")


class CommitBatcher:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="amiko-store")
        self._pending: list[tuple[str, Params]] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._running = False
        self.commits = 0  # for benchmarks: how many commits carried how many writes
        self.writes = 0
        if store.batcher is None:
            store.batcher = self

    def write(self, sql: str, params: Params = ()) -> asyncio.Future[None]:
        """Stage a statement; the future resolves once it is durable (or fails with the
        database's error, in which case none of its batch was written)."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        self._pending.append((sql, params))
        self._waiters.append(fut)
        if not self._running:
            self._running = True
            loop.call_soon(self._start)
        return fut

    def _start(self) -> None:
        batch, waiters = self._pending, self._waiters
        self._pending, self._waiters = [], []
        if not batch:
            self._running = False
            return
        loop = asyncio.get_running_loop()
        job = loop.run_in_executor(self._executor, self._commit, batch)
        job.add_done_callback(lambda f: self._done(f, waiters))

    def _commit(self, batch: list[tuple[str, Params]]) -> None:
        with self.store.transaction():
            for sql, params in batch:
                self.store.execute(sql, params)
        self.commits += 1
        self.writes += len(batch)

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
        self._start()

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
