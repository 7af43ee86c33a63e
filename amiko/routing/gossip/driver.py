"""The asyncio side of gossip: feeds the `Gossiper` messages, time and chain events, and
carries out its outputs (sends through the peers' links, funding lookups on the chain,
grouped writes to the store).

Wiring:

    driver = GossipDriver(gossiper, chain=None, port_of=peers.port_of,
                          links=lambda: [r.connection.link for r in peers.peers.values() if r.connected],
                          store=GossipStore(store))
    peers.handlers.update(driver.handlers)      # the dict every Link shares; before connecting
    ... at start, once the chain backend exists:
    driver.attach_chain(backend)
    backend.subscribe(driver)                   # block_connected / block_disconnected
    await driver.start()  ...  await driver.stop()

New connections are noticed from `links()` within a tick (1 s); calling
`driver.peer_connected(link)` from the peer manager's ready hook makes it immediate.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from amiko.bitcoin.block import Block
from amiko.link.core import Link, MessageHandler
from amiko.routing.gossip.funding import FundingChain, FundingFacts, FundingLookup
from amiko.routing.gossip.gossiper import DropPeer, Gossiper, LookupFunding, Send
from amiko.routing.gossip.store import GossipStore
from amiko.routing.gossip.validation import Verdict
from amiko.wire.messages import (
    ChannelAnnouncement,
    ChannelUpdate,
    GossipTimestampFilter,
    NodeAnnouncement,
    QueryChannelRange,
    QueryShortChannelIds,
    ReplyChannelRange,
    ReplyShortChannelIdsEnd,
)

log = logging.getLogger("amiko.gossip")

GOSSIP_MESSAGES = (
    ChannelAnnouncement,
    NodeAnnouncement,
    ChannelUpdate,
    QueryShortChannelIds,
    ReplyShortChannelIdsEnd,
    QueryChannelRange,
    ReplyChannelRange,
    GossipTimestampFilter,
)

SIGNED_GOSSIP = (ChannelAnnouncement, ChannelUpdate, NodeAnnouncement)
MAX_BURST = 1000  # messages handled as one burst at most


class GossipDriver:
    def __init__(
        self,
        gossiper: Gossiper,
        *,
        chain: FundingChain | None,
        port_of: Callable[[bytes], Link | None],
        links: Callable[[], Iterable[Link]] | None = None,
        store: GossipStore | None = None,
        clock: Callable[[], float] = time.time,
        tick_seconds: float = 1.0,
        write_interval: float = 5.0,
    ) -> None:
        self.gossiper = gossiper
        self.lookup: FundingLookup | None = None if chain is None else FundingLookup(chain)
        self.port_of = port_of
        self.links = links
        self.store = store
        self.clock = clock
        self.tick_seconds = tick_seconds
        self.write_interval = write_interval
        self._links: dict[bytes, Link] = {}
        self._lookups: list[int] = []
        self._lookup_wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._last_write = 0.0
        self._burst: list[tuple[bytes, Any]] = []

    def attach_chain(self, chain: FundingChain) -> None:
        """The chain to check funding outputs on (when it is only known at start)."""
        self.lookup = FundingLookup(chain)

    @property
    def handlers(self) -> dict[int, MessageHandler]:
        """For `Link.handlers` / `PeerManager.handlers`: every gossip and query message."""
        return {cls.TYPE: self.on_message for cls in GOSSIP_MESSAGES}

    # -- inputs ----------------------------------------------------------------------------

    def on_message(self, link: Link, msg: Any) -> None:
        """Signed gossip waits for the end of the read it came in (the messages the loop
        hands over before it turns), to be handled as one burst (`Gossiper.handle_many`:
        signatures checked together, on every core); anything else is handled at once,
        after the burst before it."""
        self._ensure_peer(link)
        if isinstance(msg, SIGNED_GOSSIP):
            self._burst.append((link.remote_id, msg))
            if len(self._burst) >= MAX_BURST:
                self.handle_burst()
            elif len(self._burst) == 1:
                try:
                    asyncio.get_running_loop().call_soon(self.handle_burst)
                except RuntimeError:  # no loop (a synchronous caller): now
                    self.handle_burst()
            return
        self.handle_burst()
        self.gossiper.handle(link.remote_id, msg, self.clock())
        self.run_outputs()

    def handle_burst(self) -> None:
        """Handle the signed gossip received since the last call, in order."""
        burst, self._burst = self._burst, []
        if not burst:
            return
        now = self.clock()
        for peer, group in itertools.groupby(burst, key=lambda item: item[0]):
            msgs = [m for _, m in group]
            try:
                self.gossiper.handle_many(peer, msgs, now)
            except Exception:  # a bug of ours: log it, keep the messages after it
                log.exception("gossip from %s failed (%d messages)", peer.hex(), len(msgs))
        self.run_outputs()

    def peer_connected(self, link: Link) -> None:
        """Call when a link finishes `init` (also noticed within a tick when `links` is
        given)."""
        self._links[link.remote_id] = link
        self.gossiper.peer_connected(link.remote_id, link.remote_features, self.clock())
        self.run_outputs()

    def peer_disconnected(self, node_id: bytes) -> None:
        self._links.pop(node_id, None)
        self.gossiper.peer_disconnected(node_id)

    def announce_own(self, msg: ChannelAnnouncement | ChannelUpdate | NodeAnnouncement,
                     *, funding_sat: int | None = None) -> Verdict:
        v = self.gossiper.announce_own(msg, self.clock(), funding_sat=funding_sat)
        self.run_outputs()
        return v

    async def block_connected(self, height: int, block: Block) -> None:
        spent = self.gossiper.block_connected(height, block.txs)
        if spent:
            log.info("funding outputs of %d channel(s) spent at height %d", len(spent), height)
        self.run_outputs()

    async def block_disconnected(self, height: int, block_hash: bytes) -> None:
        self.gossiper.block_disconnected(height)
        if self.lookup is not None:
            self.lookup.forget_from(height)

    def _ensure_peer(self, link: Link) -> None:
        if self._links.get(link.remote_id) is not link:
            self.peer_connected(link)

    # -- outputs ---------------------------------------------------------------------------

    def run_outputs(self) -> None:
        for out in self.gossiper.take_outputs():
            if isinstance(out, Send):
                link = self._links.get(out.peer) or self.port_of(out.peer)
                if link is not None:
                    link.send(out.msg)
            elif isinstance(out, LookupFunding):
                self._lookups.append(out.scid)
                self._lookup_wake.set()
            elif isinstance(out, DropPeer):
                link = self._links.get(out.peer) or self.port_of(out.peer)
                log.info("dropping peer %s: %s", out.peer.hex(), out.reason)
                if link is not None:
                    link.disconnect(out.reason)

    # -- tasks -----------------------------------------------------------------------------

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._ticker(), name="gossip-tick"),
            asyncio.create_task(self._funding_worker(), name="gossip-funding"),
        ]

    async def stop(self) -> None:
        self.handle_burst()
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._tasks = []
        await self.write_now()

    async def write_now(self) -> None:
        if self.store is None:
            self.gossiper.take_writes()
            return
        writes = self.gossiper.take_writes()
        if writes:
            await asyncio.to_thread(self.store.apply, writes)

    def reconcile_links(self) -> None:
        if self.links is None:
            return
        current = {link.remote_id: link for link in self.links() if link.connected}
        for node_id in [n for n in self._links if n not in current]:
            self.peer_disconnected(node_id)
        for node_id, link in current.items():
            if self._links.get(node_id) is not link:
                self.peer_connected(link)

    async def _ticker(self) -> None:
        while True:
            try:
                self.reconcile_links()
                now = self.clock()
                self.gossiper.tick(now)
                self.run_outputs()
                if now - self._last_write >= self.write_interval:
                    self._last_write = now
                    await self.write_now()
            except Exception:
                log.exception("gossip tick failed")
            await asyncio.sleep(self.tick_seconds)

    async def _funding_worker(self) -> None:
        while True:
            await self._lookup_wake.wait()
            self._lookup_wake.clear()
            await self.resolve_pending()

    async def resolve_pending(self) -> None:
        """Carry out every funding lookup asked for so far (and those they lead to)."""
        while self._lookups:
            scids, self._lookups = self._lookups, []
            await self.resolve(scids)

    async def resolve(self, scids: list[int]) -> None:
        """Look the funding outputs up and hand the facts to the gossiper."""
        if self.lookup is None:
            facts = [FundingFacts(s, error="no chain") for s in scids]
        else:
            facts = await self.lookup.lookup(scids)
        self.gossiper.funding_results(facts, self.clock())
        self.run_outputs()
