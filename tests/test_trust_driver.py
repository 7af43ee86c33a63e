"""The trust channel driver: persist before send (a signature leaves only once the state it
commits to is durable), the feature gate, one proposal per event-loop turn, restore."""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

import pytest

from amiko.channels.interface import ONION_PACKET_SIZE, HtlcOffer, Offered
from amiko.channels.trust.channel_type import (
    TRUST_FEATURES,
    TrustChannelType,
    TrustContext,
    TrustPolicy,
)
from amiko.channels.trust.data import Phase
from amiko.channels.trust.messages import (
    TrustAccept,
    TrustAck,
    TrustOpen,
    TrustReestablish,
    TrustRefuse,
    TrustSign,
    TrustUpdate,
)
from amiko.channels.trust.outputs import Outputs
from amiko.channels.trust.service import TrustError, parse_accept_option
from amiko.crypto.keys import pubkey_of
from amiko.link.features import Features
from amiko.store.channels import ChannelRow
from amiko.wire.registry import decode_message

CHAIN = b"\x06" * 32


@dataclass
class FakeStore:
    """A store whose commits the test completes by hand."""

    rows: dict[int, tuple[bytes, bool]] = field(default_factory=dict)
    pending: list[tuple[asyncio.Future[None], int, bytes, bool]] = field(default_factory=list)
    counter: int = 0

    def next_key_index(self) -> int:
        self.counter += 1
        return self.counter

    def save(self, row_id: int, type_name: str, peer_id: bytes, channel_id: bytes, state: bytes, *,
             closed: bool = False) -> asyncio.Future[None]:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending.append((fut, row_id, state, closed))
        return fut

    def fail(self) -> None:
        for fut, *_ in self.pending:
            fut.set_exception(OSError("disk full"))
        self.pending.clear()

    def commit(self) -> None:
        for fut, row_id, state, closed in self.pending:
            self.rows[row_id] = (state, closed)
            fut.set_result(None)
        self.pending.clear()


@dataclass
class FakePort:
    node_id: bytes
    features: Features = TRUST_FEATURES
    connected: bool = True
    sent: list[Any] = field(default_factory=list)
    channels: dict[bytes, Any] = field(default_factory=dict)
    disconnects: list[str] = field(default_factory=list)

    def send(self, msg: Any) -> bool:
        if not self.connected:
            return False
        self.sent.append(decode_message(msg.encode()))
        return True

    def disconnect(self, reason: str) -> None:
        self.disconnects.append(reason)

    def register_channel(self, channel_id: bytes, handler: Any) -> None:
        assert self.channels.get(channel_id, handler) is handler
        self.channels[channel_id] = handler

    def rename_channel(self, old_id: bytes, new_id: bytes) -> None:
        self.channels[new_id] = self.channels.pop(old_id)

    def forget_channel(self, channel_id: bytes) -> None:
        self.channels.pop(channel_id, None)


def node(accept: dict[bytes, int] | None = None) -> tuple[TrustChannelType, FakeStore, bytes]:
    secret = os.urandom(32)
    store = FakeStore()
    ctx = TrustContext(channels=store, node_secret=secret, node_id=pubkey_of(secret), chain_hash=CHAIN,
                       policy=TrustPolicy(dict(accept or {})), reopen_delay=0.05)
    return TrustChannelType(ctx), store, pubkey_of(secret)


async def turn() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_signatures_leave_only_after_durable_writes():
    async def main():
        ta, store_a, id_a = node()
        tb, store_b, id_b = node({id_a: 1_000_000})
        port_ab, port_ba = FakePort(id_b), FakePort(id_a)
        da = ta.open(port_ab, 2_000_000, 1_000_000)
        await turn()
        assert port_ab.sent == []  # the open waits for its row
        store_a.commit()
        await turn()
        (open_msg,) = port_ab.sent
        assert isinstance(open_msg, TrustOpen)
        db = tb.open_from_peer(port_ba, open_msg)
        assert db is not None
        await turn()
        assert port_ba.sent == []  # our signature of state 0 waits for state 0 to be stored
        store_b.commit()
        await turn()
        (accept,) = port_ba.sent
        assert isinstance(accept, TrustAccept)
        da.handle_message(accept)
        await turn()
        assert len(port_ab.sent) == 1  # the counter-signature waits too
        store_a.commit()
        await turn()
        assert isinstance(port_ab.sent[-1], TrustAck)
        db.handle_message(port_ab.sent[-1])
        store_b.commit()
        await turn()
        assert da.phase is Phase.NORMAL and db.phase is Phase.NORMAL

        # many locks in one turn ride in one proposal
        for i in range(5):
            h = hashlib.sha256(bytes([i])).digest()
            assert isinstance(da.offer_htlc(HtlcOffer(1000 + i, h, 500, bytes(ONION_PACKET_SIZE))), Offered)
        await turn()
        store_a.commit()
        await turn()
        updates = [m for m in port_ab.sent if isinstance(m, TrustUpdate)]
        assert len(updates) == 1 and len(updates[0].changes) == 5
        db.handle_message(updates[0])
        await turn()
        assert not any(isinstance(m, TrustSign) for m in port_ba.sent)
        # the row B stores holds the state it signs
        store_b.commit()
        await turn()
        sign = port_ba.sent[-1]
        assert isinstance(sign, TrustSign) and sign.number == 1
        stored = tb.restore(ChannelRow(1, "trust", id_a, db.channel_id, store_b.rows[1][0], None, False))
        assert stored.core.data.pending is not None and stored.core.data.pending.state.number == 1

    asyncio.run(main())


def test_nothing_leaves_after_a_failed_write():
    async def main():
        ta, store_a, id_a = node()
        tb, store_b, id_b = node({id_a: 1000})
        port_ab, port_ba = FakePort(id_b), FakePort(id_a)
        ta.open(port_ab, 1000, 1000)
        store_a.commit()
        await turn()
        db = tb.open_from_peer(port_ba, port_ab.sent[0])
        assert db is not None
        await turn()
        store_b.fail()  # state 0 could not be stored: B's signature must not leave
        await turn()
        assert port_ba.sent == [] and port_ba.disconnects
        # a retransmission without a write of its own does not leave either
        db.handle_message(TrustReestablish(db.channel_id, 0))
        await turn()
        assert port_ba.sent == []
        # once a write succeeds again, the (whole) state is durable and messages flow
        db.apply(Outputs(persist=True))
        store_b.commit()
        await turn()
        db.handle_message(TrustReestablish(db.channel_id, 0))
        await turn()
        assert [type(m) for m in port_ba.sent] == [TrustAccept]

    asyncio.run(main())


def test_feature_gate_and_default_refusal():
    async def main():
        ta, store_a, id_a = node()
        tb, store_b, id_b = node()  # accepts nobody
        bare = FakePort(id_b, features=Features())
        with pytest.raises(ConnectionError):
            ta.open(bare, 1000)
        port_ba = FakePort(id_a)
        da = ta.open(FakePort(id_b), 1000)
        store_a.commit()
        await turn()
        msg = TrustOpen(da.channel_id, CHAIN, da.core.data.nonce, 1000, 0)
        # without the negotiated feature the open is ignored silently
        assert tb.open_from_peer(FakePort(id_a, features=Features()), msg) is None
        # with it, the default policy refuses, saying why
        assert tb.open_from_peer(port_ba, msg) is None
        assert isinstance(port_ba.sent[0], TrustRefuse)
        da.handle_message(port_ba.sent[0])
        store_a.commit()
        await turn()
        assert da.phase is Phase.REFUSED and da.closed
        assert store_a.rows[da.row_id][1] is True  # stored as closed
        # a restored channel whose peer stopped offering the feature stays silent
        row = ChannelRow(da.row_id, "trust", id_b, da.channel_id, store_a.rows[da.row_id][0], None, False)
        again = ta.restore(row)
        silent = FakePort(id_b, features=Features())
        again.link_up(silent)
        store_a.commit()
        await turn()
        assert silent.sent == []

    asyncio.run(main())


def test_opener_resends_open_when_the_peer_never_stored_it():
    async def main():
        ta, store_a, id_a = node()
        tb, store_b, id_b = node({id_a: 0})
        port = FakePort(id_b)
        da = ta.open(port, 5000)
        await turn()
        port.connected = False  # the open is lost with the connection
        store_a.commit()
        await turn()
        assert port.sent == []
        da.link_down()
        port2 = FakePort(id_b)
        da.link_up(port2)
        await turn()
        assert isinstance(port2.sent[0], TrustReestablish) and port2.sent[0].next_number == 0
        await asyncio.sleep(0.1)  # the peer stays silent: it never had the channel
        await turn()
        assert isinstance(port2.sent[-1], TrustOpen)
        db = tb.open_from_peer(FakePort(id_a), port2.sent[-1])
        assert db is not None

    asyncio.run(main())


def test_parse_accept_option():
    node_id = "02" + "ab" * 32
    assert parse_accept_option(f"{node_id}:5000") == (bytes.fromhex(node_id), 5000)
    for bad in ("", node_id, f"{node_id}:", f"{node_id}:1.5", f"{node_id}:-1", "zz:1", "02ab:1"):
        with pytest.raises(TrustError):
            parse_accept_option(bad)
