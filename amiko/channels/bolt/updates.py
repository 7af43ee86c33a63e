"""Updates: `update_add_htlc`, `update_fulfill_htlc`, `update_fail_htlc`,
`update_fail_malformed_htlc` and `update_fee`, each with the checks BOLT 2 puts on its
sender (a refused offer is a return value) and on its receiver (a `ChannelError`).

The sender checks run on the *projected* views (every pending update of both sides
applied, both commitments), which is at least as strict as the receiver's check of its
own next commitment: an HTLC we offer never trips the peer's receiver checks.
"""

from __future__ import annotations

from dataclasses import replace

from amiko.channels.bolt.commit import (
    View,
    Which,
    commit_fee_msat,
    compute_view,
    unchanged,
    view_stats,
)
from amiko.channels.bolt.data import ChannelData
from amiko.channels.bolt.errors import FailChannel, WarnAndDisconnect
from amiko.channels.bolt.fees import HtlcDirection, funder_commitment_cost, is_htlc_trimmed
from amiko.channels.bolt.htlcs import (
    Event,
    FeeUpdate,
    Htlc,
    HtlcState,
    Removal,
    RemovalKind,
    Side,
    initial_state,
)
from amiko.channels.bolt.outputs import HtlcSettled, Outputs
from amiko.channels.bolt.states import Phase
from amiko.channels.interface import (
    ONION_PACKET_SIZE,
    FailureReason,
    HtlcOffer,
    RefusalReason,
    Refused,
)
from amiko.crypto.hashes import sha256
from amiko.wire.messages import (
    UpdateAddHtlc,
    UpdateAddHtlcTlvs,
    UpdateFailHtlc,
    UpdateFailMalformedHtlc,
    UpdateFee,
    UpdateFulfillHtlc,
)
from amiko.wire.types import ChannelId, Msat

__all__ = [
    "BADONION",
    "CLTV_EXPIRY_LIMIT",
    "add_message",
    "check_offer",
    "fee_message",
    "make_offer",
    "receive_add",
    "receive_fee",
    "receive_removal",
    "removal_message",
    "remove_incoming",
]

# BOLT #2: MUST set `cltv_expiry` less than 500000000.
CLTV_EXPIRY_LIMIT = 500_000_000
# BOLT #4: BADONION = 0x8000
BADONION = 0x8000


def _probe(owner: Side, amount_msat: int, cltv_expiry: int) -> Htlc:
    return Htlc(owner, -1, amount_msat, bytes(32), cltv_expiry, b"", initial_state(owner), 0)


def _with_htlc(d: ChannelData, owner: Side, which: Which, h: Htlc) -> tuple[View, bool, int, int]:
    """`owner`'s commitment (`which`) without the new HTLC `h` and what `h` adds to it:
    (the view, is `h` trimmed in it, its untrimmed HTLCs with `h`, its dust exposure with
    `h`). The same figures as the view with `h` as an extra HTLC, without rebuilding it."""
    view = compute_view(d, owner, which)
    untrimmed, exposure = view_stats(d, view)
    direction = HtlcDirection.OFFERED if h.owner is owner else HtlcDirection.RECEIVED
    trimmed = is_htlc_trimmed(d.channel_type.commitment_type, direction, h.amount_msat,
                              view.feerate_per_kw, d.config(owner).dust_limit_sat)
    if trimmed:
        exposure += h.amount_msat
    else:
        untrimmed += 1
    return view, trimmed, untrimmed, exposure


def _fee_msat(d: ChannelData, feerate: int, untrimmed: int) -> int:
    return funder_commitment_cost(d.channel_type.commitment_type, feerate, untrimmed) * 1000


def check_offer(d: ChannelData, offer: HtlcOffer) -> Refused | None:
    """Every sender-side rule of BOLT 2 for an HTLC we would offer; None if it may go.

    Each rule applies to a projected commitment with the offered HTLC in it: that is the
    projected view as it is, plus the HTLC (`_with_htlc`)."""
    with unchanged(d):
        return _check_offer(d, offer)


def _check_offer(d: ChannelData, offer: HtlcOffer) -> Refused | None:
    remote = d.config(Side.REMOTE)
    amount = offer.amount_msat
    # BOLT #2: MUST offer `amount_msat` greater than 0. MUST NOT offer `amount_msat` below
    # the receiving node's `htlc_minimum_msat`
    if amount <= 0 or amount < remote.htlc_minimum_msat:
        return Refused(RefusalReason.AMOUNT_BELOW_MINIMUM,
                       f"{amount} msat < htlc_minimum_msat {remote.htlc_minimum_msat}")
    # BOLT #2: MUST set `cltv_expiry` less than 500000000.
    if offer.cltv_expiry >= CLTV_EXPIRY_LIMIT:
        return Refused(RefusalReason.EXPIRY_TOO_FAR, "cltv_expiry is not a block height")
    # BOLT #2 (cltv_expiry_delta Selection): MUST NOT offer an HTLC with a timeout deadline
    # before its `cltv_expiry`.
    if offer.cltv_expiry <= d.current_height:
        return Refused(RefusalReason.EXPIRY_TOO_SOON, "cltv_expiry already reached")
    if len(offer.payment_hash) != 32 or len(offer.onion) != ONION_PACKET_SIZE:
        return Refused(RefusalReason.CHANNEL_NOT_USABLE, "malformed payment hash or onion")
    probe = _probe(Side.LOCAL, amount, offer.cltv_expiry)
    for owner in (Side.REMOTE, Side.LOCAL):
        view, trimmed, untrimmed, exposure = _with_htlc(d, owner, Which.PROJECTED, probe)
        if owner is Side.REMOTE:
            count, total = view.offered(Side.LOCAL)
            # BOLT #2: if result would be offering more than the remote's
            # `max_accepted_htlcs` HTLCs, in the remote commitment transaction: MUST NOT
            # add an HTLC.
            if count + 1 > remote.max_accepted_htlcs:
                return Refused(RefusalReason.TOO_MANY_HTLCS,
                               f"peer accepts {remote.max_accepted_htlcs} HTLCs")
            # BOLT #2: if the total value of offered HTLCs would exceed the remote's
            # `max_htlc_value_in_flight_msat`: MUST NOT add an HTLC.
            if total + amount > remote.max_htlc_value_in_flight_msat:
                return Refused(RefusalReason.IN_FLIGHT_LIMIT,
                               f"peer's max_htlc_value_in_flight_msat is "
                               f"{remote.max_htlc_value_in_flight_msat}")
        ours_left = view.local_msat - amount
        our_reserve = remote.channel_reserve_sat * 1000  # the reserve the peer asks of us
        fee = _fee_msat(d, view.feerate_per_kw, untrimmed)
        if d.is_funder:
            # BOLT #2: if it is _responsible_ for paying the Bitcoin fee: MUST NOT offer
            # `amount_msat` if, after adding that HTLC to its commitment transaction, it
            # cannot pay the fee for either the local or remote commitment transaction at
            # the current `feerate_per_kw` while maintaining its channel reserve. [...] if
            # `option_anchors` applies [...]: MUST be able to additionally pay for
            # `to_local_anchor` and `to_remote_anchor` above its reserve.
            if ours_left < our_reserve + fee:
                return Refused(RefusalReason.INSUFFICIENT_BALANCE,
                               "cannot pay the commitment fee and keep the reserve")
            # BOLT #2: SHOULD NOT offer `amount_msat` if, after adding that HTLC to its
            # commitment transaction, its remaining balance doesn't allow it to pay the
            # commitment transaction fee when receiving or sending a future additional
            # non-dust HTLC while maintaining its channel reserve. It is recommended that
            # this "fee spike buffer" can handle twice the current `feerate_per_kw`
            spike = _fee_msat(d, 2 * view.feerate_per_kw, untrimmed + 1)
            if ours_left < our_reserve + spike:
                return Refused(RefusalReason.INSUFFICIENT_BALANCE,
                               "no fee spike buffer left")
        else:
            if ours_left < our_reserve:
                return Refused(RefusalReason.INSUFFICIENT_BALANCE,
                               "would go below the channel reserve")
            # BOLT #2: if it is _not responsible_ for paying the Bitcoin fee: SHOULD NOT
            # offer `amount_msat` if, once the remote node adds that HTLC to its commitment
            # transaction, it cannot pay the fee for the updated local or remote
            # transaction at the current `feerate_per_kw` while maintaining its channel
            # reserve.
            if view.remote_msat < fee + d.local.channel_reserve_sat * 1000:
                return Refused(RefusalReason.INSUFFICIENT_BALANCE,
                               "the funder could not pay the commitment fee")
        # BOLT #2 (max_dust_htlc_exposure_msat): when offering an HTLC: if the HTLC's
        # `amount_msat` is smaller than the [owner's] `dust_limit_satoshis` plus the HTLC
        # fee at `feerate_per_kw`: if the `amount_msat` plus the dust balance of the
        # [owner's] transaction is greater than `max_dust_htlc_exposure_msat`: SHOULD NOT
        # send this HTLC
        if trimmed and exposure > d.params.max_dust_htlc_exposure_msat:
            return Refused(RefusalReason.DUST_EXPOSURE,
                           f"trimmed HTLCs would total {exposure} msat")
    return None


def make_offer(d: ChannelData, offer: HtlcOffer) -> Htlc:
    """Record an HTLC we offer (checked by `check_offer`)."""
    htlc = Htlc(Side.LOCAL, d.next_local_htlc_id, offer.amount_msat, offer.payment_hash,
                offer.cltv_expiry, offer.onion, HtlcState.SENT_ADD_HTLC, d.new_seq())
    # BOLT #2: for the first HTLC it offers: MUST set `id` to 0. MUST increase the value of
    # `id` by 1 for each successive offer.
    d.next_local_htlc_id += 1
    d.htlcs[(Side.LOCAL, htlc.htlc_id)] = htlc
    return htlc


def add_message(d: ChannelData, h: Htlc) -> UpdateAddHtlc:
    tlvs = UpdateAddHtlcTlvs(blinded_path=h.blinding_point or None)
    return UpdateAddHtlc(ChannelId(d.channel_id), h.htlc_id, Msat(h.amount_msat),
                         h.payment_hash, h.cltv_expiry, h.onion, tlvs)


def receive_add(d: ChannelData, msg: UpdateAddHtlc) -> bool:
    """The peer offers an HTLC: every receiver check of BOLT 2. Returns False when the
    message is a retransmission to ignore."""
    if d.phase not in (Phase.NORMAL, Phase.SHUTDOWN) or not d.received_channel_ready:
        raise FailChannel("update_add_htlc before the channel is open")
    if d.remote_shutdown_script is not None:
        # BOLT #2: [the sender of `shutdown`] MUST NOT send an `update_add_htlc` after a
        # `shutdown`.
        raise FailChannel("update_add_htlc after shutdown")
    key = (Side.REMOTE, msg.id)
    if msg.id != d.next_remote_htlc_id:
        old = d.htlcs.get(key)
        if old is not None and (old.amount_msat, old.payment_hash, old.cltv_expiry,
                                old.onion) == (msg.amount_msat, msg.payment_hash,
                                               msg.cltv_expiry, msg.onion_routing_packet):
            # BOLT #2: if the sender did not previously acknowledge the commitment of that
            # HTLC: MUST ignore a repeated `id` value after a reconnection.
            return False
        # BOLT #2: if other `id` violations occur: MAY send a `warning` and close the
        # connection, or send an `error` and fail the channel.
        raise FailChannel(f"update_add_htlc id {msg.id}, expected {d.next_remote_htlc_id}")
    local = d.local
    # BOLT #2: receiving an `amount_msat` equal to 0, OR less than its own
    # `htlc_minimum_msat`: SHOULD send a `warning` and close the connection, or send an
    # `error` and fail the channel.
    if msg.amount_msat <= 0 or msg.amount_msat < local.htlc_minimum_msat:
        raise FailChannel(f"HTLC of {msg.amount_msat} msat is below our minimum "
                          f"{local.htlc_minimum_msat}")
    # BOLT #2: if sending node sets `cltv_expiry` to greater or equal to 500000000: SHOULD
    # send a `warning` and close the connection, or send an `error` and fail the channel.
    if msg.cltv_expiry >= CLTV_EXPIRY_LIMIT:
        raise FailChannel(f"cltv_expiry {msg.cltv_expiry} is not a block height")
    htlc = Htlc(Side.REMOTE, msg.id, msg.amount_msat, msg.payment_hash, msg.cltv_expiry,
                msg.onion_routing_packet, HtlcState.RCVD_ADD_HTLC, d.new_seq(),
                blinding_point=msg.tlvs.blinded_path or b"")
    view, _, untrimmed, _ = _with_htlc(d, Side.LOCAL, Which.NEXT, htlc)
    count, total = view.offered(Side.REMOTE)
    # BOLT #2: if a sending node adds more than receiver `max_accepted_htlcs` HTLCs to its
    # local commitment transaction, OR adds more than receiver
    # `max_htlc_value_in_flight_msat` worth of offered HTLCs to its local commitment
    # transaction: SHOULD send a `warning` and close the connection, or send an `error` and
    # fail the channel.
    if count + 1 > local.max_accepted_htlcs:
        raise FailChannel(f"more than max_accepted_htlcs ({local.max_accepted_htlcs}) HTLCs")
    if total + msg.amount_msat > local.max_htlc_value_in_flight_msat:
        raise FailChannel("HTLCs exceed max_htlc_value_in_flight_msat "
                          f"({local.max_htlc_value_in_flight_msat})")
    # BOLT #2: receiving an `amount_msat` that the sending node cannot afford at the current
    # `feerate_per_kw` (while maintaining its channel reserve and any `to_local_anchor` and
    # `to_remote_anchor` costs): SHOULD send a `warning` and close the connection, or send
    # an `error` and fail the channel.
    need = local.channel_reserve_sat * 1000
    if d.funder is Side.REMOTE:
        need += _fee_msat(d, view.feerate_per_kw, untrimmed)
    if view.remote_msat - msg.amount_msat < need:
        raise FailChannel(f"the peer cannot afford an HTLC of {msg.amount_msat} msat")
    # BOLT #2 (max_dust_htlc_exposure_msat): when receiving an HTLC: if [it is trimmed in
    # either commitment and] the `amount_msat` plus the dust balance of [that] transaction
    # is greater than `max_dust_htlc_exposure_msat`: SHOULD fail this HTLC once it's
    # committed; SHOULD NOT reveal a preimage for this HTLC
    over = False
    for owner, which in ((Side.LOCAL, Which.NEXT), (Side.REMOTE, Which.PROJECTED)):
        _, trimmed, _, exposure = _with_htlc(d, owner, which, htlc)
        over = over or (trimmed and exposure > d.params.max_dust_htlc_exposure_msat)
    if over:
        htlc = Htlc(htlc.owner, htlc.htlc_id, htlc.amount_msat, htlc.payment_hash,
                    htlc.cltv_expiry, htlc.onion, htlc.state, htlc.seq,
                    dust_exposure_exceeded=True, blinding_point=htlc.blinding_point)
    d.htlcs[key] = htlc
    d.next_remote_htlc_id += 1
    return True


def receive_removal(d: ChannelData, msg: UpdateFulfillHtlc | UpdateFailHtlc
                    | UpdateFailMalformedHtlc, out: Outputs) -> None:
    """The peer removes one of our HTLCs."""
    if d.phase not in (Phase.NORMAL, Phase.SHUTDOWN):
        raise FailChannel(f"{type(msg).__name__} while {d.phase.value}")
    h = d.htlcs.get((Side.LOCAL, msg.id))
    # BOLT #2: if the `id` does not correspond to an HTLC in its current commitment
    # transaction: MUST send a `warning` and close the connection, or send an `error` and
    # fail the channel.
    # BOLT #2: until the corresponding HTLC is irrevocably committed in both sides'
    # commitment transactions: MUST NOT send an `update_fulfill_htlc`, `update_fail_htlc`,
    # or `update_fail_malformed_htlc`.
    if h is None or h.state is not HtlcState.SENT_ADD_ACK_REVOCATION:
        what = "unknown HTLC" if h is None else f"HTLC in state {h.state.value}"
        raise FailChannel(f"{type(msg).__name__} for {what} {msg.id}")
    seq = d.new_seq()
    if isinstance(msg, UpdateFulfillHtlc):
        # BOLT #2: if the `payment_preimage` value in `update_fulfill_htlc` doesn't SHA256
        # hash to the corresponding HTLC `payment_hash`: MUST send a `warning` and close the
        # connection, or send an `error` and fail the channel.
        if sha256(msg.payment_preimage) != h.payment_hash:
            raise FailChannel(f"update_fulfill_htlc {msg.id}: wrong preimage")
        removal = Removal(RemovalKind.FULFILL, seq, preimage=msg.payment_preimage)
        if not h.preimage:
            out.emit(HtlcSettled(h.htlc_id, msg.payment_preimage))
        d.htlcs[(Side.LOCAL, msg.id)] = h.stepped(Event.RECV_REMOVE, removal,
                                                  preimage=msg.payment_preimage)
        return
    if isinstance(msg, UpdateFailHtlc):
        removal = Removal(RemovalKind.FAIL, seq, reason=msg.reason)
    else:
        # BOLT #2: if the `BADONION` bit in `failure_code` is not set for
        # `update_fail_malformed_htlc`: MUST send a `warning` and close the connection, or
        # send an `error` and fail the channel.
        if not msg.failure_code & BADONION:
            raise FailChannel("update_fail_malformed_htlc without the BADONION bit")
        removal = Removal(RemovalKind.FAIL_MALFORMED, seq, sha256_of_onion=msg.sha256_of_onion,
                          failure_code=msg.failure_code)
    d.htlcs[(Side.LOCAL, msg.id)] = h.stepped(Event.RECV_REMOVE, removal)


def remove_incoming(d: ChannelData, htlc_id: int, preimage: bytes | None,
                    reason: FailureReason | None) -> Htlc | None:
    """Settle (preimage) or fail (reason) the peer's HTLC: the new record, or None if it
    is already being removed or gone (the commands are idempotent). Raises ValueError for
    a removal the caller must not ask for."""
    h = d.htlcs.get((Side.REMOTE, htlc_id))
    if h is None:
        if htlc_id < d.next_remote_htlc_id:
            return None  # already removed and forgotten
        raise ValueError(f"no incoming HTLC {htlc_id}")
    if h.removal is not None:
        return None
    # BOLT #2: until the corresponding HTLC is irrevocably committed in both sides'
    # commitment transactions: MUST NOT send an `update_fulfill_htlc`, `update_fail_htlc`,
    # or `update_fail_malformed_htlc`.
    if h.state is not HtlcState.RCVD_ADD_ACK_REVOCATION:
        raise ValueError(f"incoming HTLC {htlc_id} is not irrevocably committed yet")
    seq = d.new_seq()
    if preimage is not None:
        if sha256(preimage) != h.payment_hash:
            raise ValueError(f"wrong preimage for incoming HTLC {htlc_id}")
        removal = Removal(RemovalKind.FULFILL, seq, preimage=preimage)
    elif reason is not None and reason.onion is not None:
        removal = Removal(RemovalKind.FAIL, seq, reason=reason.onion)
    elif reason is not None and reason.failure_code is not None:
        if not reason.failure_code & BADONION:
            raise ValueError("update_fail_malformed_htlc needs the BADONION bit")
        removal = Removal(RemovalKind.FAIL_MALFORMED, seq,
                          sha256_of_onion=reason.sha256_of_onion or bytes(32),
                          failure_code=reason.failure_code)
    else:
        raise ValueError("a failure needs an onion or a failure code")
    new = h.stepped(Event.SEND_REMOVE, removal)
    # Its onion (1366 bytes) is not needed any more: the switch decided about it, and the
    # peer, whose add we acknowledged, never sends it again.
    new = replace(new, onion=b"")
    d.htlcs[(Side.REMOTE, htlc_id)] = new
    return new


def removal_message(d: ChannelData, h: Htlc) -> UpdateFulfillHtlc | UpdateFailHtlc \
        | UpdateFailMalformedHtlc:
    r = h.removal
    assert r is not None
    cid = ChannelId(d.channel_id)
    if r.kind is RemovalKind.FULFILL:
        return UpdateFulfillHtlc(cid, h.htlc_id, r.preimage)
    if r.kind is RemovalKind.FAIL:
        return UpdateFailHtlc(cid, h.htlc_id, r.reason)
    return UpdateFailMalformedHtlc(cid, h.htlc_id, r.sha256_of_onion, r.failure_code)


def fee_affordable(d: ChannelData, feerate: int, owner: Side, which: Which,
                   with_reserve: bool) -> bool:
    """Can the funder pay `owner`'s commitment at `feerate`?"""
    view = compute_view(d, owner, which, feerate=feerate)
    need = commit_fee_msat(d, view)
    if with_reserve:
        need += d.config(d.funder.other()).channel_reserve_sat * 1000
    return view.balance(d.funder) >= need


def make_fee_update(d: ChannelData, feerate: int) -> FeeUpdate | None:
    """Record an `update_fee` we send (funder only); None if we cannot afford it (a lower
    feerate is always affordable)."""
    current = compute_view(d, Side.REMOTE, Which.PROJECTED).feerate_per_kw
    if feerate > current and not all(fee_affordable(d, feerate, owner, Which.PROJECTED, True)
                                     for owner in (Side.LOCAL, Side.REMOTE)):
        return None
    update = FeeUpdate(feerate, HtlcState.SENT_ADD_HTLC, d.new_seq())
    d.fee_updates.append(update)
    return update


def fee_message(d: ChannelData, update: FeeUpdate) -> UpdateFee:
    return UpdateFee(ChannelId(d.channel_id), update.feerate_per_kw)


def receive_fee(d: ChannelData, msg: UpdateFee) -> None:
    if d.phase not in (Phase.NORMAL, Phase.SHUTDOWN) or not d.received_channel_ready:
        raise FailChannel(f"update_fee while {d.phase.value}")
    # BOLT #2: if the sender is not responsible for paying the Bitcoin fee: MUST send a
    # `warning` and close the connection, or send an `error` and fail the channel.
    if d.funder is not Side.REMOTE:
        raise FailChannel("update_fee from the node that does not pay the fee")
    # BOLT #2: if the `update_fee` is too low for timely processing, OR is unreasonably
    # large: MUST send a `warning` and close the connection, or send an `error` and fail
    # the channel. (Fee estimates legitimately differ: we warn and disconnect.)
    if not d.min_feerate_per_kw <= msg.feerate_per_kw <= d.max_feerate_per_kw:
        raise WarnAndDisconnect(f"update_fee {msg.feerate_per_kw} outside "
                                f"[{d.min_feerate_per_kw}, {d.max_feerate_per_kw}]")
    d.fee_updates.append(FeeUpdate(msg.feerate_per_kw, HtlcState.RCVD_ADD_HTLC, d.new_seq()))
    # BOLT #2: if the sender cannot afford the new fee rate on the receiving node's current
    # commitment transaction: SHOULD send a `warning` and close the connection, or send an
    # `error` and fail the channel.
    if not fee_affordable(d, msg.feerate_per_kw, Side.LOCAL, Which.NEXT, False):
        raise FailChannel(f"the funder cannot afford feerate {msg.feerate_per_kw}")
