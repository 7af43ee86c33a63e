"""The BOLT 2 channel core: one sans-IO object per channel.

Inputs are method calls (a peer message, a command from the switch, a block, the
connection going up or down); each returns an `Outputs` (messages, persist flag, events;
see `outputs`). No I/O, no clock, no randomness: the driver (`driver.py`) does all that.

Every input runs against a *copy* of the channel data; a `ChannelError` raised anywhere
while handling it discards the copy, so the state stays exactly what it was (and what the
driver last persisted), and the error becomes the response BOLT 2 prescribes: an `error`
and a failed channel, or a `warning` and a disconnection. Bad input never raises out of
`receive`.

Modules: `opening` (channel establishment), `updates` (update_* messages and their
checks), `commit` (commitment_signed / revoke_and_ack), `reestablish` (retransmission),
`shutdown` (cooperative close), `htlcs` and `states` (the two state machines), `data`
(what is stored), `serialize` (how).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from amiko.bitcoin.script import p2wsh
from amiko.bitcoin.tx import OutPoint, Transaction
from amiko.channels.bolt import opening, reestablish, shutdown, updates
from amiko.channels.bolt.commit import (
    Which,
    commit_fee_msat,
    compute_view,
    funding_script_of,
    local_commitment,
    local_htlc_txs,
    receive_commitment_signed,
    receive_revoke_and_ack,
    sign_remote_commitment,
)
from amiko.channels.bolt.data import ChannelData
from amiko.channels.bolt.errors import ChannelError, ErrorAction
from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.bolt.htlc_txs import HtlcTx
from amiko.channels.bolt.htlcs import HtlcState, Side, flags
from amiko.channels.bolt.keys import ChannelKeys
from amiko.channels.bolt.onchain.committed import CommittedHtlc
from amiko.channels.bolt.outputs import (
    Broadcast,
    ChannelFailed,
    Disconnect,
    ForgetChannel,
    HtlcArriving,
    Outputs,
    StateChanged,
)
from amiko.channels.bolt.params import ChannelType, LocalParams
from amiko.channels.bolt.serialize import decode, encode
from amiko.channels.bolt.states import Phase
from amiko.channels.interface import (
    ChannelStatus,
    FailureReason,
    HtlcOffer,
    IncomingHtlc,
    Offered,
    OfferResult,
    RefusalReason,
    Refused,
)
from amiko.link.features import Features
from amiko.wire.messages import (
    AcceptChannel,
    ChannelReady,
    ChannelReestablish,
    ClosingComplete,
    ClosingSig,
    ClosingSigned,
    CommitmentSigned,
    Error,
    FundingCreated,
    FundingSigned,
    OpenChannel,
    RevokeAndAck,
    Shutdown,
    UpdateAddHtlc,
    UpdateFailHtlc,
    UpdateFailMalformedHtlc,
    UpdateFee,
    UpdateFulfillHtlc,
    WarningMsg,
)
from amiko.wire.types import ChannelId

__all__ = ["TYPE_NAME", "BoltChannel"]

TYPE_NAME = "bolt"

Handler = Callable[["BoltChannel", ChannelData, Any, Outputs], None]


class BoltChannel:
    """One Lightning channel (BOLT 2 state machine over BOLT 3 transactions)."""

    def __init__(self, data: ChannelData, keys: ChannelKeys, *, connected: bool) -> None:
        if keys.funding_pubkey != data.local_funding_pubkey:
            raise ValueError("these keys are not the channel's keys")
        self._version = 0  # bumped on every change: keys the status cache
        self._status: tuple[int, ChannelStatus] | None = None
        self._data = data
        self._keys = keys
        self._connected = connected
        # BOLT #2: MUST wait to receive the other node's `channel_reestablish` message
        # before sending any other messages for that channel. (A channel opened on this
        # connection has nothing to reestablish.)
        self._reestablished = connected

    @property
    def _d(self) -> ChannelData:
        return self._data

    @_d.setter
    def _d(self, data: ChannelData) -> None:
        self._data = data
        self._version += 1

    # -- construction ----------------------------------------------------------------------

    @classmethod
    def open_outbound(cls, *, params: LocalParams, keys: ChannelKeys, peer_id: bytes,
                      chain_hash: bytes, temporary_channel_id: bytes, funding_sat: int,
                      push_msat: int, commitment_type: CommitmentType, negotiated: Features,
                      feerate_per_kw: int, announce: bool, upfront_shutdown_script: bytes | None,
                      current_height: int, scid_alias: bool = False, zero_conf: bool = False,
                      local_alias: int | None = None,
                      close_script: bytes | None = None) -> tuple[BoltChannel, Outputs]:
        """A channel we fund: `outputs.messages == [OpenChannel]`. Raises ValueError for a
        request BOLT 2 forbids us to send."""
        ctype = ChannelType(commitment_type, scid_alias, zero_conf)
        d, msg = opening.new_outbound(
            params=params, keys=keys, peer_id=peer_id, chain_hash=chain_hash,
            temporary_channel_id=temporary_channel_id, funding_sat=funding_sat,
            push_msat=push_msat, channel_type=ctype, negotiated=negotiated,
            feerate_per_kw=feerate_per_kw, announce=announce,
            upfront_shutdown_script=upfront_shutdown_script, current_height=current_height,
            local_alias=local_alias, close_script=close_script)
        return cls(d, keys, connected=True), Outputs([msg])

    @classmethod
    def accept_inbound(cls, msg: OpenChannel, *, params: LocalParams, keys: ChannelKeys,
                       peer_id: bytes, chain_hash: bytes, negotiated: Features,
                       feerate_range: tuple[int, int], current_height: int,
                       upfront_shutdown_script: bytes | None, local_alias: int | None = None,
                       close_script: bytes | None = None,
                       ) -> tuple[BoltChannel | None, Outputs]:
        """The peer's `open_channel`: (channel, [AcceptChannel]), or (None, [Error]) when
        any BOLT 2 receiver check refuses it."""
        try:
            ctype = opening.check_open(msg, params, chain_hash, negotiated, feerate_range)
            d, accept = opening.new_inbound(
                msg, ctype, params=params, keys=keys, peer_id=peer_id, negotiated=negotiated,
                current_height=current_height, upfront_shutdown_script=upfront_shutdown_script,
                local_alias=local_alias, close_script=close_script)
        except ChannelError as exc:
            return None, Outputs([Error(msg.temporary_channel_id, exc.message.encode())])
        return cls(d, keys, connected=True), Outputs([accept])

    # -- persistence -----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        return encode(self._d)

    def snapshot(self) -> Callable[[], bytes]:
        """The stored form of the current state without its HTLCs' onions (the driver
        stores them apart), encoded when called (the state an input replaces is never changed
        again, so a later call still encodes this one)."""
        d = self._d
        return lambda: encode(d, onions=False)

    @classmethod
    def from_bytes(cls, data: bytes, keys: ChannelKeys,
                   onions: Mapping[tuple[Side, int], bytes] | None = None) -> BoltChannel:
        """A stored channel, disconnected (its peer's uncommitted updates forgotten), with
        the onions stored apart put back into its HTLCs."""
        d = decode(data)
        if onions:
            for key, h in list(d.htlcs.items()):
                onion = onions.get(key)
                if not h.onion and onion:
                    d.htlcs[key] = replace(h, onion=onion)
        reestablish.forget_uncommitted(d)
        return cls(d, keys, connected=False)

    # -- properties the driver uses --------------------------------------------------------

    @property
    def data(self) -> ChannelData:
        """The channel data (read-only use: tests, views, the watcher)."""
        return self._d

    @property
    def channel_id(self) -> bytes:
        """The real channel_id once the funding outpoint is known, else the temporary one."""
        return self._d.channel_id or self._d.temporary_channel_id

    @property
    def temporary_channel_id(self) -> bytes:
        return self._d.temporary_channel_id

    @property
    def peer_id(self) -> bytes:
        return self._d.peer_id

    @property
    def state(self) -> Phase:
        return self._d.phase

    @property
    def is_funder(self) -> bool:
        return self._d.is_funder

    @property
    def commitment_type(self) -> CommitmentType:
        return self._d.channel_type.commitment_type

    @property
    def channel_type(self) -> ChannelType:
        return self._d.channel_type

    @property
    def funding_sat(self) -> int:
        return self._d.funding_sat

    @property
    def funding_outpoint(self) -> OutPoint | None:
        return self._d.funding_outpoint

    @property
    def funding_script_pubkey(self) -> bytes | None:
        if self._d.remote_basepoints is None:
            return None
        return p2wsh(funding_script_of(self._d))

    @property
    def minimum_depth(self) -> int:
        return self._d.minimum_depth

    @property
    def short_channel_id(self) -> int | None:
        return self._d.short_channel_id

    @property
    def local_alias(self) -> int | None:
        return self._d.local_alias

    @property
    def remote_alias(self) -> int | None:
        return self._d.remote_alias

    @property
    def connected(self) -> bool:
        """Connected and reestablished: messages may flow."""
        return self._connected and self._reestablished

    def latest_commitment_tx(self) -> Transaction | None:
        """Our latest commitment transaction, fully signed (what we broadcast on failure);
        None before the peer signed our first one."""
        d = self._d
        if not d.local_commit_sig or d.remote_basepoints is None:
            return None
        commitment = local_commitment(d, self._keys)
        return commitment.signed_tx(commitment.sign(self._keys.funding_secret),
                                    d.local_commit_sig)

    def latest_htlc_txs(self) -> list[tuple[HtlcTx, bytes, bytes]]:
        """The HTLC transactions of our latest commitment, each with the peer's and our
        signature (see `commit.local_htlc_txs`)."""
        if not self._d.local_commit_sig or self._d.remote_basepoints is None:
            return []
        return local_htlc_txs(self._d, self._keys)

    @property
    def closing_tx(self) -> Transaction | None:
        """The fully signed mutual closing transaction, once there is one."""
        return Transaction.parse(self._d.closing_tx) if self._d.closing_tx else None

    # -- the input loop --------------------------------------------------------------------

    def _run(self, fn: Callable[[ChannelData, Outputs], None]) -> Outputs:
        """Run one input on a copy of the state; keep it only if the input was valid."""
        work = self._d.copy()
        out = Outputs()
        try:
            fn(work, out)
            if self.connected:
                shutdown.maybe_send_shutdown(work, out)
                shutdown.maybe_start_negotiation(work, self._keys, out)
        except ChannelError as exc:
            return self._on_error(exc)
        old = self._d.phase
        self._d = work
        if not self.connected:
            # Nothing goes out before channel_reestablish; whatever matters is sent again
            # by the retransmission rules.
            out.messages.clear()
        if work.phase is not old:
            out.emit(StateChanged(old, work.phase))
            if work.phase is Phase.ABORTED:
                out.emit(ForgetChannel("channel opening abandoned"))
        return out

    def _error_channel_id(self) -> ChannelId:
        return ChannelId(self.channel_id)

    def _on_error(self, exc: ChannelError) -> Outputs:
        """Turn a ChannelError into BOLT 2's response (the state is untouched so far)."""
        out = Outputs()
        action = exc.action
        if action is ErrorAction.IGNORE:
            if exc.send_warning and self.connected:
                out.send(WarningMsg(self._error_channel_id(), exc.message.encode()))
            return out
        if action is ErrorAction.WARN_DISCONNECT:
            out.send(WarningMsg(self._error_channel_id(), exc.message.encode()))
            out.emit(Disconnect(exc.message))
            return out
        out.send(Error(self._error_channel_id(), exc.message.encode()))
        out.extend(self._fail(exc.message, broadcast=action is ErrorAction.FAIL_CHANNEL,
                              error=exc.message.encode()))
        return out

    def _fail(self, reason: str, *, broadcast: bool, error: bytes = b"") -> Outputs:
        """Fail the channel (or forget it, if nothing was funded yet)."""
        out = Outputs()
        d = self._d.copy()
        old = d.phase
        if not old.funded:
            if old is not Phase.ABORTED:
                d.set_phase(Phase.ABORTED)
                out.emit(StateChanged(old, d.phase))
                out.emit(ForgetChannel(reason))
            self._d = d
            return out
        if old in (Phase.FAILED, Phase.CLOSING):
            return out
        d.set_phase(Phase.FAILED)
        d.error_data = error
        d.must_not_broadcast = d.must_not_broadcast or not broadcast
        self._d = d
        out.persist = True
        out.emit(StateChanged(old, d.phase))
        out.emit(ChannelFailed(reason, broadcast_commitment=not d.must_not_broadcast))
        tx = self.latest_commitment_tx()
        if tx is not None and not d.must_not_broadcast:
            out.emit(Broadcast(tx, "channel failed: our latest commitment"))
        return out

    # -- peer messages ---------------------------------------------------------------------

    def receive(self, msg: Any) -> Outputs:
        """Any message for this channel. Never raises for bad input."""
        if isinstance(msg, Error):
            return self._peer_error(msg)
        if isinstance(msg, WarningMsg):
            return Outputs()
        if self._d.phase in (Phase.FAILED, Phase.ABORTED):
            # BOLT #2: if a channel is in an error state: SHOULD retransmit the error packet
            # and ignore any other packets for that channel.
            return Outputs()
        if not self._reestablished and not isinstance(msg, ChannelReestablish):
            return Outputs()  # BOLT 2: nothing before channel_reestablish
        handler = _HANDLERS.get(type(msg))
        if handler is None:
            return Outputs()
        return self._run(lambda d, out: handler(self, d, msg, out))

    def _peer_error(self, msg: Error) -> Outputs:
        """# BOLT #1: upon receiving `error`: if `channel_id` is all zero or refers to the
        # channel: MUST fail the channel."""
        if self._d.phase is Phase.CLOSING:
            tx = self.closing_tx
            return Outputs(events=[Broadcast(tx, "mutual close")]) if tx else Outputs()
        text = msg.data.decode("utf-8", "replace")
        return self._fail(f"peer error: {text}", broadcast=True)

    def _on_open_msg(self, d: ChannelData, msg: Any, out: Outputs) -> None:
        if isinstance(msg, AcceptChannel):
            opening.receive_accept(d, msg, out)
        elif isinstance(msg, FundingCreated):
            opening.receive_funding_created(d, self._keys, msg, out)
        elif isinstance(msg, FundingSigned):
            opening.receive_funding_signed(d, self._keys, msg, out)
        elif isinstance(msg, ChannelReady):
            opening.receive_channel_ready(d, msg, out)

    def _on_update(self, d: ChannelData, msg: Any, out: Outputs) -> None:
        if isinstance(msg, UpdateAddHtlc):
            if updates.receive_add(d, msg):
                h = d.htlcs[(Side.REMOTE, msg.id)]
                out.emit(HtlcArriving(IncomingHtlc(d.channel_id, h.htlc_id, h.amount_msat, h.payment_hash,
                                                   h.cltv_expiry, h.onion)))
        elif isinstance(msg, UpdateFee):
            updates.receive_fee(d, msg)
        else:
            updates.receive_removal(d, msg, out)
            out.persist = out.persist or isinstance(msg, UpdateFulfillHtlc)

    def _on_commitment(self, d: ChannelData, msg: Any, out: Outputs) -> None:
        if d.phase not in (Phase.NORMAL, Phase.SHUTDOWN) or not d.received_channel_ready:
            raise ChannelError(f"{type(msg).__name__} while {d.phase.value}")
        if isinstance(msg, CommitmentSigned):
            receive_commitment_signed(d, self._keys, msg, out)
        else:
            receive_revoke_and_ack(d, msg, out)

    def _on_close(self, d: ChannelData, msg: Any, out: Outputs) -> None:
        if isinstance(msg, Shutdown):
            shutdown.receive_shutdown(d, msg, out)
        elif isinstance(msg, ClosingSigned):
            shutdown.receive_closing_signed(d, self._keys, msg, out)
        elif isinstance(msg, ClosingComplete):
            shutdown.receive_closing_complete(d, self._keys, msg, out)
        elif isinstance(msg, ClosingSig):
            shutdown.receive_closing_sig(d, self._keys, msg, out)

    def _on_reestablish(self, d: ChannelData, msg: Any, out: Outputs) -> None:
        if not d.phase.funded or d.phase is Phase.ABORTED:
            return
        reestablish.receive_reestablish(d, self._keys, msg, out)
        self._reestablished = True

    # -- chain and connection --------------------------------------------------------------

    def funding_tx_ready(self, funding_txid: bytes, output_index: int,
                         funding_tx: Transaction | None = None) -> Outputs:
        """Opener: the wallet built the funding transaction (not broadcast!): sign the
        fundee's first commitment (`funding_created`). With `funding_tx`, its output is
        checked and it comes back in `BroadcastFunding`."""
        def run(d: ChannelData, out: Outputs) -> None:
            out.send(opening.funding_created_message(d, self._keys, funding_txid, output_index,
                                                     funding_tx))
        return self._run(run)

    def funding_depth(self, confirmations: int, short_channel_id: int | None) -> Outputs:
        """The funding transaction has `confirmations` (0: unconfirmed or reorged out)."""
        return self._run(lambda d, out: opening.on_funding_depth(
            d, self._keys, confirmations, short_channel_id, out))

    def block_height(self, height: int) -> Outputs:
        """A new chain tip: the fundee's funding timeout and the HTLC deadlines."""
        def run(d: ChannelData, out: Outputs) -> None:
            d.current_height = height
            if (d.phase is Phase.AWAIT_LOCKIN and not d.is_funder
                    and d.funding_deadline is not None and height >= d.funding_deadline):
                # BOLT #2: A non-funding node (fundee): SHOULD forget the channel if it does
                # not see the correct funding transaction after a timeout of 2016 blocks.
                d.set_phase(Phase.ABORTED)
                out.persist = True
                return
            if d.phase in (Phase.NORMAL, Phase.SHUTDOWN):
                _check_htlc_deadlines(d, height)
        return self._run(run)

    def set_feerate_bounds(self, min_per_kw: int, max_per_kw: int) -> Outputs:
        """The update_fee values we accept from a funder (from the node's fee estimate)."""
        def run(d: ChannelData, out: Outputs) -> None:
            d.min_feerate_per_kw, d.max_feerate_per_kw = min_per_kw, max_per_kw
        return self._run(run)

    def peer_connected(self) -> Outputs:
        """A new connection: send `channel_reestablish` (retransmissions follow when the
        peer's arrives)."""
        d = self._d
        self._connected = True
        self._version += 1
        if d.phase is Phase.FAILED:
            self._reestablished = False
            return Outputs([Error(ChannelId(self.channel_id), d.error_data or b"channel failed")])
        if not d.phase.funded:
            self._reestablished = True
            return Outputs()
        # BOLT #2: upon reconnection: [...] MUST transmit `channel_reestablish` for each
        # channel.
        self._reestablished = False
        return Outputs([reestablish.reestablish_message(d, self._keys)])

    def peer_disconnected(self) -> Outputs:
        """The connection is gone: the peer's uncommitted updates are forgotten (BOLT 2);
        an unfunded channel is forgotten altogether."""
        self._connected = False
        self._reestablished = False
        self._version += 1
        d = self._d
        if not d.phase.funded:
            # BOLT #2: upon disconnection: [funder] if it has broadcast the funding
            # transaction: MUST remember the channel [...] otherwise: SHOULD NOT remember the
            # channel for reconnection. [fundee:] if it has sent the `funding_signed`
            # message: MUST remember the channel [...] otherwise: SHOULD NOT remember it.
            return self._fail("disconnected before the channel was funded", broadcast=False)
        work = d.copy()
        changed = reestablish.forget_uncommitted(work)
        self._d = work
        return Outputs(persist=changed)

    # -- commands --------------------------------------------------------------------------

    def _usable(self) -> bool:
        d = self._d
        return (d.phase is Phase.NORMAL and self.connected and d.local_shutdown_script is None
                and not d.shutdown_requested and d.remote_shutdown_script is None)

    def offer_htlc(self, offer: HtlcOffer) -> tuple[OfferResult, Outputs]:
        """Offer an HTLC to the peer: `Offered(id)` (the update_add_htlc is in the outputs;
        `sign_pending` commits it) or `Refused` with nothing changed."""
        if not self._usable():
            return Refused(RefusalReason.CHANNEL_NOT_USABLE, self._d.phase.value), Outputs()
        refusal = updates.check_offer(self._d, offer)
        if refusal is not None:
            return refusal, Outputs()
        result: list[int] = []

        def run(d: ChannelData, out: Outputs) -> None:
            h = updates.make_offer(d, offer)
            result.append(h.htlc_id)
            out.send(updates.add_message(d, h))
            # Not persisted: an add we crash before signing was never committed; the
            # peer forgets it on reestablishment (BOLT 2) and so do we. Stored with the
            # commitment_signed that commits it.
        out = self._run(run)
        if not result:
            return Refused(RefusalReason.CHANNEL_NOT_USABLE, "offer failed"), out
        return Offered(result[0]), out

    def settle_htlc(self, htlc_id: int, preimage: bytes) -> Outputs:
        """Fulfill the peer's HTLC (idempotent). Allowed once `HtlcIncoming` was reported;
        while disconnected the fulfill is stored and sent after reestablishment."""
        return self._remove(htlc_id, preimage, None)

    def fail_htlc(self, htlc_id: int, reason: FailureReason) -> Outputs:
        """Fail the peer's HTLC (idempotent): `reason.onion` -> update_fail_htlc,
        `reason.failure_code` (BADONION) -> update_fail_malformed_htlc."""
        return self._remove(htlc_id, None, reason)

    def _remove(self, htlc_id: int, preimage: bytes | None,
                reason: FailureReason | None) -> Outputs:
        if self._d.phase not in (Phase.NORMAL, Phase.SHUTDOWN):
            return Outputs()

        def run(d: ChannelData, out: Outputs) -> None:
            h = updates.remove_incoming(d, htlc_id, preimage, reason)
            if h is not None:
                out.send(updates.removal_message(d, h))
                out.persist = True
        return self._run(run)

    def sign_pending(self) -> Outputs:
        """Send `commitment_signed` if the peer's commitment lacks some update and we may
        sign now (not awaiting a revocation). The driver calls it when it likes (e.g. once
        per event-loop tick, so that many updates share one commitment)."""
        if not self.connected or self._d.phase not in (Phase.NORMAL, Phase.SHUTDOWN):
            return Outputs()

        def run(d: ChannelData, out: Outputs) -> None:
            msg = sign_remote_commitment(d, self._keys)
            if msg is not None:
                out.send(msg)
                out.persist = True
        return self._run(run)

    def update_fee(self, feerate_per_kw: int) -> Outputs:
        """Funder: move the commitments to a new feerate (nothing happens for the fundee,
        while disconnected, or when the funder could not afford it)."""
        d = self._d
        if not d.is_funder or not self.connected or d.phase not in (Phase.NORMAL,
                                                                    Phase.SHUTDOWN):
            return Outputs()
        if d.phase is Phase.SHUTDOWN and not d.htlcs:
            # BOLT #2: if no HTLCs remain in either commitment transaction [...]: MUST NOT
            # send any `update` message after that point.
            return Outputs()
        if compute_view(d, Side.REMOTE, Which.PROJECTED).feerate_per_kw == feerate_per_kw:
            return Outputs()

        def run(d: ChannelData, out: Outputs) -> None:
            update = updates.make_fee_update(d, feerate_per_kw)
            if update is not None:
                out.send(updates.fee_message(d, update))
                out.persist = True
        return self._run(run)

    def shutdown(self, script_pubkey: bytes, feerate_per_kw: int | None = None) -> Outputs:
        """Start (or answer) a cooperative close to `script_pubkey` (the upfront script if
        we committed to one). The `shutdown` goes out once our updates are signed; closing
        negotiation follows once no HTLC is left. Before funding, abandons the opening."""
        d = self._d
        if not d.phase.funded:
            if d.phase is Phase.ABORTED:
                return Outputs()
            out = Outputs([Error(ChannelId(self.channel_id), b"channel opening cancelled")])
            return out.extend(self._fail("opening cancelled", broadcast=False))
        if d.phase not in (Phase.AWAIT_LOCKIN, Phase.NORMAL, Phase.SHUTDOWN):
            return Outputs()

        def run(d: ChannelData, out: Outputs) -> None:
            shutdown.request_shutdown(d, script_pubkey, feerate_per_kw)
            out.persist = True
        return self._run(run)

    def funding_spent(self) -> Outputs:
        """The funding output is spent on chain: nothing the peer sends can change the
        channel any more; on-chain resolution (BOLT 5) takes over. Our commitment is not
        broadcast: whatever spent the funding output already won."""
        d = self._d
        if not d.phase.funded or d.phase in (Phase.FAILED, Phase.CLOSING):
            return Outputs()
        work = d.copy()
        work.set_phase(Phase.FAILED)
        work.must_not_broadcast = True
        work.error_data = b"funding output spent on chain"
        self._d = work
        out = Outputs(persist=True)
        out.emit(StateChanged(d.phase, Phase.FAILED))
        return out

    def remote_committed_htlcs(self) -> tuple[int, tuple[CommittedHtlc, ...]]:
        """The peer's latest commitment number and its HTLCs (for the revocation log)."""
        d = self._d
        view = compute_view(d, Side.REMOTE, Which.CURRENT)
        return d.remote_commitment_number, tuple(
            CommittedHtlc(h.owner is Side.LOCAL, h.htlc_id, h.amount_msat, h.payment_hash,
                          h.cltv_expiry) for h in view.htlcs)

    def fail_channel(self, reason: str) -> Outputs:
        """Give up on the channel: send an `error` and broadcast our commitment."""
        return self._on_error(ChannelError(reason))

    # -- views -----------------------------------------------------------------------------

    def status(self) -> ChannelStatus:
        """A snapshot for routing and views (cached until the state changes)."""
        if self._status is not None and self._status[0] == self._version:
            return self._status[1]
        d = self._d
        funded = d.remote is not None and d.phase.funded
        local = remote = can_send = can_receive = 0
        if funded:
            from amiko.channels.bolt.commit import unchanged  # (status' own import)

            with unchanged(d):
                view = compute_view(d, Side.LOCAL, Which.CURRENT)
                local, remote = view.local_msat, view.remote_msat
                can_send = self._max_sendable() if self._usable() else 0
                can_receive = self._max_receivable()
        status = ChannelStatus(
            channel_id=self.channel_id, peer_id=d.peer_id, type_name=TYPE_NAME,
            state=d.phase.coarse, short_channel_id=d.short_channel_id or d.remote_alias,
            capacity_msat=d.funding_sat * 1000, local_msat=local, remote_msat=remote,
            can_send_msat=can_send, can_receive_msat=can_receive,
            htlc_minimum_msat=d.remote.htlc_minimum_msat if d.remote else 0,
            htlcs_in_flight=len(d.htlcs), peer_connected=self.connected)
        self._status = (self._version, status)
        return status

    def _max_sendable(self) -> int:
        """The largest HTLC `offer_htlc` would accept now: the balance left above the
        reserve, the fee and the fee spike buffer, capped by the peer's in-flight limit;
        confirmed by the offer checks themselves (binary search in the rare case they
        disagree: dust exposure, or an amount that would be trimmed)."""
        d = self._d
        remote = d.config(Side.REMOTE)
        cltv = d.current_height + 144
        onion = bytes(1366)

        def ok(amount: int) -> bool:
            return updates.check_offer(d, HtlcOffer(amount, bytes(32), cltv, onion)) is None
        best = None
        for owner in (Side.LOCAL, Side.REMOTE):
            view = compute_view(d, owner, Which.PROJECTED)
            room = view.local_msat - remote.channel_reserve_sat * 1000
            if d.is_funder:
                room -= max(commit_fee_msat(d, view, extra_untrimmed=1),
                            commit_fee_msat(d, view, 2 * view.feerate_per_kw, extra_untrimmed=2))
            if owner is Side.REMOTE:
                in_flight = view.offered(Side.LOCAL)[1]
                room = min(room, remote.max_htlc_value_in_flight_msat - in_flight)
            best = room if best is None else min(best, room)
        hi = max(best or 0, 0)
        if hi == 0 or ok(hi):
            return hi
        if not ok(remote.htlc_minimum_msat or 1):
            return 0
        lo = remote.htlc_minimum_msat or 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if ok(mid):
                lo = mid
            else:
                hi = mid
        return lo

    def _max_receivable(self) -> int:
        d = self._d
        view = compute_view(d, Side.LOCAL, Which.PROJECTED)
        room = view.remote_msat - d.local.channel_reserve_sat * 1000
        if not d.is_funder:
            room -= commit_fee_msat(d, view, extra_untrimmed=1)
        in_flight = view.offered(Side.REMOTE)[1]
        return max(0, min(room, d.local.max_htlc_value_in_flight_msat - in_flight))

    def pending_incoming(self) -> list[IncomingHtlc]:
        """The peer's HTLCs that are irrevocably committed and that we have neither settled
        nor failed (after a restart the switch decides about them again)."""
        d = self._d
        return [IncomingHtlc(d.channel_id, h.htlc_id, h.amount_msat, h.payment_hash,
                             h.cltv_expiry, h.onion)
                for h in sorted(d.htlcs.values(), key=lambda h: h.htlc_id)
                if h.state is HtlcState.RCVD_ADD_ACK_REVOCATION and h.removal is None]

    def htlc_states(self) -> dict[tuple[Side, int], HtlcState]:
        """Where each HTLC stands (for views and tests)."""
        return {k: h.state for k, h in self._d.htlcs.items()}


def _check_htlc_deadlines(d: ChannelData, height: int) -> None:
    """# BOLT #2: An offering node: if an HTLC which it offered is in either node's current
    # commitment transaction, AND is past this timeout deadline: SHOULD send an `error` to
    # the receiving peer (if connected). MUST fail the channel.
    # BOLT #2: A fulfilling node: if an HTLC it has fulfilled is in either node's current
    # commitment transaction, AND is past this fulfillment deadline: SHOULD send an `error`
    # to the offering peer (if connected). MUST fail the channel.
    """
    p = d.params
    for h in d.htlcs.values():
        f = flags(h.state)
        committed = (f.added_local and not f.removed_local) or \
                    (f.added_remote and not f.removed_remote)
        if not committed:
            continue
        if h.owner is Side.LOCAL and height >= h.cltv_expiry + p.offered_htlc_grace_blocks:
            raise ChannelError(f"offered HTLC {h.htlc_id} timed out at {h.cltv_expiry}")
        if (h.owner is Side.REMOTE and h.fulfilled
                and height >= h.cltv_expiry - p.fulfilled_htlc_deadline_blocks):
            raise ChannelError(f"fulfilled HTLC {h.htlc_id} not removed before its deadline")


_HANDLERS: dict[type, Handler] = {
    AcceptChannel: BoltChannel._on_open_msg,
    FundingCreated: BoltChannel._on_open_msg,
    FundingSigned: BoltChannel._on_open_msg,
    ChannelReady: BoltChannel._on_open_msg,
    UpdateAddHtlc: BoltChannel._on_update,
    UpdateFee: BoltChannel._on_update,
    UpdateFulfillHtlc: BoltChannel._on_update,
    UpdateFailHtlc: BoltChannel._on_update,
    UpdateFailMalformedHtlc: BoltChannel._on_update,
    CommitmentSigned: BoltChannel._on_commitment,
    RevokeAndAck: BoltChannel._on_commitment,
    Shutdown: BoltChannel._on_close,
    ClosingSigned: BoltChannel._on_close,
    ClosingComplete: BoltChannel._on_close,
    ClosingSig: BoltChannel._on_close,
    ChannelReestablish: BoltChannel._on_reestablish,
}
