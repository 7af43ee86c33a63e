"""Reconnection: `channel_reestablish`, retransmissions in the right order, crashes at
every point of an exchange, and data loss protection."""

from __future__ import annotations

import dataclasses
import random

import pytest

from amiko.channels.bolt.core import BoltChannel
from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.bolt.outputs import Broadcast, ChannelFailed
from amiko.channels.bolt.states import Phase
from amiko.wire.messages import (
    ChannelReestablish,
    CommitmentSigned,
    Error,
    RevokeAndAck,
    Shutdown,
    UpdateAddHtlc,
    UpdateFulfillHtlc,
)
from tests.test_bolt2_harness import (
    KEYS_A,
    KEYS_B,
    Pair,
    incoming,
    open_channel,
    preimage_of,
    settled_ids,
    verify_broadcast,
    verify_commitment,
)
from tests.test_bolt2_random import World


def kinds(messages: list[object]) -> list[str]:
    return [type(m).__name__ for m in messages]


def channel() -> Pair:
    return open_channel(push_msat=300_000_000)


def reconnect_collect(pair: Pair) -> tuple[list[object], list[object]]:
    """Reconnect and return what each side sent after the peer's channel_reestablish."""
    a, b = pair.a, pair.b
    for n in (a, b):
        n.connected = True
        (msg,) = n.apply(n.c.peer_connected()).messages
        assert isinstance(msg, ChannelReestablish)
    ra, rb = a.outbox.popleft(), b.outbox.popleft()
    out_b = b.apply(b.c.receive(ra)).messages
    out_a = a.apply(a.c.receive(rb)).messages
    return out_a, out_b


def test_lost_commitment_signed_is_retransmitted_with_its_updates() -> None:
    pair = channel()
    a = pair.a
    a.offer(5_000_000, 1)
    a.offer(6_000_000, 2)
    a.sign()
    a.outbox.clear()  # all lost
    pair.disconnect()
    out_a, out_b = reconnect_collect(pair)
    # (no commitment_signed arrived anywhere yet: both also repeat channel_ready)
    assert kinds(out_a) == ["ChannelReady", "UpdateAddHtlc", "UpdateAddHtlc",
                            "CommitmentSigned"]
    assert kinds(out_b) == ["ChannelReady"]
    pair.flush()
    assert incoming(pair.b) == [0, 1]


def test_lost_revoke_and_ack_is_retransmitted() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    a.offer(5_000_000, 1)
    a.sign()
    pair.flush(sign=False)  # B answers with revoke_and_ack ...
    assert not b.outbox  # (delivered)
    a.offer(5_000_000, 2)
    a.sign()
    pair.deliver(a)
    pair.deliver(a)
    b.outbox.clear()  # ... but the second one is lost
    pair.disconnect()
    out_a, out_b = reconnect_collect(pair)
    assert kinds(out_b) == ["RevokeAndAck"]


@pytest.mark.parametrize("revoke_first", [True, False])
def test_revoke_and_commit_are_retransmitted_in_their_original_order(revoke_first: bool
                                                                     ) -> None:
    pair = channel()
    a, b = pair.a, pair.b
    # B has something to sign; A commits an HTLC to B
    b.offer(3_000_000, 10)
    pair.deliver(b)
    a.offer(5_000_000, 1)
    a.sign()
    pair.deliver(a)
    pair.deliver(a)  # B receives A's commitment_signed
    assert kinds(list(b.outbox)) == ["RevokeAndAck"]
    if revoke_first:
        b.sign()  # B: revoke_and_ack, then commitment_signed
        assert kinds(list(b.outbox)) == ["RevokeAndAck", "CommitmentSigned"]
    else:
        # B signs before it answers: commitment_signed, then revoke_and_ack
        b.outbox.clear()
        pair.disconnect()
        pair.reconnect()
        b.sign()
        assert kinds(list(b.outbox)) == ["CommitmentSigned"]
        pair.deliver(a)  # (nothing)
        a.offer(1_000_000, 2)
        a.sign()
        while a.outbox:
            pair.deliver(a)
        assert kinds(list(b.outbox)) == ["CommitmentSigned", "RevokeAndAck"]
    sent = kinds(list(b.outbox))
    b.outbox.clear()  # both lost
    pair.disconnect()
    out_a, out_b = reconnect_collect(pair)
    assert [k for k in kinds(out_b) if k in sent] == sent
    pair.flush()
    verify_commitment(a.c)
    verify_commitment(b.c)
    assert a.c.data.local_commitment_number == b.c.data.remote_commitment_number


def test_settle_while_disconnected_goes_out_after_reestablish() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    a.offer(5_000_000, 1)
    pair.flush()
    pair.disconnect()
    assert b.apply(b.c.settle_htlc(0, preimage_of(1))).persist
    out_a, out_b = reconnect_collect(pair)
    assert kinds(out_b) == ["UpdateFulfillHtlc"]
    pair.flush()
    assert settled_ids(a) == [0] and not a.c.data.htlcs


def test_peer_uncommitted_updates_are_forgotten() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    a.offer(5_000_000, 1)
    pair.flush()
    b.apply(b.c.settle_htlc(0, preimage_of(1)))
    a.offer(7_000_000, 2)
    pair.deliver(a)
    pair.deliver(b)
    assert len(a.c.data.htlcs) == 2 and len(b.c.data.htlcs) == 2
    assert settled_ids(a) == [0]
    pair.disconnect()
    # B forgot A's uncommitted add; A reverted B's uncommitted fulfill (but keeps the
    # preimage it reported)
    assert len(b.c.data.htlcs) == 1 and b.c.data.next_remote_htlc_id == 1
    h = a.c.data.htlcs[next(iter(a.c.data.htlcs))]
    assert h.removal is None and h.preimage == preimage_of(1)
    pair.reconnect()
    pair.flush()
    assert settled_ids(a) == [0]  # reported once
    assert incoming(b) == [0, 1]


def test_shutdown_is_retransmitted() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    a.offer(5_000_000, 1)
    pair.flush()
    a.apply(a.c.shutdown(a.c.data.close_script))
    a.outbox.clear()
    pair.disconnect()
    out_a, _ = reconnect_collect(pair)
    assert kinds(out_a) == ["Shutdown"]
    pair.flush()
    assert b.c.state is Phase.SHUTDOWN


# -- data loss protection ----------------------------------------------------------------------

def test_node_restored_from_an_old_backup_does_not_broadcast() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    backup = a.c.to_bytes()
    for i in range(3):
        a.offer(5_000_000, i)
        pair.flush()
    a.core = BoltChannel.from_bytes(backup, KEYS_A)
    a.outbox.clear()
    pair.disconnect()
    for n in (a, b):
        n.connected = True
        n.apply(n.c.peer_connected())
    reest_b = b.outbox.popleft()
    out = a.apply(a.c.receive(reest_b))
    (err,) = out.messages
    assert isinstance(err, Error) and b"lost channel state" in err.data
    failed = [e for e in out.events if isinstance(e, ChannelFailed)]
    assert failed and not failed[0].broadcast_commitment
    assert not any(isinstance(e, Broadcast) for e in out.events)
    assert a.c.state is Phase.FAILED and a.c.data.must_not_broadcast
    # even the peer's error does not make us broadcast
    a.apply(a.c.receive(Error(a.c.data.channel_id, b"closing")))  # type: ignore[arg-type]
    assert not a.events_of(Broadcast)
    # the up-to-date peer sees that A is behind: it fails the channel and broadcasts
    out = b.apply(b.c.receive(a.outbox.popleft()))
    assert isinstance(out.messages[0], Error) and b.c.state is Phase.FAILED
    verify_broadcast(b, b.c)


def test_reestablish_with_wrong_secret_fails_the_channel() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    a.offer(5_000_000, 1)
    pair.flush()
    pair.disconnect()
    for n in (a, b):
        n.connected = True
        n.apply(n.c.peer_connected())
    reest = b.outbox.popleft()
    assert isinstance(reest, ChannelReestablish) and reest.next_revocation_number == 1
    bad = dataclasses.replace(reest, your_last_per_commitment_secret=bytes(32))
    out = a.apply(a.c.receive(bad))
    assert isinstance(out.messages[0], Error) and a.c.state is Phase.FAILED
    verify_broadcast(a, a.c)


def test_reestablish_with_next_commitment_number_zero() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    pair.disconnect()
    for n in (a, b):
        n.connected = True
        n.apply(n.c.peer_connected())
    reest = dataclasses.replace(b.outbox.popleft(), next_commitment_number=0)
    out = a.apply(a.c.receive(reest))
    assert isinstance(out.messages[0], Error) and a.c.state is Phase.FAILED


def test_reestablish_fields() -> None:
    pair = channel()
    a = pair.a
    a.offer(5_000_000, 1)
    pair.flush()
    pair.disconnect()
    (msg,) = a.apply(a.c.peer_connected()).messages
    assert isinstance(msg, ChannelReestablish)
    # A: commitment 1 is its latest (next expected: 2); B revoked 0 (next: 1)
    assert msg.next_commitment_number == 2 and msg.next_revocation_number == 1
    assert msg.your_last_per_commitment_secret == KEYS_B.per_commitment_secret(0)
    assert msg.my_current_per_commitment_point == KEYS_A.per_commitment_point(1)


# -- a crash or a disconnection at every point of an exchange --------------------------------

SCRIPT_SEED = 7
SCRIPT_STEPS = 45


def _script_world() -> World:
    world = World(SCRIPT_SEED, CommitmentType.ANCHORS)
    # no random crashes inside the script itself: only deliveries, offers, signs, resolves
    world.step = _no_crash_step.__get__(world)  # type: ignore[method-assign]
    return world


def _no_crash_step(self: World) -> str:
    rng = self.rng
    n = rng.choice(self.nodes)
    op = rng.random()
    if op < 0.25:
        self.offer(n)
        return "offer"
    if op < 0.4:
        self.resolve(n)
        return "resolve"
    if op < 0.55:
        n.sign()
        return "sign"
    self.pair.deliver(n)
    return "deliver"


@pytest.mark.parametrize("mode", ["disconnect", "crash A", "crash B"])
def test_cut_at_every_point(mode: str) -> None:
    seen = set()
    for cut in range(SCRIPT_STEPS):
        world = _script_world()
        for _ in range(cut):
            world.step()
        seen.add(tuple(sorted(kinds(list(world.pair.a.outbox) + list(world.pair.b.outbox)))))
        if mode == "disconnect":
            world.pair.disconnect()
            world.pair.reconnect()
        else:
            world.crash(world.pair.a if mode == "crash A" else world.pair.b)
        world.finish()
    assert len(seen) > 10  # the cuts fell on many different in-flight situations


def test_crash_between_persist_and_send() -> None:
    """A node that persisted a state but crashed before its messages left: the restored
    node and its peer still converge."""
    rng = random.Random(3)
    for _ in range(20):
        pair = channel()
        a, b = pair.a, pair.b
        for i in range(rng.randint(1, 4)):
            a.offer(rng.randint(1_000_000, 9_000_000), i)
        a.sign()
        for _ in range(rng.randint(0, 6)):
            pair.deliver(rng.choice((a, b)))
        victim = rng.choice((a, b))
        victim.crash_and_restore()
        peer = pair.other(victim)
        peer.outbox.clear()
        peer.connected = False
        peer.apply(peer.c.peer_disconnected())
        pair.reconnect()
        pair.flush()
        assert sorted(incoming(b)) == list(range(len(incoming(b))))
        for h in list(b.c.data.htlcs.values()):
            b.apply(b.c.settle_htlc(h.htlc_id, preimage_of(h.htlc_id)))
        pair.flush()
        assert not a.c.data.htlcs and not b.c.data.htlcs


def test_messages_sent_have_the_right_types() -> None:
    assert {UpdateAddHtlc, UpdateFulfillHtlc, CommitmentSigned, RevokeAndAck, Shutdown}
