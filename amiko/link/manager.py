"""Peers: one connection per peer, incoming and outgoing, and reconnection with backoff.

The manager keeps, for every peer it knows, the peer's channel table (which outlives
connections), its address and whether we keep a connection to it. A peer we connected
to on purpose, or hold channels with, is *persistent*: after a disconnect we reconnect
with exponential backoff. Where addresses are stored is the node's business (`PeerBook`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from amiko.link.channel_types import ChannelHandler, ChannelTypeRegistry
from amiko.link.core import Link, LinkConfig, MessageHandler, PeerSaid, Ready
from amiko.link.features import Features
from amiko.link.peer import PeerConnection
from amiko.transport.connection import NoiseConnection, connect, start_server

log = logging.getLogger("amiko.link")


class PeerBook(Protocol):
    """Durable peer records (the node implements it over its store)."""

    def save_peer(self, node_id: bytes, host: str, port: int, persistent: bool) -> None: ...

    def set_persistent(self, node_id: bytes, persistent: bool) -> None: ...

    def save_features(self, node_id: bytes, features: bytes) -> None: ...

    def load_peers(self) -> list[tuple[bytes, str, int, bool]]: ...


@dataclass
class PeerRecord:
    node_id: bytes
    host: str | None = None
    port: int | None = None
    persistent: bool = False
    channels: dict[bytes, ChannelHandler] = field(default_factory=dict)
    connection: PeerConnection | None = None
    remote_features: Features = field(default_factory=Features)
    negotiated: Features = field(default_factory=Features)
    last_error: str = ""
    connected_since: float | None = None
    remote_address: str | None = None  # of the current connection (incoming ones too)
    reconnect_task: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        return self.connection is not None and self.connection.link.connected

    @property
    def wanted(self) -> bool:
        return self.persistent or bool(self.channels)


@dataclass
class BackoffPolicy:
    initial: float = 1.0
    maximum: float = 60.0
    factor: float = 2.0

    def delays(self) -> Callable[[], float]:
        delay = self.initial

        def next_delay() -> float:
            nonlocal delay
            d = delay * (0.75 + random.random() / 2)  # jitter, so peers do not sync up
            delay = min(self.maximum, delay * self.factor)
            return d

        return next_delay


class PeerManager:
    def __init__(
        self,
        node_secret: bytes,
        link_config: LinkConfig,
        registry: ChannelTypeRegistry,
        book: PeerBook,
        *,
        handlers: dict[int, MessageHandler] | None = None,
        backoff: BackoffPolicy | None = None,
        handshake_timeout: float = 10.0,
        tick_seconds: float = 1.0,
    ) -> None:
        self._secret = node_secret
        self.link_config = link_config
        self.registry = registry
        self.book = book
        self.handlers = handlers if handlers is not None else {}
        self.backoff = backoff or BackoffPolicy()
        self.handshake_timeout = handshake_timeout
        self.tick_seconds = tick_seconds
        self.peers: dict[bytes, PeerRecord] = {}
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[object]] = set()
        self._stopping = False
        self.listen_address: tuple[str, int] | None = None
        for node_id, host, port, persistent in book.load_peers():
            self.peers[node_id] = PeerRecord(node_id, host, port, persistent)

    # -- lifecycle

    async def listen(self, host: str, port: int) -> tuple[str, int]:
        self._server = await start_server(
            host, port, self._secret, self._incoming, handshake_timeout=self.handshake_timeout
        )
        sock = self._server.sockets[0].getsockname()
        self.listen_address = (sock[0], sock[1])
        log.info("listening for peers on %s:%d", *self.listen_address)
        return self.listen_address

    def start_reconnecting(self) -> None:
        """Reconnect to every persistent peer known from the book."""
        for rec in self.peers.values():
            if rec.wanted and rec.host is not None:
                self._schedule_reconnect(rec, immediately=True)

    async def stop(self) -> None:
        self._stopping = True
        if self._server is not None:
            self._server.close()
        for rec in self.peers.values():
            if rec.reconnect_task is not None:
                rec.reconnect_task.cancel()
            if rec.connection is not None:
                rec.connection.close("node stopping")
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    # -- commands

    async def connect(self, node_id: bytes, host: str, port: int, *, persistent: bool = True) -> PeerRecord:
        """Connect (or confirm an existing connection) and wait until `init` is done."""
        rec = self.record(node_id)
        rec.host, rec.port = host, port
        rec.persistent = rec.persistent or persistent
        self.book.save_peer(node_id, host, port, rec.persistent)
        if rec.connected:
            return rec
        await self._dial(rec)
        return rec

    async def disconnect(self, node_id: bytes) -> None:
        rec = self.peers.get(node_id)
        if rec is None or rec.connection is None:
            raise KeyError("peer is not connected")
        rec.persistent = False
        self.book.set_persistent(node_id, False)
        if rec.reconnect_task is not None:
            rec.reconnect_task.cancel()
        conn = rec.connection
        conn.close("disconnect requested")
        await asyncio.wait_for(asyncio.shield(conn.closed), 5)

    def port_of(self, node_id: bytes) -> Link | None:
        rec = self.peers.get(node_id)
        if rec is None or rec.connection is None:
            return None
        return rec.connection.link

    # -- internals

    def record(self, node_id: bytes) -> PeerRecord:
        """The record of a peer, created on first sight."""
        rec = self.peers.get(node_id)
        if rec is None:
            rec = self.peers[node_id] = PeerRecord(node_id)
        return rec

    async def _dial(self, rec: PeerRecord) -> None:
        assert rec.host is not None and rec.port is not None
        conn = await connect(
            rec.host, rec.port, self._secret, rec.node_id, handshake_timeout=self.handshake_timeout
        )
        pc = self._attach(rec, conn)
        await asyncio.shield(pc.ready)

    async def _incoming(self, conn: NoiseConnection) -> None:
        rec = self.record(conn.remote_pubkey)
        pc = self._attach(rec, conn)
        try:
            await asyncio.shield(pc.closed)
        except asyncio.CancelledError:
            pc.close("node stopping")

    def _attach(self, rec: PeerRecord, conn: NoiseConnection) -> PeerConnection:
        if self._stopping:
            conn.close()
            raise ConnectionError("node is stopping")
        old = rec.connection
        if old is not None:
            # One connection per peer: the newer one wins (the peer may have restarted).
            old.close("replaced by a newer connection")
        link = Link(
            remote_id=rec.node_id,
            config=self.link_config,
            registry=self.registry,
            channels=rec.channels,
            handlers=self.handlers,
            rng=random.Random(os.urandom(8)),
        )
        pc = PeerConnection(
            conn, link, on_ready=self._ready, on_peer_said=self._peer_said, tick_seconds=self.tick_seconds
        )
        rec.connection = pc
        peer = conn.peername
        rec.remote_address = f"{peer[0]}:{peer[1]}" if peer else None
        task = asyncio.ensure_future(self._run(rec, pc))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return pc

    async def _run(self, rec: PeerRecord, pc: PeerConnection) -> None:
        reason = await pc.run()
        rec.last_error = reason
        if rec.connection is pc:
            rec.connection = None
            rec.connected_since = None
            log.info("peer %s disconnected: %s", rec.node_id.hex(), reason)
            if rec.wanted and not self._stopping:
                self._schedule_reconnect(rec)

    def _ready(self, pc: PeerConnection, ready: Ready) -> None:
        rec = self.record(pc.node_id)
        rec.remote_features = ready.remote_features
        rec.negotiated = ready.negotiated
        rec.connected_since = time.time()
        rec.last_error = ""
        self.book.save_features(rec.node_id, ready.remote_features.to_bytes())
        log.info(
            "peer %s connected (%s), features %s",
            rec.node_id.hex(),
            "outgoing" if pc.conn.is_initiator else "incoming",
            ",".join(ready.negotiated.names()) or "none",
        )

    def _peer_said(self, pc: PeerConnection, said: PeerSaid) -> None:
        rec = self.record(pc.node_id)
        rec.last_error = f"peer {said.kind}: {said.text}"

    def _schedule_reconnect(self, rec: PeerRecord, immediately: bool = False) -> None:
        if rec.reconnect_task is not None and not rec.reconnect_task.done():
            return
        rec.reconnect_task = asyncio.ensure_future(self._reconnect_loop(rec, immediately))

    async def _reconnect_loop(self, rec: PeerRecord, immediately: bool) -> None:
        next_delay = self.backoff.delays()
        first = True
        while rec.wanted and not rec.connected and not self._stopping:
            if not (first and immediately):
                await asyncio.sleep(next_delay())
            first = False
            if rec.connected or rec.host is None or rec.port is None:
                return
            try:
                await self._dial(rec)
                return
            except (TimeoutError, OSError, ConnectionError) as e:
                rec.last_error = f"reconnect failed: {e}"
                log.info("reconnect to %s failed: %s", rec.node_id.hex(), e)
            except Exception as e:
                rec.last_error = f"reconnect failed: {e}"
                log.info("reconnect to %s failed: %s", rec.node_id.hex(), e)
