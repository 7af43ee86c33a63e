"""The asyncio driver of one Lightning channel: it runs the sans-IO core's outputs.

For every output of the core it does, in order: write the state durably (grouped with
other channels' writes into one commit), then send the messages, then act on the events
(fund, broadcast, watch the funding output). HTLC events go to the listener (the switch)
at once, in the same turn: whatever the switch does about them is itself a write staged
now, so it commits with the state that produced the event (or after it), and every
message it causes waits for its own commit; nothing reaches a peer before the state it
follows from is durable. Handing them over at once saves a commit round on every hop: a
preimage goes upstream in the commit that stores it, not in the one after. The core never
waits; this driver never decides anything about the protocol.

It implements both faces of a channel: the link's `ChannelHandler` (messages in, link up
and down) and the channel-type interface's `Channel` (offer, settle, fail).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from amiko.bitcoin.tx import OutPoint, Transaction, TxOut
from amiko.channels import events_codec
from amiko.channels.bolt.core import BoltChannel
from amiko.channels.bolt.htlcs import Side
from amiko.channels.bolt.onchain.committed import encode_htlcs
from amiko.channels.bolt.outputs import (
    Broadcast,
    BroadcastFunding,
    ChannelFailed,
    CloseScriptNeeded,
    Disconnect,
    ForgetChannel,
    FundingNeeded,
    HtlcArriving,
    HtlcFailed,
    HtlcIncoming,
    HtlcSettled,
    Outputs,
    StateChanged,
    WatchFunding,
)
from amiko.channels.bolt.states import Phase
from amiko.channels.hand_over import hand_over
from amiko.channels.interface import (
    ChannelListener,
    ChannelState,
    ChannelStatus,
    FailureReason,
    HtlcOffer,
    IncomingHtlc,
    OfferResult,
)
from amiko.devcrash import crash_point
from amiko.link.channel_types import PeerPort
from amiko.wire.messages import CommitmentSigned, Error
from amiko.wire.types import ChannelId

if TYPE_CHECKING:
    from amiko.channels.bolt.channel_type import BoltContext

log = logging.getLogger("amiko.channels.bolt")

TYPE_NAME = "bolt"


@dataclass
class _Step:
    durable: asyncio.Future[None] | None
    messages: list[Any]
    events: list[Any]


@dataclass
class BoltDriver:
    core: BoltChannel
    ctx: BoltContext
    row_id: int  # our database row, which also numbers the channel's keys
    port: PeerPort | None = None
    funding_tx: Transaction | None = None  # ours, signed, held until funding_signed
    _queue: list[_Step] = field(default_factory=list)
    _worker: asyncio.Task[None] | None = None
    _sign_scheduled: bool = False
    _registered_id: bytes | None = None
    on_closed: Callable[[BoltDriver], None] | None = None
    funding_broadcast: bool = False  # our funding transaction went out
    failure: str | None = None  # why the channel failed or was forgotten
    closing_txid: bytes | None = None
    onchain_state: ChannelState | None = None  # set by the on-chain watcher: CLOSING, CLOSED
    # the onions in the channel table's onion rows, by (owner, HTLC id)
    stored_onions: dict[tuple[Side, int], bytes] = field(default_factory=dict)

    # -- identity

    @property
    def channel_id(self) -> bytes:
        return bytes(self.core.channel_id)

    @property
    def peer_id(self) -> bytes:
        return self.core.peer_id

    @property
    def closed(self) -> bool:
        return self.status().state in (ChannelState.CLOSED, ChannelState.FAILED)

    @property
    def listener(self) -> ChannelListener | None:
        return self.ctx.listener

    def status(self) -> ChannelStatus:
        status = self.core.status()
        if self.onchain_state is not None and status.state is not ChannelState.CLOSED:
            return replace(status, state=self.onchain_state, can_send_msat=0, can_receive_msat=0)
        return status

    # -- the link's ChannelHandler

    def handle_message(self, msg: Any) -> None:
        was_connected = self.core.connected
        self.apply(self.core.receive(msg))
        if not was_connected and self.core.connected and self.ctx.listener is not None:
            self.ctx.listener.channel_changed(self)  # reestablished: usable again
        # The peer's updates or signature may leave their commitment behind ours: sign
        # (once per event-loop turn, however many messages arrived in it).
        self._schedule_sign()

    def handle_peer_error(self, data: bytes) -> None:
        self.apply(self.core.receive(Error(channel_id=ChannelId(self.core.channel_id), data=data)))

    def link_up(self, port: PeerPort) -> None:
        self.port = port
        self.apply(self.core.peer_connected())

    def link_down(self) -> None:
        self.port = None
        self.apply(self.core.peer_disconnected())

    # -- the Channel interface

    def offer_htlc(self, offer: HtlcOffer) -> OfferResult:
        result, out = self.core.offer_htlc(offer)
        self.apply(out)
        self._schedule_sign()
        return result

    def settle_htlc(self, htlc_id: int, preimage: bytes) -> None:
        if self.onchain_state is not None or self.core.state is Phase.FAILED:
            # The channel is over: the preimage now claims the HTLC on chain.
            htlc = self.core.data.htlcs.get((Side.REMOTE, htlc_id))
            if htlc is not None and self.ctx.on_preimage is not None:
                self.ctx.on_preimage(self, htlc.payment_hash, preimage)
        self.apply(self.core.settle_htlc(htlc_id, preimage))
        self._schedule_sign()

    def fail_htlc(self, htlc_id: int, reason: FailureReason) -> None:
        self.apply(self.core.fail_htlc(htlc_id, reason))
        self._schedule_sign()

    def pending_outgoing(self) -> dict[int, bytes]:
        return {h.htlc_id: h.payment_hash for h in self.core.data.htlcs.values() if h.owner is Side.LOCAL}

    def replay_outbox(self) -> None:
        """After a restart: hand the switch the HTLC events an older version left in the
        outbox (it kept them there until the switch had acted, a commit later; they are now
        handed over in the turn that makes them, so no new row is written). The switch
        treats every one of them idempotently. Without a switch the rows stay; a row that
        cannot be read is logged and stays (for a later version, or a person, to read)."""
        listener = self.ctx.listener
        if listener is None:
            return
        for seq, text in self.ctx.channels.pending_events(self.row_id):
            try:
                kind, value = events_codec.decode(text)
            except (ValueError, KeyError, TypeError) as e:
                log.error("channel %s: unreadable outbox row %d kept (%s): %.200s", self.channel_id.hex(), seq,
                          e, text)
                continue
            if kind == "incoming":
                listener.htlc_incoming(self, value)
            elif kind == "settled":
                listener.htlc_settled(self, *value)
            else:
                listener.htlc_failed(self, *value)
            self.ctx.channels.ack_event(self.row_id, seq)

    def pending_incoming(self) -> list[IncomingHtlc]:
        return self.core.pending_incoming()

    # -- commands

    def shutdown(self, script_pubkey: bytes, feerate_per_kw: int | None = None) -> None:
        self.apply(self.core.shutdown(script_pubkey, feerate_per_kw))

    def force_close(self, reason: str = "force close requested") -> None:
        """Fail the channel: an `error` to the peer and our latest commitment on chain."""
        self.apply(self.core.fail_channel(reason))

    def funding_spent(self) -> None:
        self.apply(self.core.funding_spent())

    def update_fee(self, feerate_per_kw: int) -> None:
        self.apply(self.core.update_fee(feerate_per_kw))
        self._schedule_sign()

    def funding_depth(self, confirmations: int, short_channel_id: int | None) -> None:
        self.apply(self.core.funding_depth(confirmations, short_channel_id))

    def block_height(self, height: int) -> None:
        self.apply(self.core.block_height(height))

    # -- running outputs

    def apply(self, out: Outputs) -> None:
        """Queue the core's outputs: durable first, then sent, then acted upon; HTLC events
        are handed to the listener now (see the module's text), after this step is queued
        (so that what the listener makes this channel send goes after this step's
        messages)."""
        self._register_current_id()
        now: list[HtlcIncoming | HtlcSettled | HtlcFailed] = []
        later: list[Any] = []
        for event in out.events:
            if type(event) is HtlcArriving:  # a hint, not a step: handed up at once
                if self.ctx.listener is not None:
                    self.ctx.listener.htlc_arriving(self, event.htlc)
            elif isinstance(event, HtlcIncoming | HtlcSettled | HtlcFailed):
                now.append(event)
            else:
                later.append(event)
        if any(isinstance(m, CommitmentSigned) for m in out.messages):
            # The revocation log: the HTLCs of the commitment we sign, durable with it.
            number, htlcs = self.core.remote_committed_htlcs()
            if htlcs:
                self.ctx.channels.log_remote_htlcs(self.row_id, number, encode_htlcs(htlcs))
        durable = None
        if out.persist:
            self._store_onions()
            durable = self.ctx.channels.save(
                self.row_id, TYPE_NAME, self.peer_id, self.channel_id, self.core.snapshot(),
                closed=self.core.state.coarse is ChannelState.CLOSED,
            )
        if out.messages or later or durable:
            self._queue.append(_Step(durable, list(out.messages), later))
            if self._worker is None or self._worker.done():
                self._worker = asyncio.get_running_loop().create_task(self._run_queue())
        listener = self.ctx.listener
        if listener is not None:
            for event in now:
                hand_over(listener, self, event, log)

    def _store_onions(self) -> None:
        """Stage the onions of the HTLCs new since the last save (and drop those of the HTLCs
        gone), ahead of the state that holds them: they commit with it or before."""
        htlcs = self.core.data.htlcs
        stored = self.stored_onions
        if stored.keys() == htlcs.keys():
            return
        table = self.ctx.channels
        for key in htlcs.keys() - stored.keys():
            onion = htlcs[key].onion
            table.save_onion(self.row_id, key[0].value, key[1], onion)
            stored[key] = onion
        for key in stored.keys() - htlcs.keys():
            table.drop_onion(self.row_id, key[0].value, key[1])
            del stored[key]

    async def _run_queue(self) -> None:
        while self._queue:
            step = self._queue.pop(0)
            if step.durable is not None:
                try:
                    await step.durable
                except Exception:
                    # Nothing of this step may leave: the peer must not see a state we
                    # could not store. Drop the connection; reestablish sorts it out.
                    log.exception("channel %s: cannot store state; dropping the link", self.channel_id.hex())
                    self._queue.clear()
                    return
            port = self.port
            for msg in step.messages:
                crash_point(f"send:{msg.NAME}")
                if port is None or not port.send(msg):
                    break  # disconnected: channel_reestablish retransmits what is needed
                crash_point(f"sent:{msg.NAME}", delay=0.2)
            for event in step.events:
                try:
                    await self._event(event)
                except Exception:
                    log.exception("channel %s: handling %s failed", self.channel_id.hex(), type(event).__name__)

    def _schedule_sign(self) -> None:
        """Sign once per event-loop turn: every update queued in this turn rides in one
        commitment_signed."""
        if self._sign_scheduled:
            return
        self._sign_scheduled = True
        asyncio.get_running_loop().call_soon(self._sign_now)

    def _sign_now(self) -> None:
        self._sign_scheduled = False
        self.apply(self.core.sign_pending())

    def _register_current_id(self) -> None:
        """The channel id changes once (temporary → real): follow it in the link's table."""
        current = self.channel_id
        if self._registered_id == current:
            return
        if self._registered_id is not None:
            self.ctx.rename(self, self._registered_id, current)
        self._registered_id = current

    # -- events

    async def _event(self, event: Any) -> None:
        listener = self.ctx.listener
        if isinstance(event, StateChanged):
            log.info("channel %s: %s -> %s", self.channel_id.hex(), event.old, event.new)
            if listener is not None:
                listener.channel_changed(self)
        elif isinstance(event, FundingNeeded):
            await self._fund(event)
        elif isinstance(event, BroadcastFunding):
            tx = event.tx or self.funding_tx
            if tx is None:
                log.error("channel %s: no funding transaction to broadcast", self.channel_id.hex())
                return
            await self._broadcast(tx, "funding")
            self.ctx.wallet.apply_mempool_tx(tx)
            self.funding_broadcast = True
        elif isinstance(event, Broadcast):
            await self._broadcast(event.tx, event.reason)
            if event.reason.startswith("mutual"):
                self.closing_txid = event.tx.txid
        elif isinstance(event, Disconnect):
            if self.port is not None:
                self.port.disconnect(event.reason)
        elif isinstance(event, ForgetChannel):
            log.info("channel %s forgotten: %s", self.channel_id.hex(), event.reason)
            self.failure = event.reason
            if self.funding_tx is not None and not self.funding_broadcast:
                self.ctx.wallet.release(f"channel-{self.row_id}")
            await self.ctx.channels.save(self.row_id, TYPE_NAME, self.peer_id, self.channel_id,
                                         self.core.to_bytes(), closed=True)
            self.ctx.forget(self)
        elif isinstance(event, CloseScriptNeeded):
            self.apply(self.core.shutdown(self.ctx.shutdown_script()))
        elif isinstance(event, WatchFunding):
            self.ctx.watch_funding(self, event.outpoint, event.script_pubkey)
        elif isinstance(event, ChannelFailed):
            log.error("channel %s failed: %s", self.channel_id.hex(), event.reason)
            self.failure = event.reason
            if listener is not None:
                listener.channel_changed(self)
        else:
            log.debug("channel %s: unhandled event %s", self.channel_id.hex(), type(event).__name__)

    async def _fund(self, event: FundingNeeded) -> None:
        wallet = self.ctx.wallet
        reservation = f"channel-{self.row_id}"
        try:
            unsigned, info = wallet.prepare_funding(
                TxOut(event.amount_sat, event.script_pubkey), self.ctx.funding_feerate(),
                reserve_for=reservation,
            )
            signed = wallet.sign(unsigned)
        except Exception as e:
            log.error("channel %s: cannot fund: %s", self.channel_id.hex(), e)
            self.failure = f"cannot fund: {e}"
            self.apply(self.core.shutdown(self.ctx.shutdown_script()))
            return
        self.funding_tx = signed
        await self.ctx.channels.save_extra(self.row_id, signed.serialize())
        self.apply(self.core.funding_tx_ready(signed.txid, info.output_index, signed))

    async def _broadcast(self, tx: Transaction, reason: str) -> None:
        try:
            await self.ctx.broadcast(tx)
            log.info("channel %s: broadcast %s %s", self.channel_id.hex(), reason, tx.txid_hex)
        except Exception as e:
            log.error("channel %s: broadcast of %s %s failed: %s", self.channel_id.hex(), reason, tx.txid_hex, e)

    def funding_outpoint(self) -> OutPoint | None:
        return self.core.funding_outpoint
