"""Onion session keys drawn ahead, for the payer.

Each payment's onion starts from a fresh random session key; its public key and the
packet's initial filling follow from the key alone (`prepare_session`: ~35 µs, a third of
a one-hop onion). The pool prepares them while the node waits for its peers
(`amiko.payments.idle`), as many as were taken, so a burst of payments finds them ready;
a key is used once and dropped.
"""

from __future__ import annotations

import asyncio
import os
from collections import deque

from amiko.payments import idle
from amiko.payments.onion import OnionSession, prepare_session

MAX_READY = 256  # prepared sessions held (each ~1.4 kB)


class SessionPool:
    def __init__(self) -> None:
        self._ready: deque[OnionSession] = deque()
        self._wanted = 0  # taken since the last refill, to prepare again
        self._task: asyncio.Task[None] | None = None

    def take(self) -> OnionSession:
        """A fresh session: prepared ahead if one is ready, else now."""
        self._wanted = min(self._wanted + 1, MAX_READY)
        self._task = idle.start(self._task, self._prepare_next, "amiko-sessions")
        if self._ready:
            return self._ready.popleft()
        return prepare_session(os.urandom(32))

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._ready.clear()

    def _prepare_next(self) -> bool:
        if self._wanted <= 0 or len(self._ready) >= MAX_READY:
            self._wanted = 0
            return False
        self._wanted -= 1
        self._ready.append(prepare_session(os.urandom(32)))
        return True
