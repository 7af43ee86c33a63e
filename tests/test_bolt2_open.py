"""Channel establishment v1 between two cores: both commitment formats, zero-conf, the
channel_type negotiation, the temporary -> real channel_id, the funding timeout, and a
refusal for each receiver check of `open_channel` and `accept_channel`."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from amiko.channels.bolt.core import BoltChannel
from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.bolt.opening import derive_channel_id
from amiko.channels.bolt.outputs import (
    BroadcastFunding,
    ChannelFailed,
    ForgetChannel,
    FundingNeeded,
    WatchFunding,
)
from amiko.channels.bolt.params import ChannelType, LocalParams
from amiko.channels.bolt.states import Phase
from amiko.channels.interface import ChannelState
from amiko.link.features import Features
from amiko.wire.messages import (
    AcceptChannel,
    AcceptChannelTlvs,
    ChannelReady,
    Error,
    FundingCreated,
    FundingSigned,
    OpenChannel,
    OpenChannelTlvs,
)
from tests.test_bolt2_harness import (
    CHAIN_HASH,
    FEATURES,
    FEERATE,
    HEIGHT,
    KEYS_A,
    KEYS_B,
    PEER_A,
    PEER_B,
    SCRIPT_A,
    SCRIPT_B,
    TEMP_ID,
    Node,
    Pair,
    open_channel,
    verify_commitment,
)

BAD_POINT = b"\x02" + b"\xff" * 32  # x >= p: not on the curve


def make_open(**kw: Any) -> tuple[BoltChannel, OpenChannel]:
    args: dict[str, Any] = dict(
        params=LocalParams(), keys=KEYS_A, peer_id=PEER_B, chain_hash=CHAIN_HASH,
        temporary_channel_id=TEMP_ID, funding_sat=1_000_000, push_msat=0,
        commitment_type=CommitmentType.ANCHORS, negotiated=FEATURES, feerate_per_kw=FEERATE,
        announce=False, upfront_shutdown_script=None, current_height=HEIGHT)
    args.update(kw)
    core, out = BoltChannel.open_outbound(**args)
    (msg,) = out.messages
    assert isinstance(msg, OpenChannel)
    return core, msg


def accept(msg: OpenChannel, params: LocalParams | None = None,
           features: Features = FEATURES) -> tuple[BoltChannel | None, list[Any]]:
    core, out = BoltChannel.accept_inbound(
        msg, params=params or LocalParams(), keys=KEYS_B, peer_id=PEER_A,
        chain_hash=CHAIN_HASH, negotiated=features, feerate_range=(253, 50_000),
        current_height=HEIGHT, upfront_shutdown_script=None)
    return core, out.messages


def refused(msg: OpenChannel, params: LocalParams | None = None,
            features: Features = FEATURES) -> str:
    core, messages = accept(msg, params, features)
    assert core is None
    (err,) = messages
    assert isinstance(err, Error) and err.channel_id == TEMP_ID
    return err.data.decode()


@pytest.mark.parametrize("ctype", list(CommitmentType))
def test_open_both_commitment_types(ctype: CommitmentType) -> None:
    pair = open_channel(commitment_type=ctype, push_msat=123_456_789)
    a, b = pair.a.c, pair.b.c
    assert a.commitment_type is ctype and b.commitment_type is ctype
    verify_commitment(a)
    verify_commitment(b)
    assert a.status().state is ChannelState.NORMAL
    assert a.status().local_msat == 1_000_000_000 - 123_456_789
    assert b.status().local_msat == 123_456_789
    assert b.status().remote_msat == a.status().local_msat


def test_funding_flow_events_and_ids() -> None:
    pair = open_channel(lock_in=False)
    a, b = pair.a, pair.b
    # temporary -> real channel_id, the same on both sides
    outpoint = a.c.funding_outpoint
    assert outpoint is not None
    assert a.c.channel_id == b.c.channel_id == derive_channel_id(outpoint.txid, outpoint.index)
    assert a.c.temporary_channel_id == b.c.temporary_channel_id == TEMP_ID
    # the opener broadcasts only after funding_signed, and that output persisted first
    (needed,) = a.events_of(FundingNeeded)
    assert needed.amount_sat == 1_000_000 and needed.script_pubkey == a.c.funding_script_pubkey
    (bf,) = a.events_of(BroadcastFunding)
    assert bf.tx is not None and bf.tx.txid == outpoint.txid
    assert a.persisted is not None and b.persisted is not None
    assert BoltChannel.from_bytes(a.persisted, KEYS_A).state is Phase.AWAIT_LOCKIN
    for n in (a, b):
        (watch,) = n.events_of(WatchFunding)
        assert watch.outpoint == outpoint and watch.min_depth == 3
    # channel_ready at minimum_depth, not before
    assert not a.apply(a.c.funding_depth(2, None)).messages
    out = a.apply(a.c.funding_depth(3, 42))
    assert [type(m) for m in out.messages] == [ChannelReady] and out.persist
    assert a.c.short_channel_id == 42
    pair.deliver(a)
    assert b.c.state is Phase.AWAIT_LOCKIN
    b.apply(b.c.funding_depth(3, 42))
    pair.deliver(b)
    assert a.c.state is Phase.NORMAL and b.c.state is Phase.NORMAL


def test_zero_conf() -> None:
    trusting = LocalParams(accept_zero_conf=True, minimum_depth=0)
    pair = open_channel(zero_conf=True, params_b=trusting, lock_in=False)
    pair.flush()
    assert pair.a.c.minimum_depth == 0
    assert pair.a.c.state is Phase.NORMAL and pair.b.c.state is Phase.NORMAL
    assert pair.a.c.channel_type == ChannelType(CommitmentType.ANCHORS, zero_conf=True)


def test_scid_alias_in_channel_ready() -> None:
    core_a, msg = make_open(scid_alias=True, local_alias=0xA1)
    assert ChannelType.from_bytes(msg.tlvs.channel_type or b"") == \
        ChannelType(CommitmentType.ANCHORS, scid_alias=True)
    core_b, out = BoltChannel.accept_inbound(
        msg, params=LocalParams(), keys=KEYS_B, peer_id=PEER_A, chain_hash=CHAIN_HASH,
        negotiated=FEATURES, feerate_range=(253, 50_000), current_height=HEIGHT,
        upfront_shutdown_script=None, local_alias=0xB2)
    assert core_b is not None
    a, b = Node("A", KEYS_A, core_a), Node("B", KEYS_B, core_b)
    b.apply(out)
    pair = Pair(a, b)
    pair.deliver(b)
    needed = a.events_of(FundingNeeded)[-1]
    from tests.test_bolt2_harness import OutPoint, Transaction, TxIn, TxOut
    tx = Transaction(inputs=(TxIn(OutPoint(bytes(32), 7), b"", 0),),
                     outputs=(TxOut(needed.amount_sat, needed.script_pubkey),))
    a.apply(a.c.funding_tx_ready(tx.txid, 0, tx))
    pair.flush()
    for n in (a, b):
        n.apply(n.c.funding_depth(3, None))
    pair.flush()
    assert a.c.remote_alias == 0xB2 and b.c.remote_alias == 0xA1
    assert a.c.status().short_channel_id == 0xB2


def test_upfront_shutdown_scripts_are_exchanged() -> None:
    pair = open_channel(upfront_a=SCRIPT_A, upfront_b=SCRIPT_B)
    assert pair.a.c.data.remote_upfront_script == SCRIPT_B
    assert pair.b.c.data.remote_upfront_script == SCRIPT_A


# -- our own requests that BOLT 2 forbids ---------------------------------------------------

@pytest.mark.parametrize("kw", [
    {"push_msat": 1_000_000_001},
    {"funding_sat": 1 << 24},
    {"announce": True, "scid_alias": True},
    {"commitment_type": CommitmentType.ANCHORS, "negotiated": Features.of(
        "option_static_remotekey")},
    {"upfront_shutdown_script": b"\x51\x20" + bytes(32), "negotiated": Features.of(
        "option_static_remotekey", "option_anchors")},
    {"funding_sat": 1_000, "feerate_per_kw": 10_000},
])
def test_open_outbound_rejects_bad_requests(kw: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        make_open(**kw)


# -- open_channel receiver checks ------------------------------------------------------------

def _tlvs(msg: OpenChannel, **kw: Any) -> OpenChannel:
    return dataclasses.replace(msg, tlvs=dataclasses.replace(msg.tlvs, **kw))


OPEN_CASES: list[tuple[str, Any, str]] = [
    ("unknown chain", lambda m: dataclasses.replace(m, chain_hash=bytes(32)), "chain_hash"),
    ("no channel_type", lambda m: _tlvs(m, channel_type=None), "no channel_type"),
    ("undefined type", lambda m: _tlvs(m, channel_type=b"\x10\x00\x00"), "not a defined"),
    ("no static_remotekey", lambda m: _tlvs(m, channel_type=b"\x40\x00\x00"), "not a defined"),
    ("scid_alias announced", lambda m: dataclasses.replace(_tlvs(
        m, channel_type=ChannelType(CommitmentType.ANCHORS, scid_alias=True).to_bytes()),
        channel_flags=1), "not suitable"),
    ("zero-conf untrusted", lambda m: _tlvs(
        m, channel_type=ChannelType(CommitmentType.ANCHORS, zero_conf=True).to_bytes()),
     "zero-conf"),
    ("large channel", lambda m: dataclasses.replace(m, funding_satoshis=1 << 24), "2^24"),
    ("funding too small", lambda m: dataclasses.replace(m, funding_satoshis=10_000,
                                                        channel_reserve_satoshis=546),
     "too small"),
    ("push > funding", lambda m: dataclasses.replace(m, push_msat=1_000_000_001), "push_msat"),
    ("feerate too low", lambda m: dataclasses.replace(m, feerate_per_kw=252), "feerate"),
    ("feerate too high", lambda m: dataclasses.replace(m, feerate_per_kw=50_001), "feerate"),
    ("dust > reserve", lambda m: dataclasses.replace(m, dust_limit_satoshis=600,
                                                     channel_reserve_satoshis=599),
     "greater than channel_reserve"),
    ("to_self_delay", lambda m: dataclasses.replace(m, to_self_delay=2017), "to_self_delay"),
    ("max_accepted > 483", lambda m: dataclasses.replace(m, max_accepted_htlcs=484), "483"),
    ("bad funding_pubkey", lambda m: dataclasses.replace(m, funding_pubkey=BAD_POINT),
     "funding_pubkey"),
    ("bad htlc_basepoint", lambda m: dataclasses.replace(m, htlc_basepoint=BAD_POINT),
     "htlc_basepoint"),
    ("bad first point", lambda m: dataclasses.replace(m, first_per_commitment_point=BAD_POINT),
     "first_per_commitment_point"),
    ("dust < 354", lambda m: dataclasses.replace(m, dust_limit_satoshis=353), "354"),
    ("htlc_minimum too large", lambda m: dataclasses.replace(m, htlc_minimum_msat=10**9),
     "htlc_minimum_msat"),
    ("in-flight too small", lambda m: dataclasses.replace(m, max_htlc_value_in_flight_msat=999),
     "max_htlc_value_in_flight_msat"),
    ("reserve too large", lambda m: dataclasses.replace(m, channel_reserve_satoshis=300_000),
     "channel_reserve_satoshis"),
    ("max_accepted too small", lambda m: dataclasses.replace(m, max_accepted_htlcs=4),
     "max_accepted_htlcs"),
    ("dust too large", lambda m: dataclasses.replace(m, dust_limit_satoshis=1001,
                                                     channel_reserve_satoshis=10_000),
     "dust_limit_satoshis"),
    ("funder cannot pay the fee", lambda m: dataclasses.replace(
        m, push_msat=999_000_000, feerate_per_kw=50_000), "fee"),
    ("both within reserve", lambda m: dataclasses.replace(
        m, funding_satoshis=40_000, push_msat=20_000_000, channel_reserve_satoshis=25_000),
     "reserve"),
    ("bad upfront script", lambda m: _tlvs(m, upfront_shutdown_script=b"\x6a\x01\x00"),
     "upfront_shutdown_script"),
]


@pytest.mark.parametrize("name,tamper,why", OPEN_CASES, ids=[c[0] for c in OPEN_CASES])
def test_open_channel_refused(name: str, tamper: Any, why: str) -> None:
    _, msg = make_open()
    assert accept(msg)[0] is not None  # the untouched message is fine
    assert why in refused(tamper(msg))


def test_open_channel_refused_with_dual_fund_negotiated() -> None:
    _, msg = make_open()
    assert "dual_fund" in refused(msg, features=FEATURES | Features.of("option_dual_fund"))


def test_open_channel_refused_when_anchors_not_negotiated() -> None:
    _, msg = make_open()
    assert "not suitable" in refused(msg, features=Features.of("option_static_remotekey"))


# -- accept_channel receiver checks ----------------------------------------------------------

def _atlvs(msg: AcceptChannel, **kw: Any) -> AcceptChannel:
    return dataclasses.replace(msg, tlvs=dataclasses.replace(msg.tlvs, **kw))


ACCEPT_CASES: list[tuple[str, Any, str]] = [
    ("minimum_depth", lambda m: dataclasses.replace(m, minimum_depth=145), "minimum_depth"),
    ("reserve < our dust", lambda m: dataclasses.replace(m, channel_reserve_satoshis=545),
     "below our dust limit"),
    ("our reserve < their dust", lambda m: dataclasses.replace(m, dust_limit_satoshis=600),
     "below the peer's dust limit"),
    ("no channel_type", lambda m: _atlvs(m, channel_type=None), "no channel_type"),
    ("other channel_type", lambda m: _atlvs(
        m, channel_type=ChannelType(CommitmentType.STATIC_REMOTEKEY).to_bytes()),
     "changed the channel_type"),
    ("to_self_delay", lambda m: dataclasses.replace(m, to_self_delay=5000), "to_self_delay"),
    ("max_accepted > 483", lambda m: dataclasses.replace(m, max_accepted_htlcs=500), "483"),
    ("bad revocation_basepoint", lambda m: dataclasses.replace(m, revocation_basepoint=BAD_POINT),
     "revocation_basepoint"),
    ("dust < 354", lambda m: dataclasses.replace(m, dust_limit_satoshis=300), "354"),
    ("other temporary id", lambda m: dataclasses.replace(m, temporary_channel_id=bytes(32)),
     "temporary_channel_id"),
]


@pytest.mark.parametrize("name,tamper,why", ACCEPT_CASES, ids=[c[0] for c in ACCEPT_CASES])
def test_accept_channel_refused(name: str, tamper: Any, why: str) -> None:
    core_a, msg = make_open(funding_sat=40_000)  # our reserve: the 546 sat dust limit
    core_b, messages = accept(msg, LocalParams(dust_limit_sat=546))
    assert core_b is not None
    (acc,) = messages
    a = Node("A", KEYS_A, core_a)
    out = a.apply(a.c.receive(tamper(acc)))
    (err,) = out.messages
    assert isinstance(err, Error) and why in err.data.decode()
    assert a.c.state is Phase.ABORTED
    assert a.events_of(ForgetChannel) and not a.events_of(FundingNeeded)


# -- funding_created / funding_signed --------------------------------------------------------

def _until_funding_created() -> tuple[Pair, FundingCreated]:
    core_a, msg = make_open()
    core_b, messages = accept(msg)
    assert core_b is not None
    a, b = Node("A", KEYS_A, core_a), Node("B", KEYS_B, core_b)
    a.apply(a.c.receive(messages[0]))
    needed = a.events_of(FundingNeeded)[-1]
    from tests.test_bolt2_harness import OutPoint, Transaction, TxIn, TxOut
    tx = Transaction(inputs=(TxIn(OutPoint(bytes(32), 1), b"", 0),),
                     outputs=(TxOut(needed.amount_sat, needed.script_pubkey),))
    (fc,) = a.apply(a.c.funding_tx_ready(tx.txid, 0, tx)).messages
    assert isinstance(fc, FundingCreated)
    return Pair(a, b), fc


def test_funding_tx_must_pay_the_channel() -> None:
    core_a, msg = make_open()
    core_b, messages = accept(msg)
    a = Node("A", KEYS_A, core_a)
    a.apply(a.c.receive(messages[0]))
    from tests.test_bolt2_harness import OutPoint, Transaction, TxIn, TxOut
    needed = a.events_of(FundingNeeded)[-1]
    tx = Transaction(inputs=(TxIn(OutPoint(bytes(32), 1), b"", 0),),
                     outputs=(TxOut(needed.amount_sat - 1, needed.script_pubkey),))
    with pytest.raises(ValueError):
        a.c.funding_tx_ready(tx.txid, 0, tx)
    assert a.c.state is Phase.WAIT_FUNDING_TX


def test_funding_created_with_bad_signature() -> None:
    pair, fc = _until_funding_created()
    b = pair.b
    out = b.apply(b.c.receive(dataclasses.replace(fc, signature=bytes(64))))
    assert isinstance(out.messages[0], Error) and b.c.state is Phase.ABORTED
    assert b.events_of(ForgetChannel) and not out.persist


def test_funding_signed_with_bad_signature_never_broadcasts() -> None:
    pair, fc = _until_funding_created()
    a, b = pair.a, pair.b
    (fs,) = b.apply(b.c.receive(fc)).messages
    assert isinstance(fs, FundingSigned)
    bad = dataclasses.replace(fs, signature=fs.signature[:32] + bytes(32))
    out = a.apply(a.c.receive(bad))
    assert isinstance(out.messages[0], Error) and a.c.state is Phase.ABORTED
    assert not a.events_of(BroadcastFunding) and not a.events_of(ChannelFailed)
    # the fundee remembers the channel (it sent funding_signed) until it times out
    assert b.c.state is Phase.AWAIT_LOCKIN


def test_fundee_forgets_unconfirmed_funding_after_2016_blocks() -> None:
    pair = open_channel(lock_in=False)
    b = pair.b
    assert not b.apply(b.c.block_height(HEIGHT + 2015)).events
    out = b.apply(b.c.block_height(HEIGHT + 2016))
    assert b.c.state is Phase.ABORTED and any(isinstance(e, ForgetChannel) for e in out.events)
    # the funder never forgets on its own
    a = pair.a
    a.apply(a.c.block_height(HEIGHT + 5000))
    assert a.c.state is Phase.AWAIT_LOCKIN


def test_confirmation_clears_the_funding_timeout() -> None:
    pair = open_channel(lock_in=False)
    b = pair.b
    b.apply(b.c.funding_depth(1, None))
    b.apply(b.c.block_height(HEIGHT + 3000))
    assert b.c.state is Phase.AWAIT_LOCKIN


def test_disconnect_before_funding_forgets_the_channel() -> None:
    core_a, msg = make_open()
    a = Node("A", KEYS_A, core_a)
    out = a.apply(a.c.peer_disconnected())
    assert a.c.state is Phase.ABORTED and any(isinstance(e, ForgetChannel) for e in out.events)


def test_channel_ready_is_retransmitted_after_reconnection() -> None:
    pair = open_channel(lock_in=False)
    a, b = pair.a, pair.b
    a.apply(a.c.funding_depth(3, None))
    a.outbox.clear()  # lost
    pair.disconnect()
    b.apply(b.c.funding_depth(3, None))  # while disconnected: goes out after reestablish
    pair.reconnect()
    pair.flush()
    assert a.c.state is Phase.NORMAL and b.c.state is Phase.NORMAL


def test_redundant_channel_ready_is_ignored() -> None:
    pair = open_channel()
    a = pair.a
    ready = ChannelReady(a.c.data.channel_id, KEYS_B.per_commitment_point(1))  # type: ignore[arg-type]
    out = a.apply(a.c.receive(ready))
    assert not out.messages and a.c.state is Phase.NORMAL


def test_accept_tlvs_type() -> None:
    assert AcceptChannelTlvs().channel_type is None and OpenChannelTlvs().channel_type is None
