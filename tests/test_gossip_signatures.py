"""BOLT 7 signatures: our own announcements (announcement_signatures from both ends,
combined), channel_update and node_announcement signed with fresh keys and verified; every
signature tampered with is rejected with a warning to the peer; address descriptors."""

from __future__ import annotations

from dataclasses import replace

import pytest

from amiko.bitcoin.networks import REGTEST
from amiko.crypto.keys import pubkey_of
from amiko.link.features import Features
from amiko.routing.gossip.addresses import (
    Address,
    AddressType,
    address_from_text,
    encode_addresses,
    parse_addresses,
)
from amiko.routing.gossip.announcements import (
    ChannelKeys,
    announcement_if_ready,
    announcement_signatures,
    check_announcement_signatures,
    combine_announcement,
    encode_alias,
    make_channel_update,
    remote_signatures,
    sign_announcement,
)
from amiko.routing.gossip.gossiper import GossipConfig, Gossiper, LookupFunding, Send
from amiko.routing.gossip.synth import FakeChain, SynthChannel, SynthNode, secret_from
from amiko.routing.gossip.validation import (
    Action,
    check_channel_announcement,
    check_channel_update_signature,
    check_node_announcement_signature,
    decode_alias,
)
from amiko.routing.graph import Graph
from amiko.wire.messages import ChannelAnnouncement, ChannelUpdate, NodeAnnouncement, WarningMsg
from amiko.wire.registry import decode_message
from amiko.wire.types import ShortChannelId, scid_from_parts

CHAIN = REGTEST.chain_hash
NOW = 1_700_000_000
PEER = SynthNode.make("peer").node_id
SCID = scid_from_parts(500, 7, 1)


def fresh_gossiper() -> tuple[Gossiper, FakeChain]:
    g = Gossiper(GossipConfig(CHAIN), Graph())
    g.peer_connected(PEER, Features.of("gossip_queries"), NOW)
    g.take_outputs()
    return g, FakeChain()


def warnings_to(g: Gossiper, peer: bytes) -> list[str]:
    return [o.msg.data.decode() for o in g.take_outputs()
            if isinstance(o, Send) and o.peer == peer and isinstance(o.msg, WarningMsg)]


# -- announcement_signatures from both ends ---------------------------------------------------

@pytest.mark.parametrize("swap", [False, True])
def test_both_ends_sign_and_combine_the_same_announcement(swap: bool) -> None:
    a, b = SynthNode.make("alice"), SynthNode.make("bob")
    if swap:
        a, b = b, a
    fa, fb = secret_from("fa"), secret_from("fb")
    keys_a = ChannelKeys(CHAIN, SCID, a.node_id, b.node_id, pubkey_of(fa), pubkey_of(fb))
    keys_b = ChannelKeys(CHAIN, SCID, b.node_id, a.node_id, pubkey_of(fb), pubkey_of(fa))
    assert keys_a.unsigned() == keys_b.unsigned()
    sig_a = sign_announcement(keys_a, a.secret, fa)
    sig_b = sign_announcement(keys_b, b.secret, fb)
    msg_a = announcement_signatures(keys_a, b"\x11" * 32, sig_a)
    msg_b = announcement_signatures(keys_b, b"\x11" * 32, sig_b)
    # each side checks the other's announcement_signatures
    assert check_announcement_signatures(keys_a, msg_b) is None
    assert check_announcement_signatures(keys_b, msg_a) is None
    # not announced before 6 confirmations, nor without both signatures
    assert announcement_if_ready(keys_a, sig_a, remote_signatures(msg_b), 5) is None
    assert announcement_if_ready(keys_a, sig_a, None, 6) is None
    ann_a = announcement_if_ready(keys_a, sig_a, remote_signatures(msg_b), 6)
    ann_b = combine_announcement(keys_b, sig_b, remote_signatures(msg_a))
    assert ann_a == ann_b
    assert ann_a is not None
    assert ann_a.node_id_1 < ann_a.node_id_2
    raw = ann_a.encode()
    assert check_channel_announcement(ann_a, raw) is None
    assert decode_message(raw) == ann_a


def test_bad_announcement_signatures_are_caught() -> None:
    a, b = SynthNode.make("alice"), SynthNode.make("bob")
    fa, fb = secret_from("fa"), secret_from("fb")
    keys_a = ChannelKeys(CHAIN, SCID, a.node_id, b.node_id, pubkey_of(fa), pubkey_of(fb))
    keys_b = ChannelKeys(CHAIN, SCID, b.node_id, a.node_id, pubkey_of(fb), pubkey_of(fa))
    good = announcement_signatures(keys_b, bytes(32), sign_announcement(keys_b, b.secret, fb))
    assert check_announcement_signatures(keys_a, good) is None
    assert check_announcement_signatures(keys_a, replace(good, short_channel_id=ShortChannelId(SCID + 1)))
    assert check_announcement_signatures(keys_a, replace(good, node_signature=good.bitcoin_signature)) == "bad node_signature"
    assert check_announcement_signatures(keys_a, replace(good, bitcoin_signature=good.node_signature)) == "bad bitcoin_signature"
    # signing with keys that are not ours is refused
    with pytest.raises(ValueError):
        sign_announcement(keys_a, b.secret, fa)
    with pytest.raises(ValueError):
        sign_announcement(keys_a, a.secret, fb)


# -- channel_announcement through the gossiper ------------------------------------------------

def flip(sig: bytes) -> bytes:
    return sig[:-1] + bytes((sig[-1] ^ 1,))


@pytest.mark.parametrize("field", ["node_signature_1", "node_signature_2", "bitcoin_signature_1", "bitcoin_signature_2"])
def test_each_tampered_signature_is_rejected_with_a_warning(field: str) -> None:
    g, chain = fresh_gossiper()
    ch = SynthChannel.make(CHAIN, SCID, SynthNode.make("a"), SynthNode.make("b"))
    bad = replace(ch.announcement, **{field: flip(getattr(ch.announcement, field))})
    v = g.handle(PEER, bad, NOW)
    assert v.action is Action.REJECTED and field in v.reason
    assert warnings_to(g, PEER) == [f"gossip: bad {field}"]
    assert SCID not in g.graph and SCID not in g.pending
    # the genuine one still goes through
    assert g.handle(PEER, ch.announcement, NOW).action is Action.PENDING
    assert [o for o in g.take_outputs() if isinstance(o, LookupFunding)] == [LookupFunding(SCID)]


def test_tampered_fields_break_the_signatures() -> None:
    ch = SynthChannel.make(CHAIN, SCID, SynthNode.make("a"), SynthNode.make("b"))
    ann = ch.announcement
    for changed in (replace(ann, short_channel_id=ShortChannelId(SCID + 1)), replace(ann, features=b"\x02"),
                    replace(ann, bitcoin_key_1=ann.bitcoin_key_2), replace(ann, extension=b"\x00")):
        assert check_channel_announcement(changed, changed.encode()) is not None


def test_announcement_rules_before_signatures() -> None:
    g, _ = fresh_gossiper()
    ch = SynthChannel.make(CHAIN, SCID, SynthNode.make("a"), SynthNode.make("b"))
    ann = ch.announcement
    assert g.handle(PEER, replace(ann, chain_hash=bytes(32)), NOW).reason == "unknown chain_hash"
    swapped = replace(ann, node_id_1=ann.node_id_2, node_id_2=ann.node_id_1)
    v = g.handle(PEER, swapped, NOW)
    assert v.action is Action.REJECTED and "lesser" in v.reason
    # features are signed: changed ones fail the signatures (and poison nothing)
    assert g.handle(PEER, replace(ann, features=b"\x01\x00"), NOW).action is Action.REJECTED
    assert g.handle(PEER, ann, NOW).action is Action.PENDING


def test_unknown_even_channel_feature_is_not_taken() -> None:
    g, _ = fresh_gossiper()
    a, b = SynthNode.make("a"), SynthNode.make("b")
    odd = SynthChannel.make(CHAIN, SCID, a, b, features=b"\x02")  # bit 1: odd, fine
    assert g.handle(PEER, odd.announcement, NOW).action is Action.PENDING
    even = SynthChannel.make(CHAIN, SCID + 1, a, b, features=b"\x01\x00")  # bit 8: even, unknown
    v = g.handle(PEER, even.announcement, NOW)
    # BOLT #7: MUST NOT attempt to route messages through the channel.
    assert v.action is Action.IGNORED and "unknown even feature bits [8]" in v.reason
    assert g.handle(PEER, even.announcement, NOW).action is Action.IGNORED


def test_future_fields_are_signed_and_kept_byte_for_byte() -> None:
    a, b = SynthNode.make("a"), SynthNode.make("b")
    fa, fb = secret_from("x"), secret_from("y")
    extra = b"\x01\x02\x03"
    ka = ChannelKeys(CHAIN, SCID, a.node_id, b.node_id, pubkey_of(fa), pubkey_of(fb))
    kb = ChannelKeys(CHAIN, SCID, b.node_id, a.node_id, pubkey_of(fb), pubkey_of(fa))
    # sign over an announcement that carries extra trailing bytes
    from amiko.crypto.keys import sign
    from amiko.routing.gossip.validation import channel_announcement_hash

    unsigned = replace(ka.unsigned(), extension=extra)
    h = channel_announcement_hash(unsigned.encode())
    s1, s2 = (a, fa), (b, fb)
    if not ka.local_is_node_1:
        s1, s2 = s2, s1
    ann = replace(unsigned, node_signature_1=sign(s1[0].secret, h), node_signature_2=sign(s2[0].secret, h),
                  bitcoin_signature_1=sign(s1[1], h), bitcoin_signature_2=sign(s2[1], h))
    raw = ann.encode()
    decoded = decode_message(raw)
    assert isinstance(decoded, ChannelAnnouncement) and decoded.extension == extra
    assert decoded.encode() == raw
    assert check_channel_announcement(decoded, raw) is None
    assert check_channel_announcement(replace(decoded, extension=b""), ka.unsigned().encode()) is not None
    assert kb.unsigned() == ka.unsigned()


# -- channel_update ------------------------------------------------------------------------------

def test_channel_update_signed_by_the_right_end() -> None:
    a, b = SynthNode.make("a"), SynthNode.make("b")
    ch = SynthChannel.make(CHAIN, SCID, a, b)
    for sender, other in ((a, b), (b, a)):
        upd = ch.update(sender, NOW)
        raw = upd.encode()
        assert upd.channel_flags & 1 == (0 if sender.node_id < other.node_id else 1)
        assert upd.message_flags == 1  # must_be_one
        assert check_channel_update_signature(upd, raw, sender.node_id)
        assert not check_channel_update_signature(upd, raw, other.node_id)
        bad = replace(upd, fee_base_msat=upd.fee_base_msat + 1)
        assert not check_channel_update_signature(bad, bad.encode(), sender.node_id)
    with pytest.raises(ValueError):
        make_channel_update(a.secret, CHAIN, SCID, b.node_id, NOW, cltv_expiry_delta=40, htlc_minimum_msat=10,
                            htlc_maximum_msat=9, fee_base_msat=0, fee_proportional_millionths=0)


def accept_channel(g: Gossiper, chain: FakeChain, ch: SynthChannel) -> None:
    chain.add([ch])
    assert g.handle(PEER, ch.announcement, NOW).action is Action.PENDING
    chain.answer(g, g.take_outputs(), NOW)
    assert SCID in g.graph


def test_tampered_channel_update_is_rejected_with_a_warning() -> None:
    g, chain = fresh_gossiper()
    a, b = SynthNode.make("a"), SynthNode.make("b")
    ch = SynthChannel.make(CHAIN, SCID, a, b)
    accept_channel(g, chain, ch)
    upd = ch.update(a, NOW)
    forged = replace(upd, signature=flip(upd.signature))
    v = g.handle(PEER, forged, NOW)
    assert v.action is Action.REJECTED
    assert warnings_to(g, PEER) == ["gossip: bad channel_update signature"]
    # claiming the other direction: checked against the other node's key
    other_dir = replace(upd, channel_flags=upd.channel_flags ^ 1)
    assert g.handle(PEER, other_dir, NOW).action is Action.REJECTED
    assert g.handle(PEER, upd, NOW).action is Action.ACCEPTED
    d = upd.channel_flags & 1
    p = g.graph.policy(SCID, d)
    assert p is not None and p.fee_base_msat == 1000 and p.timestamp == NOW
    assert g.graph.policy(SCID, 1 - d) is None


# -- node_announcement ----------------------------------------------------------------------------

ADDRS = [
    Address(AddressType.IPV4, "203.0.113.7", 9735),
    Address(AddressType.IPV6, "2001:db8::1", 9736),
    Address(AddressType.TORV3, "vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd.onion", 9737),
    Address(AddressType.DNS, "node.example.com", 9738),
]


def test_node_announcement_signed_and_parsed() -> None:
    g, chain = fresh_gossiper()
    a, b = SynthNode.make("a"), SynthNode.make("b")
    accept_channel(g, chain, SynthChannel.make(CHAIN, SCID, a, b))
    na = a.node_announcement(NOW, "Ålice ⚡", rgb_color=b"\x01\x02\x03", addresses=list(reversed(ADDRS)),
                             features=Features.of("var_onion_optin").to_bytes())
    raw = na.encode()
    assert check_node_announcement_signature(na, raw)
    assert decode_alias(na.alias) == "Ålice ⚡"
    assert g.handle(PEER, na, NOW).action is Action.ACCEPTED
    info = g.graph.node(a.node_id)
    assert info is not None
    assert info.alias == "Ålice ⚡" and info.rgb_color == b"\x01\x02\x03"
    assert info.addresses == ("203.0.113.7:9735", "[2001:db8::1]:9736",
                              "vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd.onion:9737",
                              "node.example.com:9738")
    assert g.node_raw[a.node_id] == raw
    # tampered: rejected with a warning, nothing changes
    newer = a.node_announcement(NOW + 1, "Mallory")
    v = g.handle(PEER, replace(newer, signature=flip(newer.signature)), NOW)
    assert v.action is Action.REJECTED
    assert warnings_to(g, PEER) == ["gossip: bad node_announcement signature"]
    assert g.graph.node(a.node_id) == info
    # outdated, or for a node without a channel: ignored
    assert g.handle(PEER, a.node_announcement(NOW - 1, "old"), NOW).action is Action.IGNORED
    stranger = SynthNode.make("stranger").node_announcement(NOW)
    assert g.handle(PEER, stranger, NOW).reason == "node without a known channel"


def test_malformed_addresses_rejected_with_a_warning() -> None:
    g, chain = fresh_gossiper()
    a, b = SynthNode.make("a"), SynthNode.make("b")
    accept_channel(g, chain, SynthChannel.make(CHAIN, SCID, a, b))
    from amiko.crypto.keys import sign
    from amiko.routing.gossip.validation import node_announcement_hash

    unsigned = NodeAnnouncement(bytes(64), b"", NOW, a.node_id, bytes(3), encode_alias("a"), b"\x01\x7f\x00")
    signed = replace(unsigned, signature=sign(a.secret, node_announcement_hash(unsigned.encode())))
    v = g.handle(PEER, signed, NOW)
    assert v.action is Action.REJECTED and "addrlen" in v.reason
    assert warnings_to(g, PEER)


def test_address_descriptor_rules() -> None:
    enc = encode_addresses(ADDRS)
    assert enc[0] == 1 and parse_addresses(enc).addresses == tuple(ADDRS)
    assert [address_from_text(str(x)) for x in ADDRS] == ADDRS
    # port 0 ignored, Tor v2 skipped, unknown type ends the list
    port0 = b"\x01" + bytes(4) + b"\x00\x00"
    torv2 = b"\x03" + bytes(10) + b"\x00\x01"
    v4 = ADDRS[0].encode()
    p = parse_addresses(port0 + torv2 + v4 + b"\x09junk" + v4)
    assert p.addresses == (ADDRS[0],) and not p.malformed and p.forwardable
    # a known type cut short is malformed
    assert parse_addresses(v4[:-1]).malformed
    assert parse_addresses(b"\x05").malformed
    assert parse_addresses(b"\x05\x05abc").malformed
    # two DNS names: the second ignored, the announcement not forwarded
    dns2 = ADDRS[3].encode() + Address(AddressType.DNS, "other.example", 1).encode()
    p = parse_addresses(dns2)
    assert p.addresses == (ADDRS[3],) and not p.forwardable
    # non-ASCII hostname is dropped
    assert parse_addresses(b"\x05\x02\xc3\xa5\x00\x01").addresses == ()
    with pytest.raises(ValueError):
        encode_addresses([ADDRS[3], ADDRS[3]])
    with pytest.raises(ValueError):
        Address(AddressType.IPV4, "1.2.3.4", 0).encode()


def test_alias_handling() -> None:
    assert encode_alias("x" * 40) == b"x" * 32
    assert encode_alias("é" * 17) == "é".encode() * 16 + b"\x00" * 0  # cut on a character boundary
    assert len(encode_alias("é" * 17)) == 32
    assert decode_alias(b"ok\xff\x00\x00") == "ok\ufffd"
    assert decode_alias(b"a\x07b\n" + bytes(28)) == "ab"


def test_unsigned_update_decodes_and_reencodes() -> None:
    ch = SynthChannel.make(CHAIN, SCID, SynthNode.make("a"), SynthNode.make("b"))
    upd = ch.update(ch.a, NOW)
    assert decode_message(upd.encode()) == upd
    assert isinstance(decode_message(upd.encode()), ChannelUpdate)
