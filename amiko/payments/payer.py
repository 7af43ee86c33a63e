"""The payer: from an invoice (or a keysend) to the preimage, or to the final reason.

A payment is split into *parts*; each part is a route, an onion and a lock on one of our
channels (of any type). The payer asks the router for a route for what is still missing,
places the lock, and waits. A failed part is attributed to the hop that sent the failure
(BOLT 4). A channel that could not forward the part's amount (`temporary_channel_failure`)
gets an upper bound on its liquidity (`routing.learning`, kept across payments and fading
with time), so the router sends less through it or goes elsewhere; for other failures the
hop's channel (or node, for node failures) is excluded for the rest of the payment. When
no single route is likely to carry what is missing, the payer splits it over several
routes at once (multi-part, BOLT 4 basic_mpp; a min-cost flow, `routing.mpp`), counting
the parts in flight against the channels they cross, or places nothing when no split
could complete it. The payment ends at the first preimage (paid), or when nothing more can be
tried, or at its timeout; parts still in flight then decide its record (failed with the
last of them, unless one settles).

Payments and their parts are stored: a part settled or failed after a restart still ends
its payment, exactly once (a payment's status moves from pending to complete or failed
once, guarded in the database). The records go through the node's grouped commits: a
part's record commits with (or before) the channel state that holds its lock, so it is
durable before the lock is offered to the peer; a payment returns once its outcome is
durable.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from amiko.bitcoin.networks import Network
from amiko.channels.interface import Channel, FailureReason, HtlcOffer, Offered, RefusalReason
from amiko.crypto.keys import is_valid_pubkey
from amiko.payments.bolt11 import Invoice, decode_invoice
from amiko.payments.helper import HelperGone, PaymentHelper
from amiko.payments.mission_store import MissionKeeper, load_mission
from amiko.payments.onion import (
    HopSpec,
    OnionEncodeError,
    build_final_payload,
    build_forward_payload,
    construct_onion,
    decode_failure,
)
from amiko.payments.onion.failures import NODE, PERM, UPDATE, TemporaryChannelFailure
from amiko.payments.sessions import SessionPool
from amiko.routing.graph import Graph, direction_of, edge_key
from amiko.routing.mpp import MppParams, split_payment
from amiko.routing.pathfinding import RouteParams, find_route
from amiko.routing.probability import LiquidityView
from amiko.routing.route import FirstHop, Route, RouteHintHop
from amiko.store import batch
from amiko.store.sqlite import Store

log = logging.getLogger("amiko.payer")

MIN_PART_MSAT = 10_000
# Blocks added to the payee's final delta: the payee may see a block before we do.
BLOCK_PADDING = 3
KEYSEND_FINAL_CLTV_DELTA = 40
# Our own channel is full for now: these clear as locks in flight resolve.
_TEMPORARY_REFUSALS = frozenset({RefusalReason.TOO_MANY_HTLCS, RefusalReason.IN_FLIGHT_LIMIT,
                                 RefusalReason.DUST_EXPOSURE})
MAX_PARTS = 16
# Payments at once from which the payer starts its helper process (`amiko.payments.helper`).
HELPER_FROM_PAYMENTS = 8
# What successes taught about channels' liquidity reaches the router within this many
# seconds (failures at once): a view of what was learned is made at most this often.
VIEW_MAX_AGE_SECONDS = 5.0
# A route this unlikely to carry the amount whole (by what is known of its channels'
# liquidity) is passed over for a split of it, when the payment may be split.
MIN_ROUTE_PROBABILITY = 0.01


class PaymentError(Exception):
    pass


@dataclass
class PaymentResult:
    payment_hash: bytes
    status: str  # complete | failed
    preimage: bytes | None
    amount_msat: int
    fee_msat: int
    parts: int
    failure: str | None

    def to_json(self) -> dict[str, Any]:
        return {"payment_hash": self.payment_hash.hex(), "status": self.status,
                "preimage": None if self.preimage is None else self.preimage.hex(),
                "amount_msat": self.amount_msat, "fee_msat": self.fee_msat, "parts": self.parts,
                "failure": self.failure}


@dataclass
class _Part:
    payment_hash: bytes
    channel_id: bytes
    htlc_id: int
    route: Route
    shared_secrets: list[bytes]
    done: asyncio.Future[tuple[bytes | None, FailureReason | None]]


@dataclass
class _Attempt:
    payment_hash: bytes
    amount_msat: int
    parts: dict[tuple[bytes, int], _Part] = field(default_factory=dict)
    excluded_channels: set[tuple[int, int]] = field(default_factory=set)
    excluded_nodes: set[bytes] = field(default_factory=set)
    # channel directions that could not carry a part of this payment (for lack of
    # liquidity): a second such failure excludes the direction for the rest of it
    short_of_liquidity: set[tuple[int, int]] = field(default_factory=set)
    last_failure: str | None = None
    busy: bool = False  # a first hop was full for now (too many locks in flight): wait, retry
    height: int = 0  # the chain height the routes are made for (read once per round of placing)
    max_parts: int = MAX_PARTS  # parts in flight at once, at most
    max_delay: int | None = None  # blocks a part may lock our funds for, at most (None: the route params')


class Payer:
    def __init__(self, node_id: bytes, store: Store, graph: Graph,
                 channels: Callable[[], Sequence[Channel]], height: Callable[[], int]) -> None:
        self.node_id = node_id
        self.store = store
        self.graph = graph
        self.channels = channels
        self.height = height
        self._attempts: dict[bytes, _Attempt] = {}
        self._freed: asyncio.Event | None = None  # set whenever one of our locks resolves
        self._parts: dict[tuple[bytes, int], _Part] = {}
        # per payment, the durability of its latest record write (awaited before it returns)
        self._writes: dict[bytes, asyncio.Future[None]] = {}
        self.route_params = RouteParams()
        self.sessions = SessionPool()
        # A process for the work that needs only its inputs (invoice decoding, session
        # keys), started once this many payments run at once (None: never).
        self.helper_from_payments: int | None = HELPER_FROM_PAYMENTS
        self.helper = PaymentHelper(self.sessions.add)
        self.sessions.helper = self.helper
        # What parts taught about the liquidity of the channels they crossed (across
        # payments, decaying with time): a channel direction that could not forward an
        # amount is tried again only with less.
        self.mission = load_mission(store)
        self._mission_keeper = MissionKeeper(store, self.mission)
        self._view: tuple[int, float, LiquidityView] | None = None
        # payments given up at their timeout with parts still in flight: why, for the
        # record once the last of those parts has failed
        self._abandoned: dict[bytes, str] = {}

    async def close(self) -> None:
        self.sessions.close()
        await self.helper.close()
        self._mission_keeper.close()

    def reset_mission(self) -> None:
        """Forget what payments learned about channels' liquidity (and save that)."""
        self.mission.clear()
        self._mission_keeper.save()

    # -- the switch's callbacks for our own locks

    async def _wait_for_room(self, timeout: float) -> None:
        """Wait until one of our locks resolves (a full channel has room again)."""
        if self._freed is None:
            self._freed = asyncio.Event()
        self._freed.clear()
        try:
            await asyncio.wait_for(self._freed.wait(), timeout)
        except TimeoutError:
            pass

    def _room_freed(self) -> None:
        if self._freed is not None:
            self._freed.set()

    def settled(self, channel: Channel, htlc_id: int, preimage: bytes) -> bool:
        self._room_freed()
        payment_hash = self._part_payment(channel.channel_id, htlc_id)
        if payment_hash is None:
            return False
        self._part_status(payment_hash, channel.channel_id, htlc_id, "settled")
        # the preimage is proof of payment: the payment is complete, whoever waits for it
        self._complete(payment_hash, preimage)
        part = self._parts.pop((channel.channel_id, htlc_id), None)
        if part is not None:
            self.mission.record_success(part.route, time.time())
            self._mission_keeper.learned()
            if not part.done.done():
                part.done.set_result((preimage, None))
        self._abandoned.pop(payment_hash, None)
        return True

    def failed(self, channel: Channel, htlc_id: int, reason: FailureReason) -> bool:
        self._room_freed()
        payment_hash = self._part_payment(channel.channel_id, htlc_id)
        if payment_hash is None:
            return False
        self._part_status(payment_hash, channel.channel_id, htlc_id, "failed")
        part = self._parts.pop((channel.channel_id, htlc_id), None)
        if part is not None and not part.done.done():
            part.done.set_result((None, reason))
        # Nobody waits for the part any more (the payment timed out, or the node
        # restarted since): the payment fails with its last part.
        self._fail_if_nothing_left(payment_hash)
        return True

    def resume(self) -> None:
        """After a restart, before any new payment: a part whose lock the channel does not
        hold (by id and payment hash) was never committed: it failed. Its id may be used
        again by the channel, so its record must not stay pending."""
        channels = {c.channel_id: c for c in self.channels()}
        for row in self.store.query("SELECT * FROM payment_parts WHERE status='pending'"):
            channel = channels.get(bytes(row["channel_id"]))
            held = {} if channel is None else channel.pending_outgoing()
            if held.get(row["htlc_id"]) == bytes(row["payment_hash"]):
                continue
            self.store.execute("UPDATE payment_parts SET status='lost' WHERE channel_id=? AND htlc_id=? "
                               "AND status='pending'", (row["channel_id"], row["htlc_id"]))
            self._fail_if_nothing_left(bytes(row["payment_hash"]), at_once=True)

    # -- paying

    async def decode(self, bolt11: str, *, expected_network: Network | None = None) -> Invoice:
        """`decode_invoice`, by the helper process when the payer is busy (raises
        `InvoiceError`)."""
        self._busy()
        pending = self.helper.decode(bolt11)  # None: ours to decode (no helper, or our share)
        try:
            invoice = decode_invoice(bolt11, expected_network=expected_network) if pending is None else await pending
        except HelperGone:
            return decode_invoice(bolt11, expected_network=expected_network)
        drained = self.helper.drained()
        if drained is not None:  # the burst's payments start together
            await drained
        if expected_network is not None and invoice.network != expected_network:
            # the same check, and words, as decode_invoice's
            return decode_invoice(bolt11, expected_network=expected_network)
        return invoice

    def _busy(self) -> None:
        """Start the helper once enough payments run at once."""
        if self.helper_from_payments is not None and len(self._attempts) >= self.helper_from_payments:
            self.helper.start()

    async def pay_invoice(self, invoice: Invoice, *, amount_msat: int | None = None,
                          max_fee_msat: int | None = None, timeout: float = 60.0,
                          bolt11: str | None = None, max_parts: int = MAX_PARTS,
                          max_delay: int | None = None) -> PaymentResult:
        """Pay the invoice, in up to `max_parts` parts at once; no part's route may lock
        the funds for more than `max_delay` blocks (the payee's final delta included)."""
        amount = invoice.amount_msat if invoice.amount_msat is not None else amount_msat
        if amount is None or amount <= 0:
            raise PaymentError("the invoice has no amount: give one")
        if invoice.amount_msat is not None and amount_msat is not None and amount_msat < invoice.amount_msat:
            raise PaymentError("amount below the invoice's")
        if invoice.is_expired(int(time.time())):
            raise PaymentError("the invoice has expired")
        if invoice.payee == self.node_id:
            raise PaymentError("cannot pay our own invoice")
        hints = [[RouteHintHop(h.pubkey, h.short_channel_id, h.fee_base_msat, h.fee_proportional_millionths,
                               h.cltv_expiry_delta) for h in hint] for hint in invoice.route_hints]

        def final_payload(part_msat: int, cltv: int) -> bytes:
            return build_final_payload(part_msat, cltv, payment_secret=invoice.payment_secret,
                                       total_msat=amount, payment_metadata=invoice.metadata)

        return await self._pay(invoice.payment_hash, invoice.payee, amount, final_payload,
                               final_cltv_delta=invoice.min_final_cltv_expiry_delta + BLOCK_PADDING, hints=hints,
                               max_fee_msat=max_fee_msat, timeout=timeout, bolt11=bolt11, mpp=True,
                               max_parts=max_parts, max_delay=max_delay)

    async def keysend(self, destination: bytes, amount_msat: int, *, max_fee_msat: int | None = None,
                      timeout: float = 60.0, max_delay: int | None = None) -> PaymentResult:
        preimage = os.urandom(32)
        payment_hash = hashlib.sha256(preimage).digest()

        def final_payload(part_msat: int, cltv: int) -> bytes:
            return build_final_payload(part_msat, cltv, keysend_preimage=preimage)

        return await self._pay(payment_hash, destination, amount_msat, final_payload,
                               final_cltv_delta=KEYSEND_FINAL_CLTV_DELTA, hints=[], max_fee_msat=max_fee_msat,
                               timeout=timeout, bolt11=None, mpp=False, max_delay=max_delay)

    async def _pay(self, payment_hash: bytes, payee: bytes, amount: int,
                   final_payload: Callable[[int, int], bytes], *, final_cltv_delta: int,
                   hints: list[list[RouteHintHop]], max_fee_msat: int | None, timeout: float,
                   bolt11: str | None, mpp: bool, max_parts: int = MAX_PARTS,
                   max_delay: int | None = None) -> PaymentResult:
        if max_parts < 1:
            raise PaymentError("max_parts must be at least 1")
        if max_delay is not None and max_delay < final_cltv_delta:
            raise PaymentError(f"max_delay {max_delay} is below the payee's final delta ({final_cltv_delta} blocks)")
        height = self.height()
        if height <= 0:
            raise PaymentError("the chain's height is not known yet (is the chain backend reachable?)")
        self._begin(payment_hash, bolt11, payee, amount)
        self._busy()
        attempt = _Attempt(payment_hash, amount, height=height, max_parts=max_parts, max_delay=max_delay)
        self._attempts[payment_hash] = attempt
        try:
            return await self._attempt(attempt, payee, amount, final_payload, final_cltv_delta=final_cltv_delta,
                                       hints=hints, max_fee_msat=max_fee_msat, timeout=timeout, mpp=mpp)
        finally:
            # a payment's outcome is durable before it is reported (and before another
            # payment of the same hash may start)
            await self._durable(payment_hash)
            self._attempts.pop(payment_hash, None)

    async def _attempt(self, attempt: _Attempt, payee: bytes, amount: int,
                       final_payload: Callable[[int, int], bytes], *, final_cltv_delta: int,
                       hints: list[list[RouteHintHop]], max_fee_msat: int | None, timeout: float,
                       mpp: bool) -> PaymentResult:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if attempt.height == 0:
                attempt.height = self.height()
            in_flight = sum(p.route.amount_msat for p in attempt.parts.values())
            missing = amount - in_flight
            while missing > 0 and len(attempt.parts) < attempt.max_parts:
                fee_left = None if max_fee_msat is None else max_fee_msat - sum(
                    p.route.total_fee_msat for p in attempt.parts.values())
                placed = self._place(attempt, payee, missing, final_payload, final_cltv_delta,
                                     hints, fee_left, mpp)
                if placed == 0:
                    break
                missing -= placed
            remaining = deadline - asyncio.get_running_loop().time()
            attempt.height = 0  # read again before placing anything more
            if not attempt.parts:
                if remaining > 0 and not attempt.busy:
                    # Our channels may be full of other payments' locks for the moment.
                    attempt.busy = any(c.status().usable and c.status().htlcs_in_flight > 0
                                       for c in self.channels())
                if attempt.busy and remaining > 0:
                    attempt.busy = False
                    await self._wait_for_room(min(0.1, remaining))
                    continue
                return await self._finish_failed(attempt, attempt.last_failure or "no route")
            if remaining <= 0:
                # The locks in flight still resolve; the payment stays pending until then,
                # and fails with the last of them unless one settles.
                self._abandoned[attempt.payment_hash] = "timed out" + (
                    f" ({attempt.last_failure})" if attempt.last_failure else "")
                raise PaymentError("timed out with parts in flight; see listpays later")
            wait = remaining
            if missing > 0 and attempt.busy:
                # Some of the amount is placed, the rest waits for room on our channels: the
                # parts in flight may wait for it too (the payee holds them until the total
                # is there), so look for room again soon.
                attempt.busy = False
                wait = min(0.1, remaining)
            done, _ = await asyncio.wait([p.done for p in attempt.parts.values()], timeout=wait,
                                         return_when=asyncio.FIRST_COMPLETED)
            for part in [p for p in attempt.parts.values() if p.done in done]:
                del attempt.parts[(part.channel_id, part.htlc_id)]
                preimage, reason = part.done.result()
                if preimage is not None:
                    await self._durable(attempt.payment_hash)
                    return self.result(attempt.payment_hash)
                assert reason is not None
                hopeless = self._learn(attempt, part, reason, payee)
                self._mission_keeper.learned()
                if hopeless:
                    return await self._finish_failed(attempt, attempt.last_failure or "failed")

    def _place(self, attempt: _Attempt, payee: bytes, amount: int, final_payload: Callable[[int, int], bytes],
               final_cltv_delta: int, hints: list[list[RouteHintHop]], fee_left: int | None, mpp: bool) -> int:
        """Place `amount`, or some of it; returns what was placed (0: nothing for now).

        One route when one is likely to carry the amount whole; else (multi-part) a split
        over several routes made at once, all or nothing (`routing.mpp`): parts that could
        not complete the payment together would only be held by the payee until its
        timeout, and hold our channels meanwhile."""
        found = self._route(attempt, payee, amount, final_cltv_delta, hints, fee_left)
        if found is not None and (not mpp or found[0].probability >= MIN_ROUTE_PROBABILITY):
            was_busy, attempt.busy = attempt.busy, False
            if self._send(attempt, *found, final_payload):
                attempt.busy = was_busy
                return amount
            full, attempt.busy = attempt.busy, attempt.busy or was_busy
            if full:
                # Our channel is full for now (too many locks, or their total or dust):
                # smaller parts would only hold more of it while they wait for the rest,
                # and parts that wait for each other can fill it for good. Wait for room.
                return 0
        if not mpp:
            attempt.last_failure = attempt.last_failure or f"no route for {amount} msat"
            return 0
        usable, first_hops, params = self._inputs(attempt, fee_left)
        try:
            split = split_payment(self.graph, self.node_id, payee, amount, current_height=attempt.height,
                                  final_cltv_delta=final_cltv_delta, params=params,
                                  mpp=MppParams(max_parts=attempt.max_parts - len(attempt.parts),
                                                min_part_msat=MIN_PART_MSAT),
                                  first_hops=first_hops, route_hints=hints, exclude_nodes=attempt.excluded_nodes,
                                  exclude_channels=attempt.excluded_channels, liquidity=self._liquidity(attempt))
        except ValueError as e:
            attempt.last_failure = str(e)
            return 0
        if split is None:
            last = attempt.last_failure  # what ruled out the last way tried, if anything did
            if last is None or not last.startswith("no route"):
                attempt.last_failure = f"no route for {amount} msat" + (f" (last: {last})" if last else "")
            return 0
        placed = 0
        for route in split.parts:
            first = usable.get(route.hops[0].scid)
            if first is not None and self._send(attempt, route, first[1], final_payload):
                placed += route.amount_msat
        return placed

    def first_hops(self) -> list[FirstHop]:
        """Our usable channels, of any type, with what each can send now."""
        return [hop for hop, _channel in self._usable_channels().values()]

    def _usable_channels(self) -> dict[int, tuple[FirstHop, Channel]]:
        """Our usable channels by short channel id, each as a first hop and itself."""
        out = {}
        for ch in self.channels():
            st = ch.status()
            if st.usable and st.short_channel_id is not None:
                out[st.short_channel_id] = (FirstHop(st.short_channel_id, st.peer_id, st.can_send_msat,
                                                     st.htlc_minimum_msat), ch)
        return out

    def _inputs(self, attempt: _Attempt, fee_left: int | None
                ) -> tuple[dict[int, tuple[FirstHop, Channel]], list[FirstHop], RouteParams]:
        """Our usable channels by short channel id, as first hops, and the route params
        for this payment."""
        usable = self._usable_channels()
        params = self.route_params
        if fee_left is not None:
            params = replace(params, max_fee_msat=max(fee_left, 0))
        if attempt.max_delay is not None and attempt.max_delay < params.max_total_cltv:
            params = replace(params, max_total_cltv=attempt.max_delay)
        return usable, [hop for hop, _channel in usable.values()], params

    def _route(self, attempt: _Attempt, payee: bytes, amount: int, final_cltv_delta: int,
               hints: list[list[RouteHintHop]], fee_left: int | None) -> tuple[Route, Channel] | None:
        """A route, and the channel of ours it starts with."""
        usable, first_hops, params = self._inputs(attempt, fee_left)
        try:
            route = find_route(self.graph, self.node_id, payee, amount, current_height=attempt.height,
                               final_cltv_delta=final_cltv_delta, params=params, first_hops=first_hops,
                               route_hints=hints, exclude_nodes=attempt.excluded_nodes,
                               exclude_channels=attempt.excluded_channels, liquidity=self._liquidity(attempt))
        except ValueError as e:
            attempt.last_failure = str(e)
            return None
        if route is None:
            return None
        first = usable.get(route.hops[0].scid)
        return None if first is None else (route, first[1])

    def learned_liquidity(self) -> LiquidityView:
        """What payments learned about channels' liquidity, as the pathfinder takes it
        (remade when a failure taught something, else at most every few seconds)."""
        now = time.time()
        cached = self._view
        if cached is None or cached[0] != self.mission.setbacks or now - cached[1] > VIEW_MAX_AGE_SECONDS:
            if cached is not None and now - cached[1] > VIEW_MAX_AGE_SECONDS:
                self.mission.prune(now)
            cached = self._view = (self.mission.setbacks, now, self.mission.view(now))
        return cached[2]

    def _liquidity(self, attempt: _Attempt) -> LiquidityView:
        """What was learned about channels' liquidity, with what this payment's parts
        already hold on the channels after our own (ours show it in their balances)."""
        view = self.learned_liquidity()
        if attempt.parts:
            in_flight: dict[int, int] = {}
            for part in attempt.parts.values():
                prev = part.route.hops[0].node_id
                for hop in part.route.hops[1:]:
                    key = edge_key(hop.scid, direction_of(prev, hop.node_id))
                    in_flight[key] = in_flight.get(key, 0) + hop.amount_msat
                    prev = hop.node_id
            view = view.with_in_flight(in_flight)
        return view

    def _send(self, attempt: _Attempt, route: Route, channel: Channel,
              final_payload: Callable[[int, int], bytes]) -> bool:
        first = route.hops[0]
        payloads = route.payloads()
        hops = []
        for i, p in enumerate(payloads):
            if i + 1 < len(payloads):
                assert p.short_channel_id is not None
                data = build_forward_payload(p.amt_to_forward, p.outgoing_cltv_value, p.short_channel_id)
            else:
                data = final_payload(p.amt_to_forward, p.outgoing_cltv_value)
            hops.append(HopSpec(p.node_id, data))
        try:
            onion = construct_onion(self.sessions.take(tuple(h.pubkey for h in hops)), hops, attempt.payment_hash)
        except OnionEncodeError as e:
            # A route hint's node id that is not a key (the graph's are checked): not that way.
            attempt.last_failure = f"cannot build the onion: {e}"
            attempt.excluded_nodes.update(h.pubkey for h in hops if not is_valid_pubkey(h.pubkey))
            return False
        result = channel.offer_htlc(HtlcOffer(first.amount_msat, attempt.payment_hash, first.cltv_expiry,
                                              onion.packet))
        if not isinstance(result, Offered):
            attempt.last_failure = f"first hop refused: {result.reason.value}"
            if result.reason in _TEMPORARY_REFUSALS:
                attempt.busy = True
            else:
                attempt.excluded_channels.add((first.scid, direction_of(self.node_id, first.node_id)))
            return False
        fut: asyncio.Future[tuple[bytes | None, FailureReason | None]] = \
            asyncio.get_running_loop().create_future()
        part = _Part(attempt.payment_hash, channel.channel_id, result.htlc_id, route, onion.shared_secrets, fut)
        attempt.parts[(channel.channel_id, result.htlc_id)] = part
        self._parts[(channel.channel_id, result.htlc_id)] = part
        # Staged right after the channel's state that holds the lock: both commit together,
        # before the lock can leave.
        self._write(attempt.payment_hash,
                    "INSERT INTO payment_parts(payment_hash, channel_id, htlc_id, amount_msat, fee_msat, status) "
                    "VALUES (?, ?, ?, ?, ?, 'pending')",
                    (attempt.payment_hash, channel.channel_id, result.htlc_id, route.amount_msat,
                     route.total_fee_msat))
        log.info("payment %s: part of %d msat over %d hop(s), fee %d", attempt.payment_hash.hex()[:16],
                 route.amount_msat, len(route.hops), route.total_fee_msat)
        return True

    def _learn(self, attempt: _Attempt, part: _Part, reason: FailureReason, payee: bytes) -> bool:
        """Learn from a failed part; True when the payment cannot succeed any more."""
        route = part.route
        if reason.onion is None:
            # our own channel rolled it back without an onion (malformed report from the peer)
            attempt.excluded_channels.add((route.hops[0].scid, direction_of(self.node_id, route.hops[0].node_id)))
            attempt.last_failure = "first hop reported a malformed onion"
            return False
        decoded = decode_failure(part.shared_secrets, reason.onion)
        if decoded is None or decoded.failure is None:
            attempt.last_failure = "unreadable failure"
            attempt.excluded_channels.add((route.hops[0].scid, direction_of(self.node_id, route.hops[0].node_id)))
            return False
        index, failure = decoded.hop_index, decoded.failure
        code = failure.code
        failing_node = route.hops[index].node_id
        attempt.last_failure = f"{failure.NAME} from {failing_node.hex()[:16]}"
        log.info("payment %s: %s", attempt.payment_hash.hex()[:16], attempt.last_failure)
        now = time.time()
        if failing_node == payee:
            self.mission.record_success(route, now)
            return True  # BOLT 4: the payee refused: retrying elsewhere will not help
        if isinstance(failure, TemporaryChannelFailure) and index + 1 < len(route.hops):
            # The failing node could not forward this part's amount over its next channel:
            # less may pass (another part, or a later payment), so the channel stays in
            # play with that bound, unless it fails this payment a second time.
            nxt = route.hops[index + 1]
            self.mission.record_failure(route, index + 1, now)
            direction = (nxt.scid, direction_of(failing_node, nxt.node_id))
            if direction in attempt.short_of_liquidity:
                attempt.excluded_channels.add(direction)
            attempt.short_of_liquidity.add(direction)
            return False
        self.mission.record_success(route, now, up_to=index + 1)
        if code & NODE:
            attempt.excluded_nodes.add(failing_node)
        elif index + 1 < len(route.hops):
            nxt = route.hops[index + 1]
            attempt.excluded_channels.add((nxt.scid, direction_of(failing_node, nxt.node_id)))
        if code & PERM and not code & UPDATE and index + 1 >= len(route.hops):
            return True
        return False

    # -- records

    def _write(self, payment_hash: bytes, sql: str, params: tuple[Any, ...], *, at_once: bool = False) -> None:
        """Stage a write of a payment's records (in order with the channels' states), or
        commit it `at_once`."""
        if at_once:
            self.store.execute(sql, params)
            return
        fut = batch.write(self.store, sql, params)
        if fut is not None:
            if len(self._writes) > 4096:  # (writes of payments nobody waits for: after a restart)
                self._writes = {h: f for h, f in self._writes.items() if not f.done()}
            self._writes[payment_hash] = fut

    async def _durable(self, payment_hash: bytes) -> None:
        """Wait until every record write of the payment staged so far is durable (writes
        commit in order: the latest one is enough)."""
        fut = self._writes.get(payment_hash)
        if fut is not None:
            await asyncio.shield(fut)
            if self._writes.get(payment_hash) is fut:
                del self._writes[payment_hash]

    def _begin(self, payment_hash: bytes, bolt11: str | None, payee: bytes, amount: int) -> None:
        if payment_hash in self._attempts:
            raise PaymentError("a payment for this hash is in progress")
        row = self.store.query_one("SELECT status FROM payments WHERE payment_hash=?", (payment_hash,))
        if row is not None:
            if row["status"] == "complete":
                raise PaymentError("already paid")
            if row["status"] == "pending":
                raise PaymentError("a payment for this hash is in progress")
        if row is not None:  # (a failed payment is tried again: its record starts over)
            self._write(payment_hash, "DELETE FROM payments WHERE payment_hash=? AND status='failed'", (payment_hash,))
        self._write(payment_hash,
                    "INSERT INTO payments(payment_hash, bolt11, destination, amount_msat, status, created_at) "
                    "VALUES (?, ?, ?, ?, 'pending', ?)", (payment_hash, bolt11, payee, amount, int(time.time())))

    async def _finish_failed(self, attempt: _Attempt, why: str) -> PaymentResult:
        self._write(attempt.payment_hash,
                    "UPDATE payments SET status='failed', failure=?, completed_at=? WHERE payment_hash=? "
                    "AND status='pending'", (why, int(time.time()), attempt.payment_hash))
        await self._durable(attempt.payment_hash)
        return self.result(attempt.payment_hash)

    def _complete(self, payment_hash: bytes, preimage: bytes) -> None:
        """pending (or failed: a part settled late) -> complete, once; the fee is what every
        part not failed carries (counted when the write commits, after the parts' own)."""
        self._write(payment_hash,
                    "UPDATE payments SET status='complete', preimage=?, fee_msat=(SELECT coalesce(sum(fee_msat), 0) "
                    "FROM payment_parts WHERE payment_hash=? AND status IN ('pending', 'settled')), failure=NULL, "
                    "completed_at=? WHERE payment_hash=? AND status!='complete'",
                    (preimage, payment_hash, int(time.time()), payment_hash))

    def _part_status(self, payment_hash: bytes, channel_id: bytes, htlc_id: int, status: str) -> None:
        self._write(payment_hash,
                    "UPDATE payment_parts SET status=? WHERE channel_id=? AND htlc_id=? AND status!='lost'",
                    (status, channel_id, htlc_id))

    def _part_payment(self, channel_id: bytes, htlc_id: int) -> bytes | None:
        """The payment a lock of ours belongs to (None: not one of our payments')."""
        part = self._parts.get((channel_id, htlc_id))
        if part is not None:
            return part.payment_hash
        row = self.store.query_one("SELECT payment_hash FROM payment_parts WHERE channel_id=? AND htlc_id=? "
                                   "AND status!='lost'",
                                   (channel_id, htlc_id))
        return None if row is None else bytes(row["payment_hash"])

    def _fail_if_nothing_left(self, payment_hash: bytes, *, at_once: bool = False) -> None:
        """A part failed with nobody waiting (its payment timed out, or the node restarted
        since): no retries then; the payment fails once its last part has (counted when
        the write commits)."""
        if payment_hash in self._attempts:
            return
        why = self._abandoned.get(payment_hash, "parts failed after a restart")
        self._write(payment_hash,
                    "UPDATE payments SET status='failed', failure=?, completed_at=? "
                    "WHERE payment_hash=? AND status='pending' AND NOT EXISTS (SELECT 1 FROM payment_parts "
                    "WHERE payment_hash=? AND status='pending')",
                    (why, int(time.time()), payment_hash, payment_hash), at_once=at_once)
        if not any(p.payment_hash == payment_hash for p in self._parts.values()):
            self._abandoned.pop(payment_hash, None)

    def result(self, payment_hash: bytes) -> PaymentResult:
        row = self.store.query_one(f"{_RESULTS} WHERE p.payment_hash=?", (payment_hash,))
        if row is None:
            raise PaymentError("no such payment")
        return _result(row)

    def all(self) -> list[PaymentResult]:
        return [_result(r) for r in self.store.query(f"{_RESULTS} ORDER BY p.created_at")]


# A payment's record with the number of parts it used: every part not failed (the rest
# settle after the first), counted in the same statement.
_RESULTS = ("SELECT p.*, (SELECT count(*) FROM payment_parts q WHERE q.payment_hash=p.payment_hash "
            "AND q.status IN ('pending', 'settled')) AS parts FROM payments p")


def _result(row: sqlite3.Row) -> PaymentResult:
    return PaymentResult(bytes(row["payment_hash"]), row["status"],
                         None if row["preimage"] is None else bytes(row["preimage"]),
                         row["amount_msat"], row["fee_msat"] or 0, row["parts"], row["failure"])
