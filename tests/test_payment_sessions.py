"""The payer's onion sessions drawn ahead: each one fresh and used once, prepared in the
node's idle moments as many as were taken, and always available without an event loop."""

from __future__ import annotations

import asyncio

from amiko.crypto.keys import pubkey_of
from amiko.payments import sessions
from amiko.payments.onion import prepare_session
from amiko.payments.sessions import SessionPool


def test_sessions_are_fresh_and_complete_without_an_event_loop() -> None:
    pool = SessionPool()
    taken = [pool.take() for _ in range(5)]
    assert len({s.key for s in taken}) == 5
    for s in taken:
        assert s.pubkey == pubkey_of(s.key) and s == prepare_session(s.key)
    assert not pool._ready  # nothing prepared ahead without a loop


def test_the_pool_prepares_as_many_as_were_taken() -> None:
    async def main() -> None:
        pool = SessionPool()
        first = [pool.take() for _ in range(20)]  # a burst: prepared now
        while pool._task is not None and not pool._task.done():
            await asyncio.sleep(0)
        assert len(pool._ready) == 20
        ready = list(pool._ready)
        second = [pool.take() for _ in range(20)]
        assert second == ready  # the next burst finds them prepared, each used once
        assert not {s.key for s in first} & {s.key for s in second}
        for s in second:
            assert s == prepare_session(s.key)
        pool.close()
        assert not pool._ready
    asyncio.run(main())


def test_the_pool_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(sessions, "MAX_READY", 3)

    async def main() -> None:
        pool = SessionPool()
        for _ in range(10):
            pool.take()
        while pool._task is not None and not pool._task.done():
            await asyncio.sleep(0)
        assert len(pool._ready) == 3
    asyncio.run(main())
