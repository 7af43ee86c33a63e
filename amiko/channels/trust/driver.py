"""The asyncio driver of one trust channel: it runs the sans-IO core's outputs.

For every output it does, in order: write the state durably (grouped with other channels'
writes into one commit), then send the messages, then act on the events (settlement
payments to the chain, phase changes). HTLC events (a lock both signed, a lock settled or
rolled back) go to the listener (the switch) at once, in the turn that makes them, as the
Lightning channel's driver does: what the switch does about them is itself a staged write,
so it commits with this channel's state, and every message it causes still waits for its
own commit. A preimage goes on upstream in the commit that stores it, not one later. A
resolution is kept in the core's outbox only while no listener is there to take it (before
`resume`); it is then handed over at `resume`. It proposes once per event-loop turn, so
every lock placed or removed in one turn rides in one `trust_update`.

It is both the link's `ChannelHandler` and the channel-type interface's `Channel`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from amiko.channels.hand_over import hand_over
from amiko.channels.interface import (
    ChannelStatus,
    FailureReason,
    HtlcOffer,
    IncomingHtlc,
    OfferResult,
)
from amiko.channels.trust.core import TYPE_NAME, TrustChannel
from amiko.channels.trust.data import Phase
from amiko.channels.trust.outputs import (
    ChannelFailed,
    Disconnect,
    HtlcFailed,
    HtlcIncoming,
    HtlcSettled,
    NeedSettlementAddress,
    Outputs,
    PaySettlement,
    PhaseChanged,
    WatchSettlement,
)
from amiko.devcrash import crash_point
from amiko.link.channel_types import PeerPort

if TYPE_CHECKING:
    from amiko.channels.trust.channel_type import TrustContext

log = logging.getLogger("amiko.channels.trust")

FEATURE_NAME = "amiko_trust_channel"


@dataclass
class _Step:
    durable: asyncio.Future[None] | None
    messages: list[Any]
    events: list[Any]


@dataclass
class TrustDriver:
    core: TrustChannel
    ctx: TrustContext
    row_id: int
    port: PeerPort | None = None
    restored: bool = False  # loaded from the store: resume() has work to do
    _queue: list[_Step] = field(default_factory=list)
    _worker: asyncio.Task[None] | None = None
    _propose_scheduled: bool = False
    _resumed: bool = False
    _store_failed: bool = False  # a write failed: nothing leaves until a later write succeeds

    # -- identity and views

    @property
    def channel_id(self) -> bytes:
        return self.core.channel_id

    @property
    def peer_id(self) -> bytes:
        return self.core.peer_id

    @property
    def phase(self) -> Phase:
        return self.core.phase

    @property
    def closed(self) -> bool:
        return self.core.phase in (Phase.CLOSED, Phase.REFUSED)

    @property
    def failure(self) -> str | None:
        return self.core.data.failure or None

    def status(self) -> ChannelStatus:
        return self.core.status()

    def status_extra(self) -> dict[str, Any]:
        return self.core.status_extra()

    def pending_incoming(self) -> list[IncomingHtlc]:
        return self.core.pending_incoming()

    def pending_outgoing(self) -> dict[int, bytes]:
        return self.core.pending_outgoing()

    # -- the link's ChannelHandler

    def handle_message(self, msg: Any) -> None:
        self.apply(self.core.receive(msg))
        self._schedule_propose()

    def handle_peer_error(self, data: bytes) -> None:
        self.apply(self.core.peer_error(data))

    def link_up(self, port: PeerPort) -> None:
        self.port = port
        self.resume()
        supported = port.features.has(FEATURE_NAME)
        self.apply(self.core.peer_connected(supported))
        if supported and self.core.phase is Phase.OPEN_SENT:
            asyncio.get_running_loop().call_later(self.ctx.reopen_delay, self._reopen_check, port)
        self._changed()

    def link_down(self) -> None:
        self.port = None
        self.apply(self.core.peer_disconnected())
        self._changed()

    # -- the Channel interface

    def offer_htlc(self, offer: HtlcOffer) -> OfferResult:
        result, out = self.core.offer_htlc(offer)
        self.apply(out)
        self._schedule_propose()
        return result

    def settle_htlc(self, htlc_id: int, preimage: bytes) -> None:
        self.apply(self.core.settle_htlc(htlc_id, preimage))
        self._schedule_propose()

    def fail_htlc(self, htlc_id: int, reason: FailureReason) -> None:
        self.apply(self.core.fail_htlc(htlc_id, reason))
        self._schedule_propose()

    # -- commands

    def block_height(self, height: int) -> None:
        self.apply(self.core.block_height(height))
        self._schedule_propose()

    def close(self, *, settle_onchain: bool = False, keep: bool = False) -> None:
        self.apply(self.core.close(settle_onchain=settle_onchain, keep=keep))
        self._schedule_propose()

    def settlement_confirmed(self, txid: bytes) -> None:
        self.apply(self.core.settlement_confirmed(txid))

    def resume(self) -> None:
        """After a restart (once the listener is ready): store the new lock id counter,
        pick up settlement, and hand the listener the resolutions it may have missed (on
        every call: kept ones go as soon as there is a listener)."""
        if not self._resumed:
            self._resumed = True
            if self.restored:
                self.apply(Outputs(persist=True))
            self._resume_settlement()
        self._deliver_kept()

    def _resume_settlement(self) -> None:
        st = self.core.data.settlement
        if self.core.phase is Phase.FINAL and st is not None:
            if st.creditor and st.address is None:
                self._enqueue(None, [], [NeedSettlementAddress()])
            if self.core.watched_settlement() is not None:
                self.ctx.watch_settlement(self)
            if st.pay_attempted and st.txid is None:
                log.error("trust channel %s: a settlement payment was started before a restart and "
                          "its outcome is unknown; check the wallet before paying again", self.channel_id.hex())

    # -- running outputs

    def apply(self, out: Outputs) -> None:
        """Queue the core's outputs: durable first, then sent, then acted upon; HTLC events
        are handed to the listener now (see the module's text), after this step is queued
        (so that what the listener makes this channel send goes after this step's
        messages). A resolution handed over leaves the outbox before the state is staged."""
        listener = self.ctx.listener
        now: list[HtlcIncoming | HtlcSettled | HtlcFailed] = []
        later: list[Any] = []
        for event in out.events:
            if listener is not None and isinstance(event, HtlcIncoming | HtlcSettled | HtlcFailed):
                now.append(event)
                if not isinstance(event, HtlcIncoming):
                    self.core.delivered(event.seq)
            else:
                later.append(event)
        durable = None
        if out.persist:
            durable = self.ctx.channels.save(
                self.row_id, TYPE_NAME, self.peer_id, self.channel_id, self.core.to_bytes(),
                closed=self.closed)
        self._enqueue(durable, out.messages, later)
        if listener is not None:
            for event in now:
                hand_over(listener, self, event, log)

    def _deliver_kept(self) -> None:
        """Hand the listener the resolutions kept in the outbox (made while there was no
        listener, or left by a crash): out of the outbox in the state staged now, and the
        listener's writes commit with it."""
        listener = self.ctx.listener
        kept = self.core.undelivered() if listener is not None else []
        if listener is None or not kept:
            return
        for event in kept:
            self.core.delivered(event.seq)
        self.apply(Outputs(persist=True))
        for event in kept:
            hand_over(listener, self, event, log)

    def _enqueue(self, durable: asyncio.Future[None] | None, messages: list[Any], events: list[Any]) -> None:
        if not (messages or events or durable):
            return
        self._queue.append(_Step(durable, list(messages), list(events)))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._run_queue())

    async def _run_queue(self) -> None:
        while self._queue:
            step = self._queue.pop(0)
            if step.durable is not None:
                try:
                    await step.durable
                    self._store_failed = False  # every write holds the whole state
                except Exception:
                    # Nothing may leave until a state is stored again: the peer must not see
                    # a signature of a state we could not store. Drop the link.
                    log.exception("trust channel %s: cannot store state; dropping the link",
                                  self.channel_id.hex())
                    self._store_failed = True
                    self._queue.clear()
                    if self.port is not None:
                        self.port.disconnect("cannot store channel state")
                    return
            port = None if self._store_failed else self.port
            for msg in step.messages:
                crash_point(f"send:{msg.NAME}")
                # Peers without the feature never receive a trust message.
                if port is None or not port.features.has(FEATURE_NAME) or not port.send(msg):
                    break  # disconnected: trust_reestablish resends what is needed
                crash_point(f"sent:{msg.NAME}", delay=0.2)
            for event in step.events:
                try:
                    await self._event(event)
                except Exception:
                    log.exception("trust channel %s: handling %s failed", self.channel_id.hex(),
                                  type(event).__name__)

    def _schedule_propose(self) -> None:
        """Propose once per event-loop turn: every change queued in this turn rides in one
        trust_update."""
        if self._propose_scheduled:
            return
        self._propose_scheduled = True
        asyncio.get_running_loop().call_soon(self._propose_now)

    def _propose_now(self) -> None:
        self._propose_scheduled = False
        self.apply(self.core.propose())

    def _reopen_check(self, port: PeerPort) -> None:
        if self.port is port:
            self.apply(self.core.resend_open_if_silent())

    def _changed(self) -> None:
        listener = self.ctx.listener
        if listener is not None:
            try:
                listener.channel_changed(self)
            except Exception:
                log.exception("trust channel %s: listener failed", self.channel_id.hex())

    # -- events

    async def _event(self, event: Any) -> None:
        if isinstance(event, HtlcIncoming | HtlcSettled | HtlcFailed):
            # Reached only without a listener: a resolution stays in the core's outbox for
            # `resume`; a lock both signed is in `pending_incoming`, which the switch reads
            # when it starts.
            log.debug("trust channel %s: %s kept for the switch", self.channel_id.hex(), type(event).__name__)
        elif isinstance(event, PhaseChanged):
            log.info("trust channel %s: %s -> %s", self.channel_id.hex(), event.old.value, event.new.value)
            self._changed()
            if self.closed:
                self.ctx.on_closed(self)
        elif isinstance(event, NeedSettlementAddress):
            self.apply(self.core.set_settlement_address(self.ctx.new_address()))
        elif isinstance(event, PaySettlement):
            await self._pay(event)
        elif isinstance(event, WatchSettlement):
            self.ctx.watch_settlement(self)
        elif isinstance(event, Disconnect):
            if self.port is not None:
                self.port.disconnect(event.reason)
        elif isinstance(event, ChannelFailed):
            self._changed()
        else:
            log.debug("trust channel %s: unhandled event %s", self.channel_id.hex(), type(event).__name__)

    async def _pay(self, event: PaySettlement) -> None:
        chain = self.ctx.chain()
        if chain is None:
            log.error("trust channel %s: no chain to pay the settlement on", self.channel_id.hex())
            return
        try:
            txid = await chain.pay(event.address, event.amount_sat)
        except Exception as e:
            log.error("trust channel %s: settlement payment of %d sat failed: %s", self.channel_id.hex(),
                      event.amount_sat, e)
            self.core.data.failure = f"settlement payment failed: {e}"
            st = self.core.data.settlement
            if st is not None:  # nothing went out: the user may ask again
                st.pay_attempted = st.pay_requested = False
            self.apply(Outputs(persist=True))
            return
        log.info("trust channel %s: settled %d sat on chain in %s", self.channel_id.hex(), event.amount_sat,
                 txid[::-1].hex())
        self.apply(self.core.settlement_paid(txid))
        self._changed()


def is_trust_channel(channel: object) -> bool:
    return isinstance(channel, TrustDriver)


__all__ = ["FEATURE_NAME", "TrustDriver", "is_trust_channel"]
