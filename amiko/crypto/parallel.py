"""Batches of signatures on every core: libsecp256k1 runs without the GIL.

cffi releases the GIL for the duration of every C call, so threads that sign or verify
run their libsecp256k1 work at the same time, and a commitment's hundred HTLC signatures
take about half the time on two cores. A node's processes mostly take turns (the peer
waits for our `revoke_and_ack` while we check its signatures), so the spare core is
usually idle exactly then.

Only functions that spend their time in such C calls gain: Python between the calls still
takes the GIL. The context the calls share is never modified after import (it is
randomized once, by coincurve), which libsecp256k1 documents as safe to use from many
threads.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from amiko.crypto.keys import sign, verify

__all__ = ["MIN_PARALLEL", "sign_all", "verify_all", "verify_each"]

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a batch runs in the caller's thread: handing work to another
# thread costs about as much as two signatures.
MIN_PARALLEL = 16
# Threads besides the caller's: one per further core, at most three (a commitment's
# signatures are at most 2 x 483).
_HELPERS = max(0, min((os.cpu_count() or 1) - 1, 3))

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(_HELPERS, thread_name_prefix="amiko-secp256k1")
        return _pool


def _forget_pool() -> None:
    """In a forked child the pool's threads do not exist: start a new pool when needed
    (the old one would queue work that no thread ever runs)."""
    global _pool, _pool_lock
    _pool = None
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _map(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return [fn(x) for x in items]


def _chunk_map(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`[fn(x) for x in items]`, in order, the items split between the caller and the
    helper threads."""
    if _HELPERS == 0 or len(items) < MIN_PARALLEL:
        return _map(fn, items)
    parts = _HELPERS + 1
    size = -(-len(items) // parts)
    pool = _executor()
    helpers: list[Future[list[R]]] = [pool.submit(_map, fn, items[i:i + size])
                                      for i in range(size, len(items), size)]
    results = _map(fn, items[:size])
    for fut in helpers:
        results.extend(fut.result())
    return results


def sign_all(secret: bytes, hashes: Sequence[bytes]) -> list[bytes]:
    """`sign(secret, h)` of every hash, in order (compact 64-byte signatures)."""
    return _chunk_map(lambda h: sign(secret, h), hashes)


def verify_all(pubkey: bytes, pairs: Sequence[tuple[bytes, bytes]]) -> list[bool]:
    """`verify(pubkey, hash, signature)` of every (hash, signature) pair, in order."""
    return _chunk_map(lambda pair: verify(pubkey, pair[0], pair[1]), pairs)


def verify_each(checks: Sequence[tuple[bytes, bytes, bytes]]) -> list[bool]:
    """`verify(pubkey, hash, signature)` of every triple, in order (keys may differ)."""
    return _chunk_map(lambda c: verify(c[0], c[1], c[2]), checks)
