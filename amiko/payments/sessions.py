"""Onion session keys drawn ahead, for the payer.

Each payment's onion starts from a fresh random session key; its public key, the packet's
initial filling and the shared secret with the route's first hop (a peer of ours) follow
from the key and that peer alone (`prepare_session`: two thirds of a one-hop onion). The
pool prepares them while the node waits for its peers (`amiko.payments.idle`), for each
first hop as many as were taken through it, so a burst of payments finds them ready; a key
is used once and dropped. When the payer is busy, its helper process (`amiko.payments.helper`)
prepares them instead, on another core: the pool asks it for a batch whenever fewer than
`HELPER_LOW_WATER` are ready or on their way for a first hop.
"""

from __future__ import annotations

import asyncio
import os
from collections import deque
from typing import TYPE_CHECKING

from amiko.payments import idle
from amiko.payments.onion import OnionSession, prepare_session

if TYPE_CHECKING:
    from amiko.payments.helper import PaymentHelper

MAX_READY = 256  # prepared sessions held, over all first hops (each ~1.4 kB)
HELPER_LOW_WATER = 64  # ready or asked for, per first hop, below which the helper is asked
HELPER_REFILL = 128  # asked of the helper at a time


class SessionPool:
    def __init__(self) -> None:
        self._ready: dict[bytes, deque[OnionSession]] = {}  # by first hop
        self._wanted: dict[bytes, int] = {}  # taken since the last refill, to prepare again
        self._held = 0
        self._task: asyncio.Task[None] | None = None
        self.helper: PaymentHelper | None = None
        self._asked: dict[bytes, int] = {}  # asked of the helper, not yet arrived, by first hop

    def take(self, first_hop: bytes = b"") -> OnionSession:
        """A fresh session for a route that starts at `first_hop` (a node id; b"": not
        known): prepared ahead if one is ready, else now."""
        if not self._ask_helper(first_hop):
            self._wanted[first_hop] = min(self._wanted.get(first_hop, 0) + 1, MAX_READY)
            self._task = idle.start(self._task, self._prepare_next, "amiko-sessions")
        # One prepared for another first hop serves too (its key and filling; the secret with
        # this hop is then computed with the route): none stays unused when a peer goes.
        ready = self._ready.get(first_hop) or next((q for q in self._ready.values() if q), None)
        if ready:
            self._held -= 1
            return ready.popleft()
        return prepare_session(os.urandom(32), first_hop=first_hop)

    def add(self, first_hop: bytes, settled: int, sessions: list[OnionSession]) -> None:
        """Sessions the helper prepared for `first_hop`, answering `settled` of those asked."""
        self._asked[first_hop] = max(0, self._asked.get(first_hop, 0) - settled)
        self._ready.setdefault(first_hop, deque()).extend(sessions)
        self._held += len(sessions)

    def _ask_helper(self, first_hop: bytes) -> bool:
        """Ask the helper for more sessions for `first_hop` if few are ready or on their
        way; False if there is no helper to ask."""
        helper = self.helper
        if helper is None or not helper.ready:
            return False
        if len(self._ready.get(first_hop, ())) + self._asked.get(first_hop, 0) >= HELPER_LOW_WATER:
            return True
        count = min(HELPER_REFILL, MAX_READY - self._held - sum(self._asked.values()))
        if count > 0 and helper.want_sessions(first_hop, count):
            self._asked[first_hop] = self._asked.get(first_hop, 0) + count
        return True

    def ready(self, first_hop: bytes = b"") -> int:
        """How many sessions are prepared for `first_hop`."""
        return len(self._ready.get(first_hop, ()))

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._ready.clear()
        self._asked.clear()
        self._held = 0

    def _prepare_next(self) -> bool:
        if not self._wanted or self._held >= MAX_READY:
            self._wanted.clear()
            return False
        first_hop, wanted = next(iter(self._wanted.items()))
        if wanted <= 1:
            del self._wanted[first_hop]
        else:
            self._wanted[first_hop] = wanted - 1
        self._ready.setdefault(first_hop, deque()).append(prepare_session(os.urandom(32), first_hop=first_hop))
        self._held += 1
        return True
