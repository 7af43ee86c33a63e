"""The trust channel's driver hands HTLC events to the switch in the turn that made them,
as the Lightning channel's does: a lock both signed, and its settlement, reach the listener
before the state that produced them is committed (the listener's own writes commit with
it), and a settlement handed over is not kept in the stored outbox. Without a listener a
settlement is kept, and handed over by `resume` once there is one."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from amiko.channels.interface import (
    ONION_PACKET_SIZE,
    FailureReason,
    HtlcOffer,
    IncomingHtlc,
    Offered,
)
from amiko.channels.trust.data import Phase
from amiko.channels.trust.driver import TrustDriver
from amiko.store.channels import ChannelRow
from tests.test_trust_driver import FakePort, FakeStore, node, turn

PREIMAGE = b"\x05" * 32
PAYMENT_HASH = hashlib.sha256(PREIMAGE).digest()


class Listener:
    """Stands for the switch: records each event with the writes still waiting for a
    commit when it arrived; as the payee, settles an incoming lock at once."""

    def __init__(self, store: FakeStore, settle: bool = False) -> None:
        self.store, self.settle = store, settle
        self.calls: list[tuple[str, int, int]] = []  # (event, HTLC id, writes waiting)

    def htlc_arriving(self, channel: Any, htlc: IncomingHtlc) -> None:
        pass

    def htlc_incoming(self, channel: Any, htlc: IncomingHtlc) -> None:
        self.calls.append(("incoming", htlc.htlc_id, len(self.store.pending)))
        if self.settle:
            channel.settle_htlc(htlc.htlc_id, PREIMAGE)

    def htlc_settled(self, channel: Any, htlc_id: int, preimage: bytes) -> None:
        assert preimage == PREIMAGE
        self.calls.append(("settled", htlc_id, len(self.store.pending)))

    def htlc_failed(self, channel: Any, htlc_id: int, reason: FailureReason) -> None:
        self.calls.append(("failed", htlc_id, len(self.store.pending)))

    def channel_changed(self, channel: Any) -> None:
        pass


async def exchange(pairs: list[tuple[TrustDriver, FakePort, FakeStore]], rounds: int = 12) -> None:
    """Commit both stores and carry each side's new messages to the other, until quiet."""
    (da, port_ab, store_a), (db, port_ba, store_b) = pairs
    seen = {id(port_ab): 0, id(port_ba): 0}
    for _ in range(rounds):
        store_a.commit()
        store_b.commit()
        await turn()
        for port, to in ((port_ab, db), (port_ba, da)):
            new = port.sent[seen[id(port)]:]
            seen[id(port)] = len(port.sent)
            for msg in new:
                to.handle_message(msg)
        await turn()


async def opened_pair(listen_a: bool = True) -> tuple[Any, ...]:
    ta, store_a, id_a = node()
    tb, store_b, id_b = node({id_a: 1_000_000})
    la, lb = Listener(store_a), Listener(store_b, settle=True)
    if listen_a:
        ta.ctx.listener = la
    tb.ctx.listener = lb
    port_ab, port_ba = FakePort(id_b), FakePort(id_a)
    da = ta.open(port_ab, 2_000_000, 1_000_000)
    store_a.commit()
    await turn()
    db = tb.open_from_peer(port_ba, port_ab.sent[-1])
    assert db is not None
    pairs = [(da, port_ab, store_a), (db, port_ba, store_b)]
    await exchange(pairs)
    assert da.phase is Phase.NORMAL and db.phase is Phase.NORMAL
    return ta, da, db, la, lb, pairs


def test_a_lock_and_its_settlement_reach_the_listener_before_their_commit() -> None:
    async def main() -> None:
        ta, da, db, la, lb, pairs = await opened_pair()
        offer = HtlcOffer(50_000, PAYMENT_HASH, 500, bytes(ONION_PACKET_SIZE))
        assert isinstance(da.offer_htlc(offer), Offered)
        await exchange(pairs)
        # each event came while the state that produced it still waited for its commit
        assert [(e, i) for e, i, _ in lb.calls] == [("incoming", 0)]
        assert [(e, i) for e, i, _ in la.calls] == [("settled", 0)]
        assert lb.calls[0][2] >= 1 and la.calls[0][2] >= 1
        assert da.status().htlcs_in_flight == 0 and db.status().local_msat == 50_000
        # the settlement handed over was never kept: A's stored state has no outbox entry
        store_a = pairs[0][2]
        row = ChannelRow(da.row_id, "trust", da.peer_id, da.channel_id, store_a.rows[da.row_id][0], None, False)
        assert ta.restore(row).core.undelivered() == []

    asyncio.run(main())


def test_without_a_listener_a_settlement_is_kept_and_handed_over_by_resume() -> None:
    async def main() -> None:
        ta, da, db, la, lb, pairs = await opened_pair(listen_a=False)
        assert isinstance(da.offer_htlc(HtlcOffer(70_000, PAYMENT_HASH, 500, bytes(ONION_PACKET_SIZE))), Offered)
        await exchange(pairs)
        assert la.calls == [] and da.status().htlcs_in_flight == 0
        store_a = pairs[0][2]
        row = ChannelRow(da.row_id, "trust", da.peer_id, da.channel_id, store_a.rows[da.row_id][0], None, False)
        kept = ta.restore(row).core.undelivered()
        assert [(type(e).__name__, e.htlc_id) for e in kept] == [("HtlcSettled", 0)]
        # the listener arrives: resume hands the settlement over, and the outbox empties
        # in the state staged with it
        ta.ctx.listener = la
        da.resume()
        assert [(e, i) for e, i, _ in la.calls] == [("settled", 0)] and la.calls[0][2] >= 1
        store_a.commit()
        await turn()
        row = ChannelRow(da.row_id, "trust", da.peer_id, da.channel_id, store_a.rows[da.row_id][0], None, False)
        assert ta.restore(row).core.undelivered() == []
        da.resume()  # nothing is handed over twice
        assert len(la.calls) == 1

    asyncio.run(main())
