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
import gc
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

from amiko import __version__
from amiko.bitcoin.address import address_to_script
from amiko.bitcoin.networks import Network, network_by_name
from amiko.bitcoin.tx import OutPoint, Transaction, TxOut
from amiko.chain.connection import ChainConnection, open_chain
from amiko.chain.interfaces import BroadcastError
from amiko.chain.wallet import Wallet
from amiko.chain.wallet.sync import WalletSync
from amiko.channels.bolt.channel_type import BoltChannelType, BoltContext
from amiko.channels.bolt.driver import BoltDriver
from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.bolt.funding_watch import FundingWatch
from amiko.channels.bolt.onchain.backup import (
    BackupEntry,
    backup_key,
    decrypt_backup,
    encrypt_backup,
)
from amiko.channels.bolt.onchain.restored import RESTORED_TYPE, RestoredHandler, load_restored
from amiko.channels.bolt.onchain.service import OnchainService, RestoredChannel
from amiko.channels.bolt.params import LocalParams
from amiko.channels.interface import ChannelState
from amiko.channels.manager import ChannelManager
from amiko.channels.trust.service import TrustService, attach_trust
from amiko.crypto.keys import pubkey_of
from amiko.gc_pace import THRESHOLDS as GC_THRESHOLDS
from amiko.gc_pace import GcPace
from amiko.link.channel_types import ChannelType, ChannelTypeRegistry
from amiko.link.core import LinkConfig
from amiko.link.features import Features
from amiko.link.manager import BackoffPolicy, PeerManager, PeerRecord
from amiko.payments.bolt11 import RouteHop
from amiko.payments.invoice_book import RECEIVING_FEATURES, InvoiceBook
from amiko.payments.payee import Payee
from amiko.payments.payer import HELPER_FROM_PAYMENTS, Payer
from amiko.payments.switch import POLICY_GRACE_SECONDS, ForwardPolicy, Switch
from amiko.routing.gossip.addresses import Address, encode_addresses
from amiko.routing.gossip.driver import GossipDriver
from amiko.routing.gossip.gossiper import GossipConfig, Gossiper
from amiko.routing.gossip.own_channels import AnnounceableChannel, OwnChannelAnnouncer
from amiko.routing.gossip.store import GossipStore
from amiko.routing.graph import Graph
from amiko.seed import NodeSeed
from amiko.store.batch import CommitBatcher
from amiko.store.channels import ChannelTable
from amiko.store.peers import PeerTable
from amiko.store.sqlite import Store
from amiko.wire.messages import AnnouncementSignatures
from amiko.wire.types import ShortChannelId

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
    bitcoind: str | None = None  # http://user:pass@host:port; None: an in-process dev chain
    bitcoind_cookie: str | None = None
    poll_interval: float = 2.0
    channel_types: list[ChannelType] = field(default_factory=list)
    lightning: bool = True  # the Lightning channel type (BOLT 2/3)
    gossip: bool = True  # BOLT 7: take part in the network's gossip
    gossip_flush_interval: float = 60.0  # seconds between relays of gathered gossip
    bolt_params: LocalParams = field(default_factory=LocalParams)
    forward_policy: ForwardPolicy = field(default_factory=ForwardPolicy)
    trust: bool = True  # the trust channel type (Amiko Pay's IOU channel)
    trust_accept: dict[bytes, int] = field(default_factory=dict)  # peer -> credit we extend back
    extra_features: Features = field(default_factory=Features)
    # Where other nodes can reach us, in our node_announcement (BOLT 7): a public IP, a Tor
    # onion or a DNS name with its port. Empty: the announcement names no address.
    announce_addresses: tuple[Address, ...] = ()
    onchain_final_depth: int = 100  # blocks after which a channel resolved on chain is closed
    htlc_fail_depth: int = 3  # depth of an on-chain timeout before the HTLC is failed upstream
    # A helper process decodes invoices and draws onion session keys, on another core, once
    # this many payments run at once (None: never; see amiko.payments.helper).
    payment_helper_from: int | None = HELPER_FROM_PAYMENTS
    # The garbage collector's thresholds while the node runs (amiko.gc_pace; None: leave
    # the process's as they are, e.g. in an application that sets its own).
    gc_thresholds: tuple[int, int, int] | None = GC_THRESHOLDS


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
        self.wallet = Wallet(self.store, self.seed.bip39_seed(), self.network)
        self._chain: ChainConnection | None = None
        self._policies: dict[bytes, ForwardPolicy] = {}
        # channel -> (its policy before the latest change, until when it is still honoured)
        self._previous_policies: dict[bytes, tuple[ForwardPolicy, float]] = {}
        self.invoices = InvoiceBook(self.store, self.network, self.node_secret)
        self.batcher = CommitBatcher(self.store)
        self.channel_table = ChannelTable(self.store, self.batcher)
        self.registry = ChannelTypeRegistry(config.channel_types)
        self.bolt: BoltChannelType | None = None
        if config.lightning:
            self.bolt = BoltChannelType(self._bolt_context())
            self.registry.register(self.bolt)
        self.features = self.registry.features() | RECEIVING_FEATURES | config.extra_features
        encode_addresses(config.announce_addresses)  # a bad set fails here, not when announced
        if config.gossip:
            self.features = self.features | Features.of("gossip_queries", "gossip_queries_ex")
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
        self.channels = ChannelManager(self.peers)
        self._funding_watch: FundingWatch | None = None
        self.onchain: OnchainService | None = None
        self.graph = Graph()
        self.gossip_store = GossipStore(self.store)
        self.gossiper = Gossiper(
            GossipConfig(self.network.chain_hash, node_id=self.node_id, flush_interval=config.gossip_flush_interval),
            self.graph, self.gossip_store.load(self.graph))
        if len(self.graph.node_ids) > 1000:
            # A big graph is millions of long-lived objects: keep the cyclic GC from walking
            # them again and again (pauses of 100-300 ms on the mainnet graph otherwise).
            gc.collect()
            gc.freeze()
        self.gossip: GossipDriver | None = None
        self.announcer: OwnChannelAnnouncer | None = None
        if config.gossip:
            self.gossip = GossipDriver(
                self.gossiper, chain=None, port_of=self.peers.port_of,
                links=lambda: [r.connection.link for r in self.peers.peers.values()
                               if r.connected and r.connection is not None],
                store=self.gossip_store)
            self.peers.handlers.update(self.gossip.handlers)
            self.announcer = OwnChannelAnnouncer(self.node_secret, self.node_id, self.network.chain_hash,
                                                 self.alias, self.gossip, self._send_to_peer, self.policy_of,
                                                 self.features.in_context("N"), config.announce_addresses,
                                                 self._connection_of)
            self.peers.handlers[AnnouncementSignatures.TYPE] = self._on_announcement_signatures
        self.switch = Switch(self.node_secret, self.store, self.batcher, self.channels, self.policy_of,
                             self._height, previous_policy_of=self._previous_policy_of)
        self.payee = Payee(self.invoices, self._height,
                           lambda delay, fn: asyncio.get_running_loop().call_later(delay, fn))
        self.payer = Payer(self.node_id, self.store, self.graph,
                           lambda: list(self.channels.channels.values()), self._height)
        self.payer.helper_from_payments = config.payment_helper_from
        self.switch.payee = self.payee
        self.switch.payer = self.payer
        self.switch.on_channel_changed = lambda _channel: self.announce_channels()
        if self.bolt is not None:
            self.bolt.ctx.listener = self.switch
        self.trust: TrustService | None = None
        if config.trust:
            self.trust = attach_trust(self, accept_from=config.trust_accept)
        self.started_at: float | None = None
        self._stopped = asyncio.Event()
        self._gc_pace = None if config.gc_thresholds is None else GcPace(config.gc_thresholds)

    # -- lifecycle

    async def start(self) -> None:
        if self._gc_pace is not None:
            self._gc_pace.apply()
        self._chain = await open_chain(
            self.network, self.config.datadir, bitcoind=self.config.bitcoind,
            cookie_file=self.config.bitcoind_cookie, poll_interval=self.config.poll_interval,
        )
        backend = self._chain.backend
        sync = WalletSync(self.wallet, backend)
        try:
            resume = await sync.resume_height()
        except ConnectionError as e:
            log.warning("cannot check the wallet against the chain yet: %s", e)
            resume = self.wallet.tip[0] if self.wallet.tip else None
        backend.subscribe(sync)
        self._funding_watch = FundingWatch(backend)
        backend.subscribe(self._funding_watch)
        self._restore_channels()
        if self.bolt is not None:
            bolt = self.bolt
            self.onchain = OnchainService(
                self.store, self.channel_table, self.wallet, backend, bolt.keys_for,
                lambda: address_to_script(self.wallet.new_address(), self.network),
                final_depth=self.config.onchain_final_depth, htlc_fail_depth=self.config.htlc_fail_depth,
                listener=lambda: bolt.ctx.listener, drivers=lambda: bolt.ctx.drivers.values())
            for restored in load_restored(self.store):
                handler = RestoredHandler(restored, bolt.keys_for(restored.row_id))
                self.channels.add(handler)
                self.onchain.track_restored(restored, handler)
            await self.onchain.start(resume)
            backend.subscribe(self.onchain)
        self.switch.load()
        if self.gossip is not None:
            self.gossip.attach_chain(backend)
            backend.subscribe(self.gossip)
            await self.gossip.start()
        backend.subscribe(_OnBlocks(self))
        await backend.start(from_height=resume)
        tip = await self._wait_for_tip(backend)
        self._funding_watch.height = tip.height if tip else (self.wallet.tip[0] if self.wallet.tip else 0)
        await self._funding_watch.check_all()
        if self.onchain is not None:
            self.onchain.height = max(self.onchain.height, self._funding_watch.height)
            await self.onchain.update_all()
        self._resume_payments()
        self.announce_channels()
        if self.trust is not None:
            self.trust.start()
        if self.config.listen is not None:
            await self.peers.listen(*self.config.listen)
        self.peers.start_reconnecting()
        self.started_at = time.time()
        log.info("node %s (%s) started on %s", self.node_id.hex(), self.alias, self.network.name)

    async def _wait_for_tip(self, backend: Any, timeout: float = 30.0) -> Any:
        """The chain's tip, waiting a little for a backend that is slow to answer: locks
        have deadlines in blocks, so the node must know the height before it takes any."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while backend.tip is None and loop.time() < deadline:
            try:
                await backend.sync()
            except Exception as e:
                log.info("waiting for the chain backend: %s", e)
                await asyncio.sleep(0.2)
        if backend.tip is None:
            log.warning("the chain backend has not answered; payments wait until it does")
        return backend.tip

    @property
    def chain(self) -> ChainConnection:
        if self._chain is None:
            raise RuntimeError("the node is not started")
        return self._chain

    async def stop(self) -> None:
        if self.trust is not None:
            await self.trust.stop()
        if self.gossip is not None:
            await self.gossip.stop()
        await self.peers.stop()
        self.switch.close()
        await self.payer.close()
        await self.batcher.drain()
        if self._chain is not None:
            await self._chain.close()
        self.batcher.close()
        self.store.close()
        if self._gc_pace is not None:
            self._gc_pace.restore()
        self._stopped.set()
        log.info("node stopped")

    async def wait_stopped(self) -> None:
        await self._stopped.wait()

    # -- our public channels in the gossip (BOLT 7)

    def _send_to_peer(self, peer_id: bytes, msg: Any) -> bool:
        link = self.peers.port_of(peer_id)
        return link is not None and link.send(msg)

    def _announceable(self, driver: Any, *, usable: bool = True) -> AnnounceableChannel | None:
        """A public Lightning channel as the announcer needs it: usable, or (`usable=False`)
        open with its peer away."""
        core = getattr(driver, "core", None)
        if not isinstance(driver, BoltDriver) or core is None:
            return None
        d = core.data
        st = driver.status()
        wanted = st.usable if usable else st.state is ChannelState.NORMAL and not st.peer_connected
        if not d.announce or not wanted or st.short_channel_id is None or d.remote_basepoints is None:
            return None
        return AnnounceableChannel(driver.channel_id, driver.peer_id, st.short_channel_id, d.local_funding_pubkey,
                                   d.remote_basepoints.funding_pubkey, core._keys.funding_secret, d.funding_sat,
                                   # BOLT #7: htlc_maximum_msat less than or equal to the channel
                                   # capacity and to the max_htlc_value_in_flight_msat the peer sent
                                   st.htlc_minimum_msat,
                                   min(d.funding_sat * 1000, d.remote.max_htlc_value_in_flight_msat))

    def announce_channels(self) -> None:
        """Send announcement_signatures for public channels deep enough, sign our
        channel_updates again where the network's copy is stale, and disable those whose
        peer has been away for long (at start, on every block, when a channel changes
        state)."""
        if self.announcer is None:
            return
        announceable, away = [], []
        for channel in list(self.channels.channels.values()):
            ch = self._announceable(channel)
            if ch is not None:
                self.announcer.channel_deep_enough(ch, self._height())
                announceable.append(ch)
            elif (ch := self._announceable(channel, usable=False)) is not None:
                away.append(ch)
        now = time.time()
        self.announcer.refresh_updates(announceable, now)
        self.announcer.peers_away(away, now)

    def _connection_of(self, peer_id: bytes) -> object:
        rec = self.peers.peers.get(peer_id)
        return None if rec is None or not rec.connected else rec.connected_since

    def _on_announcement_signatures(self, link: Any, msg: AnnouncementSignatures) -> None:
        assert self.announcer is not None
        channel = self.channels.by_channel_id(bytes(msg.channel_id))
        ch = None if channel is None or channel.peer_id != link.remote_id else self._announceable(channel)
        problem = self.announcer.receive(ch, msg, self._height())
        if problem is not None:
            log.info("announcement_signatures from %s refused: %s", link.remote_id.hex(), problem)

    # -- payments

    def _height(self) -> int:
        """The chain height that deadlines are measured against (0: not known yet)."""
        watched = self._funding_watch.height if self._funding_watch else 0
        wallet = self.wallet.tip[0] if self.wallet.tip else 0
        return max(watched, wallet)

    def policy_of(self, channel_id: bytes) -> ForwardPolicy:
        """The forwarding policy of a channel (kept in memory: every forward reads it)."""
        policy = self._policies.get(channel_id)
        if policy is None:
            row = self.store.query_one("SELECT * FROM channel_policies WHERE channel_id=?", (channel_id,))
            policy = self.config.forward_policy if row is None else ForwardPolicy(
                row["fee_base_msat"], row["fee_ppm"], row["cltv_delta"])
            self._policies[channel_id] = policy
        return policy

    def _previous_policy_of(self, channel_id: bytes) -> ForwardPolicy | None:
        entry = self._previous_policies.get(channel_id)
        if entry is None:
            return None
        if time.monotonic() >= entry[1]:
            del self._previous_policies[channel_id]
            return None
        return entry[0]

    def set_policy(self, channel_id: bytes, policy: ForwardPolicy) -> None:
        """A channel's new forwarding policy; the one it replaces is still honoured for
        `POLICY_GRACE_SECONDS` (BOLT 7)."""
        old = self.policy_of(channel_id)
        if old != policy:
            self._previous_policies[channel_id] = (old, time.monotonic() + POLICY_GRACE_SECONDS)
        self.store.execute(
            "INSERT INTO channel_policies(channel_id, fee_base_msat, fee_ppm, cltv_delta) VALUES (?,?,?,?) "
            "ON CONFLICT(channel_id) DO UPDATE SET fee_base_msat=excluded.fee_base_msat, "
            "fee_ppm=excluded.fee_ppm, cltv_delta=excluded.cltv_delta",
            (channel_id, policy.fee_base_msat, policy.fee_proportional_millionths, policy.cltv_expiry_delta))
        self._policies[channel_id] = policy
        # a public channel tells the network at once (a newer channel_update); one whose
        # peer is away, once it is back
        channel = self.channels.by_channel_id(channel_id)
        ch = None if channel is None else self._announceable(channel)
        if ch is not None and self.announcer is not None:
            self.announcer.refresh_updates([ch], time.time())

    def invoice_route_hints(self, amount_msat: int | None) -> tuple[tuple[RouteHop, ...], ...]:
        """Route hints for our invoices: the channels (of any type) the network graph does not
        know, so payers can reach us through them. The peer's policy towards us is not
        known (no private channel_update yet): our own default policy stands in for it."""
        hints = []
        p = self.config.forward_policy
        for channel in self.channels.channels.values():
            st = channel.status()
            if not st.usable or st.short_channel_id is None or self.graph.channel(st.short_channel_id):
                continue
            if amount_msat is not None and st.can_receive_msat < amount_msat:
                continue
            hints.append((RouteHop(st.peer_id, ShortChannelId(st.short_channel_id), p.fee_base_msat,
                                   p.fee_proportional_millionths, p.cltv_expiry_delta),))
        return tuple(hints[:6])

    def _resume_payments(self) -> None:
        """After a restart: finish forwards the crash interrupted, and decide again about
        incoming locks nobody decided about."""
        self.payee.resuming = True
        try:
            for channel in list(self.channels.channels.values()):
                replay = getattr(channel, "replay_outbox", None)
                if replay is not None:
                    replay()
            self.payer.resume()
            self.switch.resume()
            for channel in list(self.channels.channels.values()):
                for htlc in channel.pending_incoming():
                    self.switch.htlc_incoming(channel, htlc)
        finally:
            self.payee.resuming = False

    # -- channels

    def _bolt_context(self) -> BoltContext:
        def height() -> int:
            return self._funding_watch.height if self._funding_watch else 0

        def feerate() -> int:
            return self.chain.backend.feerate_sat_per_kw(6)

        def watch(driver: BoltDriver, outpoint: Any, spk: bytes) -> None:
            if self._funding_watch is not None:
                self._funding_watch.watch(driver, outpoint, spk)
                asyncio.get_running_loop().create_task(self._funding_watch.check_all())

        return BoltContext(
            channels=self.channel_table,
            wallet=self.wallet,
            channel_root=self.seed.channel_root(self.network),
            chain_hash=self.network.chain_hash,
            params=self.config.bolt_params,
            broadcast=lambda tx: self.chain.backend.broadcast(tx),
            funding_feerate=feerate,
            commitment_feerate=feerate,
            current_height=height,
            shutdown_script=lambda: address_to_script(self.wallet.new_address(), self.network),
            watch_funding=watch,
            rename=lambda driver, old, new: self.channels.rename(driver, old, new),
            on_new_channel=self._track_channel,
            forget=self._forget_channel,
            on_preimage=lambda driver, payment_hash, preimage: (
                self.onchain.add_preimage(driver, payment_hash, preimage) if self.onchain else None),
        )

    def _forget_channel(self, driver: BoltDriver) -> None:
        self.channels.remove(driver)
        if self._funding_watch is not None:
            self._funding_watch.drivers.pop(driver.row_id, None)
            self._funding_watch.watched.pop(driver.row_id, None)

    def _track_channel(self, driver: BoltDriver) -> None:
        self.channels.add(driver)
        if self._funding_watch is not None:
            self._funding_watch.add_driver(driver)

    def _restore_channels(self) -> None:
        for row in self.channel_table.load_open():
            if row.type in ("trust", RESTORED_TYPE):
                continue  # restored by the trust service; backups by the on-chain watcher
            if row.type == "bolt" and self.bolt is not None:
                self._track_channel(self.bolt.restore(row))
            else:
                log.warning("channel %s of unknown type %r left alone", row.channel_id.hex(), row.type)

    async def open_channel(self, node_id: bytes, funding_sat: int, push_msat: int = 0, *,
                           commitment_type: Any = None, announce: bool = True) -> BoltDriver:
        if self.bolt is None:
            raise RuntimeError("the Lightning channel type is disabled")
        port = self.peers.port_of(node_id)
        if port is None or not port.connected:
            raise ConnectionError("peer is not connected")
        return self.bolt.open(port, funding_sat, push_msat, commitment_type=commitment_type, announce=announce)

    async def force_close(self, driver: BoltDriver) -> str | None:
        """Close unilaterally: our latest commitment goes on chain (the peer hears an
        `error`); the on-chain watcher sweeps our outputs once their delays pass. Returns
        the commitment's txid (hex), None if the channel has no commitment to broadcast."""
        tx = driver.core.latest_commitment_tx()
        if tx is None or driver.core.data.must_not_broadcast:
            raise ValueError("this channel has no commitment of ours we may broadcast")
        driver.force_close()
        return tx.txid[::-1].hex()

    # -- static channel backups

    def _backup_key(self) -> bytes:
        return backup_key(self.seed.channel_root(self.network))

    def backup_entries(self) -> list[BackupEntry]:
        """What a static backup holds: every Lightning channel that may hold our money."""
        addresses = {nid: (host, port) for nid, host, port, _p in PeerTable(self.store).load_peers()}
        entries = []
        height = self._height()
        for driver in list(self.bolt.ctx.drivers.values()) if self.bolt is not None else []:
            core = driver.core
            op = core.funding_outpoint
            if op is None or not core.state.funded or driver.onchain_state is ChannelState.CLOSED:
                continue
            scid = core.short_channel_id
            host, port = addresses.get(driver.peer_id, (None, None))
            entries.append(BackupEntry(
                driver.row_id, driver.peer_id.hex(), driver.channel_id.hex(), op.txid.hex(), op.index,
                core.funding_sat, core.commitment_type.value,
                (scid >> 40) if scid else max(height - 6, 0), host, port))
        return entries

    def write_backup(self, path: str) -> int:
        """Write an encrypted static channel backup; returns how many channels it holds."""
        entries = self.backup_entries()
        blob = encrypt_backup(entries, self._backup_key(), self.network.name)
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return len(entries)

    async def restore_backup(self, path: str) -> list[str]:
        """Restore the channels of a static backup (made with this seed): each peer is asked
        to close, and our output of its commitment is swept. Returns the channel ids."""
        if self.onchain is None or self.bolt is None:
            raise RuntimeError("the Lightning channel type is disabled")
        with open(path, "rb") as f:
            entries = decrypt_backup(f.read(), self._backup_key(), self.network.name)
        restored_ids = []
        for e in entries:
            channel_id = bytes.fromhex(e.channel_id)
            if self.store.query_one("SELECT id FROM channels WHERE channel_id=? OR id=?", (channel_id, e.key_index)):
                log.info("backup: channel %s is already known here; skipped", e.channel_id)
                continue
            r = RestoredChannel(e.key_index, bytes.fromhex(e.peer_id), channel_id,
                                OutPoint(bytes.fromhex(e.funding_txid), e.funding_vout), e.funding_sat,
                                CommitmentType(e.commitment_type), e.scan_from)
            now = int(time.time())
            with self.store.transaction():
                self.store.execute(
                    "INSERT INTO channels(id, type, peer_id, channel_id, state, closed, created_at, updated_at) "
                    "VALUES (?,?,?,?,?,0,?,?)", (r.row_id, RESTORED_TYPE, r.peer_id, channel_id, b"", now, now))
                self.store.execute(
                    "INSERT INTO restored_channels(channel_row, peer_id, channel_id, funding_txid, funding_vout, "
                    "funding_sat, commitment_type, scan_from, host, port) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (r.row_id, r.peer_id, channel_id, r.funding.txid, r.funding.index, r.funding_sat,
                     e.commitment_type, e.scan_from, e.host, e.port))
                # never hand this key index out again
                self.store.execute(
                    "INSERT INTO counters(name, value) VALUES ('channel_key_index', ?) ON CONFLICT(name) "
                    "DO UPDATE SET value=MAX(value, excluded.value)", (r.row_id,))
            handler = RestoredHandler(r, self.bolt.keys_for(r.row_id))
            self.channels.add(handler)
            self.onchain.track_restored(r, handler)
            await self.onchain.rescan(r.scan_from)
            restored_ids.append(e.channel_id)
            if e.host is not None and e.port is not None:
                try:
                    await self.connect(r.peer_id, e.host, e.port)
                except (TimeoutError, OSError, ConnectionError) as err:
                    log.warning("backup: cannot reach %s now (%s); will retry", e.peer_id, err)
                    PeerTable(self.store).save_peer(r.peer_id, e.host, e.port, True)
        return restored_ids

    async def close_channel(self, driver: BoltDriver, feerate_per_kw: int | None = None,
                            timeout: float = 60.0) -> str | None:
        """Close cooperatively to a wallet address; returns the closing txid (hex) once it is
        broadcast, or None if the close is still negotiating after `timeout` seconds."""
        script = address_to_script(self.wallet.new_address(), self.network)
        driver.shutdown(script, feerate_per_kw)
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if driver.closing_txid is not None:
                return driver.closing_txid[::-1].hex()
            if driver.failure is not None:
                raise ValueError(f"close failed: {driver.failure}")
            await asyncio.sleep(0.05)
        return None

    # -- peers

    async def connect(self, node_id: bytes, host: str, port: int) -> PeerRecord:
        if node_id == self.node_id:
            raise ValueError("cannot connect to ourselves")
        return await self.peers.connect(node_id, host, port)

    async def disconnect(self, node_id: bytes) -> None:
        await self.peers.disconnect(node_id)

    # -- on-chain wallet

    async def withdraw(self, address: str, amount_sat: int | None, feerate_sat_per_kw: int | None = None) -> Transaction:
        """Pay `amount_sat` (None: everything spendable) to `address`; returns the broadcast
        transaction. Raises AddressError, InsufficientFunds, WalletError or BroadcastError."""
        script = address_to_script(address, self.network)
        feerate = feerate_sat_per_kw or self.chain.backend.feerate_sat_per_kw(6)
        if amount_sat is None:
            tx = self.wallet.create_transaction([], feerate, send_all_to=script)
        else:
            tx = self.wallet.create_transaction([TxOut(amount_sat, script)], feerate)
        try:
            await self.chain.backend.broadcast(tx)
        except BroadcastError as e:
            if not e.already_known:
                self.wallet.release(tx.txid_hex)
                raise
        self.wallet.apply_mempool_tx(tx)
        log.info("withdrew %s sat to %s in %s", amount_sat if amount_sat is not None else "all",
                 address, tx.txid_hex)
        return tx

    async def mine(self, blocks: int, address: str | None = None) -> list[bytes]:
        """Mine blocks (dev chain or regtest bitcoind only), paying the wallet by default."""
        if self.network.name != "regtest":
            raise ValueError("mining is for regtest only")
        return await self.chain.backend.mine(blocks, address or self.wallet.new_address())

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
            "chain": self._chain_status(),
            "graph": self._graph_status(),
        }

    def _graph_status(self) -> dict[str, int]:
        """What gossip has told us: public nodes and channels, and the channel directions
        with a forwarding policy (routes can only use those)."""
        g = self.graph
        directions = sum((ch.policy1 is not None) + (ch.policy2 is not None) for ch in g.channels())
        return {"nodes": g.num_nodes, "channels": g.num_channels, "channel_directions": directions}

    def _chain_status(self) -> dict[str, Any]:
        if self._chain is None:
            return {"backend": None}
        st = self._chain.backend.status
        return {
            "backend": self._chain.kind,
            "connected": st.connected,
            "blockheight": st.tip_height,
            "bestblockhash": None if st.tip_hash is None else st.tip_hash[::-1].hex(),
            "last_error": st.last_error,
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


class _OnBlocks:
    """A chain listener (after the ones that follow the height): on each block, the switch
    decides about locks that waited for the chain's height, and the public channels that
    became deep enough are announced."""

    def __init__(self, node: Node) -> None:
        self.node = node

    async def block_connected(self, height: int, block: Any) -> None:
        self.node.switch.height_known()
        self.node.announce_channels()

    async def block_disconnected(self, height: int, block_hash: bytes) -> None:
        pass
