"""The trust channel as a channel type: what the link and the node know of it.

`TrustChannelType` answers a peer's `trust_open` (by the accept policy), opens trust lines
towards peers (`open`) and restores them after a restart (`restore`). `TrustContext` is
what a trust channel needs from the node: the store, the node's identity key, the chain
for settlement, the listener its HTLC events go to.

Negotiation: the type offers feature `amiko_trust_channel` (bits 2466/2467, optional). A
peer that does not offer it never receives a trust message; a `trust_open` from a peer
that did not negotiate it is ignored.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from amiko.channels.interface import ChannelListener
from amiko.channels.trust.core import TrustChannel
from amiko.channels.trust.driver import FEATURE_NAME, TrustDriver
from amiko.channels.trust.messages import TrustOpen, TrustRefuse
from amiko.crypto.hashes import sha256
from amiko.link.channel_types import PeerPort
from amiko.link.features import Features, register_feature
from amiko.store.channels import ChannelRow
from amiko.wire.primitives import MAX_MSAT

log = logging.getLogger("amiko.channels.trust")

# A high, unround pair in the range no BOLT assigns; we offer the odd (optional) bit.
TRUST_FEATURE_BIT = 2466
register_feature(FEATURE_NAME, TRUST_FEATURE_BIT)
TRUST_FEATURES = Features(1 << (TRUST_FEATURE_BIT + 1))


class SettlementChain(Protocol):
    """The chain as settlement needs it (the node's wallet and backend behind it)."""

    async def pay(self, address: str, amount_sat: int) -> bytes:
        """Pay `amount_sat` to `address` from the wallet; returns the txid (internal order)."""
        ...

    async def confirmations(self, txid: bytes) -> int:
        """0 while unconfirmed or unknown."""
        ...

    async def paid_to(self, txid: bytes, address: str) -> int:
        """How many sat `txid` pays to `address` (0 if unknown)."""
        ...


class ChannelStore(Protocol):
    """What of `amiko.store.channels.ChannelTable` a trust channel uses."""

    def next_key_index(self) -> int: ...

    def save(self, row_id: int, type_name: str, peer_id: bytes, channel_id: bytes, state: bytes, *,
             closed: bool = False) -> Any: ...


@dataclass
class TrustPolicy:
    """Whom we accept trust lines from: `accept_from[node_id]` is the most credit we
    extend back to that node (we extend min(what it asks, that)). Nobody else: refused."""

    accept_from: dict[bytes, int] = field(default_factory=dict)

    def grant(self, node_id: bytes, requested_msat: int) -> int | None:
        limit = self.accept_from.get(node_id)
        if limit is None:
            return None
        return max(0, min(limit, requested_msat))


@dataclass
class TrustContext:
    channels: ChannelStore
    node_secret: bytes
    node_id: bytes
    chain_hash: bytes
    policy: TrustPolicy = field(default_factory=TrustPolicy)
    listener: ChannelListener | None = None
    on_new_channel: Callable[[TrustDriver], None] = lambda driver: None
    on_closed: Callable[[TrustDriver], None] = lambda driver: None
    chain: Callable[[], SettlementChain | None] = lambda: None
    new_address: Callable[[], str] = lambda: ""
    watch_settlement: Callable[[TrustDriver], None] = lambda driver: None
    current_height: Callable[[], int] = lambda: 0
    reopen_delay: float = 3.0  # opener: resend trust_open when the peer is silent this long
    drivers: dict[bytes, TrustDriver] = field(default_factory=dict)  # by channel id


def check_open(msg: TrustOpen, remote_id: bytes, chain_hash: bytes) -> str | None:
    """Why a `trust_open` cannot be accepted whatever the policy (None: it can)."""
    if msg.chain_hash != chain_hash:
        return "unknown chain"
    if msg.channel_id != sha256(remote_id + msg.nonce):
        return "channel_id is not SHA256(opener id || nonce)"
    if not (0 <= msg.limit_msat <= MAX_MSAT and 0 <= msg.requested_msat <= MAX_MSAT):
        return "limit out of range"
    return None


class TrustChannelType:
    name = "trust"

    def __init__(self, ctx: TrustContext) -> None:
        self.ctx = ctx

    @property
    def features(self) -> Features:
        return TRUST_FEATURES

    @property
    def opening_messages(self) -> frozenset[int]:
        return frozenset({TrustOpen.TYPE})

    # -- inbound

    def open_from_peer(self, port: PeerPort, msg: Any) -> TrustDriver | None:
        if not port.features.has(FEATURE_NAME) or not isinstance(msg, TrustOpen):
            return None  # not negotiated: we say nothing in a protocol the peer did not offer
        reason = check_open(msg, port.node_id, self.ctx.chain_hash)
        grant = None if reason else self.ctx.policy.grant(port.node_id, msg.requested_msat)
        if grant is None:
            reason = reason or "not accepting trust lines from this node"
            log.info("refused trust_open from %s: %s", port.node_id.hex(), reason)
            port.send(TrustRefuse(msg.channel_id, reason))
            return None
        row_id = self.ctx.channels.next_key_index()
        core, out = TrustChannel.accept_inbound(msg, secret=self.ctx.node_secret, local_id=self.ctx.node_id,
                                                remote_id=port.node_id, grant_msat=grant)
        core.block_height(self.ctx.current_height())
        log.info("accepted a trust line from %s: it extends %d msat, we extend %d msat",
                 port.node_id.hex(), msg.limit_msat, grant)
        driver = self._driver(core, row_id, port)
        driver.apply(out)
        return driver

    # -- outbound

    def open(self, port: PeerPort, limit_msat: int, request_msat: int = 0) -> TrustDriver:
        """Extend `limit_msat` of credit to the peer and ask for `request_msat` back."""
        if not port.connected:
            raise ConnectionError("peer is not connected")
        if not port.features.has(FEATURE_NAME):
            raise ConnectionError("the peer does not offer trust channels")
        row_id = self.ctx.channels.next_key_index()
        core, out = TrustChannel.open_outbound(
            secret=self.ctx.node_secret, local_id=self.ctx.node_id, remote_id=port.node_id,
            chain_hash=self.ctx.chain_hash, nonce=os.urandom(32), limit_msat=limit_msat,
            requested_msat=request_msat)
        core.block_height(self.ctx.current_height())
        driver = self._driver(core, row_id, port)
        port.register_channel(driver.channel_id, driver)
        driver.apply(out)
        return driver

    # -- restart

    def restore(self, row: ChannelRow) -> TrustDriver:
        core = TrustChannel.from_bytes(row.state, self.ctx.node_secret)
        driver = self._driver(core, row.id, None)
        driver.restored = True
        return driver

    def restore_all(self, rows: list[ChannelRow]) -> list[TrustDriver]:
        out = []
        for row in rows:
            if row.type != self.name or row.closed:
                continue
            try:
                out.append(self.restore(row))
            except ValueError as e:
                log.error("trust channel %s: stored state unreadable: %s", row.channel_id.hex(), e)
        return out

    def _driver(self, core: TrustChannel, row_id: int, port: PeerPort | None) -> TrustDriver:
        driver = TrustDriver(core=core, ctx=self.ctx, row_id=row_id, port=port)
        self.ctx.drivers[driver.channel_id] = driver
        self.ctx.on_new_channel(driver)
        return driver


def policy_from(accept: Mapping[bytes, int] | None) -> TrustPolicy:
    return TrustPolicy(dict(accept or {}))
