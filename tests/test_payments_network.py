"""Payer, switch, payee and router together over an in-memory network of pipe channels."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import os
import time

import pytest

from amiko.bitcoin.networks import REGTEST
from amiko.payments.bolt11 import RouteHop, decode_invoice, encode_invoice
from amiko.payments.payer import PaymentError, PaymentResult
from tests.payment_network import Network


async def settle(net: Network) -> None:
    for _ in range(200):
        await asyncio.sleep(0)
        if net.in_flight() == 0:
            return
    await asyncio.sleep(0.05)


def line(tmp_path, n=5, msat=10_000_000_000):
    net = Network(tmp_path)
    names = [chr(ord("A") + i) for i in range(n)]
    for a, b in itertools.pairwise(names):
        net.connect(a, b, msat, msat)
    return net, names


def diamond(tmp_path, a_side: tuple[int, int], d_side: tuple[int, int]) -> Network:
    """A-B-D and A-C-D: A's two channels hold `a_side` (A's end, the other's), B's and C's
    channels to D hold `d_side` (their end, D's)."""
    net = Network(tmp_path)
    net.connect("A", "B", *a_side)
    net.connect("A", "C", *a_side)
    net.connect("B", "D", *d_side)
    net.connect("C", "D", *d_side)
    return net


async def paid_across(net: Network, amount: int, label: str) -> PaymentResult:
    """A pays D an invoice of `amount`; once every lock has resolved, no msat was made or
    lost and none is left in flight."""
    before = net.total()
    inv = net.nodes["D"].invoices.create(amount, label)
    result = await net.nodes["A"].payer.pay_invoice(decode_invoice(inv.bolt11), timeout=5)
    await settle(net)
    assert net.total() == before and net.in_flight() == 0
    return result


def test_line_payment_fees_and_conservation(tmp_path):
    async def main():
        net, names = line(tmp_path)
        before = net.total()
        a, e = net.nodes["A"], net.nodes["E"]
        inv = e.invoices.create(1_000_000_000, "x")
        result = await a.payer.pay_invoice(decode_invoice(inv.bolt11), bolt11=inv.bolt11)
        assert result.status == "complete" and result.preimage == inv.preimage
        # three forwarding hops at 1000 msat + 1000 ppm
        assert result.fee_msat > 0
        await settle(net)
        assert net.total() == before  # conservation to the msat
        assert e.balance() - 10_000_000_000 == 1_000_000_000
        fees = sum(c.fee_msat for n in "BCD" for c in net.nodes[n].switch.forwards())
        assert fees == result.fee_msat
        assert e.invoices.by_hash(inv.payment_hash).status == "paid"
        # paying twice is refused by the payer
        with pytest.raises(PaymentError, match="already paid"):
            await a.payer.pay_invoice(decode_invoice(inv.bolt11))

    asyncio.run(main())


def test_failure_in_the_middle_then_retry_elsewhere(tmp_path):
    async def main():
        net = diamond(tmp_path, (5_000_000_000, 5_000_000_000), (5_000_000_000, 5_000_000_000))
        bd = net.pipes[2][0]
        bd.online = False  # B's next peer is offline
        result = await paid_across(net, 100_000_000, "y")
        assert result.status == "complete"

    asyncio.run(main())


def test_multi_part_when_one_path_is_too_small(tmp_path):
    async def main():
        net = diamond(tmp_path, (600_000_000, 600_000_000), (600_000_000, 600_000_000))
        result = await paid_across(net, 1_000_000_000, "mpp")
        assert result.status == "complete"
        assert result.parts >= 2
        assert net.nodes["D"].invoices.by_hash(result.payment_hash).received_msat == 1_000_000_000

    asyncio.run(main())


def test_no_route_fails_cleanly_and_keysend(tmp_path):
    async def main():
        net, names = line(tmp_path, 3, 1_000_000)
        inv = net.nodes["C"].invoices.create(10_000_000_000, "toobig")
        result = await net.nodes["A"].payer.pay_invoice(decode_invoice(inv.bolt11))
        assert result.status == "failed" and result.failure
        assert net.in_flight() == 0
        # keysend through the line
        result = await net.nodes["A"].payer.keysend(net.nodes["C"].node_id, 50_000)
        assert result.status == "complete"
        await settle(net)
        assert [p.status for p in net.nodes["A"].payer.all()] == ["failed", "complete"]

    asyncio.run(main())


def test_a_route_hint_through_a_node_id_that_is_not_a_key_fails_cleanly(tmp_path):
    """The invoice's hint leads from B through a "node" whose id is no public key to a
    private payee: no onion can be built that way; the payment fails and says why."""
    async def main():
        net, names = line(tmp_path, 2)
        not_a_key = b"\x02" + b"\x11" * 32
        bolt11 = encode_invoice(
            network=REGTEST, amount_msat=1_000_000, timestamp=int(time.time()), payment_hash=os.urandom(32),
            payment_secret=os.urandom(32), node_secret=os.urandom(32), description="hint",
            route_hints=[[RouteHop(net.nodes["B"].node_id, 1 << 40 | 1, 0, 0, 40), RouteHop(not_a_key, 1 << 40 | 2, 0, 0, 40)]])
        before = net.total()
        result = await net.nodes["A"].payer.pay_invoice(decode_invoice(bolt11), timeout=5)
        assert result.status == "failed" and "cannot build the onion" in (result.failure or ""), result
        assert net.total() == before and net.in_flight() == 0

    asyncio.run(main())


def test_random_payments_conserve_msat(tmp_path):
    async def main():
        import random

        rng = random.Random(7)
        net, names = line(tmp_path, 5, 2_000_000_000)
        net.connect("A", "E", 2_000_000_000, 2_000_000_000)  # a ring
        before = net.total()
        paid = 0
        for i in range(30):
            src, dst = rng.sample(names, 2)
            amount = rng.randrange(1_000, 300_000_000)
            inv = net.nodes[dst].invoices.create(amount, f"r{i}")
            result = await net.nodes[src].payer.pay_invoice(decode_invoice(inv.bolt11), timeout=5)
            paid += result.status == "complete"
            await settle(net)
        assert paid >= 25
        assert net.in_flight() == 0
        assert net.total() == before

    asyncio.run(main())


def test_payer_resume_marks_never_committed_parts_lost(tmp_path):
    async def main():
        net, names = line(tmp_path, 2, 1_000_000_000)
        a = net.nodes["A"]
        ch = a.channels[0]
        h = b"\x71" * 32
        # a payment whose only part's lock the channel does not hold (never committed)
        a.store.execute("INSERT INTO payments(payment_hash, destination, amount_msat, status, created_at) "
                        "VALUES (?, ?, 1000, 'pending', 0)", (h, net.nodes["B"].node_id))
        a.store.execute("INSERT INTO payment_parts(payment_hash, channel_id, htlc_id, amount_msat, fee_msat, status) "
                        "VALUES (?, ?, 0, 1000, 0, 'pending')", (h, ch.channel_id))
        a.payer.resume()
        assert a.payer.result(h).status == "failed"
        # the channel's next lock takes id 0 again, for a new payment that completes
        inv = net.nodes["B"].invoices.create(5_000, "after")
        r = await a.payer.pay_invoice(decode_invoice(inv.bolt11))
        assert r.status == "complete" and r.parts == 1
        assert a.payer.result(h).status == "failed"

    asyncio.run(main())


def test_a_payment_timed_out_with_parts_in_flight_ends_with_them(tmp_path):
    async def main():
        net, names = line(tmp_path, 3, 1_000_000_000)
        a, c = net.nodes["A"], net.nodes["C"]

        async def timed_out(label: str) -> tuple[bytes, bytes]:
            # a hold invoice: the payee keeps the part until told; the payer gives up first
            preimage = os.urandom(32)
            inv = c.invoices.create(50_000_000, label, payment_hash=hashlib.sha256(preimage).digest())
            with pytest.raises(PaymentError, match="timed out with parts in flight"):
                await a.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=0.3)
            assert a.payer.result(inv.payment_hash).status == "pending"
            return inv.payment_hash, preimage

        async def outcome(payment_hash: bytes) -> PaymentResult:
            for _ in range(100):
                result = a.payer.result(payment_hash)
                if result.status != "pending":
                    return result
                await asyncio.sleep(0.02)
            return result

        # the payee gives the part back: the payment fails with it (it stayed pending for
        # good, and the invoice could not be paid again: "in progress")
        h1, _ = await timed_out("given back")
        c.payee.cancel(h1)
        result = await outcome(h1)
        assert result.status == "failed" and result.failure.startswith("timed out")
        # the payee settles it late: the payment is complete
        h2, preimage = await timed_out("settled late")
        assert c.payee.settle_hold(preimage)
        result = await outcome(h2)
        assert result.status == "complete" and result.preimage == preimage
        await settle(net)
        assert net.in_flight() == 0

    asyncio.run(main())


def test_a_channel_short_of_liquidity_is_tried_again_with_less(tmp_path):
    async def main():
        # B and C can each forward 300M to D, though the graph shows 1.3B channels
        net = diamond(tmp_path, (1_000_000_000, 1_000_000_000), (300_000_000, 1_000_000_000))
        result = await paid_across(net, 500_000_000, "split after learning")
        # both single routes fail for lack of liquidity; half over each passes
        assert result.status == "complete" and result.parts == 2
        # what was learned stays for the next payment: 100M more over B or C (each has 50M
        # left) is split at once rather than failing
        result = await paid_across(net, 100_000_000, "again")
        assert result.status == "complete"

    asyncio.run(main())


def test_max_parts_bounds_the_split(tmp_path):
    async def main():
        net = diamond(tmp_path, (600_000_000, 600_000_000), (600_000_000, 600_000_000))
        before = net.total()
        a, d = net.nodes["A"], net.nodes["D"]
        inv = d.invoices.create(1_000_000_000, "whole")  # more than either path carries
        result = await a.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=2, max_parts=1)
        assert result.status == "failed" and "no route" in result.failure
        await settle(net)
        assert net.total() == before and net.in_flight() == 0
        assert d.invoices.by_hash(inv.payment_hash).status == "unpaid"
        inv = d.invoices.create(1_000_000_000, "two")
        result = await a.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=5, max_parts=2)
        assert result.status == "complete" and result.parts == 2
        with pytest.raises(PaymentError, match="max_parts must be at least 1"):
            await a.payer.pay_invoice(decode_invoice(d.invoices.create(5_000, "none").bolt11), max_parts=0)

    asyncio.run(main())


def test_max_delay_bounds_the_route_s_lock_time(tmp_path):
    async def main():
        net, names = line(tmp_path)
        a, e = net.nodes["A"], net.nodes["E"]
        inv = decode_invoice(e.invoices.create(1_000_000, "far").bolt11)
        final = inv.min_final_cltv_expiry_delta + 3  # and the blocks the payer adds
        deltas = 3 * net.policy.cltv_expiry_delta  # B, C and D forward
        result = await a.payer.pay_invoice(inv, timeout=2, max_delay=final + deltas - 1)
        assert result.status == "failed" and "no route" in result.failure
        result = await a.payer.pay_invoice(inv, timeout=5, max_delay=final + deltas)
        assert result.status == "complete"
        with pytest.raises(PaymentError, match="below the payee's final delta"):
            await a.payer.pay_invoice(decode_invoice(e.invoices.create(5_000, "x").bolt11), max_delay=final - 1)
        result = await a.payer.keysend(net.nodes["B"].node_id, 5_000, max_delay=40)  # B is next door
        assert result.status == "complete"

    asyncio.run(main())
