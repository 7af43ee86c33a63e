"""The HTLC switch: every lock that reaches this node, whatever channel type carries it.

For an incoming lock the switch peels its onion and either hands it to the payee (we are
the final node) or forwards it: it checks the amount and deadline against the outgoing
channel's forwarding policy, places the next lock on that channel, and records the
*circuit* (incoming lock → outgoing lock). When the outgoing lock is settled the switch
settles the incoming one at once with the same preimage; when it is irrevocably rolled
back, it rolls the incoming one back with the failure wrapped for the origin.

It talks to channels only through the channel-type interface: no channel type appears
here. Circuits are written through the grouped-commit store before the outgoing lock is
placed, so the channel's own state (which holds the new lock) is never durable before
the circuit that explains it.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from amiko.channels.interface import (
    Channel,
    ChannelListener,
    FailureReason,
    HtlcOffer,
    IncomingHtlc,
    Offered,
    RefusalReason,
    Refused,
)
from amiko.payments.onion import (
    FailureMessage,
    FinalHop,
    ForwardHop,
    MalformedOnion,
    PeeledOnion,
    create_failure,
    create_failure_from_malformed,
    obfuscate_failure,
)
from amiko.payments.onion.failures import (
    AmountBelowMinimum,
    ExpiryTooFar,
    ExpiryTooSoon,
    FeeInsufficient,
    IncorrectCltvExpiry,
    PermanentChannelFailure,
    TemporaryChannelFailure,
    UnknownNextPeer,
)
from amiko.payments.prepeel import Prepeeler
from amiko.store.batch import CommitBatcher
from amiko.store.sqlite import Store
from amiko.wire.types import Msat

log = logging.getLogger("amiko.switch")

# BOLT #4: an outgoing deadline this close to the tip leaves no time to claim on chain.
MIN_BLOCKS_BEFORE_EXPIRY = 3
# BOLT #4 `expiry_too_far`: a lock held longer than this is refused (about two weeks).
MAX_EXPIRY_BLOCKS = 2016
# BOLT #7: If it creates a new `channel_update` with updated channel parameters: SHOULD
# keep accepting the previous channel parameters for 10 minutes.
POLICY_GRACE_SECONDS = 600


@dataclass(frozen=True)
class ForwardPolicy:
    """What we charge and require to forward out over one channel (BOLT 7 channel_update)."""

    fee_base_msat: int = 1000
    fee_proportional_millionths: int = 1
    cltv_expiry_delta: int = 40
    htlc_minimum_msat: int = 1
    htlc_maximum_msat: int | None = None

    def fee(self, amount_msat: int) -> int:
        return self.fee_base_msat + amount_msat * self.fee_proportional_millionths // 1_000_000


class ChannelDirectory(Protocol):
    def by_short_channel_id(self, scid: int) -> Channel | None: ...

    def by_channel_id(self, channel_id: bytes) -> Channel | None: ...


class FinalHandler(Protocol):
    """The payee: locks that end here."""

    def receive(self, channel: Channel, htlc: IncomingHtlc, hop: FinalHop, shared_secret: bytes) -> None: ...


class OwnPayments(Protocol):
    """The payer: outcomes of locks we placed for our own payments."""

    def settled(self, channel: Channel, htlc_id: int, preimage: bytes) -> bool: ...

    def failed(self, channel: Channel, htlc_id: int, reason: FailureReason) -> bool: ...


@dataclass(frozen=True)
class Circuit:
    in_channel: bytes
    in_htlc_id: int
    out_channel: bytes
    out_htlc_id: int
    payment_hash: bytes
    in_msat: int
    out_msat: int
    in_cltv: int
    out_cltv: int
    shared_secret: bytes
    status: str
    preimage: bytes | None
    failure: bytes | None

    @property
    def fee_msat(self) -> int:
        return self.in_msat - self.out_msat


class Switch(ChannelListener):
    def __init__(self, node_secret: bytes, store: Store, batcher: CommitBatcher,
                 channels: ChannelDirectory, policy_of: Callable[[bytes], ForwardPolicy],
                 height: Callable[[], int], *,
                 previous_policy_of: Callable[[bytes], ForwardPolicy | None] = lambda _channel_id: None) -> None:
        self.store = store
        self.batcher = batcher
        self.channels = channels
        self.policy_of = policy_of
        # the policy a channel had before its latest change, while still honoured
        # (POLICY_GRACE_SECONDS): payers may not have heard of the change yet
        self.previous_policy_of = previous_policy_of
        self.height = height
        self.payee: FinalHandler | None = None
        self.payer: OwnPayments | None = None
        self.on_channel_changed: Callable[[Channel], None] | None = None
        # unresolved circuits, by incoming and by outgoing lock (the store has them all)
        self._by_in: dict[tuple[bytes, int], Circuit] = {}
        self._by_out: dict[tuple[bytes, int], Circuit] = {}
        # incoming locks that came while the chain's height was not known: decided once it is
        self._before_height: dict[tuple[bytes, int], tuple[Channel, IncomingHtlc]] = {}
        self.prepeeler = Prepeeler(node_secret)

    def load(self) -> None:
        """Read the circuits whose incoming lock may still be unresolved."""
        for row in self.store.query("SELECT * FROM forwards"):
            self._index(_circuit(row))

    def _index(self, c: Circuit) -> None:
        self._by_in[(c.in_channel, c.in_htlc_id)] = c
        if c.status != "lost":  # a lost lock's id may belong to a newer lock now
            self._by_out[(c.out_channel, c.out_htlc_id)] = c

    def resume(self) -> None:
        """After a restart: finish what the crash interrupted. Incoming locks whose outgoing
        lock was already settled or failed are settled or failed now (both idempotent);
        incoming locks that were never decided are decided again."""
        for c in list(self._by_in.values()):
            upstream = self.channels.by_channel_id(c.in_channel)
            if upstream is None:
                continue
            if c.status == "settled" and c.preimage is not None:
                upstream.settle_htlc(c.in_htlc_id, c.preimage)
            elif c.status in ("failed", "lost") and c.failure is not None:
                upstream.fail_htlc(c.in_htlc_id, FailureReason(onion=c.failure))
            elif c.status == "offered":
                downstream = self.channels.by_channel_id(c.out_channel)
                held = {} if downstream is None else downstream.pending_outgoing()
                if held.get(c.out_htlc_id) != c.payment_hash:
                    # The outgoing lock was never committed (we crashed before signing it):
                    # nothing downstream can settle it, so roll the incoming one back.
                    log.info("circuit %s:%d lost its outgoing lock; failing back", c.in_channel.hex(), c.in_htlc_id)
                    onion = create_failure(c.shared_secret, TemporaryChannelFailure().encode())
                    self._by_out.pop((c.out_channel, c.out_htlc_id), None)
                    self._by_in[(c.in_channel, c.in_htlc_id)] = replace(c, status="lost", failure=onion)
                    self.batcher.write(
                        "UPDATE forwards SET status='lost', failure=?, resolved_at=? WHERE in_channel=? AND in_htlc_id=?",
                        (onion, int(time.time()), c.in_channel, c.in_htlc_id))
                    upstream.fail_htlc(c.in_htlc_id, FailureReason(onion=onion))

    def close(self) -> None:
        """Stop the onion peeling done ahead (the node is stopping)."""
        self.prepeeler.close()

    # -- ChannelListener

    def htlc_arriving(self, channel: Channel, htlc: IncomingHtlc) -> None:
        self.prepeeler.arriving(htlc)

    def htlc_incoming(self, channel: Channel, htlc: IncomingHtlc) -> None:
        if (htlc.channel_id, htlc.htlc_id) in self._by_in:
            return  # already forwarded (a repeat after a restart)
        if self.height() <= 0:
            # Deadlines are heights: without the chain's height nothing can be checked.
            log.warning("HTLC %d on %s waits: the chain height is not known yet",
                        htlc.htlc_id, channel.channel_id.hex())
            self._before_height[(htlc.channel_id, htlc.htlc_id)] = (channel, htlc)
            return
        peeled = self.prepeeler.take(htlc)
        if isinstance(peeled, MalformedOnion):
            log.info("HTLC %d on %s: malformed onion (%s)", htlc.htlc_id, channel.channel_id.hex(), peeled.reason)
            channel.fail_htlc(htlc.htlc_id, FailureReason(failure_code=peeled.failure_code,
                                                          sha256_of_onion=peeled.sha256_of_onion))
        elif not isinstance(peeled, PeeledOnion):
            log.info("HTLC %d on %s: onion refused (%s)", htlc.htlc_id, channel.channel_id.hex(), peeled.reason)
            self._fail_back(channel, htlc, peeled.shared_secret, peeled.failure)
        elif isinstance(peeled.hop, FinalHop):
            if self.payee is None:
                self._fail_back(channel, htlc, peeled.shared_secret, PermanentChannelFailure())
            else:
                self.payee.receive(channel, htlc, peeled.hop, peeled.shared_secret)
        elif isinstance(peeled.hop, ForwardHop):
            assert peeled.next_packet is not None
            self._forward(channel, htlc, peeled.hop, peeled.next_packet, peeled.shared_secret)
        else:  # blinded paths are not supported yet
            self._fail_back(channel, htlc, peeled.shared_secret, PermanentChannelFailure())

    def height_known(self) -> None:
        """The chain's height is known now (a block came): decide about the incoming locks
        that came before it was (those their channel still holds undecided)."""
        if not self._before_height or self.height() <= 0:
            return
        waiting, self._before_height = self._before_height, {}
        for channel, htlc in waiting.values():
            if any(h.htlc_id == htlc.htlc_id for h in channel.pending_incoming()):
                self.htlc_incoming(channel, htlc)

    def htlc_settled(self, channel: Channel, htlc_id: int, preimage: bytes) -> None:
        circuit = self._by_out.get((channel.channel_id, htlc_id))
        if circuit is None:
            if self.payer is None or not self.payer.settled(channel, htlc_id, preimage):
                log.warning("settled HTLC %d on %s belongs to no circuit or payment", htlc_id,
                            channel.channel_id.hex())
            return
        # Settle upstream as soon as the preimage is known: it is our money from now on.
        self._index(replace(circuit, status="settled", preimage=preimage))
        self.batcher.write(
            "UPDATE forwards SET status='settled', preimage=?, resolved_at=? WHERE out_channel=? AND out_htlc_id=? "
            "AND status!='lost'",
            (preimage, int(time.time()), channel.channel_id, htlc_id))
        upstream = self.channels.by_channel_id(circuit.in_channel)
        if upstream is None:
            log.error("circuit upstream channel %s is gone", circuit.in_channel.hex())
            return
        log.info("forward settled: %d msat in, %d out, fee %d", circuit.in_msat, circuit.out_msat, circuit.fee_msat)
        upstream.settle_htlc(circuit.in_htlc_id, preimage)

    def htlc_failed(self, channel: Channel, htlc_id: int, reason: FailureReason) -> None:
        circuit = self._by_out.get((channel.channel_id, htlc_id))
        if circuit is None:
            if self.payer is None or not self.payer.failed(channel, htlc_id, reason):
                log.warning("failed HTLC %d on %s belongs to no circuit or payment", htlc_id,
                            channel.channel_id.hex())
            return
        if reason.onion is not None:
            onion = obfuscate_failure(circuit.shared_secret, reason.onion)
        elif reason.local is not None:
            # the outgoing lock was rolled back on chain: the failure is ours to report
            onion = create_failure(circuit.shared_secret, reason.local)
        else:
            # BOLT #2: malformed from downstream: we build the failure for the origin.
            assert reason.failure_code is not None and reason.sha256_of_onion is not None
            onion = create_failure_from_malformed(circuit.shared_secret, reason.failure_code,
                                                  reason.sha256_of_onion)
        self._index(replace(circuit, status="failed", failure=onion))
        self.batcher.write(
            "UPDATE forwards SET status='failed', failure=?, resolved_at=? WHERE out_channel=? AND out_htlc_id=? "
            "AND status!='lost'",
            (onion, int(time.time()), channel.channel_id, htlc_id))
        upstream = self.channels.by_channel_id(circuit.in_channel)
        if upstream is not None:
            upstream.fail_htlc(circuit.in_htlc_id, FailureReason(onion=onion))

    def channel_changed(self, channel: Channel) -> None:
        if self.on_channel_changed is not None:
            self.on_channel_changed(channel)

    # -- forwarding

    def _forward(self, channel: Channel, htlc: IncomingHtlc, hop: ForwardHop, next_packet: bytes,
                 shared_secret: bytes) -> None:
        out = self.channels.by_short_channel_id(hop.short_channel_id)
        if out is None:
            # BOLT #4: unknown_next_peer when the short_channel_id leads nowhere.
            self._fail_back(channel, htlc, shared_secret, UnknownNextPeer())
            return
        failure = self._check_policy(out, htlc, hop)
        if failure is not None:
            self._fail_back(channel, htlc, shared_secret, failure)
            return
        result = out.offer_htlc(HtlcOffer(hop.amt_to_forward, htlc.payment_hash, hop.outgoing_cltv_value,
                                          next_packet))
        if isinstance(result, Refused):
            log.info("forward refused by the outgoing channel: %s %s", result.reason.value, result.detail)
            self._fail_back(channel, htlc, shared_secret, _refusal_failure(result, htlc))
            return
        assert isinstance(result, Offered)
        # The lock is only proposed so far: it is signed (and so binding) in a later
        # commitment, whose write is staged after this one. The circuit is durable first.
        circuit = Circuit(htlc.channel_id, htlc.htlc_id, out.channel_id, result.htlc_id, htlc.payment_hash,
                          htlc.amount_msat, hop.amt_to_forward, htlc.cltv_expiry, hop.outgoing_cltv_value,
                          shared_secret, "offered", None, None)
        self._index(circuit)
        self.batcher.write(
            "INSERT INTO forwards(in_channel, in_htlc_id, out_channel, out_htlc_id, payment_hash, in_msat, "
            "out_msat, in_cltv, out_cltv, shared_secret, status, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (circuit.in_channel, circuit.in_htlc_id, circuit.out_channel, circuit.out_htlc_id,
             circuit.payment_hash, circuit.in_msat, circuit.out_msat, circuit.in_cltv, circuit.out_cltv,
             shared_secret, "offered", int(time.time())))

    def _check_policy(self, out: Channel, htlc: IncomingHtlc, hop: ForwardHop) -> FailureMessage | None:
        """Our forwarding policy for the outgoing channel. What the channel itself requires
        (usable, the peer's minimum, balance, limits) its `offer_htlc` refuses: checking it
        here too would work out the channel's whole status once per forward."""
        failure = _against_policy(self.policy_of(out.channel_id), htlc, hop)
        if failure is not None:
            previous = self.previous_policy_of(out.channel_id)
            if previous is None or _against_policy(previous, htlc, hop) is not None:
                return failure
        height = self.height()
        if hop.outgoing_cltv_value <= height + MIN_BLOCKS_BEFORE_EXPIRY:
            return ExpiryTooSoon()
        if htlc.cltv_expiry > height + MAX_EXPIRY_BLOCKS:
            return ExpiryTooFar()
        return None

    def _fail_back(self, channel: Channel, htlc: IncomingHtlc, shared_secret: bytes,
                   failure: FailureMessage) -> None:
        onion = create_failure(shared_secret, failure.encode())
        channel.fail_htlc(htlc.htlc_id, FailureReason(onion=onion))

    # -- views

    def forwards(self) -> list[Circuit]:
        return [_circuit(r) for r in self.store.query("SELECT * FROM forwards ORDER BY created_at")]


def _against_policy(policy: ForwardPolicy, htlc: IncomingHtlc, hop: ForwardHop) -> FailureMessage | None:
    """What `policy` refuses in forwarding `htlc` as `hop` says, if anything."""
    amount = hop.amt_to_forward
    if amount < policy.htlc_minimum_msat:
        return AmountBelowMinimum(Msat(htlc.amount_msat))
    if policy.htlc_maximum_msat is not None and amount > policy.htlc_maximum_msat:
        return TemporaryChannelFailure()
    # BOLT #4: fee_insufficient when the fee is below the channel's policy.
    if htlc.amount_msat - amount < policy.fee(amount):
        return FeeInsufficient(Msat(htlc.amount_msat))
    # BOLT #4: incorrect_cltv_expiry when cltv_expiry - outgoing_cltv_value is too small.
    if htlc.cltv_expiry - hop.outgoing_cltv_value < policy.cltv_expiry_delta:
        return IncorrectCltvExpiry(htlc.cltv_expiry)
    return None


def _refusal_failure(refused: Refused, htlc: IncomingHtlc) -> FailureMessage:
    if refused.reason is RefusalReason.AMOUNT_BELOW_MINIMUM:
        return AmountBelowMinimum(Msat(htlc.amount_msat))  # the HTLC's amount, as above
    if refused.reason is RefusalReason.EXPIRY_TOO_SOON:
        return ExpiryTooSoon()
    if refused.reason is RefusalReason.EXPIRY_TOO_FAR:
        return ExpiryTooFar()
    return TemporaryChannelFailure()


def _circuit(r: sqlite3.Row) -> Circuit:
    return Circuit(
        bytes(r["in_channel"]), r["in_htlc_id"], bytes(r["out_channel"]), r["out_htlc_id"],
        bytes(r["payment_hash"]), r["in_msat"], r["out_msat"], r["in_cltv"], r["out_cltv"],
        bytes(r["shared_secret"]), r["status"], None if r["preimage"] is None else bytes(r["preimage"]),
        None if r["failure"] is None else bytes(r["failure"]),
    )
