"""What the node calls: open, close and prove trust lines, and the node wiring.

`attach_trust(node)` builds the trust channel type for an `amiko.node.Node`, registers it
with the node's link registry (its feature bit joins our `init`), restores stored trust
channels into the node's channel manager and returns a `TrustService`. Call it before
`node.start()`; then `service.start()` after it (follows the chain tip, watches
settlement payments) and `await service.stop()` before `node.stop()`.

This module sits at the node's level (it builds invoice route hints, which belong to the
payment layer); nothing below it in `amiko/channels/trust/` imports upward.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from amiko.bitcoin.address import address_to_script
from amiko.channels.trust.channel_type import (
    SettlementChain,
    TrustChannelType,
    TrustContext,
    TrustPolicy,
)
from amiko.channels.trust.data import Phase
from amiko.channels.trust.driver import TrustDriver
from amiko.channels.trust.state import check_trust_proof
from amiko.link.channel_types import PeerPort
from amiko.payments.bolt11 import RouteHop
from amiko.payments.switch import ForwardPolicy
from amiko.wire.primitives import MAX_MSAT
from amiko.wire.types import ShortChannelId, scid_from_str

log = logging.getLogger("amiko.channels.trust")

__all__ = ["NodeSettlementChain", "TrustError", "TrustService", "attach_trust", "parse_accept_option"]


class TrustError(ValueError):
    """A trust command that cannot be done (the message says why)."""


def parse_accept_option(text: str) -> tuple[bytes, int]:
    """`--accept-trust-from ID:LIMIT` (LIMIT in msat) -> (node id, limit)."""
    node_text, sep, limit_text = text.partition(":")
    try:
        node_id = bytes.fromhex(node_text)
    except ValueError:
        raise TrustError(f"not a node id: {node_text!r}") from None
    if len(node_id) != 33 or node_id[0] not in (2, 3):
        raise TrustError("node id must be a 33-byte compressed public key in hex")
    if not sep or not limit_text.isdigit() or int(limit_text) > MAX_MSAT:
        raise TrustError("expected ID:LIMIT with LIMIT a whole number of msat")
    return node_id, int(limit_text)


class TrustService:
    def __init__(self, trust_type: TrustChannelType, *, port_of: Callable[[bytes], PeerPort | None],
                 poll_interval: float = 0.5, min_confirmations: int = 1) -> None:
        self.type = trust_type
        self.ctx = trust_type.ctx
        self.port_of = port_of
        self.poll_interval = poll_interval
        self.min_confirmations = min_confirmations
        self._watched: dict[bytes, TrustDriver] = {}
        self._task: asyncio.Task[None] | None = None
        self._height = -1
        self.ctx.watch_settlement = self._watch

    # -- policy

    @property
    def policy(self) -> TrustPolicy:
        return self.ctx.policy

    def accept_from(self, node_id: bytes, limit_msat: int) -> None:
        """Accept trust lines from `node_id`, extending at most `limit_msat` back."""
        if not 0 <= limit_msat <= MAX_MSAT:
            raise TrustError("limit out of range")
        self.ctx.policy.accept_from[node_id] = limit_msat

    # -- lifecycle

    def start(self) -> None:
        """Follow the chain tip and settlement payments (needs a running event loop)."""
        self.resume()
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._poll())

    def resume(self) -> None:
        """After the listener (the switch) is ready: replay what a crash may have hidden."""
        for driver in list(self.ctx.drivers.values()):
            driver.resume()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _poll(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("trust service tick failed")
            await asyncio.sleep(self.poll_interval)

    async def tick(self) -> None:
        height = self.ctx.current_height()
        if height != self._height:
            self._height = height
            self.block_height(height)
        await self.check_settlements()

    def block_height(self, height: int) -> None:
        for driver in list(self.ctx.drivers.values()):
            if not driver.closed:
                driver.block_height(height)

    def _watch(self, driver: TrustDriver) -> None:
        self._watched[driver.channel_id] = driver

    async def check_settlements(self) -> None:
        chain = self.ctx.chain()
        if chain is None:
            return
        for cid, driver in list(self._watched.items()):
            ws = driver.core.watched_settlement()
            if ws is None:
                del self._watched[cid]
                continue
            try:
                confirmations = await chain.confirmations(ws.txid)
                if confirmations < self.min_confirmations:
                    continue
                st = driver.core.data.settlement
                if st is not None and st.creditor:
                    paid = await chain.paid_to(ws.txid, ws.address)
                    if paid < ws.amount_sat:
                        log.error("trust channel %s: settlement %s pays %d sat, %d owed", cid.hex(),
                                  ws.txid[::-1].hex(), paid, ws.amount_sat)
                        continue
            except Exception as e:
                log.info("trust channel %s: settlement check postponed: %s", cid.hex(), e)
                continue
            driver.settlement_confirmed(ws.txid)
            del self._watched[cid]

    # -- commands

    def drivers(self) -> list[TrustDriver]:
        return list(self.ctx.drivers.values())

    def find(self, channel: str | bytes | TrustDriver) -> TrustDriver:
        """A trust channel by driver, channel id (bytes or hex), alias short channel id
        (BLOCKxTXxOUT), or peer id (hex, if only one)."""
        if isinstance(channel, TrustDriver):
            return channel
        if isinstance(channel, str) and "x" in channel:
            try:
                scid = scid_from_str(channel.strip())
            except ValueError:
                raise TrustError(f"not a short channel id: {channel!r}") from None
            for d in self.ctx.drivers.values():
                if d.core.short_channel_id == scid:
                    return d
            raise TrustError(f"no trust channel {channel!r}")
        raw = channel if isinstance(channel, bytes) else _hex(channel)
        found = self.ctx.drivers.get(raw)
        if found is not None:
            return found
        with_peer = [d for d in self.ctx.drivers.values() if d.peer_id == raw and not d.closed]
        if len(with_peer) == 1:
            return with_peer[0]
        if len(with_peer) > 1:
            raise TrustError("several trust channels with that peer: name one by channel id")
        raise TrustError(f"no trust channel {channel!r}")

    def open_trust(self, node_id: bytes, limit_msat: int, request_msat: int = 0) -> TrustDriver:
        """Extend `limit_msat` of credit to the connected peer `node_id` and ask for
        `request_msat` back. Returns at once; the channel is usable once the peer accepts."""
        if not (0 <= limit_msat <= MAX_MSAT and 0 <= request_msat <= MAX_MSAT):
            raise TrustError("limits must be whole msat between 0 and 21 million BTC")
        port = self.port_of(node_id)
        if port is None or not port.connected:
            raise ConnectionError("peer is not connected")
        return self.type.open(port, limit_msat, request_msat)

    async def wait_open(self, driver: TrustDriver, timeout: float = 30.0) -> None:
        """Wait until the peer accepted (or refused: TrustError)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while driver.phase in (Phase.OPEN_SENT, Phase.ACCEPT_SENT):
            if loop.time() > deadline:
                raise TimeoutError("the peer did not answer the trust open in time")
            await asyncio.sleep(0.02)
        if driver.phase is Phase.REFUSED:
            raise TrustError(f"the peer refused: {driver.failure}")

    async def close_trust(self, channel: str | bytes | TrustDriver, *, settle: bool = False,
                          keep: bool = False, timeout: float = 30.0) -> dict[str, Any]:
        """Close a trust line with no HTLC pending: both sign a final state. Then, if we
        owe, `settle` pays the debt on chain; `keep` ends it with the final co-signed state
        alone. Returns once the final state exists (or after `timeout`)."""
        driver = self.find(channel)
        cur = driver.core.current
        if driver.phase in (Phase.NORMAL, Phase.CLOSING) and cur is not None:
            if driver.status().htlcs_in_flight:
                raise TrustError("HTLCs are pending on this channel: close it when they are resolved")
            if not driver.status().peer_connected:
                raise ConnectionError("peer is not connected: both must sign the final state")
        elif driver.phase in (Phase.CLOSED, Phase.REFUSED, Phase.FAILED):
            raise TrustError(f"the channel is {driver.phase.value}")
        driver.close(settle_onchain=settle, keep=keep)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while driver.phase in (Phase.NORMAL, Phase.CLOSING) and loop.time() < deadline:
            await asyncio.sleep(0.02)
        if driver.phase is Phase.FINAL and keep:
            driver.close(keep=True)
        return self.describe(driver)

    def describe(self, driver: TrustDriver) -> dict[str, Any]:
        st = driver.status()
        return {"channel_id": driver.channel_id.hex(), "peer_id": driver.peer_id.hex(),
                "state": st.state.value, **driver.status_extra()}

    def trust_proof(self, channel: str | bytes | TrustDriver) -> dict[str, Any]:
        """The latest co-signed state as a proof, checked here (`verified`)."""
        driver = self.find(channel)
        cur = driver.core.current
        if cur is None:
            raise TrustError("no co-signed state yet")
        proof = cur.to_proof()
        check = check_trust_proof(proof)
        return {"proof": proof, "verified": check.ok, "problem": check.why or None,
                "we_are": f"node_{driver.core.we}"}

    def route_hint(self, channel: str | bytes | TrustDriver,
                   policy: ForwardPolicy | None = None) -> RouteHop:
        """The route hint for an invoice paid to us through this trust channel: from the
        peer to us over our alias short channel id. Trust peers exchange no
        `channel_update`, so `policy` is the peer's assumed forwarding policy (default: the
        node default)."""
        driver = self.find(channel)
        p = policy or ForwardPolicy()
        return RouteHop(driver.peer_id, ShortChannelId(driver.core.short_channel_id), p.fee_base_msat,
                        p.fee_proportional_millionths, p.cltv_expiry_delta)

    def route_hints(self, amount_msat: int | None = None,
                    policy: ForwardPolicy | None = None) -> tuple[tuple[RouteHop, ...], ...]:
        """One single-hop hint per usable trust channel that can receive `amount_msat`."""
        out = []
        for d in self.drivers():
            st = d.status()
            if st.usable and (amount_msat is None or st.can_receive_msat >= amount_msat):
                out.append((self.route_hint(d, policy),))
        return tuple(out)


def _hex(text: str) -> bytes:
    try:
        return bytes.fromhex(text.strip())
    except ValueError:
        raise TrustError(f"not a channel id or peer id: {text!r}") from None


class NodeSettlementChain:
    """`SettlementChain` over an `amiko.node.Node`'s wallet and chain backend."""

    def __init__(self, node: Any) -> None:
        self.node = node

    async def pay(self, address: str, amount_sat: int) -> bytes:
        tx = await self.node.withdraw(address, amount_sat)
        return bytes(tx.txid)

    async def _tx(self, txid: bytes) -> tuple[Any, int]:
        wtx = self.node.wallet.get_transaction(txid)
        if wtx is not None:
            tip = self.node.wallet.tip
            if wtx.block_height is None or tip is None:
                return wtx.tx, 0
            return wtx.tx, max(0, tip[0] - wtx.block_height + 1)
        status = await self.node.chain.backend.get_transaction(txid)
        if status is None:
            return None, 0
        return status.tx, int(status.confirmations)

    async def confirmations(self, txid: bytes) -> int:
        return (await self._tx(txid))[1]

    async def paid_to(self, txid: bytes, address: str) -> int:
        tx, _ = await self._tx(txid)
        if tx is None:
            return 0
        script = address_to_script(address, self.node.network)
        return sum(int(o.value) for o in tx.outputs if o.script_pubkey == script)


def attach_trust(node: Any, *, accept_from: Mapping[bytes, int] | None = None,
                 chain: SettlementChain | None = None, reopen_delay: float = 3.0) -> TrustService:
    """Give `node` (an `amiko.node.Node`, not started yet) the trust channel type.

    Uses node.registry, node.features, node.peers (its link config), node.channels,
    node.channel_table, node.node_secret, node.node_id, node.network, node.wallet,
    node.chain (once started) and node.switch (the listener) when present. Sets
    `node.trust` to the returned service.
    """
    settlement_chain: SettlementChain = chain or NodeSettlementChain(node)

    def chain_or_none() -> SettlementChain | None:
        return settlement_chain if getattr(node, "_chain", None) is not None or chain is not None else None

    def height() -> int:
        fn = getattr(node, "_height", None)
        return int(fn()) if callable(fn) else 0

    ctx = TrustContext(
        channels=node.channel_table,
        node_secret=node.node_secret,
        node_id=node.node_id,
        chain_hash=node.network.chain_hash,
        policy=TrustPolicy(dict(accept_from or {})),
        listener=getattr(node, "switch", None),
        on_new_channel=node.channels.add,
        chain=chain_or_none,
        new_address=node.wallet.new_address,
        current_height=height,
        reopen_delay=reopen_delay,
    )
    trust_type = TrustChannelType(ctx)
    node.registry.register(trust_type)
    node.features = node.features | trust_type.features
    node.peers.link_config.features = node.features
    service = TrustService(trust_type, port_of=node.peers.port_of)
    trust_type.restore_all(node.channel_table.load_open())
    node.trust = service
    return service
