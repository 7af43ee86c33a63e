"""The payee: locks that end at this node.

For each final lock: BOLT 4's final-node checks, then the invoice (known, unpaid, not
expired, the payment secret matches, the total is at least the invoiced amount and at
most twice it). Parts of a multi-part payment are held until their sum reaches the
total, then all are settled at once and the invoice is marked paid exactly once; parts
still incomplete after `mpp_timeout` seconds are rolled back with `mpp_timeout`.
Keysend locks carry their preimage in the onion. A hold invoice keeps complete sets
locked until the user settles (with the preimage) or cancels it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from amiko.channels.interface import Channel, FailureReason, IncomingHtlc
from amiko.payments.invoice_book import (
    KEYSEND_FINAL_CLTV_EXPIRY_DELTA,
    MIN_FINAL_CLTV_EXPIRY_DELTA,
    InvoiceBook,
)
from amiko.payments.onion import FailureMessage, FinalHop, check_final_htlc, create_failure
from amiko.payments.onion.failures import IncorrectOrUnknownPaymentDetails, MppTimeout
from amiko.wire.types import Msat

log = logging.getLogger("amiko.payee")

MPP_TIMEOUT_SECONDS = 60.0


@dataclass
class _Part:
    channel: Channel
    htlc: IncomingHtlc
    shared_secret: bytes


@dataclass
class _PartSet:
    payment_hash: bytes
    total_msat: int
    parts: list[_Part] = field(default_factory=list)
    timer: Any = None
    complete: bool = False

    @property
    def received_msat(self) -> int:
        return sum(p.htlc.amount_msat for p in self.parts)


class Payee:
    def __init__(self, invoices: InvoiceBook, height: Callable[[], int],
                 call_later: Callable[[float, Callable[[], None]], Any],
                 mpp_timeout: float = MPP_TIMEOUT_SECONDS) -> None:
        self.invoices = invoices
        self.height = height
        self.call_later = call_later
        self.mpp_timeout = mpp_timeout
        self.sets: dict[bytes, _PartSet] = {}
        self.resuming = False  # set while locks decided before a restart are re-delivered
        self.on_paid: Callable[[bytes, int], None] | None = None

    def receive(self, channel: Channel, htlc: IncomingHtlc, hop: FinalHop, shared_secret: bytes) -> None:
        part = _Part(channel, htlc, shared_secret)
        height = self.height()
        # BOLT #2: MUST fail (and not forward) an HTLC whose fulfillment deadline is already
        # past: the minimum final deltas below keep that deadline well ahead.
        min_delta = KEYSEND_FINAL_CLTV_EXPIRY_DELTA if hop.keysend_preimage else MIN_FINAL_CLTV_EXPIRY_DELTA
        if self.resuming:
            # A lock accepted before the restart (e.g. held for a hold invoice): blocks have
            # passed since; only an expired one is refused now.
            min_delta = 1
        failure = check_final_htlc(hop, htlc.amount_msat, htlc.cltv_expiry, height, min_delta)
        if failure is not None:
            self._fail(part, failure)
            return
        if hop.keysend_preimage is not None:
            self._keysend(part, hop.keysend_preimage)
            return
        unknown = IncorrectOrUnknownPaymentDetails(Msat(htlc.amount_msat), height)
        inv = self.invoices.by_hash(htlc.payment_hash)
        if inv is None or hop.payment_secret != inv.payment_secret:
            # BOLT #4: an unknown payment hash or a wrong secret look the same to the payer.
            self._fail(part, unknown)
            return
        if inv.status == "paid":
            if self.resuming and inv.preimage is not None:
                channel.settle_htlc(htlc.htlc_id, inv.preimage)  # a part of the set we took
            else:
                self._fail(part, unknown)
            return
        if inv.effective_status(self._now()) != "unpaid":
            self._fail(part, unknown)
            return
        total = hop.total_msat
        # BOLT #4: the total MUST NOT be less than the invoiced amount; a payee SHOULD fail
        # a payment of more than twice the amount (it would hide an error of the payer).
        if inv.amount_msat is not None and not inv.amount_msat <= total <= 2 * inv.amount_msat:
            self._fail(part, unknown)
            return
        pset = self.sets.get(htlc.payment_hash)
        if pset is None:
            pset = self.sets[htlc.payment_hash] = _PartSet(htlc.payment_hash, total)
            pset.timer = self.call_later(self.mpp_timeout, lambda: self._timeout(htlc.payment_hash))
        elif pset.total_msat != total:
            # BOLT #4: all parts MUST carry the same total_msat.
            self._fail(part, unknown)
            return
        if any(p.htlc.channel_id == htlc.channel_id and p.htlc.htlc_id == htlc.htlc_id for p in pset.parts):
            return  # delivered twice (after a restart)
        pset.parts.append(part)
        if pset.received_msat >= pset.total_msat and not pset.complete:
            pset.complete = True
            if pset.timer is not None:
                pset.timer.cancel()
            if inv.hold and inv.preimage is None:
                log.info("hold invoice %s: complete, waiting for settleinvoice", inv.label)
                return
            assert inv.preimage is not None
            self._settle_set(pset, inv.preimage)

    def settle_hold(self, preimage: bytes) -> bool:
        """settleinvoice: release a complete set of a hold invoice."""
        payment_hash = hashlib.sha256(preimage).digest()
        pset = self.sets.get(payment_hash)
        if pset is None or not pset.complete:
            return False
        self.invoices.settle_hold(preimage)
        self._settle_set(pset, preimage)
        return True

    def cancel(self, payment_hash: bytes) -> None:
        """cancelinvoice: roll back every part held for it."""
        pset = self.sets.pop(payment_hash, None)
        if pset is None:
            return
        if pset.timer is not None:
            pset.timer.cancel()
        for part in pset.parts:
            self._fail(part, IncorrectOrUnknownPaymentDetails(Msat(part.htlc.amount_msat), self.height()))

    def _settle_set(self, pset: _PartSet, preimage: bytes) -> None:
        # Durable first: once the preimage leaves, the invoice is paid.
        if self.invoices.mark_paid(pset.payment_hash, pset.received_msat):
            log.info("invoice %s paid: %d msat in %d part(s)", pset.payment_hash.hex(),
                     pset.received_msat, len(pset.parts))
            if self.on_paid is not None:
                self.on_paid(pset.payment_hash, pset.received_msat)
        for part in pset.parts:
            part.channel.settle_htlc(part.htlc.htlc_id, preimage)
        self.sets.pop(pset.payment_hash, None)

    def _keysend(self, part: _Part, preimage: bytes) -> None:
        htlc = part.htlc
        if hashlib.sha256(preimage).digest() != htlc.payment_hash:
            self._fail(part, IncorrectOrUnknownPaymentDetails(Msat(htlc.amount_msat), self.height()))
            return
        label = f"keysend-{htlc.payment_hash.hex()}"
        if self.invoices.by_hash(htlc.payment_hash) is None:
            self.invoices.create(htlc.amount_msat, label, description="keysend", preimage=preimage)
        self.invoices.mark_paid(htlc.payment_hash, htlc.amount_msat)
        part.channel.settle_htlc(htlc.htlc_id, preimage)

    def _timeout(self, payment_hash: bytes) -> None:
        pset = self.sets.get(payment_hash)
        if pset is None or pset.complete:
            return
        log.info("payment %s: parts incomplete after %.0f s, rolling back", payment_hash.hex(), self.mpp_timeout)
        del self.sets[payment_hash]
        for part in pset.parts:
            # BOLT #4: mpp_timeout when the full amount did not arrive in time.
            self._fail(part, MppTimeout())

    def _fail(self, part: _Part, failure: FailureMessage) -> None:
        onion = create_failure(part.shared_secret, failure.encode())
        part.channel.fail_htlc(part.htlc.htlc_id, FailureReason(onion=onion))

    @staticmethod
    def _now() -> float:
        import time

        return time.time()
