"""Onion session keys drawn ahead, for the payer.

Each payment's onion starts from a fresh random session key; its public key, the packet's
initial filling and the secret shared with each node of the route follow from the key and
those nodes alone (`prepare_session`): for a route of one hop, two thirds of the onion's
work; for three hops, two thirds too (an ECDH and a blinding per further node). The pool
prepares them for the routes the payer takes: for a route taken again lately, for its
whole path; otherwise for its first hop (a peer of ours: the next route is likely to
start there too). It does so while the node waits for its peers (`amiko.payments.idle`),
as many as were taken, so a burst of payments finds them ready; a key is used once and
dropped. When the payer is busy, its helper process (`amiko.payments.helper`) prepares
them instead, on another core: the pool asks it for a batch whenever fewer than
`HELPER_LOW_WATER` are ready or on their way for a path.

A session prepared for another path still serves (its key and filling, and the secrets of
the nodes the route shares with it from the start): none stays unused when routes change.
"""

from __future__ import annotations

import asyncio
import os
from collections import OrderedDict, deque
from typing import TYPE_CHECKING

from amiko.payments import idle
from amiko.payments.onion import OnionEncodeError, OnionSession, prepare_session, shared_start

if TYPE_CHECKING:
    from amiko.payments.helper import PaymentHelper

MAX_READY = 256  # prepared sessions held, over all paths (each ~1.5 kB)
HELPER_LOW_WATER = 64  # ready or asked for, per path, below which the helper is asked
HELPER_REFILL = 128  # asked of the helper at a time
RECENT_PATHS = 64  # routes remembered: one taken again is prepared for whole

Path = tuple[bytes, ...]  # node ids, the route's first hop first


class SessionPool:
    def __init__(self) -> None:
        self._ready: dict[Path, deque[OnionSession]] = {}  # never an empty queue
        self._wanted: dict[Path, int] = {}  # taken since the last refill, to prepare again
        self._held = 0
        self._task: asyncio.Task[None] | None = None
        self.helper: PaymentHelper | None = None
        self._asked: dict[Path, int] = {}  # asked of the helper, not yet arrived
        self._recent: OrderedDict[Path, None] = OrderedDict()

    def take(self, path: Path = ()) -> OnionSession:
        """A fresh session for a route through `path` (() : not known): prepared ahead if
        one is ready (for this path if possible, else for the one sharing most of its
        start with it), else now."""
        wanted = self._wanted_for(path)
        if not self._ask_helper(wanted):
            self._wanted[wanted] = min(self._wanted.get(wanted, 0) + 1, MAX_READY)
            self._task = idle.start(self._task, self._prepare_next, "amiko-sessions")
        found = path if path in self._ready else max(self._ready, key=lambda p: shared_start(p, path), default=None)
        if found is None:
            try:
                return prepare_session(os.urandom(32), path=path)
            except OnionEncodeError:  # construct_onion says which node id is not a key
                return prepare_session(os.urandom(32))
        ready = self._ready[found]
        session = ready.popleft()
        if not ready:
            del self._ready[found]
        self._held -= 1
        return session

    def _wanted_for(self, path: Path) -> Path:
        """What to prepare for a route through `path`: the whole path if it was taken
        lately, else its first hop."""
        if path in self._recent:
            self._recent.move_to_end(path)
            return path
        self._recent[path] = None
        if len(self._recent) > RECENT_PATHS:
            self._recent.popitem(last=False)
        return path[:1]

    def add(self, path: Path, settled: int, sessions: list[OnionSession]) -> None:
        """Sessions the helper prepared for `path`, answering `settled` of those asked."""
        self._asked[path] = max(0, self._asked.get(path, 0) - settled)
        if not self._asked[path]:
            del self._asked[path]
        if sessions:
            self._ready.setdefault(path, deque()).extend(sessions)
            self._held += len(sessions)

    def _ask_helper(self, path: Path) -> bool:
        """Ask the helper for more sessions for `path` if few are ready or on their way;
        False if there is no helper to ask."""
        helper = self.helper
        if helper is None or not helper.ready:
            return False
        if len(self._ready.get(path, ())) + self._asked.get(path, 0) >= HELPER_LOW_WATER:
            return True
        count = min(HELPER_REFILL, MAX_READY - self._held - sum(self._asked.values()))
        if count > 0 and helper.want_sessions(path, count):
            self._asked[path] = self._asked.get(path, 0) + count
        return True

    def ready(self, path: Path = ()) -> int:
        """How many sessions are prepared for `path`."""
        return len(self._ready.get(path, ()))

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
        path, wanted = next(iter(self._wanted.items()))
        if wanted <= 1:
            del self._wanted[path]
        else:
            self._wanted[path] = wanted - 1
        try:
            session = prepare_session(os.urandom(32), path=path)
        except OnionEncodeError:  # a node id that is not a key: the route fails on its own
            return True
        self._ready.setdefault(path, deque()).append(session)
        self._held += 1
        return True

