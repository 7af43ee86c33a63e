"""Peeling incoming onions ahead, while the node would otherwise wait.

A lock the peer proposes is not ours to act on until it is irrevocably committed: a
commitment round later. Its onion is known from the start, though, and peeling it (an
ECDH, a stream cipher over 1,300 bytes, an HMAC: ~100 µs) needs nothing else. Between the
proposal and the commitment the node mostly waits for the peer (who is signing); the
`Prepeeler` does the peeling then (`amiko.payments.idle`), and the switch takes the
result when the lock is committed.

It is only a head start: a result is used only for the very onion and payment hash it was
computed for (a proposal forgotten at a disconnection may come back with the same id and
another onion), anything not peeled yet is peeled when it is needed, and both tables are
bounded, so a peer proposing locks it never commits costs at most the peeling.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from amiko.channels.interface import IncomingHtlc
from amiko.payments import idle
from amiko.payments.onion import PeelResult, peel_onion

log = logging.getLogger("amiko.switch")

MAX_AHEAD = 4096  # proposals queued or peeled and not yet taken (the oldest go first)

_Key = tuple[bytes, int]  # (channel id, HTLC id)


class Prepeeler:
    def __init__(self, node_secret: bytes) -> None:
        self._secret = node_secret
        self._queue: OrderedDict[_Key, IncomingHtlc] = OrderedDict()
        self._done: OrderedDict[_Key, tuple[bytes, bytes, PeelResult]] = OrderedDict()
        self._task: asyncio.Task[None] | None = None
        self.used = 0  # results taken from ahead (for tests and benchmarks)

    def arriving(self, htlc: IncomingHtlc) -> None:
        """A lock was proposed: peel its onion when the node has a moment."""
        key = (htlc.channel_id, htlc.htlc_id)
        self._queue.pop(key, None)  # proposed again (after a reconnection): this one counts
        self._queue[key] = htlc
        if len(self._queue) > MAX_AHEAD:
            self._queue.popitem(last=False)
        self._task = idle.start(self._task, self._peel_next, "amiko-prepeel")
        if self._task is None:  # no event loop (a synchronous caller): peeled when taken
            self._queue.clear()

    def take(self, htlc: IncomingHtlc) -> PeelResult:
        """The lock's peeled onion: the one computed ahead if it is for this very onion and
        payment hash, otherwise peeled now."""
        key = (htlc.channel_id, htlc.htlc_id)
        self._queue.pop(key, None)  # decided now: not worth peeling ahead any more
        found = self._done.pop(key, None)
        if found is not None and found[0] == htlc.onion and found[1] == htlc.payment_hash:
            self.used += 1
            return found[2]
        return peel_onion(self._secret, htlc.onion, htlc.payment_hash)

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._queue.clear()
        self._done.clear()

    def _peel_next(self) -> bool:
        if not self._queue:
            return False
        key, htlc = self._queue.popitem(last=False)
        try:
            result = peel_onion(self._secret, htlc.onion, htlc.payment_hash)
        except Exception:  # peel_onion reports bad onions as results: this would be a bug
            log.exception("peeling the onion of HTLC %d ahead failed", htlc.htlc_id)
            return True
        self._done.pop(key, None)
        self._done[key] = (htlc.onion, htlc.payment_hash, result)
        if len(self._done) > MAX_AHEAD:
            self._done.popitem(last=False)
        return True
