"""The switch and the payee over fake channels: forwarding, policy failures attributed at
the origin, settle-through, fail-back, multi-part sets, keysend, and durability of circuits."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from dataclasses import dataclass, field

from amiko.bitcoin.networks import REGTEST
from amiko.channels.interface import (
    ChannelState,
    ChannelStatus,
    FailureReason,
    HtlcOffer,
    IncomingHtlc,
    Offered,
    RefusalReason,
    Refused,
)
from amiko.crypto.keys import pubkey_of
from amiko.node import Node, NodeConfig
from amiko.payments.invoice_book import InvoiceBook
from amiko.payments.onion import (
    HopSpec,
    build_final_payload,
    build_forward_payload,
    construct_onion,
    decode_failure,
)
from amiko.payments.onion.failures import (
    AmountBelowMinimum,
    FeeInsufficient,
    IncorrectCltvExpiry,
    IncorrectOrUnknownPaymentDetails,
    MppTimeout,
    TemporaryChannelFailure,
    UnknownNextPeer,
)
from amiko.payments.payee import Payee
from amiko.payments.switch import POLICY_GRACE_SECONDS, ForwardPolicy, Switch
from amiko.store.batch import CommitBatcher
from amiko.store.sqlite import Store

B_SECRET, C_SECRET = b"\x0b" * 32, b"\x0c" * 32
B_ID, C_ID = pubkey_of(B_SECRET), pubkey_of(C_SECRET)
OUT_SCID = (700 << 40) | (1 << 16) | 0
HEIGHT = 1000


@dataclass
class FakeChannel:
    channel_id: bytes
    peer_id: bytes = b"\x02" * 33
    scid: int | None = None
    refuse: RefusalReason | None = None
    offered: list[HtlcOffer] = field(default_factory=list)
    settled: dict[int, bytes] = field(default_factory=dict)
    failed: dict[int, FailureReason] = field(default_factory=dict)
    gone: set[int] = field(default_factory=set)  # offered locks the channel lost (never committed)
    held: list[IncomingHtlc] = field(default_factory=list)  # incoming locks nobody decided about

    def status(self) -> ChannelStatus:
        return ChannelStatus(self.channel_id, self.peer_id, "fake", ChannelState.NORMAL, self.scid,
                             10**10, 10**9, 10**9, 10**9, 10**9, 1, 0, True)

    def offer_htlc(self, offer: HtlcOffer):
        if self.refuse is not None:
            return Refused(self.refuse)
        self.offered.append(offer)
        return Offered(len(self.offered) - 1)

    def settle_htlc(self, htlc_id: int, preimage: bytes) -> None:
        self.settled[htlc_id] = preimage

    def fail_htlc(self, htlc_id: int, reason: FailureReason) -> None:
        self.failed[htlc_id] = reason

    def pending_incoming(self):
        return [h for h in self.held if h.htlc_id not in self.settled and h.htlc_id not in self.failed]

    def pending_outgoing(self):
        return {i: o.payment_hash for i, o in enumerate(self.offered) if i not in self.gone}


@dataclass
class Directory:
    channels: list[FakeChannel]

    def by_short_channel_id(self, scid):
        return next((c for c in self.channels if c.scid == scid), None)

    def by_channel_id(self, cid):
        return next((c for c in self.channels if c.channel_id == cid), None)


def two_hop_onion(payment_hash, amount_out, cltv_out, *, scid=OUT_SCID, secret=b"\x55" * 32, total=None):
    hops = [
        HopSpec(B_ID, build_forward_payload(amount_out, cltv_out, scid)),
        HopSpec(C_ID, build_final_payload(amount_out, cltv_out, payment_secret=secret, total_msat=total)),
    ]
    return construct_onion(os.urandom(32), hops, payment_hash)


def make_switch(tmp_path, secret=B_SECRET, policy=ForwardPolicy(1000, 100, 40)):
    store = Store(str(tmp_path / f"{secret.hex()[:4]}.sqlite"))
    inc = FakeChannel(b"\x01" * 32)
    out = FakeChannel(b"\x02" * 32, scid=OUT_SCID)
    switch = Switch(secret, store, CommitBatcher(store), Directory([inc, out]), lambda _cid: policy,
                    lambda: HEIGHT)
    return switch, inc, out, store


def incoming(onion, payment_hash, amount, cltv, htlc_id=0, channel_id=b"\x01" * 32):
    return IncomingHtlc(channel_id, htlc_id, amount, payment_hash, cltv, onion)


def test_forward_then_settle_and_fail_through(tmp_path):
    async def main():
        switch, inc, out, store = make_switch(tmp_path)
        preimage = os.urandom(32)
        h = hashlib.sha256(preimage).digest()
        amount_out, cltv_out = 50_000_000, HEIGHT + 100
        fee = 1000 + amount_out * 100 // 1_000_000
        onion = two_hop_onion(h, amount_out, cltv_out)
        switch.htlc_incoming(inc, incoming(onion.packet, h, amount_out + fee, cltv_out + 40))
        (offer,) = out.offered
        assert (offer.amount_msat, offer.cltv_expiry, offer.payment_hash) == (amount_out, cltv_out, h)
        # the outgoing onion is what C can peel
        from amiko.payments.onion import peel_onion

        peeled = peel_onion(C_SECRET, offer.onion, h)
        assert peeled.is_final and peeled.hop.amt_to_forward == amount_out
        await switch.batcher.drain()
        (c,) = switch.forwards()
        assert (c.fee_msat, c.status) == (fee, "offered")
        # downstream settles: upstream is settled at once with the preimage
        switch.htlc_settled(out, 0, preimage)
        assert inc.settled == {0: preimage}
        await switch.batcher.drain()
        assert switch.forwards()[0].status == "settled"

        # a second forward fails downstream (C says unknown payment): the origin reads C's failure
        onion2 = two_hop_onion(b"\x77" * 32, amount_out, cltv_out)
        switch.htlc_incoming(inc, incoming(onion2.packet, b"\x77" * 32, amount_out + fee, cltv_out + 40, htlc_id=1))
        from amiko.payments.onion import create_failure

        c_failure = create_failure(onion2.shared_secrets[1], IncorrectOrUnknownPaymentDetails(amount_out, HEIGHT).encode())
        switch.htlc_failed(out, 1, FailureReason(onion=c_failure))
        decoded = decode_failure(onion2.shared_secrets, inc.failed[1].onion)
        assert decoded.hop_index == 1 and isinstance(decoded.failure, IncorrectOrUnknownPaymentDetails)

    asyncio.run(main())


def test_locks_that_come_before_the_chain_height_is_known_are_decided_once_it_is(tmp_path):
    async def main():
        store = Store(str(tmp_path / "h.sqlite"))
        inc = FakeChannel(b"\x01" * 32)
        out = FakeChannel(b"\x02" * 32, scid=OUT_SCID)
        height = [0]
        switch = Switch(B_SECRET, store, CommitBatcher(store), Directory([inc, out]),
                        lambda _cid: ForwardPolicy(1000, 100, 40), lambda: height[0])
        h = b"\x42" * 32
        forwarded = incoming(two_hop_onion(h, 1_000_000, HEIGHT + 100).packet, h, 1_000_000 + 1100,
                             HEIGHT + 140, htlc_id=0)
        gone = incoming(two_hop_onion(h, 1_000_000, HEIGHT + 100).packet, h, 1_000_000 + 1100,
                        HEIGHT + 140, htlc_id=1)
        inc.held = [forwarded, gone]
        for htlc in inc.held:
            switch.htlc_incoming(inc, htlc)
        assert out.offered == [] and inc.failed == {}  # nothing can be checked yet
        switch.height_known()  # a block that still leaves the height unknown changes nothing
        assert out.offered == []
        inc.failed[1] = FailureReason(failure_code=0x2002)  # decided meanwhile (its channel closed)
        height[0] = HEIGHT
        switch.height_known()
        assert [o.payment_hash for o in out.offered] == [h]  # forwarded, once
        switch.height_known()
        assert len(out.offered) == 1 and list(inc.failed) == [1]

    asyncio.run(main())


def test_policy_failures_are_attributed_to_us(tmp_path):
    switch, inc, out, _ = make_switch(tmp_path)
    h = b"\x42" * 32
    amount, cltv = 10_000_000, HEIGHT + 100
    cases = [
        (two_hop_onion(h, amount, cltv), amount + 10, cltv + 40, FeeInsufficient),
        (two_hop_onion(h, amount, cltv), amount + 5000, cltv + 39, IncorrectCltvExpiry),
        (two_hop_onion(h, amount, cltv, scid=12345), amount + 5000, cltv + 40, UnknownNextPeer),
    ]
    for i, (onion, amount_in, cltv_in, expected) in enumerate(cases):
        switch.htlc_incoming(inc, incoming(onion.packet, h, amount_in, cltv_in, htlc_id=i))
        decoded = decode_failure(onion.shared_secrets, inc.failed[i].onion)
        assert decoded.hop_index == 0 and isinstance(decoded.failure, expected), decoded
    assert out.offered == []
    # the outgoing channel refuses (no balance): temporary_channel_failure from us
    out.refuse = RefusalReason.INSUFFICIENT_BALANCE
    onion = two_hop_onion(h, amount, cltv)
    switch.htlc_incoming(inc, incoming(onion.packet, h, amount + 5000, cltv + 40, htlc_id=9))
    decoded = decode_failure(onion.shared_secrets, inc.failed[9].onion)
    assert decoded.hop_index == 0 and isinstance(decoded.failure, TemporaryChannelFailure)
    # what the outgoing channel itself requires is its own refusal, mapped to BOLT 4
    for i, (reason, expected) in enumerate([
            (RefusalReason.CHANNEL_NOT_USABLE, TemporaryChannelFailure),
            (RefusalReason.AMOUNT_BELOW_MINIMUM, AmountBelowMinimum)], start=10):
        out.refuse = reason
        onion = two_hop_onion(h, amount, cltv)
        switch.htlc_incoming(inc, incoming(onion.packet, h, amount + 5000, cltv + 40, htlc_id=i))
        decoded = decode_failure(onion.shared_secrets, inc.failed[i].onion)
        assert decoded.hop_index == 0 and isinstance(decoded.failure, expected), decoded
        if expected is AmountBelowMinimum:
            assert decoded.failure.htlc_msat == amount + 5000  # the incoming HTLC's amount
    assert out.offered == []


def test_the_policy_before_a_change_is_still_honoured_for_a_while(tmp_path):
    """BOLT 7: after a new channel_update, the previous parameters are accepted for 10
    minutes (payers may not have heard of the change); what neither allows is refused."""

    async def main():
        switch, inc, out, _ = make_switch(tmp_path, policy=ForwardPolicy(2000, 200, 50))
        previous: list[ForwardPolicy | None] = [ForwardPolicy(1000, 100, 40)]
        switch.previous_policy_of = lambda _cid: previous[0]
        h = b"\x43" * 32
        amount, cltv = 10_000_000, HEIGHT + 100
        old_fee = 1000 + amount * 100 // 1_000_000
        onion = two_hop_onion(h, amount, cltv)
        switch.htlc_incoming(inc, incoming(onion.packet, h, amount + old_fee, cltv + 40, htlc_id=0))
        assert [o.amount_msat for o in out.offered] == [amount]  # the old fee and delta: forwarded
        onion = two_hop_onion(h, amount, cltv)
        switch.htlc_incoming(inc, incoming(onion.packet, h, amount + old_fee - 1, cltv + 40, htlc_id=1))
        assert isinstance(decode_failure(onion.shared_secrets, inc.failed[1].onion).failure, FeeInsufficient)
        previous[0] = None  # the grace is over
        onion = two_hop_onion(h, amount, cltv)
        switch.htlc_incoming(inc, incoming(onion.packet, h, amount + old_fee, cltv + 40, htlc_id=2))
        assert isinstance(decode_failure(onion.shared_secrets, inc.failed[2].onion).failure, FeeInsufficient)
        assert len(out.offered) == 1

    asyncio.run(main())


def test_node_keeps_the_replaced_policy_for_ten_minutes(tmp_path, monkeypatch):
    node = Node(NodeConfig(datadir=str(tmp_path / "n"), listen=None, trust=False))
    cid = b"\x07" * 32
    first = node.policy_of(cid)
    assert node._previous_policy_of(cid) is None
    node.set_policy(cid, ForwardPolicy(5000, 500, 80))
    assert node.policy_of(cid) == ForwardPolicy(5000, 500, 80)
    assert node._previous_policy_of(cid) == first
    node.set_policy(cid, ForwardPolicy(5000, 500, 80))  # no change: the grace stands as it was
    assert node._previous_policy_of(cid) == first
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now + POLICY_GRACE_SECONDS + 1)
    assert node._previous_policy_of(cid) is None
    node.store.close()


def test_malformed_onion_is_reported_malformed(tmp_path):
    switch, inc, _out, _ = make_switch(tmp_path)
    onion = bytearray(two_hop_onion(b"\x42" * 32, 1000, HEIGHT + 100).packet)
    onion[100] ^= 1
    switch.htlc_incoming(inc, incoming(bytes(onion), b"\x42" * 32, 3000, HEIGHT + 90))
    reason = inc.failed[0]
    assert reason.onion is None and reason.failure_code is not None
    assert reason.sha256_of_onion == hashlib.sha256(bytes(onion)).digest()


def test_circuits_survive_a_restart(tmp_path):
    async def main():
        switch, inc, out, store = make_switch(tmp_path)
        preimage = os.urandom(32)
        h = hashlib.sha256(preimage).digest()
        onion = two_hop_onion(h, 1_000_000, HEIGHT + 100)
        switch.htlc_incoming(inc, incoming(onion.packet, h, 1_000_000 + 1100, HEIGHT + 140))
        await switch.batcher.drain()
        # restart: a new switch reads the circuit; the downstream settle still reaches upstream
        again = Switch(B_SECRET, store, switch.batcher, Directory([inc, out]), lambda _c: ForwardPolicy(),
                       lambda: HEIGHT)
        again.load()
        again.htlc_settled(out, 0, preimage)
        assert inc.settled == {0: preimage}
        # the crash came after the downstream settle but before upstream settled: resume() does it
        inc.settled.clear()
        await again.batcher.drain()
        third = Switch(B_SECRET, store, switch.batcher, Directory([inc, out]), lambda _c: ForwardPolicy(),
                       lambda: HEIGHT)
        third.load()
        third.resume()
        assert inc.settled == {0: preimage}
        # a repeated incoming delivery does not forward twice
        third.htlc_incoming(inc, incoming(onion.packet, h, 1_000_000 + 1100, HEIGHT + 140))
        assert len(out.offered) == 1

    asyncio.run(main())


class Timers:
    def __init__(self):
        self.pending = []

    def call_later(self, delay, fn):
        timer = _Timer(fn)
        self.pending.append(timer)
        return timer

    def fire(self):
        for t in self.pending:
            if not t.cancelled:
                t.fn()


@dataclass
class _Timer:
    fn: object
    cancelled: bool = False

    def cancel(self):
        self.cancelled = True


def payee_setup(tmp_path):
    store = Store(str(tmp_path / "c.sqlite"))
    book = InvoiceBook(store, REGTEST, C_SECRET)
    timers = Timers()
    payee = Payee(book, lambda: HEIGHT, timers.call_later)
    switch = Switch(C_SECRET, store, CommitBatcher(store), Directory([]), lambda _c: ForwardPolicy(), lambda: HEIGHT)
    switch.payee = payee
    return book, payee, switch, timers


def final_onion(h, amount, cltv, secret, total=None, keysend=None):
    payload = build_final_payload(amount, cltv, payment_secret=secret, total_msat=total, keysend_preimage=keysend)
    return construct_onion(os.urandom(32), [HopSpec(C_ID, payload)], h)


def test_payee_multi_part_and_exactly_once(tmp_path):
    book, payee, switch, timers = payee_setup(tmp_path)
    inv = book.create(100_000, "mpp")
    ch = FakeChannel(b"\x03" * 32)
    for i, part in enumerate((40_000, 60_000)):
        onion = final_onion(inv.payment_hash, part, HEIGHT + 100, inv.payment_secret, total=100_000)
        switch.htlc_incoming(ch, IncomingHtlc(ch.channel_id, i, part, inv.payment_hash, HEIGHT + 100, onion.packet))
        if i == 0:
            assert ch.settled == {} and book.by_hash(inv.payment_hash).status == "unpaid"
    assert ch.settled == {0: inv.preimage, 1: inv.preimage}
    rec = book.by_hash(inv.payment_hash)
    assert rec.status == "paid" and rec.received_msat == 100_000
    # paying again is refused
    onion = final_onion(inv.payment_hash, 100_000, HEIGHT + 100, inv.payment_secret)
    switch.htlc_incoming(ch, IncomingHtlc(ch.channel_id, 2, 100_000, inv.payment_hash, HEIGHT + 100, onion.packet))
    assert 2 in ch.failed and 2 not in ch.settled


def test_payee_refusals_and_timeout(tmp_path):
    book, payee, switch, timers = payee_setup(tmp_path)
    inv = book.create(100_000, "x")
    ch = FakeChannel(b"\x03" * 32)

    def send(i, amount, secret=inv.payment_secret, total=None, h=inv.payment_hash, cltv=HEIGHT + 100):
        onion = final_onion(h, amount, cltv, secret, total=total)
        switch.htlc_incoming(ch, IncomingHtlc(ch.channel_id, i, amount, h, cltv, onion.packet))
        return onion

    for i, kwargs in enumerate([dict(amount=100_000, secret=b"\x00" * 32),  # wrong secret
                                dict(amount=99_999),  # below the invoice
                                dict(amount=200_001),  # more than twice
                                dict(amount=100_000, h=b"\x13" * 32),  # unknown hash
                                dict(amount=100_000, cltv=HEIGHT + 5)]):  # too close to expire
        onion = send(i, **kwargs)
        decoded = decode_failure(onion.shared_secrets, ch.failed[i].onion)
        assert isinstance(decoded.failure, IncorrectOrUnknownPaymentDetails), (i, decoded)
    # half of an MPP that never completes: rolled back with mpp_timeout
    onion = send(10, 50_000, total=100_000)
    assert 10 not in ch.failed
    timers.fire()
    assert isinstance(decode_failure(onion.shared_secrets, ch.failed[10].onion).failure, MppTimeout)
    assert book.by_hash(inv.payment_hash).status == "unpaid"


def test_keysend_and_hold_invoice(tmp_path):
    book, payee, switch, timers = payee_setup(tmp_path)
    ch = FakeChannel(b"\x03" * 32)
    preimage = os.urandom(32)
    h = hashlib.sha256(preimage).digest()
    onion = final_onion(h, 5000, HEIGHT + 100, None, keysend=preimage)
    switch.htlc_incoming(ch, IncomingHtlc(ch.channel_id, 0, 5000, h, HEIGHT + 100, onion.packet))
    assert ch.settled == {0: preimage}
    assert book.by_hash(h).status == "paid"

    hold_preimage = os.urandom(32)
    hold_hash = hashlib.sha256(hold_preimage).digest()
    inv = book.create(7000, "hold", payment_hash=hold_hash)
    onion = final_onion(hold_hash, 7000, HEIGHT + 100, inv.payment_secret)
    switch.htlc_incoming(ch, IncomingHtlc(ch.channel_id, 1, 7000, hold_hash, HEIGHT + 100, onion.packet))
    assert 1 not in ch.settled and 1 not in ch.failed
    assert payee.settle_hold(hold_preimage)
    assert ch.settled[1] == hold_preimage and book.by_hash(hold_hash).status == "paid"


def test_outgoing_lock_lost_in_a_crash_is_failed_back_and_its_id_reused(tmp_path):
    async def main():
        switch, inc, out, store = make_switch(tmp_path)
        h1 = b"\x61" * 32
        onion1 = two_hop_onion(h1, 1_000_000, HEIGHT + 100)
        switch.htlc_incoming(inc, incoming(onion1.packet, h1, 1_000_000 + 1100, HEIGHT + 140))
        await switch.batcher.drain()
        # the crash came before the outgoing lock was signed: the channel does not hold it
        out.gone.add(0)
        again = Switch(B_SECRET, store, switch.batcher, Directory([inc, out]), lambda _c: ForwardPolicy(1000, 100, 40),
                       lambda: HEIGHT)
        again.load()
        again.resume()
        decoded = decode_failure(onion1.shared_secrets, inc.failed[0].onion)
        assert decoded.hop_index == 0 and isinstance(decoded.failure, TemporaryChannelFailure)
        # the channel gives id 0 to the next lock; the new circuit takes it, the old one stays apart
        out.offered.clear()
        out.gone.clear()
        preimage = b"\x62" * 32
        h2 = hashlib.sha256(preimage).digest()
        onion2 = two_hop_onion(h2, 1_000_000, HEIGHT + 100)
        again.htlc_incoming(inc, incoming(onion2.packet, h2, 1_000_000 + 1100, HEIGHT + 140, htlc_id=1))
        await again.batcher.drain()
        again.htlc_settled(out, 0, preimage)
        assert inc.settled == {1: preimage}
        await again.batcher.drain()
        statuses = sorted(c.status for c in again.forwards())
        assert statuses == ["lost", "settled"]

    asyncio.run(main())


def test_onions_peeled_ahead_serve_only_the_lock_that_is_committed(tmp_path):
    """A proposal's onion is peeled while the commitment round goes on; when the lock is
    committed the switch forwards with that result, but only if the committed lock has the
    very onion and payment hash that were peeled (a forgotten proposal's id may come back
    with another onion)."""
    async def main():
        switch, inc, out, _store = make_switch(tmp_path)
        h = b"\x21" * 32
        amount_out, cltv_out = 50_000_000, HEIGHT + 100
        fee = 1000 + amount_out * 100 // 1_000_000
        proposed = incoming(two_hop_onion(h, amount_out, cltv_out).packet, h, amount_out + fee, cltv_out + 40)
        switch.htlc_arriving(inc, proposed)
        while switch.prepeeler._queue:
            await asyncio.sleep(0.001)
        assert out.offered == [] and inc.failed == {}  # a proposal is never acted upon
        switch.htlc_incoming(inc, proposed)
        assert switch.prepeeler.used == 1
        from amiko.payments.onion import peel_onion
        (offer,) = out.offered
        assert peel_onion(C_SECRET, offer.onion, h).hop.amt_to_forward == amount_out
        # id 1 proposed with one onion, committed with another (smaller amount onward)
        first = incoming(two_hop_onion(h, amount_out, cltv_out).packet, h, amount_out + fee, cltv_out + 40,
                         htlc_id=1)
        switch.htlc_arriving(inc, first)
        while switch.prepeeler._queue:
            await asyncio.sleep(0.001)
        other_out = amount_out // 2
        other_fee = 1000 + other_out * 100 // 1_000_000
        committed = incoming(two_hop_onion(h, other_out, cltv_out).packet, h, other_out + other_fee,
                             cltv_out + 40, htlc_id=1)
        switch.htlc_incoming(inc, committed)
        assert switch.prepeeler.used == 1
        assert out.offered[1].amount_msat == other_out
        assert peel_onion(C_SECRET, out.offered[1].onion, h).hop.amt_to_forward == other_out
        switch.close()
    asyncio.run(main())
