"""Crash safety of the trust channel: either node is killed (-9) at random points and comes
back from its last durable bytes, then reestablishes. Nothing is lost or doubled, no number
is ever signed for two different states, and the older state never wins."""

from __future__ import annotations

import itertools
import random

import pytest

from amiko.channels.trust.data import Phase
from amiko.channels.trust.state import check_state
from tests.test_trust_core import opened


def monotone(numbers: list[int]) -> bool:
    return all(x <= y for x, y in itertools.pairwise(numbers))


@pytest.mark.parametrize("seed", range(25))
def test_random_crashes_lose_and_double_nothing(seed):
    rng = random.Random(1000 + seed)
    pair = opened(rng, a_limit=rng.randrange(1, 40_000_000), b_request=rng.randrange(1, 40_000_000),
                  b_accepts=rng.randrange(1, 40_000_000))
    crashes = 0
    for _ in range(500):
        x = rng.random()
        side = pair.a if rng.random() < 0.5 else pair.b
        if x < 0.25:
            if pair.connected:
                pair.offer(side, rng.randrange(1, 6_000_000))
        elif x < 0.38 and side.todo:
            pair.decide(side, side.todo.pop(rng.randrange(len(side.todo))))
        elif x < 0.75:
            pair.deliver(side)
        elif x < 0.92:
            pair.propose(side)
        elif x < 0.96:
            pair.crash(side)
            crashes += 1
            pair.connect()
        else:
            pair.connect()
        for s in (pair.a, pair.b):
            assert s.core is not None and s.core.phase is Phase.NORMAL, s.core.data.failure
    pair.connect()
    pair.pump()
    pair.check_conservation()
    for s in (pair.a, pair.b):
        assert monotone(s.stored_numbers), "a stored state went back"
        assert s.core is not None and s.core.current is not None
        check_state(s.core.current.state)
        assert s.core.current.state.number == max(s.signed)  # the newest state won
    assert crashes > 0


def test_crash_between_sign_and_ack_recovers():
    """B signed A's proposal (durable) and dies before A's trust_ack arrives; A co-signed."""
    pair = opened()
    pair.offer(pair.a, 2000)
    pair.propose(pair.a)
    pair.deliver(pair.b)  # B: trust_sign out
    pair.deliver(pair.a)  # A: co-signed, trust_ack out
    pair.crash(pair.b)  # the ack is lost with the connection
    a, b = pair.a.core, pair.b.core
    assert a is not None and b is not None and a.current is not None and b.current is not None
    assert a.current.state.number == 1 and b.current.state.number == 0
    pair.connect()  # reestablish: A resends its trust_ack
    pair.pump()
    pair.check_conservation()
    assert b.current is not None and b.current.state.number >= 1


def test_crash_of_proposer_after_update_resends_the_same_proposal():
    pair = opened()
    pair.offer(pair.b, 1000)
    pair.offer(pair.b, 3000)
    pair.propose(pair.b)  # stored, then sent
    pair.deliver(pair.a)  # A signs B's proposal
    pair.crash(pair.b)  # B dies before A's trust_sign arrives
    pair.connect()
    pair.pump()
    pair.check_conservation()
    assert not pair.a.warnings and not pair.b.warnings


def test_peer_behind_never_wins():
    """A restores an old backup (it lost states): B refuses to go back; A sees it is behind
    and stops using the channel rather than sign anything older."""
    pair = opened()
    a_old = pair.a.stored
    for amount in (2000, 4000, 6000):
        pair.offer(pair.a, amount)
        pair.pump()
    b = pair.b.core
    assert b is not None and b.current is not None
    number = b.current.state.number
    pair.a.stored = a_old
    pair.crash(pair.a)
    pair.connect()
    pair.pump()
    a = pair.a.core
    assert a is not None
    assert a.phase is Phase.FAILED  # it knows it lost data
    assert b.current.state.number == number  # B kept the newest state
    assert b.phase is Phase.NORMAL
    assert any("refusing to go back" in w for w in pair.b.warnings)
