"""Message retransmission: what a disconnection undoes, `channel_reestablish`, and what to
send again after it (BOLT 2 "Message Retransmission").

Commitment numbers as BOLT 2 counts them: our latest commitment is number
`local_commitment_number`; we have revoked every one before it. The peer's latest is
`remote_commitment_number`; while we await its revocation (`awaiting_revocation`) the one
before it is not revoked yet.
"""

from __future__ import annotations

from amiko.channels.bolt.commit import resign_remote_commitment, revoke_message
from amiko.channels.bolt.data import ChannelData
from amiko.channels.bolt.errors import ChannelError, ErrorAction, FailChannel
from amiko.channels.bolt.htlcs import Event, HtlcState, Side
from amiko.channels.bolt.keys import ChannelKeys
from amiko.channels.bolt.opening import channel_ready_message
from amiko.channels.bolt.outputs import Outputs
from amiko.channels.bolt.shutdown import restart_negotiation, retransmit_closing_signed
from amiko.channels.bolt.states import Phase
from amiko.channels.bolt.updates import add_message, fee_message, removal_message
from amiko.wire.messages import ChannelReestablish, Shutdown
from amiko.wire.types import ChannelId

__all__ = ["forget_uncommitted", "receive_reestablish", "reestablish_message"]

_NO_SECRET = bytes(32)


def forget_uncommitted(d: ChannelData) -> bool:
    """Undo the peer's updates no `commitment_signed` covered; True if anything changed.

    # BOLT #2: upon disconnection: MUST reverse any uncommitted updates sent by the other
    # side (i.e. all messages beginning with `update_` for which no `commitment_signed` has
    # been received). Note: a node MAY have already used the `payment_preimage` value from
    # the `update_fulfill_htlc`, so the effects of `update_fulfill_htlc` are not completely
    # reversed.
    (Our own uncommitted updates stay: we send them again after `channel_reestablish`.)
    """
    changed = False
    for key, h in list(d.htlcs.items()):
        if h.state is HtlcState.RCVD_ADD_HTLC:
            del d.htlcs[key]
            d.next_remote_htlc_id = min(d.next_remote_htlc_id, h.htlc_id)
            changed = True
        elif h.state is HtlcState.RCVD_REMOVE_HTLC:
            d.htlcs[key] = h.stepped(Event.REVERT_REMOVE)
            changed = True
    kept = [u for u in d.fee_updates if u.state is not HtlcState.RCVD_ADD_HTLC]
    if len(kept) != len(d.fee_updates):
        d.fee_updates = kept
        changed = True
    return changed


def next_revocation_number(d: ChannelData) -> int:
    """The number of the peer's commitment whose revocation we expect next."""
    return d.remote_commitment_number - (1 if d.awaiting_revocation else 0)


def reestablish_message(d: ChannelData, keys: ChannelKeys) -> ChannelReestablish:
    # BOLT #2: MUST set `next_commitment_number` to the commitment number of the next
    # `commitment_signed` it expects to receive. MUST set `next_revocation_number` to the
    # commitment number of the next `revoke_and_ack` message it expects to receive.
    # if `next_revocation_number` equals 0: MUST set `your_last_per_commitment_secret` to
    # all zeroes; otherwise: MUST set `your_last_per_commitment_secret` to the last
    # `per_commitment_secret` it received
    revocation = next_revocation_number(d)
    secret = (d.remote_secrets.commitment_secret(revocation - 1) if revocation > 0
              else _NO_SECRET)
    # BOLT #2: MUST set `my_current_per_commitment_point` to a valid point.
    return ChannelReestablish(ChannelId(d.channel_id), d.local_commitment_number + 1,
                              revocation, secret,
                              keys.per_commitment_point(d.local_commitment_number))


def receive_reestablish(d: ChannelData, keys: ChannelKeys, msg: ChannelReestablish,
                        out: Outputs) -> None:
    """Check the peer's `channel_reestablish` and send again what it missed."""
    if msg.channel_id != d.channel_id:
        raise FailChannel("channel_reestablish for another channel")
    # BOLT #2: if `next_commitment_number` is zero: MUST immediately fail the channel and
    # broadcast any relevant latest commitment transaction.
    if msg.next_commitment_number == 0:
        raise FailChannel("channel_reestablish with next_commitment_number 0")
    ours = d.local_commitment_number  # the peer should expect the revocation of this one
    theirs = msg.next_revocation_number
    if theirs > ours:
        # BOLT #2: if `next_revocation_number` is greater than expected above, AND
        # `your_last_per_commitment_secret` is correct for that `next_revocation_number`
        # minus 1: MUST NOT broadcast its commitment transaction. SHOULD send an `error` to
        # request the peer to fail the channel.
        if msg.your_last_per_commitment_secret == keys.per_commitment_secret(theirs - 1):
            raise ChannelError("we lost channel state: the peer holds a revocation of "
                               f"commitment {theirs - 1}", ErrorAction.FAIL_NO_BROADCAST)
        raise FailChannel(f"next_revocation_number {theirs} is ahead of us, without proof")
    # BOLT #2: otherwise: if `your_last_per_commitment_secret` does not match the expected
    # values: SHOULD send an `error` and fail the channel.
    expected = keys.per_commitment_secret(theirs - 1) if theirs > 0 else _NO_SECRET
    if msg.your_last_per_commitment_secret != expected:
        raise FailChannel("your_last_per_commitment_secret does not match")
    resend_revoke = False
    # BOLT #2: if `next_revocation_number` is equal to the commitment number of the last
    # `revoke_and_ack` the receiving node sent, AND the receiving node hasn't already
    # received a `closing_signed`: MUST re-send the `revoke_and_ack`.
    if ours > 0 and theirs == ours - 1:
        resend_revoke = True
    elif theirs != ours:
        # BOLT #2: otherwise: if `next_revocation_number` is not equal to 1 greater than the
        # commitment number of the last `revoke_and_ack` the receiving node has sent:
        # SHOULD send an `error` and fail the channel.
        raise FailChannel(f"the peer expects revocation {theirs}, we revoked up to {ours - 1}")
    resend_commit = False
    # BOLT #2: if `next_commitment_number` is equal to the commitment number of the last
    # `commitment_signed` message the receiving node has sent: MUST reuse the same
    # commitment number for its next `commitment_signed`.
    if d.awaiting_revocation and msg.next_commitment_number == d.remote_commitment_number:
        resend_commit = True
    elif msg.next_commitment_number != d.remote_commitment_number + 1:
        # BOLT #2: otherwise: if `next_commitment_number` is not equal to the commitment
        # number of the next `commitment_signed` that the receiving node would send: SHOULD
        # send an `error` and fail the channel.
        raise FailChannel(f"the peer expects commitment {msg.next_commitment_number}, "
                          f"we signed up to {d.remote_commitment_number}")

    # BOLT #2: if `next_commitment_number` is 1 in both the `channel_reestablish` it sent
    # and received [...]: MUST retransmit `channel_ready`. otherwise: MUST NOT retransmit
    # `channel_ready`
    if ours == 0 and msg.next_commitment_number == 1 and d.sent_channel_ready:
        out.send(channel_ready_message(d, keys))

    # BOLT #2: if it has previously sent a `commitment_signed` that needs to be
    # retransmitted: MUST retransmit `revoke_and_ack` and `commitment_signed` in the same
    # relative order as initially transmitted.
    revoke_first = d.local_number_at_last_sign == ours
    # (the state they commit to is stored already; persisting again keeps the rule simple:
    # no commitment_signed or revoke_and_ack ever leaves without `persist`)
    out.persist = out.persist or resend_revoke or resend_commit
    if resend_revoke and (revoke_first or not resend_commit):
        out.send(revoke_message(d, keys))
    if resend_commit:
        _resend_updates(d, out, (HtlcState.SENT_ADD_COMMIT, HtlcState.SENT_REMOVE_COMMIT))
        out.send(resign_remote_commitment(d, keys))
    if resend_revoke and resend_commit and not revoke_first:
        out.send(revoke_message(d, keys))

    # BOLT #2: upon reconnection: if it has sent a previous `shutdown`: MUST retransmit
    # `shutdown`.
    if d.local_shutdown_script is not None:
        out.send(Shutdown(ChannelId(d.channel_id), d.local_shutdown_script))
    # Our updates no commitment_signed covered yet: the peer forgot them.
    _resend_updates(d, out, (HtlcState.SENT_ADD_HTLC, HtlcState.SENT_REMOVE_HTLC))
    if d.phase is Phase.NEGOTIATING:
        # BOLT #2 (rationale): negotiation restarts on reconnection
        restart_negotiation(d, keys, out)
    elif d.phase is Phase.CLOSING:
        retransmit_closing_signed(d, out)


def _resend_updates(d: ChannelData, out: Outputs, states: tuple[HtlcState, HtlcState]) -> None:
    """Our updates in `states` (adds and fees in the first, removals in the second), in
    the order we first sent them."""
    add_state, remove_state = states
    items: list[tuple[int, object]] = []
    for h in d.htlcs.values():
        if h.owner is Side.LOCAL and h.state is add_state:
            items.append((h.seq, add_message(d, h)))
        elif h.owner is Side.REMOTE and h.state is remove_state:
            assert h.removal is not None
            items.append((h.removal.seq, removal_message(d, h)))
    for u in d.fee_updates:
        if u.state is add_state:
            items.append((u.seq, fee_message(d, u)))
    for _, msg in sorted(items, key=lambda item: item[0]):
        out.send(msg)
