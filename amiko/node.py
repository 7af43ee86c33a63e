"""The node: the composition root that builds every layer and wires their events.

`Node` is also the Python API for embedding amiko in an application:

    node = Node(NodeConfig(datadir="/path/to/dir"))
    await node.start()
    await node.connect(peer_id, "127.0.0.1", 9735)
    ...
    await node.stop()
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

from amiko import __version__
from amiko.bitcoin.networks import Network, network_by_name
from amiko.crypto.keys import pubkey_of
from amiko.link.channel_types import ChannelType, ChannelTypeRegistry
from amiko.link.core import LinkConfig
from amiko.link.features import Features
from amiko.link.manager import BackoffPolicy, PeerManager, PeerRecord
from amiko.seed import NodeSeed
from amiko.store.peers import PeerTable
from amiko.store.sqlite import Store

log = logging.getLogger("amiko.node")


@dataclass
class NodeConfig:
    datadir: str
    network: str = "regtest"
    listen: tuple[str, int] | None = ("127.0.0.1", 9735)
    alias: str | None = None
    ping_interval: float = 60.0
    pong_timeout: float = 30.0
    handshake_timeout: float = 10.0
    reconnect_initial: float = 1.0
    reconnect_max: float = 60.0
    channel_types: list[ChannelType] = field(default_factory=list)
    extra_features: Features = field(default_factory=Features)


class Node:
    def __init__(self, config: NodeConfig) -> None:
        self.config = config
        self.network: Network = network_by_name(config.network)
        os.makedirs(config.datadir, mode=0o700, exist_ok=True)
        self.seed = NodeSeed.load_or_create(config.datadir)
        self.node_secret = self.seed.node_secret(self.network)
        self.node_id = pubkey_of(self.node_secret)
        self.alias = config.alias or f"amiko-{self.node_id[:3].hex()}"
        self.store = Store(os.path.join(config.datadir, "amiko.sqlite"))
        self.registry = ChannelTypeRegistry(config.channel_types)
        self.features = self.registry.features() | config.extra_features
        link_config = LinkConfig(
            features=self.features,
            chain_hashes=(self.network.chain_hash,),
            ping_interval=config.ping_interval,
            pong_timeout=config.pong_timeout,
        )
        self.peers = PeerManager(
            self.node_secret,
            link_config,
            self.registry,
            PeerTable(self.store),
            backoff=BackoffPolicy(config.reconnect_initial, config.reconnect_max),
            handshake_timeout=config.handshake_timeout,
        )
        self.started_at: float | None = None
        self._stopped = asyncio.Event()

    # -- lifecycle

    async def start(self) -> None:
        if self.config.listen is not None:
            await self.peers.listen(*self.config.listen)
        self.peers.start_reconnecting()
        self.started_at = time.time()
        log.info("node %s (%s) started on %s", self.node_id.hex(), self.alias, self.network.name)

    async def stop(self) -> None:
        await self.peers.stop()
        self.store.close()
        self._stopped.set()
        log.info("node stopped")

    async def wait_stopped(self) -> None:
        await self._stopped.wait()

    # -- peers

    async def connect(self, node_id: bytes, host: str, port: int) -> PeerRecord:
        if node_id == self.node_id:
            raise ValueError("cannot connect to ourselves")
        return await self.peers.connect(node_id, host, port)

    async def disconnect(self, node_id: bytes) -> None:
        await self.peers.disconnect(node_id)

    # -- views

    def info(self) -> dict[str, Any]:
        addr = self.peers.listen_address
        return {
            "id": self.node_id.hex(),
            "alias": self.alias,
            "network": self.network.name,
            "version": __version__,
            "listening": None if addr is None else f"{addr[0]}:{addr[1]}",
            "features": self.features.to_json(),
            "peers": sum(1 for p in self.peers.peers.values() if p.connected),
            "channel_types": self.registry.names(),
        }

    def peer_list(self) -> list[dict[str, Any]]:
        out = []
        for rec in self.peers.peers.values():
            out.append({
                "id": rec.node_id.hex(),
                "address": None if rec.host is None else f"{rec.host}:{rec.port}",
                "connected": rec.connected,
                "connection_address": rec.remote_address if rec.connected else None,
                "persistent": rec.persistent,
                "features": rec.remote_features.to_json(),
                "negotiated_features": rec.negotiated.to_json(),
                "channels": len(rec.channels),
                "last_error": rec.last_error or None,
            })
        return out
