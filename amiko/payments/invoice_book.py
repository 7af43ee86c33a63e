"""The invoices we issue: creating them (BOLT 11) and recording their payment exactly once.

A payment is recorded through the node's grouped commits when there are any: staged
before the fulfills that reveal the preimage (so it commits with them or before them) and
seen by this book's readers from the moment it is staged."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
import time
from dataclasses import dataclass, replace
from typing import Any

from amiko.bitcoin.networks import Network
from amiko.link.features import Features
from amiko.payments.bolt11 import RouteHop, encode_invoice
from amiko.store import batch
from amiko.store.sqlite import Store

# What a node that receives payments offers in `init` and `node_announcement` (BOLT 9:
# basic_mpp, "node can receive basic multi-part payments", context IN9, with payment_secret,
# on which it depends). Offered, not required: payment_secret is ASSUMED, and requiring it
# would only turn away a peer that does not set the bit.
RECEIVING_FEATURES = Features.of("payment_secret", "basic_mpp")
# BOLT 9 context 9: what our invoices tell payers we support (and require).
INVOICE_FEATURES = Features.of("var_onion_optin", "payment_secret", required=True) | Features.of("basic_mpp")
DEFAULT_EXPIRY = 3600
# Our invoices ask for 80 blocks at the last hop: well clear of the 18-block fulfillment
# deadline of BOLT 2 ("cltv_expiry_delta Selection"), which a payment must not start past.
MIN_FINAL_CLTV_EXPIRY_DELTA = 80
# What we require of keysend payments, which carry no invoice: payers commonly use 40.
KEYSEND_FINAL_CLTV_EXPIRY_DELTA = 32


class InvoiceBookError(ValueError):
    pass


@dataclass(frozen=True)
class InvoiceRecord:
    payment_hash: bytes
    label: str
    preimage: bytes | None
    payment_secret: bytes
    amount_msat: int | None
    description: str | None
    bolt11: str
    created_at: int
    expires_at: int
    status: str
    hold: bool
    received_msat: int | None
    paid_at: int | None
    pay_index: int | None  # the order it was paid in, from 1 (see `InvoiceBook.wait_any`)

    def effective_status(self, now: float) -> str:
        if self.status == "unpaid" and now > self.expires_at:
            return "expired"
        return self.status

    def to_json(self, now: float) -> dict[str, Any]:
        return {
            "label": self.label,
            "payment_hash": self.payment_hash.hex(),
            "bolt11": self.bolt11,
            "amount_msat": self.amount_msat,
            "description": self.description,
            "status": self.effective_status(now),
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "hold": self.hold,
            "received_msat": self.received_msat,
            "paid_at": self.paid_at,
            "pay_index": self.pay_index,
            "preimage": None if self.preimage is None or self.status != "paid" else self.preimage.hex(),
        }


class InvoiceBook:
    def __init__(self, store: Store, network: Network, node_secret: bytes) -> None:
        self.store = store
        self.network = network
        self._secret = node_secret
        # changes staged in the grouped commits and not durable yet, by payment hash
        self._staged: dict[bytes, dict[str, Any]] = {}
        # who waits for an invoice to be settled one way or another (`wait`)
        self._waiters: dict[bytes, list[asyncio.Future[None]]] = {}
        # who waits for the next invoice to be paid (`wait_any`)
        self._any_waiters: list[asyncio.Future[None]] = []
        # the last pay_index given, staged payments included
        last = store.query_one("SELECT MAX(pay_index) AS n FROM invoices")
        self._last_pay_index: int = 0 if last is None or last["n"] is None else last["n"]

    def create(self, amount_msat: int | None, label: str, *, description: str = "",
               expiry: int = DEFAULT_EXPIRY, route_hints: tuple[tuple[RouteHop, ...], ...] = (),
               preimage: bytes | None = None, payment_hash: bytes | None = None,
               now: float | None = None) -> InvoiceRecord:
        """A new invoice. `payment_hash` without `preimage` makes a hold invoice."""
        if amount_msat is not None and amount_msat <= 0:
            raise InvoiceBookError("amount must be positive")
        if not label:
            raise InvoiceBookError("label must not be empty")
        if expiry <= 0:
            raise InvoiceBookError("expiry must be positive")
        hold = payment_hash is not None and preimage is None
        if not hold:
            preimage = preimage or os.urandom(32)
            payment_hash = hashlib.sha256(preimage).digest()
        assert payment_hash is not None
        secret = os.urandom(32)
        ts = int(now if now is not None else time.time())
        bolt11 = encode_invoice(
            network=self.network, amount_msat=amount_msat, timestamp=ts, payment_hash=payment_hash,
            payment_secret=secret, node_secret=self._secret, description=description, expiry=expiry,
            min_final_cltv_expiry_delta=MIN_FINAL_CLTV_EXPIRY_DELTA, route_hints=route_hints,
            features=INVOICE_FEATURES,
        )
        try:
            self.store.execute(
                "INSERT INTO invoices(payment_hash, label, preimage, payment_secret, amount_msat, "
                "description, bolt11, created_at, expires_at, hold) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (payment_hash, label, preimage, secret, amount_msat, description, bolt11, ts, ts + expiry,
                 int(hold)),
            )
        except sqlite3.IntegrityError:
            raise InvoiceBookError(f"an invoice with label {label!r} or this payment hash exists") from None
        found = self.by_hash(payment_hash)
        assert found is not None
        return found

    def _record(self, row: sqlite3.Row | None) -> InvoiceRecord | None:
        if row is None:
            return None
        rec = _record(row)
        staged = self._staged.get(rec.payment_hash)
        return rec if staged is None else replace(rec, **staged)

    def by_hash(self, payment_hash: bytes) -> InvoiceRecord | None:
        return self._record(self.store.query_one("SELECT * FROM invoices WHERE payment_hash=?", (payment_hash,)))

    def by_label(self, label: str) -> InvoiceRecord | None:
        return self._record(self.store.query_one("SELECT * FROM invoices WHERE label=?", (label,)))

    def all(self) -> list[InvoiceRecord]:
        found = [self._record(r) for r in self.store.query("SELECT * FROM invoices ORDER BY created_at, label")]
        return [r for r in found if r is not None]

    def mark_paid(self, payment_hash: bytes, received_msat: int, now: float | None = None) -> bool:
        """Record the payment; True only the first time (an invoice is paid exactly once).

        In an event loop with grouped commits, the write is staged (durable with whatever is
        staged after it, such as the fulfills) and visible to this book at once."""
        sql = ("UPDATE invoices SET status='paid', received_msat=?, paid_at=?, pay_index=? "
               "WHERE payment_hash=? AND status='unpaid'")
        pay_index = self._last_pay_index + 1
        params = (received_msat, int(now if now is not None else time.time()), pay_index, payment_hash)
        if not _in_event_loop() or self.store.batcher is None:
            paid = self.store.execute(sql, params).rowcount == 1
            if paid:
                self._last_pay_index = pay_index
                self._changed(payment_hash)
            return paid
        rec = self.by_hash(payment_hash)
        if rec is None or rec.status != "unpaid":
            return False
        self._last_pay_index = pay_index
        changes = {"status": "paid", "received_msat": params[0], "paid_at": params[1], "pay_index": pay_index}
        self._staged[payment_hash] = changes
        fut = batch.write(self.store, sql, params)
        assert fut is not None

        def durable(_: asyncio.Future[None]) -> None:
            if self._staged.get(payment_hash) is changes:
                del self._staged[payment_hash]
            self._changed(payment_hash)
        fut.add_done_callback(durable)
        return True

    def settle_hold(self, preimage: bytes) -> InvoiceRecord:
        payment_hash = hashlib.sha256(preimage).digest()
        rec = self.by_hash(payment_hash)
        if rec is None or not rec.hold:
            raise InvoiceBookError("no hold invoice for that preimage")
        self.store.execute("UPDATE invoices SET preimage=? WHERE payment_hash=?", (preimage, payment_hash))
        found = self.by_hash(payment_hash)
        assert found is not None
        return found

    def cancel(self, payment_hash: bytes) -> bool:
        if payment_hash in self._staged:
            return False  # paid (not durable yet): too late
        cur = self.store.execute(
            "UPDATE invoices SET status='canceled' WHERE payment_hash=? AND status='unpaid'", (payment_hash,))
        if cur.rowcount == 1:
            self._changed(payment_hash)
            return True
        return False

    async def wait(self, payment_hash: bytes, timeout: float | None = None) -> InvoiceRecord:
        """The invoice once it is settled one way or another: paid (and the payment's record
        durable), canceled or expired; or as it stands after `timeout` seconds (unpaid).
        Raises `InvoiceBookError` if there is no such invoice."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            rec = self.by_hash(payment_hash)
            if rec is None:
                raise InvoiceBookError("no such invoice")
            now = time.time()
            if rec.effective_status(now) != "unpaid" and payment_hash not in self._staged:
                return rec
            # wake at the change, at the expiry (a moment past it), or at the deadline
            wait_for = max(rec.expires_at - now, 0.0) + 0.05
            if deadline is not None:
                if loop.time() >= deadline:
                    return rec
                wait_for = min(wait_for, deadline - loop.time())
            waiting = self._waiters.setdefault(payment_hash, [])
            await _next_change(waiting, wait_for)
            if not waiting and self._waiters.get(payment_hash) is waiting:
                del self._waiters[payment_hash]

    async def wait_any(self, after: int = 0, timeout: float | None = None) -> InvoiceRecord | None:
        """The first invoice paid after the one whose `pay_index` is `after` (0: the first
        ever paid), once its payment's record is durable; None if there is none after
        `timeout` seconds. Handing each result's `pay_index` to the next call walks every
        payment in the order they came, across restarts, missing none."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            # A staged payment is not in the table until its commit is done, and payments
            # commit in the order of their pay_index: the first one in the table is the next.
            row = self.store.query_one(
                "SELECT * FROM invoices WHERE pay_index > ? ORDER BY pay_index LIMIT 1", (after,))
            if row is not None:
                return _record(row)
            if deadline is not None and loop.time() >= deadline:
                return None
            await _next_change(self._any_waiters, None if deadline is None else deadline - loop.time())

    def _changed(self, payment_hash: bytes) -> None:
        waiting = self._waiters.pop(payment_hash, [])
        waiting += self._any_waiters
        self._any_waiters = []
        for fut in waiting:
            if not fut.done():
                fut.set_result(None)


async def _next_change(waiting: list[asyncio.Future[None]], seconds: float | None) -> None:
    """Until `InvoiceBook._changed` wakes the waiters of `waiting`, or `seconds` pass."""
    fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    waiting.append(fut)
    try:
        await asyncio.wait_for(fut, seconds)
    except TimeoutError:
        pass
    finally:
        if fut in waiting:
            waiting.remove(fut)


def _record(r: sqlite3.Row) -> InvoiceRecord:
    return InvoiceRecord(
        bytes(r["payment_hash"]), r["label"], None if r["preimage"] is None else bytes(r["preimage"]),
        bytes(r["payment_secret"]), r["amount_msat"], r["description"], r["bolt11"], r["created_at"],
        r["expires_at"], r["status"], bool(r["hold"]), r["received_msat"], r["paid_at"], r["pay_index"],
    )


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
