"""The link (BOLT 1) as a pure state machine: two links wired back to back in memory."""

from __future__ import annotations

import random
import struct

import pytest

from amiko.link.channel_types import ChannelTypeRegistry
from amiko.link.core import (
    ALL_CHANNELS,
    Disconnect,
    Link,
    LinkConfig,
    LinkState,
    PeerSaid,
    Ready,
    Send,
)
from amiko.link.features import Features
from amiko.wire.messages import Error, Init, InitTlvs, Ping, Pong, WarningMsg
from amiko.wire.registry import decode_message
from tests.channel_types_for_tests import AlphaData, BetaData, alpha_type, beta_type

REGTEST = bytes.fromhex("06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f")
MAINNET = bytes.fromhex("6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000")


def make_link(registry=None, features=Features(), chains=(REGTEST,), **cfg) -> Link:
    return Link(
        remote_id=b"\x02" + bytes(32),
        config=LinkConfig(features=features, chain_hashes=chains, **cfg),
        registry=registry or ChannelTypeRegistry(),
        channels={},
        rng=random.Random(1),
    )


def sent(outputs) -> list:
    return [decode_message(o.data) for o in outputs if isinstance(o, Send)]


def disconnects(outputs) -> list[str]:
    return [o.reason for o in outputs if isinstance(o, Disconnect)]


def pump(a: Link, b: Link, outputs_a, outputs_b, now=0.0, rounds=10):
    """Deliver every Send between a and b until quiet; returns all non-Send outputs."""
    events = {"a": [], "b": []}
    for _ in range(rounds):
        if not outputs_a and not outputs_b:
            break
        next_b, next_a = [], []
        for o in outputs_a:
            if isinstance(o, Send):
                next_b += b.receive(o.data, now)
            else:
                events["a"].append(o)
        for o in outputs_b:
            if isinstance(o, Send):
                next_a += a.receive(o.data, now)
            else:
                events["b"].append(o)
        outputs_a, outputs_b = next_a, next_b
    return events


def connected_pair(reg_a=None, reg_b=None, fa=Features(), fb=Features(), **cfg):
    a, b = make_link(reg_a, fa, **cfg), make_link(reg_b, fb, **cfg)
    events = pump(a, b, a.start(0.0), b.start(0.0))
    return a, b, events


def init_bytes(features: bytes = b"", networks=(REGTEST,)) -> bytes:
    return Init(globalfeatures=b"", features=features, tlvs=InitTlvs(networks=networks)).encode()


def test_init_exchange_negotiates_features():
    fa = Features.of("gossip_queries") | Features.of("payment_secret", required=True)
    fb = Features.of("gossip_queries", "payment_secret", "basic_mpp")
    a, b, events = connected_pair(fa=fa, fb=fb)
    assert a.state is LinkState.ACTIVE and b.state is LinkState.ACTIVE
    ready_a = next(e for e in events["a"] if isinstance(e, Ready))
    assert ready_a.remote_features == fb
    assert set(ready_a.negotiated.names()) == {"gossip_queries", "payment_secret"}
    assert ready_a.remote_networks == (REGTEST,)
    assert b.features.requires("payment_secret")


def test_first_message_is_our_init_with_networks():
    a = make_link(features=Features.of("gossip_queries"))
    (msg,) = sent(a.start(0.0))
    assert isinstance(msg, Init)
    assert Features.from_bytes(msg.features) == Features.of("gossip_queries")
    assert msg.tlvs.networks == (REGTEST,)


def test_nothing_but_init_before_init():
    a = make_link()
    a.start(0.0)
    out = a.receive(Ping(num_pong_bytes=4, ignored=b"").encode(), 0.0)
    assert disconnects(out) == ["expected init, got message type 18"]
    assert a.state is LinkState.CLOSED
    # and a closed link ignores whatever comes after
    assert a.receive(init_bytes(), 0.0) == []


def test_channel_sends_wait_for_init():
    a = make_link()
    a.start(0.0)
    assert a.send(Ping(num_pong_bytes=1, ignored=b"")) is False
    assert a.take_outputs() == []


def test_unknown_even_feature_bit_in_init_errors_and_closes():
    a = make_link()
    a.start(0.0)
    out = a.receive(init_bytes(Features(1 << 100).to_bytes()), 0.0)
    (err,) = sent(out)
    assert isinstance(err, Error) and err.channel_id == ALL_CHANNELS
    assert b"unknown feature bit 100" in err.data
    assert disconnects(out) == ["peer requires unknown feature bit 100"]


def test_unknown_odd_feature_bit_is_fine():
    a = make_link()
    a.start(0.0)
    out = a.receive(init_bytes(Features(1 << 101).to_bytes()), 0.0)
    assert any(isinstance(o, Ready) for o in out)


def test_peer_requiring_what_we_lack_is_refused():
    a = make_link()
    a.start(0.0)
    out = a.receive(init_bytes(Features.of("option_zeroconf", "option_scid_alias", required=True).to_bytes()), 0.0)
    assert disconnects(out) and "that we lack" in disconnects(out)[0]


def test_wrong_chain_disconnects():
    a = make_link()
    a.start(0.0)
    out = a.receive(init_bytes(networks=(MAINNET,)), 0.0)
    assert disconnects(out) == ["no common chain in networks"]
    # a peer that lists several chains, ours among them, is fine
    b = make_link()
    b.start(0.0)
    assert any(isinstance(o, Ready) for o in b.receive(init_bytes(networks=(MAINNET, REGTEST)), 0.0))


def test_malformed_init_closes():
    a = make_link()
    a.start(0.0)
    truncated = struct.pack(">HH", 16, 5) + b"\x00"
    out = a.receive(truncated, 0.0)
    assert disconnects(out) and disconnects(out)[0].startswith("malformed message")


def test_unknown_odd_message_ignored_even_closes():
    a, b, _ = connected_pair()
    assert a.receive(struct.pack(">H", 32769) + b"whatever", 1.0) == []
    assert a.state is LinkState.ACTIVE
    assert a.receive(struct.pack(">H", 32770) + b"whatever", 1.0) == [Disconnect("unknown even message type 32770")]
    assert a.state is LinkState.CLOSED


def test_ping_pong():
    a, b, _ = connected_pair()
    (pong,) = sent(a.receive(Ping(num_pong_bytes=10, ignored=bytes(3)).encode(), 1.0))
    assert pong == Pong(ignored=bytes(10))
    # BOLT 1: num_pong_bytes >= 65532 -> MUST ignore the ping
    assert a.receive(Ping(num_pong_bytes=65532, ignored=b"").encode(), 1.0) == []
    (pong,) = sent(a.receive(Ping(num_pong_bytes=65531, ignored=b"").encode(), 1.0))
    assert len(pong.ignored) == 65531


def test_ping_flood_is_dropped():
    a, b, _ = connected_pair(max_pings_per_interval=5)
    for i in range(5):
        assert sent(a.receive(Ping(num_pong_bytes=0, ignored=b"").encode(), 1.0 + i / 10))
    out = a.receive(Ping(num_pong_bytes=0, ignored=b"").encode(), 1.6)
    assert disconnects(out) == ["too many pings"]


def test_idle_ping_then_pong_timeout_drops_peer():
    a, b, _ = connected_pair(ping_interval=30.0, pong_timeout=10.0)
    assert a.tick(10.0) == []
    (ping,) = sent(a.tick(31.0))
    assert isinstance(ping, Ping)
    # answered in time: connection stays
    pong = Pong(ignored=bytes(ping.num_pong_bytes)).encode()
    assert a.receive(pong, 35.0) == []
    assert a.tick(50.0) == []
    (ping2,) = sent(a.tick(66.0))
    # no answer: dropped (and channels are NOT failed: link_down only)
    assert disconnects(a.tick(76.0)) == ["peer did not answer ping"]


def test_pong_of_wrong_length_or_unsolicited_closes():
    a, b, _ = connected_pair()
    out = a.receive(Pong(ignored=b"\x00").encode(), 1.0)
    assert disconnects(out) == ["unsolicited pong"]
    assert isinstance(sent(out)[0], WarningMsg)


def test_init_timeout():
    a = make_link(init_timeout=5.0)
    a.start(0.0)
    assert a.tick(4.0) == []
    assert disconnects(a.tick(5.0)) == ["peer sent no init in time"]


def test_second_init_closes():
    a, b, _ = connected_pair()
    assert disconnects(a.receive(init_bytes(), 1.0)) == ["second init on one connection"]


def test_two_channel_types_share_one_link_each_gets_only_its_own():
    alpha_a, beta_a = alpha_type(), beta_type()
    alpha_b, beta_b = alpha_type(), beta_type()
    reg_a = ChannelTypeRegistry([alpha_a, beta_a])
    reg_b = ChannelTypeRegistry([alpha_b, beta_b])
    a, b, events = connected_pair(reg_a, reg_b, reg_a.features(), reg_b.features())
    assert set(a.features.names()) == {"test_channel_type_alpha", "test_channel_type_beta"}
    ca = alpha_a.open_to_peer(a, b"\xaa" * 32)
    cb = beta_a.open_to_peer(a, b"\xbb" * 32)
    pump(a, b, a.take_outputs(), [])
    (ra,) = alpha_b.opened
    (rb,) = beta_b.opened
    assert b.channels == {b"\xaa" * 32: ra, b"\xbb" * 32: rb}
    for i in range(5):
        a.send(AlphaData(channel_id=b"\xaa" * 32, data=b"alpha%d" % i))
        a.send(BetaData(channel_id=b"\xbb" * 32, data=b"beta%d" % i))
        b.send(AlphaData(channel_id=b"\xaa" * 32, data=b"back%d" % i))
    pump(a, b, a.take_outputs(), b.take_outputs())
    assert [m.data for m in ra.received[1:]] == [b"alpha%d" % i for i in range(5)]
    assert [m.data for m in rb.received[1:]] == [b"beta%d" % i for i in range(5)]
    assert all(isinstance(m, AlphaData) for m in ra.received[1:])
    assert all(isinstance(m, BetaData) for m in rb.received[1:])
    assert [m.data for m in ca.received] == [b"back%d" % i for i in range(5)]
    assert cb.received == []


def test_refused_open_registers_nothing():
    alpha = alpha_type()
    alpha.refuse = True
    a, b, _ = connected_pair(ChannelTypeRegistry([alpha_type()]), ChannelTypeRegistry([alpha]))
    a.send(AlphaData(channel_id=b"\x01" * 32))  # not an open: unknown channel, odd custom type
    from tests.channel_types_for_tests import AlphaOpen

    a.send(AlphaOpen(channel_id=b"\x01" * 32))
    pump(a, b, a.take_outputs(), [])
    assert b.channels == {}
    assert b.state is LinkState.ACTIVE


def test_unknown_channel_gets_error_for_spec_range():
    a, b, _ = connected_pair()
    # update_fee (type 134) for a channel b does not have
    from amiko.wire.messages import UpdateFee

    out = b.receive(UpdateFee(channel_id=b"\x07" * 32, feerate_per_kw=253).encode(), 1.0)
    (err,) = sent(out)
    assert isinstance(err, Error) and err.channel_id == b"\x07" * 32
    assert b.state is LinkState.ACTIVE


def test_error_fails_the_named_channel_or_all():
    alpha_a, alpha_b = alpha_type(), alpha_type()
    a, b, _ = connected_pair(ChannelTypeRegistry([alpha_a]), ChannelTypeRegistry([alpha_b]))
    alpha_a.open_to_peer(a, b"\x01" * 32)
    alpha_a.open_to_peer(a, b"\x02" * 32)
    pump(a, b, a.take_outputs(), [])
    c1, c2 = alpha_b.opened
    out = b.receive(Error(channel_id=b"\x01" * 32, data=b"bad thing").encode(), 1.0)
    assert [e for e in out if isinstance(e, PeerSaid)] == [PeerSaid("error", b"\x01" * 32, "bad thing")]
    assert c1.errors == [b"bad thing"] and c2.errors == []
    b.receive(Error(channel_id=b"\x09" * 32, data=b"unknown: ignored").encode(), 1.0)
    assert c1.errors == [b"bad thing"] and c2.errors == []
    b.receive(Error(channel_id=ALL_CHANNELS, data=b"\xff\x00").encode(), 1.0)
    assert c1.errors == [b"bad thing", b"\xff\x00"] and c2.errors == [b"\xff\x00"]
    # a warning fails nothing
    out = b.receive(WarningMsg(channel_id=ALL_CHANNELS, data=b"\x01hm").encode(), 1.0)
    assert [e.text for e in out if isinstance(e, PeerSaid)] == ["hex:01686d"]
    assert len(c1.errors) == 2


def test_handler_exception_does_not_kill_the_link():
    alpha_a, alpha_b = alpha_type(), alpha_type()
    a, b, _ = connected_pair(ChannelTypeRegistry([alpha_a]), ChannelTypeRegistry([alpha_b]))
    alpha_a.open_to_peer(a, b"\x01" * 32)
    pump(a, b, a.take_outputs(), [])
    (ch,) = alpha_b.opened

    def boom(msg):
        raise RuntimeError("bug")

    ch.handle_message = boom
    out = b.receive(AlphaData(channel_id=b"\x01" * 32).encode(), 1.0)
    (warning,) = sent(out)
    assert isinstance(warning, WarningMsg) and b"internal error" in warning.data
    assert b.state is LinkState.ACTIVE


def test_channels_hear_link_up_and_down():
    alpha_a, alpha_b = alpha_type(), alpha_type()
    a, b, _ = connected_pair(ChannelTypeRegistry([alpha_a]), ChannelTypeRegistry([alpha_b]))
    alpha_a.open_to_peer(a, b"\x01" * 32)
    pump(a, b, a.take_outputs(), [])
    (ch,) = alpha_b.opened
    b.connection_lost()
    assert ch.downs == 1
    # a new connection reuses the peer's channel table
    b2 = make_link(ChannelTypeRegistry([alpha_b]))
    b2.channels = b.channels
    a2 = make_link(ChannelTypeRegistry([alpha_a]))
    pump(a2, b2, a2.start(2.0), b2.start(2.0))
    assert ch.ups == 1 and ch.port is b2


@pytest.mark.parametrize("data", [b"", b"\x00", b"\x00\x10\x00"])
def test_garbage_before_init(data):
    a = make_link()
    a.start(0.0)
    out = a.receive(data, 0.0)
    assert disconnects(out)
