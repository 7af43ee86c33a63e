"""Waiting for an invoice: `InvoiceBook.wait` and the `waitinvoice` command return once the
invoice is paid (its record durable), canceled or expired, or after the timeout;
`InvoiceBook.wait_any` and `waitanyinvoice` walk the paid invoices in the order they were
paid (`pay_index`), each once its record is durable."""

from __future__ import annotations

import asyncio
import os

import pytest

from amiko.bitcoin.networks import REGTEST
from amiko.cli.commands import COMMANDS
from amiko.cli.main import client_timeout
from amiko.payments.invoice_book import InvoiceBook, InvoiceBookError
from amiko.rpc.client import DEFAULT_CLIENT_TIMEOUT
from amiko.rpc.errors import PAYMENT_ERROR
from amiko.store import sqlite
from amiko.store.batch import CommitBatcher
from amiko.store.sqlite import Store
from tests.rpc_node import started_with_rpc


def book(tmp_path) -> tuple[InvoiceBook, CommitBatcher]:
    store = Store(str(tmp_path / "i.sqlite"))
    return InvoiceBook(store, REGTEST, os.urandom(32)), CommitBatcher(store)


def test_a_wait_ends_when_the_payment_is_durable(tmp_path):
    async def main():
        invoices, batcher = book(tmp_path)
        rec = invoices.create(5_000, "a")

        async def wait_and_look():
            """The invoice the wait returns, and what the database holds at that moment."""
            found = await invoices.wait(rec.payment_hash)
            return found, invoices.store.query_one("SELECT status FROM invoices WHERE label='a'")["status"]
        waiting = [asyncio.create_task(wait_and_look()) for _ in range(3)]
        await asyncio.sleep(0.05)
        assert not any(w.done() for w in waiting)
        assert invoices.mark_paid(rec.payment_hash, 5_000)
        # staged: the book shows it paid at once, but nobody is told before it is durable
        assert invoices.by_hash(rec.payment_hash).status == "paid"
        done = await asyncio.gather(*waiting)
        assert all(r.status == "paid" and r.received_msat == 5_000 and stored == "paid" for r, stored in done)
        assert invoices._waiters == {}
        # already paid: at once
        assert (await asyncio.wait_for(invoices.wait(rec.payment_hash), 1)).status == "paid"
        batcher.close()

    asyncio.run(main())


def test_a_wait_ends_at_cancel_expiry_or_timeout(tmp_path):
    async def main():
        invoices, batcher = book(tmp_path)
        canceled = invoices.create(5_000, "c")
        waiting = asyncio.create_task(invoices.wait(canceled.payment_hash))
        await asyncio.sleep(0.02)
        assert invoices.cancel(canceled.payment_hash)
        assert (await asyncio.wait_for(waiting, 1)).status == "canceled"

        expiring = invoices.create(5_000, "e", expiry=1)
        loop = asyncio.get_running_loop()
        start = loop.time()
        rec = await asyncio.wait_for(invoices.wait(expiring.payment_hash), 5)
        assert rec.effective_status(rec.expires_at + 0.01) == "expired" and rec.status == "unpaid"
        assert loop.time() - start < 3

        unpaid = invoices.create(5_000, "u")
        start = loop.time()
        rec = await invoices.wait(unpaid.payment_hash, timeout=0.2)
        assert rec.status == "unpaid" and 0.15 < loop.time() - start < 1.5
        assert invoices._waiters == {}
        with pytest.raises(InvoiceBookError):
            await invoices.wait(os.urandom(32), timeout=0.1)
        batcher.close()

    asyncio.run(main())


def test_waitinvoice_over_rpc(tmp_path):
    async def main():
        node, rpc = await started_with_rpc(str(tmp_path / "n"))
        await rpc("invoice", amount=7_000, label="shop-1")
        reply = await rpc("waitinvoice", label="shop-1", timeout=0)
        assert reply["error"]["code"] == PAYMENT_ERROR and "still unpaid" in reply["error"]["message"]
        assert reply["error"]["data"]["status"] == "unpaid"
        waiting = asyncio.create_task(rpc("waitinvoice", label="shop-1"))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        h = node.invoices.by_label("shop-1").payment_hash
        assert node.invoices.mark_paid(h, 7_000)
        paid = (await asyncio.wait_for(waiting, 5))["result"]
        assert paid["status"] == "paid" and paid["received_msat"] == 7_000 and paid["preimage"]

        await rpc("invoice", amount=7_000, label="shop-2")
        waiting = asyncio.create_task(rpc("waitinvoice", label="shop-2"))
        await asyncio.sleep(0.05)
        await rpc("cancelinvoice", payment_hash=node.invoices.by_label("shop-2").payment_hash.hex())
        reply = await asyncio.wait_for(waiting, 5)
        assert reply["error"]["message"] == "invoice 'shop-2' canceled"
        assert (await rpc("waitinvoice", label="nope"))["error"]["message"] == "no invoice labelled 'nope'"
        await node.stop()

    asyncio.run(main())


def test_the_command_waits_longer_than_the_wait_it_asks_for():
    cmd = {c.name: c for c in COMMANDS}
    assert client_timeout(cmd["waitinvoice"], {"label": "x"}) is None
    assert client_timeout(cmd["waitinvoice"], {"label": "x", "timeout": 600}) == 630
    assert client_timeout(cmd["waitanyinvoice"], {}) is None
    assert client_timeout(cmd["waitanyinvoice"], {"lastpay_index": 3, "timeout": 10}) == DEFAULT_CLIENT_TIMEOUT
    assert client_timeout(cmd["pay"], {"bolt11": "x", "timeout": 300}) == 330
    assert client_timeout(cmd["pay"], {"bolt11": "x"}) == DEFAULT_CLIENT_TIMEOUT
    assert client_timeout(cmd["listpays"], {}) == DEFAULT_CLIENT_TIMEOUT


def test_wait_any_walks_the_payments_in_the_order_they_came(tmp_path):
    async def main():
        invoices, batcher = book(tmp_path)
        a, b, c = (invoices.create(1_000 * (i + 1), label) for i, label in enumerate("abc"))

        async def wait_and_look(after):
            """The invoice the wait returns, and its status in the database at that moment."""
            found = await invoices.wait_any(after)
            stored = invoices.store.query_one("SELECT status FROM invoices WHERE payment_hash=?",
                                              (found.payment_hash,))["status"]
            return found, stored
        first = asyncio.create_task(wait_and_look(0))
        await asyncio.sleep(0.05)
        assert not first.done()
        assert invoices.mark_paid(b.payment_hash, 2_000)
        assert invoices.mark_paid(a.payment_hash, 1_000)
        assert not invoices.mark_paid(a.payment_hash, 1_000)  # paid once: no second number
        # staged: numbered at once, but nobody is told before the record is durable
        assert invoices.by_hash(b.payment_hash).pay_index == 1
        found, stored = await asyncio.wait_for(first, 5)
        assert (found.label, found.pay_index, found.status, stored) == ("b", 1, "paid", "paid")
        found, stored = await asyncio.wait_for(wait_and_look(1), 5)
        assert (found.label, found.pay_index, stored) == ("a", 2, "paid")
        # nothing after 2 yet: the wait times out, then ends when c is paid
        assert await invoices.wait_any(2, timeout=0.1) is None
        third = asyncio.create_task(invoices.wait_any(2))
        await asyncio.sleep(0.05)
        invoices.cancel(invoices.create(5, "d").payment_hash)  # a change, but not a payment
        await asyncio.sleep(0.05)
        assert not third.done()
        assert invoices.mark_paid(c.payment_hash, 3_000)
        assert (await asyncio.wait_for(third, 5)).label == "c"
        assert invoices._any_waiters == []
        batcher.close()

        # the numbering goes on where it stopped, after a restart too
        again = InvoiceBook(invoices.store, REGTEST, os.urandom(32))
        e = again.create(6_000, "e")
        assert again.mark_paid(e.payment_hash, 6_000)  # outside an event loop: at once
        assert again.by_label("e").pay_index == 4
        assert [r.pay_index for r in again.all()] == [2, 1, 3, None, 4]

    asyncio.run(main())


def test_invoices_paid_before_the_upgrade_are_numbered_in_the_order_they_were_paid(tmp_path, monkeypatch):
    path = str(tmp_path / "old.sqlite")
    shipped = sqlite.migrations()
    monkeypatch.setattr(sqlite, "migrations", lambda: [m for m in shipped if m[1] != "0009_invoice_pay_index.sql"])
    old = Store(path)
    assert old.schema_version == len(shipped) - 1
    for label, paid_at in [("late", 300), ("unpaid", None), ("early", 100), ("tie-1", 200), ("tie-2", 200)]:
        old.execute(
            "INSERT INTO invoices(payment_hash, label, payment_secret, bolt11, created_at, expires_at, status, "
            "received_msat, paid_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (os.urandom(32), label, os.urandom(32), "lnbcrt1", 1, 10**10,
             "unpaid" if paid_at is None else "paid", None if paid_at is None else 5, paid_at))
    old.close()
    monkeypatch.setattr(sqlite, "migrations", lambda: shipped)
    invoices = InvoiceBook(Store(path), REGTEST, os.urandom(32))
    assert {r.label: r.pay_index for r in invoices.all()} == {
        "early": 1, "tie-1": 2, "tie-2": 3, "late": 4, "unpaid": None}
    fresh = invoices.create(7, "new")
    assert invoices.mark_paid(fresh.payment_hash, 7)
    assert invoices.by_label("new").pay_index == 5


def test_waitanyinvoice_over_rpc(tmp_path):
    async def main():
        node, rpc = await started_with_rpc(str(tmp_path / "n"))
        for label in ("x", "y"):
            await rpc("invoice", amount=7_000, label=label)
        reply = await rpc("waitanyinvoice", lastpay_index=0, timeout=0)
        assert reply["error"]["code"] == PAYMENT_ERROR
        assert reply["error"]["message"] == "no invoice paid after pay_index 0 within 0 s"
        waiting = asyncio.create_task(rpc("waitanyinvoice"))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        assert node.invoices.mark_paid(node.invoices.by_label("y").payment_hash, 7_000)
        assert node.invoices.mark_paid(node.invoices.by_label("x").payment_hash, 7_000)
        got = (await asyncio.wait_for(waiting, 5))["result"]
        assert (got["label"], got["pay_index"], got["status"]) == ("y", 1, "paid") and got["preimage"]
        got = (await rpc("waitanyinvoice", lastpay_index=got["pay_index"]))["result"]
        assert (got["label"], got["pay_index"]) == ("x", 2)
        listed = {i["label"]: i["pay_index"] for i in (await rpc("listinvoices"))["result"]["invoices"]}
        assert listed == {"x": 2, "y": 1}
        reply = await rpc("waitanyinvoice", lastpay_index=-1)
        assert reply["error"]["message"] == "lastpay_index must be at least 0"
        await node.stop()

    asyncio.run(main())
