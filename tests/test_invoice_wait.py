"""Waiting for an invoice: `InvoiceBook.wait` and the `waitinvoice` command return once the
invoice is paid (its record durable), canceled or expired, or after the timeout."""

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
    assert client_timeout(cmd["pay"], {"bolt11": "x", "timeout": 300}) == 330
    assert client_timeout(cmd["pay"], {"bolt11": "x"}) == DEFAULT_CLIENT_TIMEOUT
    assert client_timeout(cmd["listpays"], {}) == DEFAULT_CLIENT_TIMEOUT
