"""Crash points for testing what survives a kill -9 (a developer's tool, off by default).

`AMIKO_DEV_CRASH=POINT:N` makes the process exit abruptly (as kill -9 would: no cleanup,
no flush) the N-th time code passes `crash_point(POINT)`. Points are named by the caller,
e.g. `send:commitment_signed` (state durable, message not yet sent) and
`sent:commitment_signed` (message handed to the connection).
"""

from __future__ import annotations

import asyncio
import logging
import os

log = logging.getLogger("amiko.dev")

_SPEC = os.environ.get("AMIKO_DEV_CRASH", "")
_POINT, _, _COUNT = _SPEC.rpartition(":")
_TARGET = int(_COUNT) if _COUNT.isdigit() else 0
_seen = 0

ENABLED = bool(_POINT) and _TARGET > 0


def crash_point(name: str, *, delay: float = 0.0) -> None:
    """Exit the process here (or `delay` seconds later) if this is the configured point."""
    global _seen
    if not ENABLED or name != _POINT:
        return
    _seen += 1
    if _seen != _TARGET:
        return
    log.warning("dev crash at %s (#%d)", name, _seen)
    for handler in logging.getLogger().handlers:
        handler.flush()
    if delay <= 0:
        os._exit(137)
    asyncio.get_running_loop().call_later(delay, os._exit, 137)
