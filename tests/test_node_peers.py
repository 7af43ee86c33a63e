"""Nodes over real TCP with BOLT 8: connecting, features, channel types sharing a link,
and peers that send bad input."""

from __future__ import annotations

import asyncio
import logging
import os
import struct

import pytest

from amiko.crypto.keys import pubkey_of
from amiko.crypto.noise import InitiatorHandshake
from amiko.link.features import Features
from amiko.node import Node, NodeConfig
from amiko.wire.messages import Init, InitTlvs
from tests.channel_types_for_tests import AlphaData, BetaData, alpha_type, beta_type

REGTEST = bytes.fromhex("06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f")


def make_node(tmp_path, name, **kw) -> Node:
    """A node with only the test channel types given: the link's own behaviour in view."""
    kw.setdefault("lightning", False)
    kw.setdefault("trust", False)
    kw.setdefault("gossip", False)
    return Node(NodeConfig(datadir=str(tmp_path / name), listen=("127.0.0.1", 0),
                           reconnect_initial=0.1, reconnect_max=0.5, handshake_timeout=2.0, **kw))


def port_of(node: Node) -> int:
    assert node.peers.listen_address is not None
    return node.peers.listen_address[1]


async def wait_for(cond, timeout=5.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not cond():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


def test_seed_file_is_private_and_stable(tmp_path):
    a = make_node(tmp_path, "a")
    mode = os.stat(tmp_path / "a" / "seed").st_mode & 0o777
    assert mode == 0o600
    node_id = a.node_id
    a.store.close()
    again = make_node(tmp_path, "a")
    assert again.node_id == node_id
    again.store.close()


def test_connect_negotiates_and_reconnects(tmp_path):
    async def main():
        fa = Features.of("gossip_queries")
        a = make_node(tmp_path, "a", extra_features=fa)
        b = make_node(tmp_path, "b", extra_features=Features.of("gossip_queries", "option_quiesce"))
        await a.start()
        await b.start()
        port_b = port_of(b)
        rec = await a.connect(b.node_id, "127.0.0.1", port_b)
        # what both offer (every node offers receiving multi-part payments), not what one does
        both = ["gossip_queries", "payment_secret", "basic_mpp"]
        assert rec.negotiated.names() == both
        await wait_for(lambda: b.node_id.hex() in {p["id"] for p in a.peer_list() if p["connected"]})
        await wait_for(lambda: a.node_id.hex() in {p["id"] for p in b.peer_list() if p["connected"]})
        (pb,) = b.peer_list()
        assert pb["negotiated_features"]["names"] == both
        assert set(pb["features"]["names"]) == set(both)
        # B goes away and comes back on the same port: A reconnects by itself
        await b.stop()
        await wait_for(lambda: not a.peer_list()[0]["connected"])
        b2 = Node(NodeConfig(datadir=str(tmp_path / "b"), listen=("127.0.0.1", port_b), lightning=False,
                             trust=False, gossip=False))
        await b2.start()
        assert b2.node_id == b.node_id
        await wait_for(lambda: a.peer_list()[0]["connected"], timeout=10)
        # an explicit disconnect stops the reconnecting
        await a.disconnect(b.node_id)
        await asyncio.sleep(0.5)
        assert not a.peer_list()[0]["connected"]
        await a.stop()
        await b2.stop()

    asyncio.run(main())


def test_two_channel_types_on_one_tcp_link(tmp_path):
    async def main():
        ta, tb = alpha_type(), beta_type()
        ra, rb = alpha_type(), beta_type()
        a = make_node(tmp_path, "a", channel_types=[ta, tb])
        b = make_node(tmp_path, "b", channel_types=[ra, rb])
        await a.start()
        await b.start()
        await a.connect(b.node_id, "127.0.0.1", port_of(b))
        link = a.peers.port_of(b.node_id)
        assert link is not None
        ta.open_to_peer(link, b"\xaa" * 32)
        tb.open_to_peer(link, b"\xbb" * 32)
        for i in range(20):
            link.send(AlphaData(channel_id=b"\xaa" * 32, data=b"a%d" % i))
            link.send(BetaData(channel_id=b"\xbb" * 32, data=b"b%d" % i))
        await wait_for(lambda: len(ra.opened) == 1 and len(ra.opened[0].received) == 21
                       and len(rb.opened) == 1 and len(rb.opened[0].received) == 21)
        assert [m.data for m in ra.opened[0].received[1:]] == [b"a%d" % i for i in range(20)]
        assert [m.data for m in rb.opened[0].received[1:]] == [b"b%d" % i for i in range(20)]
        assert {type(m) for m in ra.opened[0].received[1:]} == {AlphaData}
        assert {type(m) for m in rb.opened[0].received[1:]} == {BetaData}
        await a.stop()
        await b.stop()

    asyncio.run(main())


# -- bad peers ---------------------------------------------------------------------------------

async def raw_handshake(port: int, remote_id: bytes):
    """An attacker's initiator: completes BOLT 8 and returns (reader, writer, cipher)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    secret = os.urandom(32)
    hs = InitiatorHandshake(secret, remote_id, os.urandom(32))
    writer.write(hs.act_one())
    act_two = await reader.readexactly(50)
    writer.write(hs.act_two_receive(act_two))
    await writer.drain()
    return reader, writer, hs.result()


async def read_frame(reader, cipher) -> bytes:
    n = cipher.decrypt_length(await reader.readexactly(18))
    return cipher.decrypt_body(await reader.readexactly(n + 16))


async def closed(reader, timeout=3.0) -> bool:
    """True when the node closed the connection (EOF) in time."""
    try:
        while True:
            data = await asyncio.wait_for(reader.read(4096), timeout)
            if not data:
                return True
    except (ConnectionError, asyncio.IncompleteReadError):
        return True


async def garbage(port, node_id):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(os.urandom(50))
    return reader, writer


async def wrong_version(port, node_id):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    hs = InitiatorHandshake(os.urandom(32), node_id, os.urandom(32))
    writer.write(b"\x01" + hs.act_one()[1:])
    return reader, writer


async def truncated_frame(port, node_id):
    reader, writer, cipher = await raw_handshake(port, node_id)
    frame = cipher.encrypt(Init(globalfeatures=b"", features=b"").encode())
    writer.write(frame[:25])
    await writer.drain()
    writer.write_eof()
    return reader, writer


async def bad_mac(port, node_id):
    reader, writer, cipher = await raw_handshake(port, node_id)
    frame = bytearray(cipher.encrypt(Init(globalfeatures=b"", features=b"").encode()))
    frame[-1] ^= 1
    writer.write(bytes(frame))
    return reader, writer


async def unknown_even_message(port, node_id):
    reader, writer, cipher = await raw_handshake(port, node_id)
    init = Init(globalfeatures=b"", features=b"", tlvs=InitTlvs(networks=(REGTEST,)))
    writer.write(cipher.encrypt(init.encode()))
    writer.write(cipher.encrypt(struct.pack(">H", 32770) + b"surprise"))
    return reader, writer


async def unknown_even_feature(port, node_id):
    reader, writer, cipher = await raw_handshake(port, node_id)
    init = Init(globalfeatures=b"", features=Features(1 << 100).to_bytes())
    writer.write(cipher.encrypt(init.encode()))
    return reader, writer


BAD_PEERS = {
    "garbage": (garbage, "act 1"),
    "wrong handshake version": (wrong_version, "version"),
    "truncated frame": (truncated_frame, "closed"),
    "bad MAC": (bad_mac, "MAC"),
    "unknown even message": (unknown_even_message, "unknown even message type 32770"),
    "unknown even feature bit": (unknown_even_feature, "unknown feature bit 100"),
}


@pytest.mark.parametrize("kind", list(BAD_PEERS))
def test_bad_peer_loses_only_its_connection(tmp_path, caplog, kind):
    attack, expected_log = BAD_PEERS[kind]

    async def main():
        a = make_node(tmp_path, "a")
        b = make_node(tmp_path, "b")
        await a.start()
        await b.start()
        await b.connect(a.node_id, "127.0.0.1", port_of(a))
        with caplog.at_level(logging.DEBUG):
            reader, writer = await attack(port_of(a), a.node_id)
            assert await closed(reader)
            writer.close()
        reasons = " | ".join(r.getMessage() for r in caplog.records if r.name.startswith("amiko"))
        assert expected_log.lower() in reasons.lower(), reasons
        # the good peer is still connected, and keeps working
        assert b.node_id.hex() in {p["id"] for p in a.peer_list() if p["connected"]}
        link = a.peers.port_of(b.node_id)
        link.ping(asyncio.get_running_loop().time())
        link.on_output()
        await asyncio.sleep(0.2)
        assert link.connected and link._ping_outstanding is None
        assert a.info()["peers"] == 1
        await a.stop()
        await b.stop()

    asyncio.run(main())


def test_init_with_unknown_even_feature_gets_error_message(tmp_path):
    async def main():
        a = make_node(tmp_path, "a")
        await a.start()
        reader, writer, cipher = await raw_handshake(port_of(a), a.node_id)
        their_init = await read_frame(reader, cipher)
        assert their_init[:2] == b"\x00\x10"
        writer.write(cipher.encrypt(Init(globalfeatures=b"", features=Features(1 << 100).to_bytes()).encode()))
        err = await read_frame(reader, cipher)
        assert err[:2] == struct.pack(">H", 17) and b"unknown feature bit 100" in err
        assert await closed(reader)
        writer.close()
        await a.stop()

    asyncio.run(main())


def test_identity_is_the_handshake_key(tmp_path):
    a = make_node(tmp_path, "a")
    assert pubkey_of(a.node_secret) == a.node_id
    a.store.close()
