"""Cooperative close: `shutdown`, then either the legacy `closing_signed` fee negotiation
or `option_simple_close` (`closing_complete` / `closing_sig`).

# BOLT #2: Closing happens in two stages:
# 1. one side indicates it wants to clear the channel (and thus will accept no new HTLCs)
# 2. once all HTLCs are resolved, the final channel close negotiation begins.
"""

from __future__ import annotations

from amiko.bitcoin.script import OP_0, OP_1, OP_16
from amiko.bitcoin.tx import Transaction
from amiko.channels.bolt.closing import (
    ClosingOutputs,
    build_closing_tx,
    build_legacy_closing_tx,
    closee_output_variant,
    closer_output_variants,
    is_dust,
    is_valid_op_return,
    sign_closing,
    verify_closing,
)
from amiko.channels.bolt.commit import funding_script_of, has_changes_for
from amiko.channels.bolt.data import ChannelData, LegacyClosing, SimpleClosing
from amiko.channels.bolt.errors import FailChannel, IgnoreMessage, WarnAndDisconnect
from amiko.channels.bolt.htlcs import Side
from amiko.channels.bolt.keys import ChannelKeys
from amiko.channels.bolt.outputs import Broadcast, CloseScriptNeeded, Outputs
from amiko.channels.bolt.signatures import funding_witness
from amiko.channels.bolt.states import Phase
from amiko.link.features import Features
from amiko.wire.messages import (
    ClosingComplete,
    ClosingSig,
    ClosingSigned,
    ClosingSignedTlvs,
    ClosingTlvs,
    FeeRange,
    Shutdown,
)
from amiko.wire.types import ChannelId, Sat

__all__ = [
    "maybe_send_shutdown",
    "maybe_start_negotiation",
    "receive_closing_complete",
    "receive_closing_sig",
    "receive_closing_signed",
    "receive_shutdown",
    "request_shutdown",
    "restart_negotiation",
    "valid_shutdown_script",
]

MIN_RELAY_FEERATE_PER_KW = 253  # 1 sat/vB
# A closing transaction's witness: item count, the empty dummy, two signatures of up to 73
# bytes with their length bytes, the 71-byte funding script with its length; plus the
# segwit marker and flag.
_CLOSING_WITNESS_WEIGHT = 1 + 1 + 74 + 74 + 72 + 2


def valid_shutdown_script(script: bytes, negotiated: Features) -> bool:
    """# BOLT #2: MUST set `scriptpubkey` in one of the following forms:
    # 1. `OP_0` `20` 20-bytes (version 0 pay to witness pubkey hash), OR
    # 2. `OP_0` `32` 32-bytes (version 0 pay to witness script hash), OR
    # 3. if (and only if) `option_shutdown_anysegwit` is negotiated:
    #   * `OP_1` through `OP_16` inclusive, followed by a single push of 2 to 40 bytes
    #     (witness program versions 1 through 16)
    # 4. if (and only if) `option_simple_close` is negotiated:
    #   * `OP_RETURN` followed by one of:
    #     * `6` to `75` inclusive followed by exactly that many bytes
    #     * `76` followed by `76` to `80` followed by exactly that many bytes
    """
    n = len(script)
    if n in (22, 34) and script[0] == OP_0 and script[1] == n - 2:
        return True
    if (negotiated.has("option_shutdown_anysegwit") and 4 <= n <= 42
            and OP_1 <= script[0] <= OP_16 and script[1] == n - 2):
        return True
    return negotiated.has("option_simple_close") and is_valid_op_return(script)


def _simple(d: ChannelData) -> bool:
    return Features(d.negotiated).has("option_simple_close")


def request_shutdown(d: ChannelData, script: bytes, feerate: int | None) -> None:
    """Our caller wants to close: remember the script (sent by `maybe_send_shutdown`)."""
    # BOLT #2: if it sent a non-zero-length `shutdown_scriptpubkey` in `open_channel` or
    # `accept_channel`: MUST send the same value in `scriptpubkey`.
    if d.local_upfront_script:
        script = d.local_upfront_script
    if not valid_shutdown_script(script, Features(d.negotiated)):
        raise ValueError(f"{script.hex()} is not a valid shutdown script")
    if feerate is not None:
        d.closing_feerate = feerate
    if d.local_shutdown_script is None:
        d.shutdown_requested = script
    if not d.close_script:
        d.close_script = script


def maybe_send_shutdown(d: ChannelData, out: Outputs) -> None:
    """Send our `shutdown` once nothing of ours is pending on the peer's commitment."""
    if not d.shutdown_requested or d.local_shutdown_script is not None:
        return
    if d.phase not in (Phase.AWAIT_LOCKIN, Phase.NORMAL, Phase.SHUTDOWN):
        return
    # BOLT #2: if there are updates pending on the receiving node's commitment transaction:
    # MUST NOT send a `shutdown`.
    if has_changes_for(d, Side.REMOTE):
        return
    d.local_shutdown_script = d.shutdown_requested
    d.shutdown_requested = b""
    if d.phase is not Phase.SHUTDOWN:
        d.set_phase(Phase.SHUTDOWN)
    out.send(Shutdown(ChannelId(d.channel_id), d.local_shutdown_script))
    out.persist = True


def receive_shutdown(d: ChannelData, msg: Shutdown, out: Outputs) -> None:
    # BOLT #2: if it hasn't received a `funding_signed` (if it is a funder) or a
    # `funding_created` (if it is a fundee): SHOULD send an `error` and fail the channel.
    if not d.phase.funded:
        raise FailChannel(f"shutdown while {d.phase.value}")
    if d.phase not in (Phase.AWAIT_LOCKIN, Phase.NORMAL, Phase.SHUTDOWN, Phase.NEGOTIATING):
        raise IgnoreMessage(f"shutdown while {d.phase.value}", send_warning=False)
    negotiated = Features(d.negotiated)
    script = msg.scriptpubkey
    # BOLT #2: if the `scriptpubkey` is not in one of the above forms: SHOULD send a
    # `warning`.
    if not valid_shutdown_script(script, negotiated):
        raise WarnAndDisconnect(f"shutdown script {script.hex()} is not a valid form")
    # BOLT #2: if both nodes advertised the `option_upfront_shutdown_script` feature, and
    # the receiving node received a non-zero-length `shutdown_scriptpubkey` in
    # `open_channel` or `accept_channel`, and that `shutdown_scriptpubkey` is not equal to
    # `scriptpubkey`: MAY send a `warning`. MUST fail the connection.
    if (negotiated.has("option_upfront_shutdown_script") and d.remote_upfront_script
            and d.remote_upfront_script != script):
        raise WarnAndDisconnect("shutdown script differs from the upfront_shutdown_script")
    if d.phase is Phase.NEGOTIATING:
        # a retransmission after a reconnection: the negotiation restarts anyway
        d.remote_shutdown_script = script
        return
    d.remote_shutdown_script = script
    if d.phase is not Phase.SHUTDOWN:
        d.set_phase(Phase.SHUTDOWN)
    out.persist = True
    # BOLT #2: once there are no outstanding updates on the peer, UNLESS it has already sent
    # a `shutdown`: MUST reply to a `shutdown` message with a `shutdown`
    if d.local_shutdown_script is None and not d.shutdown_requested:
        if d.close_script:
            d.shutdown_requested = d.local_upfront_script or d.close_script
        else:
            out.emit(CloseScriptNeeded())
    maybe_send_shutdown(d, out)


def _quiescent(d: ChannelData) -> bool:
    """# BOLT #2: Once shutdown is complete, the channel is empty of HTLCs, there are no
    # commitments for which a revocation is owed, and all updates are included on both
    # commitments"""
    return (not d.htlcs and not d.fee_updates and not d.awaiting_revocation
            and not has_changes_for(d, Side.LOCAL) and not has_changes_for(d, Side.REMOTE))


def maybe_start_negotiation(d: ChannelData, keys: ChannelKeys, out: Outputs) -> None:
    if (d.phase is not Phase.SHUTDOWN or d.local_shutdown_script is None
            or d.remote_shutdown_script is None or not _quiescent(d)):
        return
    d.set_phase(Phase.NEGOTIATING)
    out.persist = True
    restart_negotiation(d, keys, out)


def restart_negotiation(d: ChannelData, keys: ChannelKeys, out: Outputs) -> None:
    """Open the negotiation (on entering it, and after every reconnection)."""
    d.legacy_closing = None
    d.simple_closing = None
    if _simple(d):
        # BOLT #2: After a `shutdown` has been sent and received, AND no HTLCs remain in
        # either commitment transaction: SHOULD send a `closing_complete` message.
        _send_closing_complete(d, keys, out)
    elif d.is_funder:
        # BOLT #2: The funding node: after `shutdown` has been received, AND no HTLCs
        # remain in either commitment transaction: SHOULD send a `closing_signed` message.
        fee = _legacy_fee(d)
        d.legacy_closing = LegacyClosing(_legacy_range(d, fee, None))
        _send_closing_signed(d, keys, fee, out)


# -- legacy negotiation (closing_signed) ----------------------------------------------------

def _legacy_tx(d: ChannelData, fee: int, *, ours: bool, omit_sender_output: bool = False
               ) -> Transaction:
    """The legacy closing transaction signed by us (`ours`) or by the peer."""
    assert d.local_shutdown_script is not None and d.remote_shutdown_script is not None
    outpoint = d.funding_outpoint
    assert outpoint is not None
    if ours:
        return build_legacy_closing_tx(outpoint, d.local_shutdown_script,
                                       d.remote_shutdown_script, d.base_local_msat,
                                       d.base_remote_msat, fee, d.is_funder,
                                       d.local.dust_limit_sat)
    return build_legacy_closing_tx(outpoint, d.remote_shutdown_script, d.local_shutdown_script,
                                   d.base_remote_msat, d.base_local_msat, fee, not d.is_funder,
                                   d.config(Side.REMOTE).dust_limit_sat,
                                   omit_local_output=omit_sender_output)


def _closing_weight(tx: Transaction) -> int:
    return len(tx.serialize(with_witness=False)) * 4 + _CLOSING_WITNESS_WEIGHT


def _legacy_fee(d: ChannelData) -> int:
    feerate = d.closing_feerate or d.base_feerate
    weight = _closing_weight(_legacy_tx(d, 0, ours=True))
    return min(weight * feerate // 1000, _funder_sat(d))


def _funder_sat(d: ChannelData) -> int:
    return (d.base_local_msat if d.is_funder else d.base_remote_msat) // 1000


def _legacy_range(d: ChannelData, fee: int, theirs: tuple[int, int] | None) -> tuple[int, int]:
    """# BOLT #2: SHOULD set `fee_range` according to the minimum and maximum fees it is
    # prepared to pay for a close transaction. if it is not the funder: SHOULD set
    # `max_fee_satoshis` to at least the `max_fee_satoshis` received; SHOULD set
    # `min_fee_satoshis` to a fairly low value"""
    weight = _closing_weight(_legacy_tx(d, 0, ours=True))
    low = min(fee, weight * MIN_RELAY_FEERATE_PER_KW // 1000)
    high = min(max(fee * 3, low), _funder_sat(d))
    if not d.is_funder and theirs is not None:
        high = max(high, theirs[1])
    return low, high


def _send_closing_signed(d: ChannelData, keys: ChannelKeys, fee: int, out: Outputs,
                         tx: Transaction | None = None) -> None:
    lc = d.legacy_closing
    assert lc is not None
    tx = tx or _legacy_tx(d, fee, ours=True)
    sig = sign_closing(tx, funding_script_of(d), d.funding_sat, keys.funding_secret)
    d.legacy_closing = LegacyClosing(lc.fee_range, fee, lc.last_received_fee, sig)
    lo, hi = lc.fee_range
    out.send(ClosingSigned(ChannelId(d.channel_id), Sat(fee), sig,
                           ClosingSignedTlvs(fee_range=FeeRange(Sat(lo), Sat(hi)))))
    out.persist = True


def _finish(d: ChannelData, keys: ChannelKeys, tx: Transaction, their_sig: bytes,
            out: Outputs, our_sig: bytes | None = None) -> None:
    assert d.remote_basepoints is not None
    script = funding_script_of(d)
    if our_sig is None:
        our_sig = sign_closing(tx, script, d.funding_sat, keys.funding_secret)
    witness = funding_witness(script, keys.funding_pubkey, our_sig,
                              d.remote_basepoints.funding_pubkey, their_sig)
    signed = tx.with_witness(0, witness)
    d.closing_tx = signed.serialize()
    if d.phase is Phase.NEGOTIATING:
        d.set_phase(Phase.CLOSING)
    out.emit(Broadcast(signed, "mutual close"))
    out.persist = True


def receive_closing_signed(d: ChannelData, keys: ChannelKeys, msg: ClosingSigned,
                           out: Outputs) -> None:
    if d.phase is Phase.SHUTDOWN:
        maybe_start_negotiation(d, keys, out)
    if d.phase is Phase.CLOSING:
        return  # a retransmission after we finished
    if d.phase is not Phase.NEGOTIATING or _simple(d):
        raise FailChannel(f"closing_signed while {d.phase.value}")
    fee = msg.fee_satoshis
    assert d.remote_basepoints is not None
    script = funding_script_of(d)
    # BOLT #2: if the `signature` is not valid for either variant of closing transaction
    # specified in BOLT #3 OR non-compliant with LOW-S-standard rule: MUST send a `warning`
    # and close the connection, or send an `error` and fail the channel.
    if fee > _funder_sat(d):
        raise FailChannel(f"closing fee {fee} exceeds the funder's balance")
    tx = None
    for omit in (False, True):
        try:
            candidate = _legacy_tx(d, fee, ours=False, omit_sender_output=omit)
        except ValueError:
            continue
        if verify_closing(candidate, script, d.funding_sat, d.remote_basepoints.funding_pubkey,
                          msg.signature):
            tx = candidate
            break
    if tx is None:
        raise FailChannel(f"closing_signed: bad signature for fee {fee}")
    # BOLT #2: if one of the outputs in the closing transaction is below the dust limit for
    # its `scriptpubkey`: MUST fail the channel
    if any(is_dust(o.value, o.script_pubkey) for o in tx.outputs):
        raise FailChannel("closing transaction output below the dust threshold")
    lc = d.legacy_closing
    theirs = msg.tlvs.fee_range
    their_range = (theirs.min_fee_satoshis, theirs.max_fee_satoshis) if theirs else None
    if lc is None:  # the non-funder's first closing_signed
        lc = LegacyClosing(_legacy_range(d, _legacy_fee(d), their_range))
    previous_received = lc.last_received_fee
    lc = LegacyClosing(lc.fee_range, lc.last_sent_fee, fee, lc.last_sent_sig)
    d.legacy_closing = lc
    # BOLT #2: if `fee_satoshis` is equal to its previously sent `fee_satoshis`: SHOULD sign
    # and broadcast the final closing transaction.
    if fee == lc.last_sent_fee:
        _finish(d, keys, tx, msg.signature, out)
        return
    lo, hi = lc.fee_range
    if their_range is not None:
        overlap = (max(lo, their_range[0]), min(hi, their_range[1]))
        if overlap[0] > overlap[1]:
            # BOLT #2: if there is no overlap between that and its own `fee_range`: SHOULD
            # send a warning; MUST fail the channel if it doesn't receive a satisfying
            # `fee_range` after a reasonable amount of time
            raise IgnoreMessage(f"no overlap between fee ranges {lc.fee_range} "
                                f"and {their_range}")
        in_overlap = overlap[0] <= fee <= overlap[1]
        if d.is_funder:
            # BOLT #2: if it is the funder: if `fee_satoshis` is not in the overlap between
            # the sent and received `fee_range`: MUST fail the channel. otherwise: MUST reply
            # with the same `fee_satoshis`.
            if not in_overlap:
                raise FailChannel(f"closing fee {fee} is outside the fee range overlap")
            _agree(d, keys, tx, msg.signature, fee, out)
            return
        # BOLT #2: otherwise (it is not the funder): if it has already sent a
        # `closing_signed`: if `fee_satoshis` is not the same as the value it sent: MUST
        # fail the channel. otherwise: MUST propose a `fee_satoshis` in the overlap between
        # received and (about-to-be) sent `fee_range`.
        if lc.last_sent_fee is not None:
            raise FailChannel(f"closing fee {fee} differs from the {lc.last_sent_fee} we sent")
        if in_overlap:
            _agree(d, keys, tx, msg.signature, fee, out)
        else:
            _send_closing_signed(d, keys, min(max(fee, overlap[0]), overlap[1]), out)
        return
    # No fee_range: the original "strictly between" negotiation.
    sent = lc.last_sent_fee
    # BOLT #2: otherwise, if `fee_satoshis` is not strictly between its last-sent
    # `fee_satoshis` and its previously-received `fee_satoshis`, UNLESS it has since
    # reconnected: SHOULD send a `warning` and close the connection, or send an `error` and
    # fail the channel.
    if sent is not None and previous_received is not None and \
            not min(sent, previous_received) < fee < max(sent, previous_received):
        raise FailChannel(f"closing fee {fee} is not between {sent} and {previous_received}")
    # BOLT #2: otherwise, if the receiver agrees with the fee: SHOULD reply with a
    # `closing_signed` with the same `fee_satoshis` value. otherwise: MUST propose a value
    # "strictly between" the received `fee_satoshis` and its previously-sent
    # `fee_satoshis`.
    if lo <= fee <= hi or (sent is None and not d.is_funder and fee <= hi):
        _agree(d, keys, tx, msg.signature, fee, out)
        return
    target = sent if sent is not None else _legacy_fee(d)
    if abs(target - fee) <= 1:
        _agree(d, keys, tx, msg.signature, fee, out)
        return
    proposal = (target + fee) // 2
    # stay within the fee_range we announce with it, when that still makes progress
    clamped = min(max(proposal, lo), hi)
    if sent is None or min(sent, fee) < clamped < max(sent, fee):
        proposal = clamped
    _send_closing_signed(d, keys, proposal, out)


def _agree(d: ChannelData, keys: ChannelKeys, tx: Transaction, their_sig: bytes, fee: int,
           out: Outputs) -> None:
    """Accept the peer's fee: reply with the same fee (a signature of the very transaction
    we broadcast) and broadcast."""
    _send_closing_signed(d, keys, fee, out, tx)
    lc = d.legacy_closing
    assert lc is not None
    _finish(d, keys, tx, their_sig, out, lc.last_sent_sig)


def retransmit_closing_signed(d: ChannelData, out: Outputs) -> None:
    """# BOLT #2 (rationale): `closing_signed` also has no acknowledgment so must be
    # retransmitted upon reconnection"""
    lc = d.legacy_closing
    if lc is None or lc.last_sent_fee is None:
        return
    lo, hi = lc.fee_range
    out.send(ClosingSigned(ChannelId(d.channel_id), Sat(lc.last_sent_fee), lc.last_sent_sig,
                           ClosingSignedTlvs(fee_range=FeeRange(Sat(lo), Sat(hi)))))


# -- option_simple_close (closing_complete / closing_sig) ------------------------------------

_TLV_FIELD = {
    ClosingOutputs.CLOSER_ONLY: "closer_output_only",
    ClosingOutputs.CLOSEE_ONLY: "closee_output_only",
    ClosingOutputs.BOTH: "closer_and_closee_outputs",
}


def _tlvs(sigs: dict[ClosingOutputs, bytes]) -> ClosingTlvs:
    return ClosingTlvs(closer_output_only=sigs.get(ClosingOutputs.CLOSER_ONLY),
                       closee_output_only=sigs.get(ClosingOutputs.CLOSEE_ONLY),
                       closer_and_closee_outputs=sigs.get(ClosingOutputs.BOTH))


def _received_sigs(tlvs: ClosingTlvs) -> dict[ClosingOutputs, bytes]:
    found: dict[ClosingOutputs, bytes] = {}
    for which, name in _TLV_FIELD.items():
        sig = getattr(tlvs, name)
        if sig is not None:
            found[which] = sig
    return found


def _send_closing_complete(d: ChannelData, keys: ChannelKeys, out: Outputs) -> None:
    assert d.local_shutdown_script is not None and d.remote_shutdown_script is not None
    outpoint = d.funding_outpoint
    assert outpoint is not None
    ours, theirs = d.local_shutdown_script, d.remote_shutdown_script
    ours_msat, theirs_msat = d.base_local_msat, d.base_remote_msat
    feerate = d.closing_feerate or d.base_feerate
    probe = build_closing_tx(outpoint, ours, theirs, ours_msat, theirs_msat, 0,
                             d.current_height, ClosingOutputs.BOTH)
    # BOLT #2: The closer: MUST set `fee_satoshis` to a fee less than or equal to its
    # outstanding balance, rounded down to whole satoshis. MUST set `fee_satoshis` so that
    # at least one output is not dust.
    fee = _closing_weight(probe) * feerate // 1000
    if fee > ours_msat // 1000:
        return  # nothing of ours to close with: let the peer pay (we stay the closee)
    variants = closer_output_variants(ours_msat, theirs_msat, fee, ours, theirs)
    script = funding_script_of(d)
    sigs: dict[ClosingOutputs, bytes] = {}
    for which in variants:
        tx = build_closing_tx(outpoint, ours, theirs, ours_msat, theirs_msat, fee,
                              d.current_height, which)
        if all(is_dust(o.value, o.script_pubkey) for o in tx.outputs):
            continue
        sigs[which] = sign_closing(tx, script, d.funding_sat, keys.funding_secret)
    if not sigs:
        return
    d.simple_closing = SimpleClosing(ours, theirs, fee, d.current_height,
                                     tuple((int(k), v) for k, v in sigs.items()))
    out.send(ClosingComplete(ChannelId(d.channel_id), ours, theirs, Sat(fee), d.current_height,
                             _tlvs(sigs)))
    out.persist = True


def receive_closing_complete(d: ChannelData, keys: ChannelKeys, msg: ClosingComplete,
                             out: Outputs) -> None:
    """We are the closee: check the closer's transaction, sign it, broadcast it."""
    if d.phase is Phase.SHUTDOWN:
        maybe_start_negotiation(d, keys, out)
    if d.phase not in (Phase.NEGOTIATING, Phase.CLOSING) or not _simple(d):
        raise FailChannel(f"closing_complete while {d.phase.value}")
    assert d.remote_basepoints is not None and d.local_shutdown_script is not None
    outpoint = d.funding_outpoint
    assert outpoint is not None
    closer_msat, closee_msat = d.base_remote_msat, d.base_local_msat
    fee = msg.fee_satoshis
    # BOLT #2: If `fee_satoshis` is greater than the closer's outstanding balance: MUST
    # either send a `warning` and close the connection, or send an `error` and fail the
    # channel.
    if fee > closer_msat // 1000:
        raise FailChannel(f"closing fee {fee} exceeds the closer's balance")
    # BOLT #2: If `closee_scriptpubkey` does not match the last script it sent (from
    # `closing_complete` or from the initial `shutdown`): SHOULD ignore `closing_complete`.
    # SHOULD send a `warning`. SHOULD close the connection.
    if msg.closee_scriptpubkey != d.local_shutdown_script:
        raise WarnAndDisconnect("closing_complete does not pay our latest script")
    # BOLT #2: If `closer_scriptpubkey` is invalid (as detailed in the `shutdown`
    # requirements): SHOULD ignore `closing_complete`. SHOULD send a `warning`. SHOULD close
    # the connection.
    if not valid_shutdown_script(msg.closer_scriptpubkey, Features(d.negotiated)):
        raise WarnAndDisconnect("closing_complete: invalid closer_scriptpubkey")
    received = _received_sigs(msg.tlvs)
    # BOLT #2: Select a signature for validation [...] If the selected signature field does
    # not exist: MUST either send a `warning` and close the connection, or send an `error`
    # and fail the channel.
    which = closee_output_variant(closee_msat, d.local_shutdown_script, set(received))
    if which is None:
        raise FailChannel("closing_complete lacks the signature we must use")
    try:
        tx = build_closing_tx(outpoint, msg.closer_scriptpubkey, msg.closee_scriptpubkey,
                              closer_msat, closee_msat, fee, msg.locktime, which)
    except ValueError as exc:
        raise FailChannel(f"closing_complete: {exc}") from None
    # BOLT #2: If the signature field is not valid for the corresponding closing transaction
    # [...] OR non-compliant with LOW-S-standard rule: MUST either send a `warning` and
    # close the connection, or send an `error` and fail the channel.
    if not verify_closing(tx, funding_script_of(d), d.funding_sat,
                          d.remote_basepoints.funding_pubkey, received[which]):
        raise FailChannel("closing_complete: bad signature")
    # BOLT #2: MUST use `closer_scriptpubkey` for its own future `closing_complete`
    # messages.
    d.remote_shutdown_script = msg.closer_scriptpubkey
    our_sig = sign_closing(tx, funding_script_of(d), d.funding_sat, keys.funding_secret)
    # BOLT #2: MUST sign and broadcast the corresponding closing transaction. MUST send
    # `closing_sig` with a single valid signature in the same TLV field as the
    # `closing_complete`.
    out.send(ClosingSig(ChannelId(d.channel_id), msg.closer_scriptpubkey,
                        msg.closee_scriptpubkey, Sat(fee), msg.locktime,
                        _tlvs({which: our_sig})))
    _finish(d, keys, tx, received[which], out, our_sig)


def receive_closing_sig(d: ChannelData, keys: ChannelKeys, msg: ClosingSig,
                        out: Outputs) -> None:
    """We are the closer: the peer signed one of our closing transactions."""
    sc = d.simple_closing
    if sc is None or d.phase not in (Phase.NEGOTIATING, Phase.CLOSING):
        raise FailChannel("closing_sig without a closing_complete")
    assert d.remote_basepoints is not None
    outpoint = d.funding_outpoint
    assert outpoint is not None
    # BOLT #2: If `closer_scriptpubkey`, `closee_scriptpubkey`, `fee_satoshis` or `locktime`
    # don't match what was sent in `closing_complete`: MUST either send a `warning` and
    # close the connection, or send an `error` and fail the channel.
    if (msg.closer_scriptpubkey, msg.closee_scriptpubkey, msg.fee_satoshis, msg.locktime) != \
            (sc.closer_script, sc.closee_script, sc.fee_sat, sc.locktime):
        raise FailChannel("closing_sig does not match our closing_complete")
    received = _received_sigs(msg.tlvs)
    sent = {ClosingOutputs(k): v for k, v in sc.signatures}
    # BOLT #2: If `tlvs` does not contain exactly one signature / one of the TLV fields sent
    # in `closing_complete`: MUST either send a `warning` and close the connection, or send
    # an `error` and fail the channel.
    if len(received) != 1 or next(iter(received)) not in sent:
        raise FailChannel("closing_sig must carry exactly one of the signatures we asked for")
    which, their_sig = next(iter(received.items()))
    tx = build_closing_tx(outpoint, sc.closer_script, sc.closee_script, d.base_local_msat,
                          d.base_remote_msat, sc.fee_sat, sc.locktime, which)
    if not verify_closing(tx, funding_script_of(d), d.funding_sat,
                          d.remote_basepoints.funding_pubkey, their_sig):
        raise FailChannel("closing_sig: bad signature")
    d.simple_closing = None
    # BOLT #2: otherwise: MUST broadcast the corresponding closing transaction.
    _finish(d, keys, tx, their_sig, out, sent[which])
