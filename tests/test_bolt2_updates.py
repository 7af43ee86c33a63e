"""Normal operation step by step: the HTLC state machine on both sides of the
commitment_signed / revoke_and_ack dance, when each event is reported, update_fee, and the
state tables themselves."""

from __future__ import annotations

import pytest

from amiko.channels.bolt.core import BoltChannel
from amiko.channels.bolt.htlcs import (
    TRANSITIONS,
    Event,
    HtlcState,
    IllegalTransition,
    Side,
    advance,
    step,
)
from amiko.channels.bolt.outputs import HtlcArriving, HtlcFailed, HtlcIncoming, HtlcSettled
from amiko.channels.bolt.states import (
    PHASE_TRANSITIONS,
    IllegalPhaseTransition,
    Phase,
    check_phase_transition,
)
from amiko.channels.bolt.updates import BADONION
from amiko.channels.interface import FailureReason
from amiko.wire.messages import CommitmentSigned, RevokeAndAck, UpdateAddHtlc, UpdateFee
from tests.test_bolt2_harness import (
    KEYS_A,
    Pair,
    failed_ids,
    hash_of,
    incoming,
    open_channel,
    preimage_of,
    settled_ids,
    verify_commitment,
    verify_htlc_txs,
)

S = HtlcState


def channel() -> Pair:
    return open_channel(push_msat=300_000_000)


def state(pair: Pair, node: str, owner: Side, htlc_id: int = 0) -> HtlcState:
    n = pair.a if node == "A" else pair.b
    return n.c.htlc_states()[(owner, htlc_id)]


def test_add_fulfill_state_by_state() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    L, R = Side.LOCAL, Side.REMOTE
    a.offer(5_000_000, 1)
    assert state(pair, "A", L) is S.SENT_ADD_HTLC
    pair.deliver(a)
    assert state(pair, "B", R) is S.RCVD_ADD_HTLC
    (cs,) = a.sign().messages
    assert isinstance(cs, CommitmentSigned) and state(pair, "A", L) is S.SENT_ADD_COMMIT
    pair.deliver(a)
    # B: in its commitment, revoked its previous one
    assert state(pair, "B", R) is S.SENT_ADD_REVOCATION
    assert [type(m) for m in b.outbox] == [RevokeAndAck]
    pair.deliver(b)
    assert state(pair, "A", L) is S.RCVD_ADD_REVOCATION
    assert not incoming(b)
    b.sign()
    assert state(pair, "B", R) is S.SENT_ADD_ACK_COMMIT
    pair.deliver(b)
    assert state(pair, "A", L) is S.SENT_ADD_ACK_REVOCATION
    assert not incoming(b)
    pair.deliver(a)
    # irrevocably committed: reported now, not before
    assert state(pair, "B", R) is S.RCVD_ADD_ACK_REVOCATION and incoming(b) == [0]
    verify_htlc_txs(a.c, {})
    verify_htlc_txs(b.c, {hash_of(preimage_of(1)): preimage_of(1)})

    b.apply(b.c.settle_htlc(0, preimage_of(1)))
    assert state(pair, "B", R) is S.SENT_REMOVE_HTLC
    pair.deliver(b)
    # the preimage is reported at once
    assert state(pair, "A", L) is S.RCVD_REMOVE_HTLC and settled_ids(a) == [0]
    b.sign()
    pair.deliver(b)
    assert state(pair, "A", L) is S.SENT_REMOVE_REVOCATION
    assert state(pair, "B", R) is S.SENT_REMOVE_COMMIT
    pair.deliver(a)
    assert state(pair, "B", R) is S.RCVD_REMOVE_REVOCATION
    a.sign()
    assert state(pair, "A", L) is S.SENT_REMOVE_ACK_COMMIT
    pair.deliver(a)
    assert (R, 0) not in b.c.htlc_states()  # SENT_REMOVE_ACK_REVOCATION: gone
    pair.deliver(b)
    assert not a.c.htlc_states()
    assert settled_ids(a) == [0] and not failed_ids(a)
    assert a.c.status().local_msat == 700_000_000 - 5_000_000


def test_failure_reported_only_when_irrevocable() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    a.offer(5_000_000, 1)
    pair.flush()
    b.apply(b.c.fail_htlc(0, FailureReason(onion=b"\x01" * 292)))
    pair.deliver(b)
    b.sign()
    pair.deliver(b)
    pair.deliver(a)
    a.sign()
    pair.deliver(a)
    assert not failed_ids(a)
    pair.deliver(b)
    (ev,) = a.events_of(HtlcFailed)
    assert ev.htlc_id == 0 and ev.reason.onion == b"\x01" * 292


def test_fail_malformed() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    a.offer(5_000_000, 1)
    pair.flush()
    with pytest.raises(ValueError):
        b.c.fail_htlc(0, FailureReason(failure_code=0x4000 | 4, sha256_of_onion=bytes(32)))
    code = BADONION | 0x4000 | 5
    b.apply(b.c.fail_htlc(0, FailureReason(failure_code=code, sha256_of_onion=b"\x07" * 32)))
    pair.flush()
    (ev,) = a.events_of(HtlcFailed)
    assert ev.reason.failure_code == code and ev.reason.sha256_of_onion == b"\x07" * 32


def test_settle_rules() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    a.offer(5_000_000, 1)
    pair.deliver(a)
    with pytest.raises(ValueError):  # not irrevocably committed yet
        b.c.settle_htlc(0, preimage_of(1))
    pair.flush()
    with pytest.raises(ValueError):
        b.c.settle_htlc(0, preimage_of(2))
    with pytest.raises(ValueError):
        b.c.settle_htlc(5, preimage_of(1))
    assert b.apply(b.c.settle_htlc(0, preimage_of(1))).messages
    assert not b.c.settle_htlc(0, preimage_of(1))  # idempotent
    assert not b.c.fail_htlc(0, FailureReason(onion=b"x"))
    pair.flush()
    assert not b.c.settle_htlc(0, preimage_of(1))  # long gone


def test_same_payment_hash_twice() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    a.offer(5_000_000, 1)
    a.offer(6_000_000, 1)
    pair.flush()
    assert incoming(b) == [0, 1]
    assert {h.payment_hash for h in b.c.pending_incoming()} == {hash_of(preimage_of(1))}
    verify_htlc_txs(a.c, {})


def test_batching_both_ways_in_one_round() -> None:
    """Updates of both sides cross; each commitment_signed carries all of one side's."""
    pair = channel()
    a, b = pair.a, pair.b
    for i in range(5):
        a.offer(1_000_000 * (i + 1), i)
        b.offer(2_000_000 + i, 10 + i)
    assert len(a.sign().messages) == 1 and len(b.sign().messages) == 1
    pair.flush()
    assert incoming(a) == list(range(5)) and incoming(b) == list(range(5))
    assert a.c.data.local_commitment_number == b.c.data.remote_commitment_number
    verify_commitment(a.c)
    verify_commitment(b.c)


def test_pending_incoming_after_restart() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    a.offer(5_000_000, 1)
    a.offer(6_000_000, 2)
    pair.flush()
    b.apply(b.c.settle_htlc(0, preimage_of(1)))
    assert b.persisted is not None
    restored = BoltChannel.from_bytes(b.persisted, b.keys)
    (pending,) = restored.pending_incoming()
    assert pending.htlc_id == 1 and pending.amount_msat == 6_000_000
    assert pending.channel_id == b.c.channel_id and len(pending.onion) == 1366
    # our own acknowledged adds no longer keep their onion
    assert all(h.onion == b"" for h in a.c.data.htlcs.values())


# -- update_fee ----------------------------------------------------------------------------------

def test_update_fee() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    a.offer(5_000_000, 1)
    pair.flush()
    out = a.apply(a.c.update_fee(6000))
    assert [type(m) for m in out.messages] == [UpdateFee] and out.persist
    pair.flush()
    assert a.c.data.base_feerate == b.c.data.base_feerate == 6000
    assert not a.c.data.fee_updates and not b.c.data.fee_updates
    verify_htlc_txs(a.c, {})
    verify_commitment(b.c)
    # the same rate again changes nothing; the fundee never sends one
    assert not a.c.update_fee(6000)
    assert not b.c.update_fee(9000)


def test_several_fee_updates_in_one_commitment() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    for rate in (3000, 4000, 3500):
        a.apply(a.c.update_fee(rate))
    assert len(a.sign().messages) == 1
    pair.flush()
    assert a.c.data.base_feerate == b.c.data.base_feerate == 3500
    verify_commitment(a.c)
    verify_commitment(b.c)


def test_update_fee_the_funder_cannot_afford_is_not_sent() -> None:
    pair = open_channel(push_msat=985_000_000)
    a = pair.a
    assert not a.c.update_fee(100_000)


def test_status() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    st = a.c.status()
    assert st.usable and st.capacity_msat == 1_000_000_000 and st.type_name == "bolt"
    assert st.can_send_msat < st.local_msat - 10_000_000  # reserve, fee and buffer
    assert b.c.status().can_receive_msat > 0
    a.offer(st.can_send_msat, 1)
    pair.flush()
    assert incoming(b) == [0] and b.c.status().htlcs_in_flight == 1
    assert not b.c.status().can_receive_msat or b.c.status().can_receive_msat < 10_000_000


# -- the state tables ----------------------------------------------------------------------------

def test_htlc_table_is_two_five_step_paths_per_owner() -> None:
    for owner_start, final in ((S.SENT_ADD_HTLC, S.RCVD_REMOVE_ACK_REVOCATION),
                               (S.RCVD_ADD_HTLC, S.SENT_REMOVE_ACK_REVOCATION)):
        st, path = owner_start, [owner_start]
        while st is not final:
            (st,) = [new for (old, event), new in TRANSITIONS.items()
                     if old is st and event is not Event.REVERT_REMOVE]
            path.append(st)
        assert len(path) == 10 and len(set(path)) == 10
        assert all(s.owner is owner_start.owner for s in path)
    assert advance(S.SENT_ADD_ACK_REVOCATION, Event.SEND_COMMIT) is S.SENT_ADD_ACK_REVOCATION
    with pytest.raises(IllegalTransition):
        step(S.SENT_ADD_COMMIT, Event.RECV_REMOVE)
    with pytest.raises(IllegalTransition):
        step(S.RCVD_ADD_HTLC, Event.SEND_REMOVE)
    with pytest.raises(IllegalTransition):
        advance(S.SENT_ADD_HTLC, Event.RECV_REMOVE)


def test_phase_table() -> None:
    check_phase_transition(Phase.NORMAL, Phase.SHUTDOWN)
    with pytest.raises(IllegalPhaseTransition):
        check_phase_transition(Phase.NORMAL, Phase.CLOSING)
    with pytest.raises(IllegalPhaseTransition):
        check_phase_transition(Phase.FAILED, Phase.NORMAL)
    assert all(not PHASE_TRANSITIONS[p] for p in (Phase.FAILED, Phase.ABORTED))


def test_events_are_typed() -> None:
    pair = channel()
    pair.a.offer(5_000_000, 1)
    pair.flush()
    (ev,) = pair.b.events_of(HtlcIncoming)
    assert ev.htlc.payment_hash == hash_of(preimage_of(1)) and not ev.dust_exposure_exceeded
    assert not pair.a.events_of(HtlcSettled)
    assert isinstance(UpdateAddHtlc, type) and KEYS_A.funding_pubkey


def test_lowering_the_feerate_is_always_possible() -> None:
    pair = open_channel(push_msat=0)
    a, b = pair.a, pair.b
    a.offer(a.c.status().can_send_msat, 1)
    pair.flush()
    b.apply(b.c.settle_htlc(0, preimage_of(1)))
    pair.flush()
    assert not a.c.update_fee(20_000)  # cannot afford more
    assert a.apply(a.c.update_fee(1000)).messages
    pair.flush()
    assert b.c.data.base_feerate == 1000


def test_a_proposed_htlc_is_announced_as_arriving_once() -> None:
    """`update_add_htlc` accepted: a hint for the switch (`HtlcArriving`, with the lock as
    it will be reported), never `HtlcIncoming` before the commitment round; a repeat of
    the same add is ignored and announced no more."""
    pair = channel()
    a, b = pair.a, pair.b
    a.offer(5_000_000, 1)
    (add,) = a.outbox
    pair.deliver(a)
    (arriving,) = b.events_of(HtlcArriving)
    htlc = arriving.htlc
    assert (htlc.channel_id, htlc.htlc_id, htlc.amount_msat, htlc.payment_hash, htlc.cltv_expiry, htlc.onion) == (
        b.c.channel_id, 0, 5_000_000, hash_of(preimage_of(1)), add.cltv_expiry, add.onion_routing_packet)
    assert not b.events_of(HtlcIncoming)
    b.apply(b.c.receive(add))  # the same add again
    assert len(b.events_of(HtlcArriving)) == 1
    a.sign()
    pair.flush()
    (committed,) = b.events_of(HtlcIncoming)
    assert committed.htlc == htlc
