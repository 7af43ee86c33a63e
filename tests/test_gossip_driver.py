"""The asyncio driver: link handlers for every gossip message, peers noticed from the
links, funding lookups, the timed flush, grouped writes to the store (two nodes over
in-memory links)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from amiko.bitcoin.networks import REGTEST
from amiko.link.features import Features
from amiko.routing.gossip.driver import GossipDriver
from amiko.routing.gossip.funding import FundingFacts
from amiko.routing.gossip.gossiper import GossipConfig, Gossiper
from amiko.routing.gossip.store import GossipStore
from amiko.routing.gossip.synth import FakeChain, SynthChannel, SynthNode
from amiko.routing.gossip.validation import Action
from amiko.routing.graph import Graph
from amiko.store.sqlite import Store
from amiko.wire.registry import decode_message
from amiko.wire.types import scid_from_parts

CHAIN = REGTEST.chain_hash


class Wire:
    """One direction of an in-memory connection: what is sent arrives at the other driver."""

    def __init__(self, local: bytes, remote: bytes) -> None:
        self.remote_id = remote
        self.local = local
        self.remote_features = Features.of("gossip_queries", "gossip_queries_ex")
        self.connected = True
        self.peer_driver: GossipDriver | None = None
        self.back: Wire | None = None
        self.sent = 0

    def send(self, msg: Any) -> bool:
        self.sent += 1
        if self.peer_driver is None or self.back is None:
            return True  # a peer we do not model: dropped
        decoded = decode_message(msg.encode())
        asyncio.get_running_loop().call_soon(self.peer_driver.on_message, self.back, decoded)
        return True

    def disconnect(self, reason: str) -> None:
        raise AssertionError(reason)


class TableLookup:
    """Funding facts from a table, as FundingLookup would give them from a chain."""

    def __init__(self, chain: FakeChain) -> None:
        self.chain = chain

    async def lookup(self, scids: list[int]) -> list[FundingFacts]:
        await asyncio.sleep(0)
        return [self.chain.facts.get(s, FundingFacts(s)) for s in scids]

    def forget_from(self, height: int) -> None:
        pass


def test_two_drivers_over_in_memory_links(tmp_path: Any) -> None:
    async def main() -> None:
        a, b, c = SynthNode.make("drv a"), SynthNode.make("drv b"), SynthNode.make("drv c")
        chain = FakeChain()
        cfg = {"flush_interval": 0.05}
        ga = Gossiper(GossipConfig(CHAIN, node_id=a.node_id, **cfg), Graph())  # type: ignore[arg-type]
        gb = Gossiper(GossipConfig(CHAIN, node_id=b.node_id, **cfg), Graph())  # type: ignore[arg-type]
        store = Store(str(tmp_path / "b.sqlite"))
        ab, ba = Wire(a.node_id, b.node_id), Wire(b.node_id, a.node_id)
        da = GossipDriver(ga, chain=None, port_of=lambda n: None, links=lambda: [ab], tick_seconds=0.01)
        db = GossipDriver(gb, chain=None, port_of=lambda n: None, links=lambda: [ba], tick_seconds=0.01,
                          store=GossipStore(store), write_interval=0.05)
        for d in (da, db):
            d.lookup = TableLookup(chain)  # type: ignore[assignment]
        ab.peer_driver, ab.back = db, ba
        ba.peer_driver, ba.back = da, ab
        assert set(da.handlers) == {256, 257, 258, 261, 262, 263, 264, 265}
        await da.start()
        await db.start()
        # both notice the connection from their link lists, and exchange filters
        for _ in range(100):
            if a.node_id in gb.peers and gb.peers[a.node_id].filter is not None \
                    and b.node_id in ga.peers and ga.peers[b.node_id].filter is not None:
                break
            await asyncio.sleep(0.01)
        assert gb.peers[a.node_id].filter is not None
        # A's channel with C: A announces it (C's side is not here); B learns it by relay
        ch = SynthChannel.make(CHAIN, scid_from_parts(650, 3, 1), a, c)
        chain.add([ch])
        assert da.announce_own(ch.announcement).action is Action.PENDING
        assert da.announce_own(ch.update(a, int(time.time()))).action is Action.PENDING
        assert da.announce_own(a.node_announcement(int(time.time()), "drv-a")).action is Action.PENDING
        for _ in range(300):
            if ch.scid in gb.graph and gb.graph.node(a.node_id) is not None:
                break
            await asyncio.sleep(0.01)
        info = gb.graph.channel(ch.scid)
        assert info is not None and info.capacity_sat == ch.capacity_sat
        node = gb.graph.node(a.node_id)
        assert node is not None and node.alias == "drv-a"
        # C's update comes from elsewhere (C is also B's peer) and reaches A at B's next flush
        bc = Wire(b.node_id, c.node_id)
        db.on_message(bc, ch.update(c, int(time.time())))  # type: ignore[arg-type]
        for _ in range(300):
            if ga.graph.policy_from(ch.scid, c.node_id) is not None:
                break
            await asyncio.sleep(0.01)
        assert ga.graph.policy_from(ch.scid, c.node_id) is not None
        await da.stop()
        await db.stop()
        # B's state was written in grouped commits
        assert GossipStore(store).counts() == (1, 2, 1)
        store.close()

    asyncio.run(main())
