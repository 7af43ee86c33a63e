"""Work a node does ahead, in the moments it would otherwise wait for a peer.

A commitment round leaves each node idle while the other signs; work that will be
needed later and depends on nothing but what is known now (an incoming onion to peel, a
session key for the next outgoing onion) can be done then. `in_slices` runs such work a
slice at a time, so that whatever the event loop has ready goes first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

SLICE_SECONDS = 0.001  # work this long, then let the event loop run what is ready


async def in_slices(step: Callable[[], bool]) -> None:
    """Call `step` until it returns False (nothing left), yielding to the event loop
    every `SLICE_SECONDS`."""
    while True:
        end = time.perf_counter() + SLICE_SECONDS
        while time.perf_counter() < end:
            if not step():
                return
        await asyncio.sleep(0)


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
