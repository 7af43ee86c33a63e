"""The payer's onion sessions drawn ahead: each one fresh and used once, prepared in the
node's idle moments as many as were taken (for each route taken again, else for its first
hop), and always available without an event loop."""

from __future__ import annotations

import asyncio

from amiko.crypto.keys import ecdh, pubkey_of
from amiko.payments import sessions
from amiko.payments.onion import prepare_session
from amiko.payments.sessions import SessionPool


async def prepared_ahead(pool: SessionPool) -> None:
    """Until the pool's work in idle moments is done."""
    while pool._task is not None and not pool._task.done():
        await asyncio.sleep(0.001)  # (a spinning waiter would be work ready: idle work waits)


async def pool_after_taking(*paths: tuple[bytes, ...]) -> SessionPool:
    """A pool from which a session was taken for each of `paths`, once its work in idle
    moments is done."""
    pool = SessionPool()
    for path in paths:
        pool.take(path)
    await prepared_ahead(pool)
    return pool


def test_sessions_are_fresh_and_complete_without_an_event_loop() -> None:
    pool = SessionPool()
    taken = [pool.take() for _ in range(5)]
    assert len({s.key for s in taken}) == 5
    for s in taken:
        assert s.pubkey == pubkey_of(s.key) and s == prepare_session(s.key)
    assert not pool.ready()  # nothing prepared ahead without a loop


def test_the_pool_prepares_as_many_as_were_taken() -> None:
    async def main() -> None:
        pool = SessionPool()
        first = [pool.take() for _ in range(20)]  # a burst: prepared now
        await prepared_ahead(pool)
        assert pool.ready() == 20
        ready = list(pool._ready[()])
        second = [pool.take() for _ in range(20)]
        assert second == ready  # the next burst finds them prepared, each used once
        assert not {s.key for s in first} & {s.key for s in second}
        for s in second:
            assert s == prepare_session(s.key)
        pool.close()
        assert not pool.ready()
    asyncio.run(main())


def test_the_pool_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(sessions, "MAX_READY", 3)

    async def main() -> None:
        pool = SessionPool()
        for _ in range(10):
            pool.take()
        await prepared_ahead(pool)
        assert pool.ready() == 3
        for _ in range(10):
            pool.take((pubkey_of(bytes(31) + b"\x07"),))  # another first hop: the bound is over all
        await prepared_ahead(pool)
        # the first three took those prepared for no hop; three are prepared for this one
        assert (pool.ready(), pool.ready((pubkey_of(bytes(31) + b"\x07"),))) == (0, 3)
    asyncio.run(main())


def test_sessions_are_prepared_for_the_first_hop_they_are_taken_for() -> None:
    peer, other = pubkey_of(bytes(31) + b"\x05"), pubkey_of(bytes(31) + b"\x06")

    async def main() -> None:
        pool = await pool_after_taking(*[(peer,)] * 4, (other,))
        assert (pool.ready((peer,)), pool.ready((other,)), pool.ready()) == (4, 1, 0)
        s = pool.take((peer,))
        assert s.path == (peer,) and s.secrets == (ecdh(s.key, peer),)
        assert s == prepare_session(s.key, path=(peer,))
        pool.close()
    asyncio.run(main())


def test_a_route_taken_again_is_prepared_for_whole() -> None:
    peer, b, c = (pubkey_of(bytes(31) + bytes([i])) for i in (5, 6, 7))
    route, other_route = (peer, b, c), (peer, c)

    async def main() -> None:
        pool = await pool_after_taking(route, other_route)  # each once: for the first hop
        assert (pool.ready((peer,)), pool.ready(route)) == (2, 0)
        pool = await pool_after_taking(route, route, route)  # again: for the whole route
        assert (pool.ready((peer,)), pool.ready(route)) == (1, 2)
        s = pool.take(route)
        assert s.path == route and s == prepare_session(s.key, path=route)
        # a route that leaves the path (or is not known) takes what shares most of its start
        pool = await pool_after_taking(route, route, route)
        assert pool.take(other_route).path == (peer,)
        assert pool.take((peer, b)).path == route
        pool.close()
    asyncio.run(main())


def test_sessions_prepared_for_a_hop_no_longer_used_serve_another() -> None:
    gone, peer = pubkey_of(bytes(31) + b"\x05"), pubkey_of(bytes(31) + b"\x06")

    async def main() -> None:
        pool = await pool_after_taking(*[(gone,)] * 3)
        prepared = list(pool._ready[(gone,)])
        taken = [pool.take((peer,)) for _ in range(3)]
        assert taken == prepared and pool.ready((gone,)) == 0  # each used once, by the new peer
        pool.close()
    asyncio.run(main())


def test_a_path_with_a_node_id_that_is_not_a_key_is_not_prepared() -> None:
    peer = pubkey_of(bytes(31) + b"\x05")
    route = (peer, b"\x02" + b"\x11" * 32)

    async def main() -> None:
        pool = await pool_after_taking(route, route)
        assert pool.ready(route) == 0 and pool.ready((peer,)) == 1
        pool.close()
    asyncio.run(main())
