"""A misbehaving peer gets the response BOLT 2 prescribes, and the state we keep (the last
persisted bytes) stays what it was before the bad message; an HTLC we cannot send is a
`Refused` return value that changes nothing."""

from __future__ import annotations

import copy
import dataclasses
import random
from typing import Any

import pytest

from amiko.channels.bolt.core import BoltChannel
from amiko.channels.bolt.outputs import (
    Broadcast,
    ChannelFailed,
    Disconnect,
    HtlcIncoming,
)
from amiko.channels.bolt.params import LocalParams
from amiko.channels.bolt.states import Phase
from amiko.channels.interface import HtlcOffer, RefusalReason, Refused
from amiko.wire.messages import (
    ChannelReestablish,
    CommitmentSigned,
    Error,
    RevokeAndAck,
    UpdateAddHtlc,
    UpdateFailMalformedHtlc,
    UpdateFee,
    UpdateFulfillHtlc,
    WarningMsg,
)
from amiko.wire.types import ChannelId
from tests.test_bolt2_harness import (
    HEIGHT,
    KEYS_A,
    KEYS_B,
    ONION,
    Node,
    Pair,
    hash_of,
    htlc_summary,
    incoming,
    offered_id,
    open_channel,
    preimage_of,
    verify_broadcast,
)


def channel(**kw: Any) -> Pair:
    kw.setdefault("push_msat", 300_000_000)
    return open_channel(**kw)


def add(pair: Pair, htlc_id: int, amount: int = 5_000_000, cltv: int = HEIGHT + 100,
        n: int = 1) -> UpdateAddHtlc:
    return UpdateAddHtlc(ChannelId(pair.a.c.channel_id), htlc_id, amount,  # type: ignore[arg-type]
                         hash_of(preimage_of(n)), cltv, ONION)


def expect_failure(node: Node, msg: Any, why: str) -> None:
    """`msg` makes `node` send an `error`, fail the channel and broadcast its latest
    commitment (valid for Bitcoin Core); its stored state keeps everything but the phase."""
    # (the state before the message, stored or not: an offer is stored with its signature)
    htlcs_before = htlc_summary(BoltChannel.from_bytes(node.c.to_bytes(), node.keys))
    out = node.apply(node.c.receive(msg))
    (err,) = out.messages
    assert isinstance(err, Error), out
    assert why in err.data.decode(), err.data
    assert out.persist and node.c.state is Phase.FAILED
    failed = [e for e in out.events if isinstance(e, ChannelFailed)]
    assert failed and failed[0].broadcast_commitment
    assert any(isinstance(e, Broadcast) for e in out.events)
    verify_broadcast(node, node.c)
    assert node.persisted is not None
    restored = BoltChannel.from_bytes(node.persisted, node.keys)
    assert restored.state is Phase.FAILED
    assert htlc_summary(restored) == htlcs_before
    assert restored.latest_commitment_tx() == node.c.latest_commitment_tx()
    # nothing else is processed on a failed channel
    assert not node.c.receive(msg).messages


def expect_warning(node: Node, msg: Any, why: str) -> None:
    """`msg` gets a `warning` and a disconnection; the state does not change at all."""
    before = node.c.to_bytes()
    out = node.apply(node.c.receive(msg))
    (warn,) = out.messages
    assert isinstance(warn, WarningMsg) and why in warn.data.decode()
    assert any(isinstance(e, Disconnect) for e in out.events)
    assert node.c.to_bytes() == before and not out.persist


# -- commitment_signed and revoke_and_ack ----------------------------------------------------

def _signed_add(pair: Pair) -> CommitmentSigned:
    a = pair.a
    a.offer(5_000_000, 1)
    a.offer(7_000_000, 2)
    pair.deliver(a)
    pair.deliver(a)
    (cs,) = a.sign().messages
    a.outbox.clear()
    assert isinstance(cs, CommitmentSigned) and len(cs.htlc_signature) == 2
    return cs


def test_bad_commitment_signature() -> None:
    pair = channel()
    cs = _signed_add(pair)
    bad = dataclasses.replace(cs, signature=cs.signature[:-1] + bytes([cs.signature[-1] ^ 1]))
    expect_failure(pair.b, bad, "bad signature on commitment 1")


def test_bad_htlc_signature() -> None:
    pair = channel()
    cs = _signed_add(pair)
    sigs = (cs.htlc_signature[0], cs.htlc_signature[0])
    expect_failure(pair.b, dataclasses.replace(cs, htlc_signature=sigs), "bad HTLC signature 1")


def test_bad_htlc_signature_among_many() -> None:
    """A commitment with enough HTLCs that its signatures are checked on several threads:
    the one bad signature is found, and named by its index."""
    pair = channel(funding_sat=16_000_000, push_msat=1_000_000_000)
    for n in range(1, 41):
        pair.a.offer(1_000_000 + n, n)
        pair.deliver(pair.a)
    (cs,) = pair.a.sign().messages
    pair.a.outbox.clear()
    assert isinstance(cs, CommitmentSigned) and len(cs.htlc_signature) == 40
    sigs = list(cs.htlc_signature)
    sigs[33] = sigs[32]
    expect_failure(pair.b, dataclasses.replace(cs, htlc_signature=tuple(sigs)), "bad HTLC signature 33")


def test_wrong_number_of_htlc_signatures() -> None:
    pair = channel()
    cs = _signed_add(pair)
    expect_failure(pair.b, dataclasses.replace(cs, htlc_signature=cs.htlc_signature[:1]),
                   "1 HTLC signatures for 2 HTLC outputs")


def test_commitment_signed_without_changes() -> None:
    pair = channel()
    cs = _signed_add(pair)
    b = pair.b
    b.apply(b.c.receive(cs))
    # BOLT 2 forbids sending it; we warn and disconnect, without failing the channel
    expect_warning(b, cs, "without any update")
    assert b.c.state is Phase.NORMAL


def test_wrong_revocation_secret() -> None:
    pair = channel()
    cs = _signed_add(pair)
    a, b = pair.a, pair.b
    (raa,) = b.apply(b.c.receive(cs)).messages[:1]
    assert isinstance(raa, RevokeAndAck)
    bad = dataclasses.replace(raa, per_commitment_secret=KEYS_B.per_commitment_secret(5))
    expect_failure(a, bad, "does not match the per-commitment point")


def test_revoke_and_ack_without_commitment_signed() -> None:
    pair = channel()
    raa = RevokeAndAck(ChannelId(pair.a.c.channel_id), KEYS_B.per_commitment_secret(0),
                       KEYS_B.per_commitment_point(2))
    expect_failure(pair.a, raa, "without a commitment_signed")


def test_replayed_revoke_and_ack() -> None:
    pair = channel()
    cs = _signed_add(pair)
    a, b = pair.a, pair.b
    raa = b.apply(b.c.receive(cs)).messages[0]
    a.apply(a.c.receive(raa))
    expect_failure(a, raa, "without a commitment_signed")


# -- update_add_htlc receiver checks ---------------------------------------------------------

ADD_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("zero amount", {"amount": 0}, "below our minimum"),
    ("below htlc_minimum", {"amount": 999}, "below our minimum"),
    ("cltv in seconds", {"cltv": 500_000_000}, "not a block height"),
    ("skipped id", {"htlc_id": 1}, "expected 0"),
    ("unaffordable", {"amount": 800_000_000}, "cannot afford"),
    ("over in-flight limit", {"amount": 100_000_001}, "max_htlc_value_in_flight_msat"),
]


@pytest.mark.parametrize("name,kw,why", ADD_CASES, ids=[c[0] for c in ADD_CASES])
def test_update_add_htlc_violations(name: str, kw: dict[str, Any], why: str) -> None:
    params_b = LocalParams(htlc_minimum_msat=1000, max_htlc_value_in_flight_msat=100_000_000)
    pair = channel(params_b=params_b, push_msat=0) if name == "unaffordable" else \
        channel(params_b=params_b)
    if name == "unaffordable":  # B funds nothing: A adds more than it has, via a fundee
        pair = channel(params_a=params_b, push_msat=10_000_000)
        msg = UpdateAddHtlc(ChannelId(pair.a.c.channel_id), 0, 20_000_000,  # type: ignore[arg-type]
                            hash_of(preimage_of(1)), HEIGHT + 100, ONION)
        expect_failure(pair.a, msg, why)
        return
    expect_failure(pair.b, add(pair, kw.get("htlc_id", 0), kw.get("amount", 5_000_000),
                               kw.get("cltv", HEIGHT + 100)), why)


def test_funder_cannot_add_beyond_its_fee() -> None:
    pair = channel(push_msat=0)
    funder_all = 1_000_000_000 - 10_000_000  # the whole balance minus B's reserve
    expect_failure(pair.b, add(pair, 0, funder_all), "cannot afford")


def test_too_many_htlcs() -> None:
    pair = channel(params_b=LocalParams(max_accepted_htlcs=5))
    b = pair.b
    for i in range(5):
        b.apply(b.c.receive(add(pair, i, n=i)))
    expect_failure(b, add(pair, 5, n=5), "max_accepted_htlcs")


def test_reused_id_with_other_content_fails_and_identical_is_ignored() -> None:
    pair = channel()
    b = pair.b
    b.apply(b.c.receive(add(pair, 0)))
    assert not b.apply(b.c.receive(add(pair, 0))).messages  # a repeat is ignored
    expect_failure(b, add(pair, 0, amount=6_000_000), "expected 1")


def test_update_add_htlc_after_shutdown() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    _committed_htlc(pair)  # keeps the channel in SHUTDOWN
    a.apply(a.c.shutdown(a.c.data.close_script))
    pair.deliver(a)
    assert b.c.state is Phase.SHUTDOWN
    b.outbox.clear()
    expect_failure(b, add(pair, 1), "after shutdown")


def test_update_add_htlc_during_negotiation() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    a.apply(a.c.shutdown(a.c.data.close_script))
    pair.deliver(a)
    assert b.c.state is Phase.NEGOTIATING
    b.outbox.clear()
    expect_failure(b, add(pair, 0), "update_add_htlc")


def test_dust_exposure_is_flagged_on_the_incoming_htlc() -> None:
    pair = channel(params_b=LocalParams(max_dust_htlc_exposure_msat=1_000_000))
    a, b = pair.a, pair.b
    for i in range(3):  # 400 sat each: trimmed; the third goes over 1000 sat
        b.apply(b.c.receive(add(pair, i, amount=400_000, n=i)))
    a.c.data.next_local_htlc_id = 3  # (A did not send these: keep its counter in step)
    flags = [h.dust_exposure_exceeded for h in sorted(b.c.data.htlcs.values(),
                                                      key=lambda h: h.htlc_id)]
    assert flags == [False, False, True]


# -- removals --------------------------------------------------------------------------------

def _committed_htlc(pair: Pair) -> None:
    pair.a.offer(5_000_000, 1)
    pair.flush()
    assert incoming(pair.b) == [0]


def test_fulfill_with_wrong_preimage() -> None:
    pair = channel()
    _committed_htlc(pair)
    msg = UpdateFulfillHtlc(ChannelId(pair.a.c.channel_id), 0, preimage_of(2))
    expect_failure(pair.a, msg, "wrong preimage")


def test_fulfill_for_unknown_id() -> None:
    pair = channel()
    _committed_htlc(pair)
    msg = UpdateFulfillHtlc(ChannelId(pair.a.c.channel_id), 7, preimage_of(1))
    expect_failure(pair.a, msg, "unknown HTLC 7")


def test_fulfill_before_irrevocably_committed() -> None:
    pair = channel()
    a = pair.a
    a.offer(5_000_000, 1)
    msg = UpdateFulfillHtlc(ChannelId(a.c.channel_id), 0, preimage_of(1))
    expect_failure(a, msg, "SENT_ADD_HTLC")


def test_double_fulfill() -> None:
    pair = channel()
    _committed_htlc(pair)
    msg = UpdateFulfillHtlc(ChannelId(pair.a.c.channel_id), 0, preimage_of(1))
    pair.a.apply(pair.a.c.receive(msg))
    expect_failure(pair.a, msg, "RCVD_REMOVE_HTLC")


def test_fail_malformed_without_badonion() -> None:
    pair = channel()
    _committed_htlc(pair)
    msg = UpdateFailMalformedHtlc(ChannelId(pair.a.c.channel_id), 0, bytes(32), 0x4000 | 5)
    expect_failure(pair.a, msg, "BADONION")


# -- update_fee ------------------------------------------------------------------------------

def test_update_fee_from_the_fundee() -> None:
    pair = channel()
    expect_failure(pair.a, UpdateFee(ChannelId(pair.a.c.channel_id), 3000),
                   "does not pay the fee")


@pytest.mark.parametrize("feerate", [100, 200_000])
def test_update_fee_out_of_bounds(feerate: int) -> None:
    pair = channel()
    expect_warning(pair.b, UpdateFee(ChannelId(pair.b.c.channel_id), feerate), "outside")


def test_update_fee_the_funder_cannot_afford() -> None:
    pair = channel(push_msat=990_000_000)
    b = pair.b
    b.apply(b.c.set_feerate_bounds(253, 10_000_000))
    expect_failure(b, UpdateFee(ChannelId(b.c.channel_id), 5_000_000), "cannot afford")


# -- other ------------------------------------------------------------------------------------

def test_peer_error_fails_the_channel() -> None:
    pair = channel()
    a = pair.a
    out = a.apply(a.c.receive(Error(ChannelId(a.c.channel_id), b"bye")))
    assert a.c.state is Phase.FAILED and not out.messages
    assert any(isinstance(e, ChannelFailed) and e.broadcast_commitment for e in out.events)
    verify_broadcast(a, a.c)
    # on the next connection we only repeat our error
    a.apply(a.c.peer_disconnected())
    (err,) = a.apply(a.c.peer_connected()).messages
    assert isinstance(err, Error)


def test_messages_before_channel_reestablish_are_ignored() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    pair.disconnect()
    for n in (a, b):
        n.connected = True
    (reest,) = b.apply(b.c.peer_connected()).messages
    assert isinstance(reest, ChannelReestablish)
    a.apply(a.c.peer_connected())
    before = a.c.to_bytes()
    assert not a.c.receive(add(pair, 0)).messages
    assert a.c.to_bytes() == before


def test_offered_htlc_past_its_deadline_fails_the_channel() -> None:
    pair = channel()
    a = pair.a
    a.offer(5_000_000, 1, cltv=HEIGHT + 10)
    pair.flush()
    assert not a.apply(a.c.block_height(HEIGHT + 11)).events
    out = a.apply(a.c.block_height(HEIGHT + 12))
    assert isinstance(out.messages[0], Error) and a.c.state is Phase.FAILED
    verify_broadcast(a, a.c)


def test_fulfilled_htlc_past_its_deadline_fails_the_channel() -> None:
    pair = channel()
    a, b = pair.a, pair.b
    a.offer(5_000_000, 1, cltv=HEIGHT + 50)
    pair.flush()
    b.apply(b.c.settle_htlc(0, preimage_of(1)))
    b.outbox.clear()  # the peer never sees it
    out = b.apply(b.c.block_height(HEIGHT + 32))
    assert isinstance(out.messages[0], Error) and b.c.state is Phase.FAILED


# -- sender-side refusals --------------------------------------------------------------------

def refuse(node: Node, amount: int, cltv: int = HEIGHT + 100, n: int = 1) -> RefusalReason:
    before = node.c.to_bytes()
    result, out = node.c.offer_htlc(HtlcOffer(amount, hash_of(preimage_of(n)), cltv, ONION))
    assert isinstance(result, Refused), result
    assert not out and node.c.to_bytes() == before
    return result.reason


def test_refusals() -> None:
    pair = channel(params_b=LocalParams(htlc_minimum_msat=1000, max_accepted_htlcs=5,
                                        max_htlc_value_in_flight_msat=100_000_000),
                   params_a=LocalParams(max_dust_htlc_exposure_msat=1_000_000))
    a, b = pair.a, pair.b
    R = RefusalReason
    assert refuse(a, 0) is R.AMOUNT_BELOW_MINIMUM
    assert refuse(a, 999) is R.AMOUNT_BELOW_MINIMUM
    assert refuse(a, 1_000_000, cltv=500_000_000) is R.EXPIRY_TOO_FAR
    assert refuse(a, 1_000_000, cltv=HEIGHT) is R.EXPIRY_TOO_SOON
    assert refuse(a, 100_000_001) is R.IN_FLIGHT_LIMIT
    # the fundee keeps the reserve A asks of it (1% = 10,000 sat)
    assert refuse(b, 290_000_001) is R.INSUFFICIENT_BALANCE
    # dust: 400 sat HTLCs are trimmed; the third would exceed 1,000 sat of exposure
    for i in range(2):
        a.offer(400_000, 10 + i)
    assert refuse(a, 400_000, n=12) is R.DUST_EXPOSURE
    for i in range(3):
        a.offer(2_000_000, 20 + i)
    assert refuse(a, 2_000_000, n=30) is R.TOO_MANY_HTLCS
    pair.flush()
    assert len(incoming(b)) == 5
    for e in b.events_of(HtlcIncoming):
        assert not e.dust_exposure_exceeded


def test_funder_keeps_fee_and_reserve() -> None:
    pair = channel(push_msat=0)
    a = pair.a
    assert refuse(a, 995_000_000) is RefusalReason.INSUFFICIENT_BALANCE
    can_send = a.c.status().can_send_msat
    assert 0 < can_send < 990_000_000
    assert refuse(a, can_send + 1) is RefusalReason.INSUFFICIENT_BALANCE
    a.offer(can_send, 1)
    pair.flush()
    assert incoming(pair.b) == [0]


def test_fundee_does_not_strand_the_funder() -> None:
    """The fundee refuses an HTLC the funder could not pay the commitment fee for."""
    pair = channel(push_msat=500_000_000)
    a, b = pair.a, pair.b
    can = a.c.status().can_send_msat
    a.offer(can, 1)
    pair.flush()
    b.apply(b.c.settle_htlc(0, preimage_of(1)))
    pair.flush()
    # A kept a fee spike buffer; a higher feerate eats it
    a.apply(a.c.update_fee(6000))
    pair.flush()
    assert a.c.data.base_feerate == 6000
    # A could not pay for one more HTLC output: B may not add one
    assert refuse(b, 100_000_000, n=2) is RefusalReason.INSUFFICIENT_BALANCE
    offered_id(b.offer(400_000, 3))  # a trimmed one adds no fee


def test_not_usable_while_disconnected_or_closing() -> None:
    pair = channel()
    a = pair.a
    pair.disconnect()
    assert refuse(a, 1_000_000) is RefusalReason.CHANNEL_NOT_USABLE
    pair.reconnect()
    a.apply(a.c.shutdown(a.c.data.close_script))
    assert refuse(a, 1_000_000) is RefusalReason.CHANNEL_NOT_USABLE


def test_keys_must_match() -> None:
    pair = channel()
    assert pair.a.persisted is not None
    with pytest.raises(ValueError):
        BoltChannel.from_bytes(pair.a.persisted, KEYS_B)
    BoltChannel.from_bytes(pair.a.persisted, KEYS_A)


# -- bad input never raises ----------------------------------------------------------------------

def _mutate(rng: random.Random, v: Any) -> Any:
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return rng.choice([0, 1, v + 1, v - 1, 2**32 - 1, 2**48, rng.randrange(2**16)])
    if isinstance(v, bytes):
        if not v:
            return bytes([rng.randrange(256)])
        buf = bytearray(v)
        buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
        return bytes(buf)
    if isinstance(v, tuple):
        return v[:-1] if v and rng.random() < 0.5 else v + v[:1]
    return v


def test_mutated_messages_never_raise() -> None:
    """Every message of a whole channel life, with one field mutated, delivered to a copy
    of its receiver as it was then: the core answers, it never raises."""
    rng = random.Random(1)
    captured: list[tuple[BoltChannel, Any]] = []
    pair = channel()
    a, b = pair.a, pair.b
    deliver = pair.deliver

    def capture(sender: Node) -> bool:
        if sender.outbox:
            captured.append((copy.deepcopy(pair.other(sender).c), sender.outbox[0]))
        return deliver(sender)
    pair.deliver = capture  # type: ignore[method-assign]
    for i in range(4):
        a.offer(3_000_000 + i, i)
        b.offer(2_000_000 + i, 100 + i)
    pair.flush()
    for i in range(4):
        b.apply(b.c.settle_htlc(i, preimage_of(i)))
    a.apply(a.c.update_fee(3000))
    pair.flush()
    a.apply(a.c.shutdown(a.c.data.close_script))
    pair.flush()
    assert len(captured) > 20
    for _ in range(1500):
        core, msg = rng.choice(captured)
        fields = [f.name for f in dataclasses.fields(msg) if f.name != "channel_id"]
        name = rng.choice(fields)
        mutated = dataclasses.replace(msg, **{name: _mutate(rng, getattr(msg, name))})
        copy.deepcopy(core).receive(mutated)
