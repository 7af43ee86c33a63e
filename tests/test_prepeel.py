"""Onions peeled ahead: used only for the very lock they were peeled for, a slice at a
time, bounded, and never needed (anything not peeled ahead is peeled when taken)."""

from __future__ import annotations

import asyncio
import os

import pytest

from amiko.channels.interface import IncomingHtlc
from amiko.crypto.keys import pubkey_of
from amiko.payments import prepeel
from amiko.payments.onion import (
    HopSpec,
    PeeledOnion,
    build_final_payload,
    construct_onion,
    peel_onion,
)
from amiko.payments.prepeel import Prepeeler

SECRET = b"\x0c" * 32
CHANNEL = b"\x01" * 32


def lock(htlc_id: int, amount: int = 10_000, payment_hash: bytes | None = None) -> IncomingHtlc:
    h = payment_hash or os.urandom(32)
    onion = construct_onion(os.urandom(32), [HopSpec(pubkey_of(SECRET), build_final_payload(
        amount, 1100, payment_secret=b"\x55" * 32, total_msat=amount))], h)
    return IncomingHtlc(CHANNEL, htlc_id, amount, h, 1100, onion.packet)


async def until_peeled(p: Prepeeler) -> None:
    for _ in range(10_000):
        if not p._queue:
            return
        await asyncio.sleep(0.001)  # (not spinning: idle work runs only when nothing else is ready)
    raise AssertionError("the queue never emptied")


def test_a_lock_peeled_ahead_is_taken_as_peeled() -> None:
    async def main() -> None:
        p = Prepeeler(SECRET)
        htlc = lock(0)
        p.arriving(htlc)
        await until_peeled(p)
        result = p.take(htlc)
        assert p.used == 1
        assert isinstance(result, PeeledOnion) and result.is_final
        assert result == peel_onion(SECRET, htlc.onion, htlc.payment_hash)
        # taken once: a second take peels again
        assert p.take(htlc) == result and p.used == 1
    asyncio.run(main())


def test_a_result_serves_only_its_own_onion_and_payment_hash() -> None:
    async def main() -> None:
        p = Prepeeler(SECRET)
        first = lock(7, amount=10_000)
        p.arriving(first)
        await until_peeled(p)
        # the proposal was forgotten (a disconnection) and id 7 came back with another onion
        other = lock(7, amount=20_000)
        result = p.take(other)
        assert p.used == 0
        assert isinstance(result, PeeledOnion) and result.hop.amt_to_forward == 20_000
        # the same onion under another payment hash does not match either
        p.arriving(first)
        await until_peeled(p)
        moved = IncomingHtlc(CHANNEL, 7, first.amount_msat, os.urandom(32), first.cltv_expiry, first.onion)
        assert p.take(moved) == peel_onion(SECRET, moved.onion, moved.payment_hash)
        assert p.used == 0
    asyncio.run(main())


def test_a_lock_decided_before_its_turn_is_not_peeled_twice() -> None:
    async def main() -> None:
        p = Prepeeler(SECRET)
        early, later = lock(0), lock(1)
        p.arriving(early)
        p.arriving(later)
        assert isinstance(p.take(early), PeeledOnion) and p.used == 0  # peeled now
        await until_peeled(p)
        assert list(p._done) == [(CHANNEL, 1)]  # only the one still waiting was peeled ahead
        p.take(later)
        assert p.used == 1
    asyncio.run(main())


def test_the_peeling_gives_way_to_other_work() -> None:
    async def main() -> None:
        p = Prepeeler(SECRET)
        locks = [lock(i) for i in range(60)]  # ~100 µs each: several slices of a millisecond
        for htlc in locks:
            p.arriving(htlc)
        ran: list[int] = []
        asyncio.get_running_loop().call_soon(lambda: ran.append(len(p._queue)))
        await until_peeled(p)
        assert ran and ran[0] > 0  # the callback ran while onions were still queued
        assert all(isinstance(p.take(h), PeeledOnion) for h in locks) and p.used == 60
    asyncio.run(main())


def test_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prepeel, "MAX_AHEAD", 4)

    async def main() -> None:
        p = Prepeeler(SECRET)
        locks = [lock(i) for i in range(10)]
        for htlc in locks:
            p.arriving(htlc)
        assert len(p._queue) == 4  # the oldest proposals were dropped
        await until_peeled(p)
        assert len(p._done) == 4
        for htlc in locks:  # every lock still gets its onion peeled
            assert isinstance(p.take(htlc), PeeledOnion)
        assert p.used == 4
    asyncio.run(main())


def test_without_an_event_loop_and_after_close() -> None:
    p = Prepeeler(SECRET)
    htlc = lock(0)
    p.arriving(htlc)  # no running loop: nothing queued, nothing raised
    assert not p._queue
    assert isinstance(p.take(htlc), PeeledOnion) and p.used == 0

    async def main() -> None:
        q = Prepeeler(SECRET)
        q.arriving(lock(1))
        q.close()
        await asyncio.sleep(0)
        assert not q._queue and not q._done
    asyncio.run(main())
