"""The Lightning channel as a channel type: what the link and the node know of it.

`BoltChannelType` opens channels when a peer sends `open_channel`, and `open()` opens
one towards a peer. `BoltContext` is what a Lightning channel needs from the node: the
store, the wallet, the chain, its keys, and the listener its HTLC events go to.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from amiko.bitcoin.tx import OutPoint, Transaction
from amiko.chain.wallet import Wallet
from amiko.channels.bolt.core import BoltChannel
from amiko.channels.bolt.driver import TYPE_NAME, BoltDriver
from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.bolt.htlcs import Side
from amiko.channels.bolt.keys import ChannelKeys
from amiko.channels.bolt.params import LocalParams
from amiko.channels.interface import ChannelListener
from amiko.link.channel_types import PeerPort
from amiko.link.features import Features
from amiko.store.channels import ChannelRow, ChannelTable
from amiko.wire.messages import OpenChannel

log = logging.getLogger("amiko.channels.bolt")

# What the Lightning channel type implements, offered in `init` (BOLT 9).
BOLT_FEATURES = Features.of(
    "option_data_loss_protect",
    "option_static_remotekey",
    "option_anchors",
    "option_channel_type",
    "option_upfront_shutdown_script",
    "option_shutdown_anysegwit",
    "option_support_large_channel",
) | Features.of("var_onion_optin", required=True)


@dataclass
class BoltContext:
    channels: ChannelTable
    wallet: Wallet
    channel_root: bytes  # the node-level secret every channel's keys derive from
    chain_hash: bytes
    params: LocalParams
    broadcast: Callable[[Transaction], Awaitable[bytes]]
    funding_feerate: Callable[[], int]  # sat/kw for funding transactions
    commitment_feerate: Callable[[], int]  # sat/kw for new commitments
    current_height: Callable[[], int]
    shutdown_script: Callable[[], bytes]  # a fresh wallet script to close to
    watch_funding: Callable[[BoltDriver, OutPoint, bytes], None]
    rename: Callable[[BoltDriver, bytes, bytes], None]  # channel id changed
    on_new_channel: Callable[[BoltDriver], None]  # a channel was created (opened or restored)
    forget: Callable[[BoltDriver], None]  # a channel that was never funded is gone
    listener: ChannelListener | None = None
    on_preimage: Callable[[BoltDriver, bytes, bytes], None] | None = None  # closed channel
    drivers: dict[int, BoltDriver] = field(default_factory=dict)  # by row id


class BoltChannelType:
    name = TYPE_NAME

    def __init__(self, ctx: BoltContext) -> None:
        self.ctx = ctx

    @property
    def features(self) -> Features:
        return BOLT_FEATURES

    @property
    def opening_messages(self) -> frozenset[int]:
        return frozenset({OpenChannel.TYPE})

    def keys_for(self, row_id: int) -> ChannelKeys:
        return ChannelKeys.derive(self.ctx.channel_root, row_id)

    # -- inbound

    def open_from_peer(self, port: PeerPort, msg: Any) -> BoltDriver | None:
        row_id = self.ctx.channels.next_key_index()
        core, out = BoltChannel.accept_inbound(
            msg,
            params=self.ctx.params,
            keys=self.keys_for(row_id),
            peer_id=port.node_id,
            chain_hash=self.ctx.chain_hash,
            negotiated=port.features,
            feerate_range=self._feerate_range(),
            current_height=self.ctx.current_height(),
            upfront_shutdown_script=self.ctx.shutdown_script(),
        )
        if core is None:
            for m in out.messages:
                port.send(m)
            log.info("refused open_channel from %s", port.node_id.hex())
            return None
        driver = self._driver(core, row_id, port)
        driver.apply(out)
        return driver

    # -- outbound

    def open(self, port: PeerPort, funding_sat: int, push_msat: int = 0, *,
             commitment_type: CommitmentType | None = None, announce: bool = True) -> BoltDriver:
        negotiated = port.features
        if commitment_type is None:
            commitment_type = (CommitmentType.ANCHORS if negotiated.has("option_anchors")
                               else CommitmentType.STATIC_REMOTEKEY)
        row_id = self.ctx.channels.next_key_index()
        core, out = BoltChannel.open_outbound(
            params=self.ctx.params,
            keys=self.keys_for(row_id),
            peer_id=port.node_id,
            chain_hash=self.ctx.chain_hash,
            temporary_channel_id=os.urandom(32),
            funding_sat=funding_sat,
            push_msat=push_msat,
            commitment_type=commitment_type,
            negotiated=negotiated,
            feerate_per_kw=self.ctx.commitment_feerate(),
            announce=announce,
            upfront_shutdown_script=self.ctx.shutdown_script(),
            current_height=self.ctx.current_height(),
        )
        driver = self._driver(core, row_id, port)
        driver.apply(out)
        return driver

    # -- restart

    def restore(self, row: ChannelRow) -> BoltDriver:
        rows = self.ctx.channels.onions(row.id)
        onions = {(Side(owner), htlc_id): onion for (owner, htlc_id), onion in rows.items()}
        core = BoltChannel.from_bytes(row.state, self.keys_for(row.id), onions)
        driver = self._driver(core, row.id, None)
        htlcs = core.data.htlcs
        driver.stored_onions = {key: onion for key, onion in onions.items()
                                if key in htlcs and htlcs[key].onion == onion}
        stale = [(side.value, htlc_id) for side, htlc_id in onions.keys() - driver.stored_onions.keys()]
        if stale:
            self.ctx.channels.forget_onions(row.id, stale)
        if row.extra:
            driver.funding_tx = Transaction.parse(row.extra)
        return driver

    def _driver(self, core: BoltChannel, row_id: int, port: PeerPort | None) -> BoltDriver:
        driver = BoltDriver(core=core, ctx=self.ctx, row_id=row_id, port=port)
        driver._registered_id = driver.channel_id
        self.ctx.drivers[row_id] = driver
        self.ctx.on_new_channel(driver)
        return driver

    def _feerate_range(self) -> tuple[int, int]:
        estimate = self.ctx.commitment_feerate()
        return max(253, estimate // 10), max(estimate * 10, 10_000)
