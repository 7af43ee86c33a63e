"""The trust channel's sans-IO core: one credit line between two nodes, as a state machine.

Every input (a peer message, a command, a block height, a connection change) returns an
`Outputs` (messages, a persist flag, events); the driver stores, sends, then acts, in that
order. Nothing here waits, reads a clock, draws randomness or touches a socket.

The protocol (docs/trust-channel.md): the two nodes keep ONE sequence of states, each
signed by both. A round moves the latest co-signed state n to n + 1:

    proposer  --trust_update(base n, changes)-->  receiver   (proposal durable first)
    proposer  <--trust_sign(n + 1, sig)--------   receiver   (receiver's state n+1 durable)
    proposer  --trust_ack(n + 1, sig)--------->   receiver   (proposer's co-signed n+1 durable)

One proposal is in flight at a time. When both propose on the same base n at once, the
winner is decided by a rule both apply alike: a `close` proposal always yields; otherwise
node_1 wins on an even n and node_2 on an odd one. The loser puts its changes back in its
queue and signs the winner's proposal; the winner ignores the loser's. So a signature is
only ever given to ONE state of each number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from amiko.channels.interface import (
    ONION_PACKET_SIZE,
    ChannelStatus,
    FailureReason,
    HtlcOffer,
    IncomingHtlc,
    Offered,
    OfferResult,
    RefusalReason,
    Refused,
)
from amiko.channels.trust.changes import (
    AddHtlc,
    Change,
    CloseChannel,
    ExpireHtlc,
    FailHtlc,
    FailMalformedHtlc,
    SettleHtlc,
    change_size,
    removal_target,
)
from amiko.channels.trust.data import (
    ID_GAP_ON_RESTORE,
    PHASE_TRANSITIONS,
    IllegalPhaseTransition,
    Pending,
    Phase,
    Settlement,
    TrustData,
    decode_data,
    encode_data,
)
from amiko.channels.trust.messages import (
    TrustAccept,
    TrustAck,
    TrustOpen,
    TrustReestablish,
    TrustRefuse,
    TrustSettle,
    TrustSign,
    TrustUpdate,
)
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
    resolution_event,
)
from amiko.channels.trust.state import (
    MAX_HTLCS_PER_SIDE,
    SignedState,
    TrustState,
    alias_scid,
    initial_state,
    sign_state,
    verify_state,
)
from amiko.channels.trust.updates import Violation, apply_changes
from amiko.crypto.hashes import sha256
from amiko.wire.messages import Error, WarningMsg
from amiko.wire.primitives import MAX_MSAT
from amiko.wire.types import ChannelId

log = logging.getLogger("amiko.channels.trust")

TYPE_NAME = "trust"
MAX_UPDATE_BYTES = 60_000  # changes per trust_update (a message is at most 65535 bytes)


class TrustChannel:
    def __init__(self, data: TrustData, secret: bytes) -> None:
        self._d = data
        self._secret = secret
        self._connected = False  # the link is up and negotiated the trust channel feature
        self._reestablished = False  # the peer's trust_reestablish came on this connection
        self.we = 1 if data.local_id < data.remote_id else 2
        self.they = 3 - self.we

    # -- construction

    @classmethod
    def open_outbound(cls, *, secret: bytes, local_id: bytes, remote_id: bytes, chain_hash: bytes,
                      nonce: bytes, limit_msat: int, requested_msat: int) -> tuple[TrustChannel, Outputs]:
        if not (0 <= limit_msat <= MAX_MSAT and 0 <= requested_msat <= MAX_MSAT):
            raise ValueError("credit limits must be between 0 and 21 million BTC in msat")
        channel_id = sha256(local_id + nonce)
        d = TrustData(chain_hash, channel_id, local_id, remote_id, True, Phase.OPEN_SENT, nonce=nonce,
                      offered_limit=limit_msat, requested_limit=requested_msat)
        core = cls(d, secret)
        core._connected = True
        out = Outputs(persist=True)
        out.send(core._open_msg())
        return core, out

    @classmethod
    def accept_inbound(cls, msg: TrustOpen, *, secret: bytes, local_id: bytes, remote_id: bytes,
                       grant_msat: int) -> tuple[TrustChannel, Outputs]:
        """Accept the peer's open (checked with `check_open`), extending `grant_msat` back:
        sign state 0 (durable before the signature leaves)."""
        state0 = initial_state(msg.chain_hash, msg.channel_id, remote_id, local_id, msg.limit_msat, grant_msat)
        d = TrustData(msg.chain_hash, msg.channel_id, local_id, remote_id, False, Phase.ACCEPT_SENT,
                      offered_limit=grant_msat)
        core = cls(d, secret)
        sig = sign_state(secret, state0)
        d.pending = Pending(False, (), state0, sig)
        core._connected = core._reestablished = True
        out = Outputs(persist=True)
        out.send(TrustAccept(msg.channel_id, grant_msat, sig))
        return core, out

    def to_bytes(self) -> bytes:
        return encode_data(self._d)

    @classmethod
    def from_bytes(cls, raw: bytes, secret: bytes) -> TrustChannel:
        d = decode_data(raw)
        d.next_offer_id += ID_GAP_ON_RESTORE
        return cls(d, secret)

    # -- views

    @property
    def data(self) -> TrustData:
        return self._d

    @property
    def channel_id(self) -> bytes:
        return self._d.channel_id

    @property
    def peer_id(self) -> bytes:
        return self._d.remote_id

    @property
    def phase(self) -> Phase:
        return self._d.phase

    @property
    def current(self) -> SignedState | None:
        return self._d.current

    @property
    def usable(self) -> bool:
        return self._connected and self._reestablished and self._d.phase is Phase.NORMAL

    @property
    def short_channel_id(self) -> int:
        return alias_scid(self._d.channel_id)

    def _limits(self) -> tuple[int, int]:
        """(credit we extend, credit the peer extends to us)."""
        cur = self._d.current
        if cur is not None:
            return cur.state.limit(self.we), cur.state.limit(self.they)
        p = self._d.pending
        if p is not None:
            return p.state.limit(self.we), p.state.limit(self.they)
        return self._d.offered_limit, self._d.requested_limit

    def _unsigned_adds(self) -> list[AddHtlc]:
        """Our adds not yet in the co-signed state (queued, or in our proposal)."""
        adds = [c for c in self._d.queue if isinstance(c, AddHtlc)]
        p = self._d.pending
        if p is not None and p.ours:
            adds += [c for c in p.changes if isinstance(c, AddHtlc)]
        return adds

    def can_send(self) -> int:
        cur = self._d.current
        if cur is None:
            return 0
        s = cur.state
        room = s.balance(self.we) + s.limit(self.they) - sum(a.amount_msat for a in self._unsigned_adds())
        return max(0, room)

    def can_receive(self) -> int:
        cur = self._d.current
        if cur is None:
            return 0
        s = cur.state
        room = s.balance(self.they) + s.limit(self.we)
        p = self._d.pending
        if p is not None and not p.ours:
            room -= sum(c.amount_msat for c in p.changes if isinstance(c, AddHtlc))
        return max(0, room)

    def status(self) -> ChannelStatus:
        cur = self._d.current
        s = cur.state if cur is not None else None
        ours, theirs = self._limits()
        return ChannelStatus(
            channel_id=self._d.channel_id,
            peer_id=self._d.remote_id,
            type_name=TYPE_NAME,
            state=self._d.phase.coarse,
            short_channel_id=self.short_channel_id,
            capacity_msat=ours + theirs,
            local_msat=0 if s is None else s.balance(self.we),
            remote_msat=0 if s is None else s.balance(self.they),
            can_send_msat=self.can_send() if self.usable else 0,
            can_receive_msat=self.can_receive() if self.usable else 0,
            htlc_minimum_msat=1,
            htlcs_in_flight=(0 if s is None else len(s.htlcs)) + len(self._unsigned_adds()),
            peer_connected=self._connected and self._reestablished,
        )

    def status_extra(self) -> dict[str, Any]:
        d = self._d
        ours, theirs = self._limits()
        cur = d.current
        st = d.settlement
        return {
            "trust_phase": d.phase.value,
            "opener": d.opener,
            "limit_msat": ours,  # the credit we extend to the peer
            "peer_limit_msat": theirs,  # the credit the peer extends to us
            "balance_msat": 0 if cur is None else cur.state.balance(self.we),
            "state_number": None if cur is None else cur.state.number,
            "settlement": None if st is None else {
                "we_are": "creditor" if st.creditor else "debtor", "amount_sat": st.amount_sat,
                "address": st.address, "txid": None if st.txid is None else st.txid[::-1].hex(),
                "confirmed": st.confirmed, "kept_off_chain": st.keep},
            "failure": d.failure or None,
        }

    def pending_incoming(self) -> list[IncomingHtlc]:
        cur = self._d.current
        if cur is None:
            return []
        removing = self._our_removals()
        return [IncomingHtlc(self._d.channel_id, h.htlc_id, h.amount_msat, h.payment_hash, h.cltv_expiry,
                             self._d.onions.get(h.htlc_id, bytes(ONION_PACKET_SIZE)))
                for h in cur.state.htlcs_of(self.they) if h.htlc_id not in removing]

    def _our_removals(self) -> set[int]:
        changes: list[Change] = list(self._d.queue)
        p = self._d.pending
        if p is not None and p.ours:
            changes += p.changes
        return {t for c in changes if (t := removal_target(c)) is not None}

    def pending_outgoing(self) -> dict[int, bytes]:
        """Our locks that still exist (queued, proposed, co-signed, being removed, or
        resolved but not yet reported to the listener): id -> payment hash."""
        held: dict[int, bytes] = {}
        cur = self._d.current
        if cur is not None:
            held.update((h.htlc_id, h.payment_hash) for h in cur.state.htlcs_of(self.we))
        held.update((a.htlc_id, a.payment_hash) for a in self._unsigned_adds())
        held.update((c.htlc_id, h) for _, c, h in self._d.outbox if isinstance(c, SettleHtlc | FailHtlc
                                                                              | FailMalformedHtlc | ExpireHtlc))
        return held

    def undelivered(self) -> list[HtlcSettled | HtlcFailed]:
        """Resolutions of our locks not yet handed to the listener (replayed on restart)."""
        return [resolution_event(seq, c) for seq, c, _ in self._d.outbox]

    def delivered(self, seq: int) -> None:
        self._d.outbox = [e for e in self._d.outbox if e[0] != seq]

    # -- helpers

    def _to(self, new: Phase, out: Outputs) -> None:
        old = self._d.phase
        if new is old:
            return
        if new not in PHASE_TRANSITIONS[old]:
            raise IllegalPhaseTransition(f"trust channel {old.value} -> {new.value}")
        self._d.phase = new
        out.persist = True
        out.emit(PhaseChanged(old, new))

    def _open_msg(self) -> TrustOpen:
        d = self._d
        return TrustOpen(d.channel_id, d.chain_hash, d.nonce, d.offered_limit, d.requested_limit)

    def _next(self) -> int:
        cur = self._d.current
        return 0 if cur is None else cur.state.number + 1

    def _warn(self, out: Outputs, text: str, disconnect: bool = True) -> None:
        log.warning("trust channel %s: %s", self._d.channel_id.hex(), text)
        if self._connected:
            out.send(WarningMsg(channel_id=ChannelId(self._d.channel_id), data=text.encode()[:1000]))
        if disconnect:
            out.emit(Disconnect(text))

    def _fail(self, out: Outputs, reason: str, *, tell_peer: bool) -> None:
        """Stop using the channel; keep every state we hold (they are the record)."""
        if self._d.phase in (Phase.FAILED, Phase.CLOSED, Phase.REFUSED):
            return
        log.error("trust channel %s failed: %s", self._d.channel_id.hex(), reason)
        self._d.failure = reason
        if tell_peer and self._connected:
            out.send(Error(channel_id=ChannelId(self._d.channel_id), data=reason.encode()[:1000]))
        self._to(Phase.FAILED, out)
        out.emit(ChannelFailed(reason))

    def _record(self, out: Outputs, change: Change, payment_hash: bytes) -> None:
        """Put a resolution of our lock in the outbox (durable with this output)."""
        seq = self._d.next_seq
        self._d.next_seq += 1
        self._d.outbox.append((seq, change, payment_hash))
        out.persist = True
        out.emit(resolution_event(seq, change))

    @staticmethod
    def _hash_of(state: TrustState | None, offerer: int, htlc_id: int) -> bytes:
        h = None if state is None else state.htlc(offerer, htlc_id)
        return bytes(32) if h is None else h.payment_hash

    # -- connection

    def peer_connected(self, supported: bool = True) -> Outputs:
        out = Outputs()
        self._connected = supported
        self._reestablished = False
        if not supported:
            log.warning("trust channel %s: the peer no longer offers trust channels", self._d.channel_id.hex())
            return out
        if self._d.phase in (Phase.CLOSED, Phase.REFUSED, Phase.FAILED):
            return out
        out.send(TrustReestablish(self._d.channel_id, self._next()))
        return out

    def peer_disconnected(self) -> Outputs:
        self._connected = False
        self._reestablished = False
        return Outputs()

    def resend_open_if_silent(self) -> Outputs:
        """Opener, some time after reconnecting: the peer did not answer our
        trust_reestablish, so it never stored our open: send trust_open again."""
        out = Outputs()
        if self._d.phase is Phase.OPEN_SENT and self._connected and not self._reestablished:
            out.send(self._open_msg())
        return out

    def peer_error(self, data: bytes) -> Outputs:
        out = Outputs()
        text = data.decode("utf-8", "replace")
        if self._d.phase is Phase.OPEN_SENT:
            self._d.failure = f"peer error: {text}"
            self._to(Phase.REFUSED, out)
        else:
            self._fail(out, f"peer error: {text}", tell_peer=False)
        return out

    # -- messages

    def receive(self, msg: Any) -> Outputs:
        handlers: dict[type, Callable[[Any, Outputs], None]] = {
            TrustAccept: self._on_accept, TrustRefuse: self._on_refuse, TrustUpdate: self._on_update,
            TrustSign: self._on_sign, TrustAck: self._on_ack, TrustReestablish: self._on_reestablish,
            TrustSettle: self._on_settle,
        }
        handler = handlers.get(type(msg))
        out = Outputs()
        if handler is None or self._d.phase in (Phase.FAILED, Phase.REFUSED):
            log.debug("trust channel %s: ignoring %s", self._d.channel_id.hex(), type(msg).__name__)
            return out
        if self._d.phase is Phase.CLOSED and not isinstance(msg, TrustReestablish):
            return out
        try:
            handler(msg, out)
        except Violation as e:
            # Nothing was changed: handlers check everything before they change anything.
            out = Outputs()
            self._warn(out, f"{msg.NAME}: {e}")
        return out

    def _on_accept(self, msg: TrustAccept, out: Outputs) -> None:
        d = self._d
        if d.phase is not Phase.OPEN_SENT:
            return  # a repeat: the state 0 it signs is ours already
        if not 0 <= msg.limit_msat <= MAX_MSAT:
            raise Violation("limit out of range")
        state0 = initial_state(d.chain_hash, d.channel_id, d.local_id, d.remote_id, d.offered_limit,
                               msg.limit_msat)
        if not verify_state(state0, self.they, msg.signature):
            raise Violation("bad signature of state 0")
        sig = sign_state(self._secret, state0)
        d.current = SignedState(state0).with_sig(self.they, msg.signature).with_sig(self.we, sig)
        self._reestablished = True
        self._to(Phase.NORMAL, out)
        out.persist = True
        out.send(TrustAck(d.channel_id, 0, sig))

    def _on_refuse(self, msg: TrustRefuse, out: Outputs) -> None:
        if self._d.phase is Phase.OPEN_SENT:
            self._d.failure = f"refused: {msg.reason or 'no reason given'}"
            self._to(Phase.REFUSED, out)

    def _prune_queue(self) -> None:
        """Drop queued removals of locks that are gone (the peer removed them first)."""
        cur = self._d.current
        if cur is None:
            return
        keep: list[Change] = []
        for c in self._d.queue:
            if isinstance(c, SettleHtlc | FailHtlc | FailMalformedHtlc):
                if cur.state.htlc(self.they, c.htlc_id) is None:
                    continue
            elif isinstance(c, ExpireHtlc) and cur.state.htlc(self.we, c.htlc_id) is None:
                continue
            keep.append(c)
        self._d.queue = keep

    def _on_update(self, msg: TrustUpdate, out: Outputs) -> None:
        d = self._d
        if d.phase not in (Phase.NORMAL, Phase.CLOSING) or d.current is None:
            if d.phase in (Phase.FINAL, Phase.CLOSED):
                return  # a stale proposal after the final state
            raise Violation(f"no update in phase {d.phase.value}")
        n = d.current.state.number
        if msg.base_number < n:
            return  # stale: built on a state both already moved past
        if msg.base_number > n:
            raise Violation(f"update on state {msg.base_number}, ours is {n}")
        p = d.pending
        their_close = any(isinstance(c, CloseChannel) for c in msg.changes)
        if p is not None and not p.ours:
            if p.state.number == n + 1 and p.changes == msg.changes and p.our_sig is not None:
                out.send(TrustSign(d.channel_id, n + 1, p.our_sig))  # a retransmission
                return
            raise Violation("a second proposal while one is in flight")
        self._prune_queue()
        yield_ours = False
        if p is not None:  # both proposed on state n: who goes first?
            our_close = any(isinstance(c, CloseChannel) for c in p.changes)
            if our_close != their_close:
                yield_ours = our_close
            else:
                yield_ours = (1 if n % 2 == 0 else 2) == self.they
            if not yield_ours:
                return  # ours goes first; the peer yields when it sees our proposal
        elif their_close and d.queue:
            return  # we have changes to propose first; the peer's close yields to them
        new_state = apply_changes(d.current.state, self.they, msg.changes, height=d.height)
        # Checked: now change things.
        if yield_ours and p is not None:
            returned: list[Change] = [c for c in p.changes if not isinstance(c, CloseChannel)]
            d.queue = returned + d.queue
        sig = sign_state(self._secret, new_state)
        d.pending = Pending(False, msg.changes, new_state, sig)
        out.persist = True
        out.send(TrustSign(d.channel_id, new_state.number, sig))
        for c in msg.changes:
            if isinstance(c, SettleHtlc):
                self._record(out, c, sha256(c.preimage))  # the preimage is known: tell the switch now

    def _on_sign(self, msg: TrustSign, out: Outputs) -> None:
        d = self._d
        p = d.pending
        if p is None or not p.ours or p.state.number != msg.number:
            if d.current is not None and msg.number <= d.current.state.number:
                return  # a repeat
            raise Violation(f"unexpected signature of state {msg.number}")
        if not verify_state(p.state, self.they, msg.signature):
            raise Violation(f"bad signature of state {msg.number}")
        sig = sign_state(self._secret, p.state)
        assert d.current is not None
        old = d.current.state
        d.current = SignedState(p.state).with_sig(self.they, msg.signature).with_sig(self.we, sig)
        d.pending = None
        out.persist = True
        out.send(TrustAck(d.channel_id, msg.number, sig))
        for c in p.changes:
            if isinstance(c, ExpireHtlc):
                self._record(out, c, self._hash_of(old, self.we, c.htlc_id))
            elif isinstance(c, SettleHtlc | FailHtlc | FailMalformedHtlc):
                d.onions.pop(c.htlc_id, None)
        if p.state.final:
            self._enter_final(out, responder=False)

    def _on_ack(self, msg: TrustAck, out: Outputs) -> None:
        d = self._d
        p = d.pending
        if p is None or p.ours or p.state.number != msg.number:
            if d.current is not None and msg.number <= d.current.state.number:
                return  # a repeat
            raise Violation(f"unexpected counter-signature of state {msg.number}")
        if not verify_state(p.state, self.they, msg.signature):
            raise Violation(f"bad counter-signature of state {msg.number}")
        assert p.our_sig is not None
        old = None if d.current is None else d.current.state
        d.current = SignedState(p.state).with_sig(self.we, p.our_sig).with_sig(self.they, msg.signature)
        d.pending = None
        out.persist = True
        if d.phase is Phase.ACCEPT_SENT:
            self._to(Phase.NORMAL, out)
        for c in p.changes:
            if isinstance(c, AddHtlc):
                d.onions[c.htlc_id] = c.onion
                out.emit(HtlcIncoming(IncomingHtlc(d.channel_id, c.htlc_id, c.amount_msat, c.payment_hash,
                                                   c.cltv_expiry, c.onion)))
            elif isinstance(c, FailHtlc | FailMalformedHtlc):
                self._record(out, c, self._hash_of(old, self.we, c.htlc_id))
            elif isinstance(c, ExpireHtlc):
                d.onions.pop(c.htlc_id, None)
        if p.state.final:
            self._enter_final(out, responder=True)

    def _on_reestablish(self, msg: TrustReestablish, out: Outputs) -> None:
        d = self._d
        mine, theirs = self._next(), msg.next_number
        self._reestablished = True
        if d.phase in (Phase.REFUSED, Phase.FAILED):
            return
        p = d.pending
        if theirs == mine:
            if d.phase is Phase.ACCEPT_SENT and p is not None and p.our_sig is not None:
                out.send(TrustAccept(d.channel_id, d.offered_limit, p.our_sig))
        elif theirs == mine - 1 and d.current is not None:
            # We co-signed a state the peer has not: its counter-signature was lost.
            sig = d.current.sig(self.we)
            assert sig is not None
            out.send(TrustAck(d.channel_id, d.current.state.number, sig))
        elif theirs == mine + 1 and p is not None and not p.ours and p.state.number == mine:
            pass  # the peer co-signed the state we signed: its trust_ack is on the way
        elif theirs > mine:
            # The peer holds a state we never signed or lost: our store is behind.
            self._fail(out, f"we hold state {mine - 1} but the peer is at {theirs - 1}: local data lost",
                       tell_peer=False)
            return
        else:
            # The peer is behind (its store lost states): never go back to an older state.
            self._reestablished = False
            self._warn(out, f"peer is at state {theirs - 1}, we are at {mine - 1}: refusing to go back",
                       disconnect=False)
            return
        if p is not None and p.ours:
            out.send(TrustUpdate(d.channel_id, p.state.number - 1, p.changes))
        if d.phase in (Phase.FINAL, Phase.CLOSED):
            self._resend_settlement(out)

    # -- settlement

    def _enter_final(self, out: Outputs, *, responder: bool) -> None:
        d = self._d
        assert d.current is not None
        self._to(Phase.FINAL, out)
        d.queue = []
        d.peer_has_final = d.peer_has_final or responder
        balance = d.current.state.balance(self.we)
        if balance:
            st = d.settlement = Settlement(creditor=balance > 0, amount_sat=(abs(balance) + 999) // 1000)
            if st.creditor:
                out.emit(NeedSettlementAddress())
            else:
                st.pay_requested = d.settle_onchain
        if responder:
            out.send(TrustSettle(d.channel_id))  # "I hold the final state"
        self._maybe_closed(out)

    def _resend_settlement(self, out: Outputs) -> None:
        st = self._d.settlement
        cid = self._d.channel_id
        if st is None or (st.creditor and st.address is None):
            out.send(TrustSettle(cid))
        elif st.creditor:
            out.send(TrustSettle(cid, address=st.address, amount_sat=st.amount_sat))
        elif st.txid is not None:
            out.send(TrustSettle(cid, amount_sat=st.amount_sat, txid=st.txid))
        else:
            out.send(TrustSettle(cid))

    def _on_settle(self, msg: TrustSettle, out: Outputs) -> None:
        d = self._d
        if d.phase is not Phase.FINAL:
            return
        st = d.settlement
        new_address = (st is not None and not st.creditor and msg.address is not None
                       and st.address is None)
        if st is not None and new_address and msg.amount_sat != st.amount_sat:
            raise Violation(f"settlement amount {msg.amount_sat} sat, we owe {st.amount_sat} sat")
        if not d.peer_has_final:
            d.peer_has_final = True
            out.persist = True
        if st is not None and new_address and msg.address is not None:
            st.address = msg.address
            out.persist = True
            self._maybe_pay(out)
        if st is not None and st.creditor and msg.txid is not None and st.txid is None and st.address:
            st.txid = msg.txid
            out.persist = True
            out.emit(WatchSettlement(msg.txid, st.address, st.amount_sat))
        self._maybe_closed(out)

    def _maybe_pay(self, out: Outputs) -> None:
        st = self._d.settlement
        if (st is not None and not st.creditor and st.pay_requested and st.address is not None
                and not st.pay_attempted and st.txid is None):
            st.pay_attempted = True
            out.persist = True
            out.emit(PaySettlement(st.address, st.amount_sat))

    def _maybe_closed(self, out: Outputs) -> None:
        d = self._d
        st = d.settlement
        if d.phase is Phase.FINAL and d.peer_has_final and (st is None or st.confirmed or st.keep):
            self._to(Phase.CLOSED, out)

    def set_settlement_address(self, address: str) -> Outputs:
        out = Outputs()
        st = self._d.settlement
        if st is not None and st.creditor and st.address is None:
            st.address = address
            st.address_sent = True
            out.persist = True
            out.send(TrustSettle(self._d.channel_id, address=address, amount_sat=st.amount_sat))
        return out

    def settlement_paid(self, txid: bytes) -> Outputs:
        out = Outputs()
        st = self._d.settlement
        if st is not None and not st.creditor and st.txid is None and st.address is not None:
            st.txid = txid
            out.persist = True
            out.send(TrustSettle(self._d.channel_id, amount_sat=st.amount_sat, txid=txid))
            out.emit(WatchSettlement(txid, st.address, st.amount_sat))
        return out

    def settlement_confirmed(self, txid: bytes) -> Outputs:
        out = Outputs()
        st = self._d.settlement
        if st is not None and st.txid == txid and not st.confirmed:
            st.confirmed = True
            out.persist = True
            self._maybe_closed(out)
        return out

    def watched_settlement(self) -> WatchSettlement | None:
        st = self._d.settlement
        if st is None or st.txid is None or st.confirmed or st.address is None:
            return None
        return WatchSettlement(st.txid, st.address, st.amount_sat)

    # -- commands

    def close(self, *, settle_onchain: bool = False, keep: bool = False) -> Outputs:
        """`closetrust`: propose the final state once no lock is pending; then, if we owe,
        pay on chain (`settle_onchain`) or end with the final state kept (`keep`)."""
        out = Outputs()
        d = self._d
        if d.phase in (Phase.OPEN_SENT, Phase.ACCEPT_SENT):
            d.failure = "open abandoned"
            self._to(Phase.CLOSED, out)  # nothing at stake yet
        elif d.phase in (Phase.NORMAL, Phase.CLOSING):
            d.close_requested = True
            d.settle_onchain = d.settle_onchain or settle_onchain
            self._to(Phase.CLOSING, out)
            out.persist = True
        elif d.phase is Phase.FINAL:
            st = d.settlement
            if st is not None:
                if settle_onchain and not st.creditor:
                    st.pay_requested = True
                    out.persist = True
                    self._maybe_pay(out)
                if keep:
                    st.keep = True
                    out.persist = True
            self._maybe_closed(out)
        return out

    def propose(self) -> Outputs:
        """Send our queued changes (or the close) as one proposal, if none is in flight."""
        out = Outputs()
        d = self._d
        cur = d.current
        if (d.phase not in (Phase.NORMAL, Phase.CLOSING) or cur is None or d.pending is not None
                or not (self._connected and self._reestablished)):
            return out
        self._prune_queue()
        changes: list[Change] = []
        size = 0
        for c in d.queue:
            size += change_size(c)
            if changes and size > MAX_UPDATE_BYTES:
                break
            changes.append(c)
        if not changes:
            if d.phase is Phase.CLOSING and not cur.state.htlcs:
                changes = [CloseChannel()]
            else:
                return out
        new_state = apply_changes(cur.state, self.we, changes)  # ours were checked when queued
        d.queue = d.queue[len(changes):] if not isinstance(changes[0], CloseChannel) else d.queue
        d.pending = Pending(True, tuple(changes), new_state)
        out.persist = True
        out.send(TrustUpdate(d.channel_id, cur.state.number, tuple(changes)))
        return out

    def block_height(self, height: int) -> Outputs:
        """The chain tip moved: our locks past their deadline are taken back (by agreement)."""
        d = self._d
        d.height = height
        cur = d.current
        if cur is None or d.phase not in (Phase.NORMAL, Phase.CLOSING):
            return Outputs()
        removing = {c.htlc_id for c in d.queue if isinstance(c, ExpireHtlc)}
        if d.pending is not None and d.pending.ours:
            removing |= {c.htlc_id for c in d.pending.changes if isinstance(c, ExpireHtlc)}
        for h in cur.state.htlcs_of(self.we):
            if h.cltv_expiry <= height and h.htlc_id not in removing:
                log.info("trust channel %s: our HTLC %d expired at %d", d.channel_id.hex(), h.htlc_id,
                         h.cltv_expiry)
                d.queue.append(ExpireHtlc(h.htlc_id))
        return Outputs()

    def offer_htlc(self, offer: HtlcOffer) -> tuple[OfferResult, Outputs]:
        d = self._d
        p = d.pending
        if not self.usable or (p is not None and p.state.final):
            return Refused(RefusalReason.CHANNEL_NOT_USABLE, "trust channel not usable"), Outputs()
        if not isinstance(offer.amount_msat, int) or offer.amount_msat < 1:
            return Refused(RefusalReason.AMOUNT_BELOW_MINIMUM, "amount must be at least 1 msat"), Outputs()
        if len(offer.payment_hash) != 32 or len(offer.onion) != ONION_PACKET_SIZE:
            return Refused(RefusalReason.CHANNEL_NOT_USABLE, "bad payment hash or onion"), Outputs()
        if not 0 <= offer.cltv_expiry < 1 << 32:
            return Refused(RefusalReason.EXPIRY_TOO_FAR, "cltv_expiry out of range"), Outputs()
        if offer.cltv_expiry <= d.height:
            return Refused(RefusalReason.EXPIRY_TOO_SOON, "deadline already passed"), Outputs()
        cur = d.current
        assert cur is not None
        if len(cur.state.htlcs_of(self.we)) + len(self._unsigned_adds()) >= MAX_HTLCS_PER_SIDE:
            return Refused(RefusalReason.TOO_MANY_HTLCS), Outputs()
        if offer.amount_msat > self.can_send():
            return Refused(RefusalReason.INSUFFICIENT_BALANCE,
                           f"credit left {self.can_send()} msat"), Outputs()
        htlc_id = max(d.next_offer_id, cur.state.next_htlc_id(self.we))
        d.next_offer_id = htlc_id + 1
        d.queue.append(AddHtlc(htlc_id, offer.amount_msat, offer.payment_hash, offer.cltv_expiry, offer.onion))
        return Offered(htlc_id), Outputs()

    def _peer_htlc_to_remove(self, htlc_id: int) -> bool:
        cur = self._d.current
        if cur is None or self._d.phase not in (Phase.NORMAL, Phase.CLOSING):
            return False
        return cur.state.htlc(self.they, htlc_id) is not None and htlc_id not in self._our_removals()

    def settle_htlc(self, htlc_id: int, preimage: bytes) -> Outputs:
        cur = self._d.current
        if self._peer_htlc_to_remove(htlc_id) and cur is not None:
            h = cur.state.htlc(self.they, htlc_id)
            if h is not None and sha256(preimage) == h.payment_hash:
                self._d.queue.append(SettleHtlc(htlc_id, preimage))
            else:
                log.error("trust channel %s: wrong preimage for HTLC %d", self._d.channel_id.hex(), htlc_id)
        return Outputs()

    def fail_htlc(self, htlc_id: int, reason: FailureReason) -> Outputs:
        if self._peer_htlc_to_remove(htlc_id):
            if reason.onion is not None:
                self._d.queue.append(FailHtlc(htlc_id, reason.onion[:32_768]))
            elif (reason.failure_code is not None and reason.sha256_of_onion is not None
                  and len(reason.sha256_of_onion) == 32 and reason.failure_code & 0x8000
                  and reason.failure_code < 1 << 16):
                self._d.queue.append(FailMalformedHtlc(htlc_id, reason.sha256_of_onion, reason.failure_code))
            else:
                self._d.queue.append(FailHtlc(htlc_id, b""))
        return Outputs()
