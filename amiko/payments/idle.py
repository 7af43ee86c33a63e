"""Work a node does ahead, in the moments it would otherwise wait for a peer.

A commitment round leaves each node idle while the other signs; work that will be
needed later and depends on nothing but what is known now (an incoming onion to peel, a
session key for the next outgoing onion) can be done then. `in_slices` runs such work a
slice at a time, and only while the event loop has nothing else ready: a slice started
while a reply waits to be sent would hold the reply back by the slice (a commitment
round passes through the loop's queue several times between a commit and its reply,
each time behind a slice), and that delay is on the path of every payment in flight.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

SLICE_SECONDS = 0.001  # work this long, then let the event loop run what is ready

# Per event loop: slices of idle work waiting for their next turn, each one callback in
# the loop's queue. A loop whose queue holds only those has nothing else ready.
_waiting: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, int] = weakref.WeakKeyDictionary()


def _ready_queue(loop: asyncio.AbstractEventLoop) -> deque[Any] | None:
    """The loop's queue of ready callbacks, where the loop keeps one (the standard loops
    do; another loop's work is then simply done in slices, taking turns)."""
    ready = getattr(loop, "_ready", None)
    return ready if isinstance(ready, deque) else None


async def _next_turn(loop: asyncio.AbstractEventLoop) -> None:
    _waiting[loop] = _waiting.get(loop, 0) + 1
    try:
        await asyncio.sleep(0)
    finally:
        _waiting[loop] -= 1


async def in_slices(step: Callable[[], bool]) -> None:
    """Call `step` until it returns False (nothing left), a slice of `SLICE_SECONDS` at a
    time, each started only when the event loop has nothing else ready."""
    loop = asyncio.get_running_loop()
    ready = _ready_queue(loop)
    while True:
        if ready is not None and len(ready) > _waiting.get(loop, 0):  # other work is ready
            await _next_turn(loop)
            continue
        end = time.perf_counter() + SLICE_SECONDS
        while time.perf_counter() < end:
            if not step():
                return
        await _next_turn(loop)  # (the loop looks at its sockets between turns)


def start(task: asyncio.Task[None] | None, work: Callable[[], bool], name: str) -> asyncio.Task[None] | None:
    """`task` if it still runs, else a new task doing `work` in slices; None without a
    running event loop (the work is then done when needed)."""
    if task is not None and not task.done():
        return task
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    return loop.create_task(in_slices(work), name=name)
