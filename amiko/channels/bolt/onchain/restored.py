"""Channels restored from a static backup: their rows, and the stand-in the link talks to.

A restored channel can do one thing: ask the peer to close. On every connection it sends a
`channel_reestablish` with zero commitment numbers (BOLT 2 `option_data_loss_protect`:
we have lost state) and an `error`, so that the peer fails the channel and broadcasts its
latest commitment; the on-chain watcher then sweeps our output of it.
"""

from __future__ import annotations

import logging
from typing import Any

from amiko.bitcoin.tx import OutPoint
from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.bolt.keys import ChannelKeys
from amiko.channels.bolt.onchain.service import RestoredChannel
from amiko.channels.interface import (
    ChannelState,
    ChannelStatus,
    FailureReason,
    HtlcOffer,
    IncomingHtlc,
    OfferResult,
    RefusalReason,
    Refused,
)
from amiko.link.channel_types import PeerPort
from amiko.store.sqlite import Store
from amiko.wire.messages import ChannelReestablish, Error
from amiko.wire.types import ChannelId

__all__ = ["RESTORED_TYPE", "RestoredHandler", "load_restored"]

log = logging.getLogger("amiko.onchain")

RESTORED_TYPE = "bolt-restored"  # the `type` of their rows in the channels table


def load_restored(store: Store) -> list[RestoredChannel]:
    return [RestoredChannel(r["channel_row"], bytes(r["peer_id"]), bytes(r["channel_id"]),
                            OutPoint(bytes(r["funding_txid"]), r["funding_vout"]), r["funding_sat"],
                            CommitmentType(r["commitment_type"]), r["scan_from"])
            for r in store.query("SELECT r.* FROM restored_channels r JOIN channels c ON c.id=r.channel_row "
                                 "WHERE c.closed=0 ORDER BY r.channel_row")]


class RestoredHandler:
    """The link's `ChannelHandler` (and the switch's `Channel`) for a restored channel."""

    def __init__(self, restored: RestoredChannel, keys: ChannelKeys) -> None:
        self.restored = restored
        self.keys = keys
        self.onchain_state = ChannelState.CLOSING

    @property
    def channel_id(self) -> bytes:
        return self.restored.channel_id

    @property
    def peer_id(self) -> bytes:
        return self.restored.peer_id

    def status(self) -> ChannelStatus:
        return ChannelStatus(self.channel_id, self.peer_id, RESTORED_TYPE, self.onchain_state, None,
                             self.restored.funding_sat * 1000, 0, 0, 0, 0, 0, 0, False)

    # -- the link

    def link_up(self, port: PeerPort) -> None:
        if self.onchain_state is not ChannelState.CLOSING:
            return
        log.info("restored channel %s: asking %s to close it", self.channel_id.hex(), self.peer_id.hex())
        # BOLT #2 (option_data_loss_protect): numbers of zero tell the peer we lost state.
        port.send(ChannelReestablish(ChannelId(self.channel_id), 0, 0, bytes(32),
                                     self.keys.per_commitment_point(0)))
        port.send(Error(ChannelId(self.channel_id),
                        b"restored from a static backup: our channel state is lost; please close"))

    def link_down(self) -> None:
        pass

    def handle_message(self, msg: Any) -> None:
        log.debug("restored channel %s: ignoring %s", self.channel_id.hex(), type(msg).__name__)

    def handle_peer_error(self, data: bytes) -> None:
        log.info("restored channel %s: peer says %s", self.channel_id.hex(), data[:200].decode("utf-8", "replace"))

    # -- the switch: nothing can move through it

    def offer_htlc(self, offer: HtlcOffer) -> OfferResult:
        return Refused(RefusalReason.CHANNEL_NOT_USABLE, "restored from a backup")

    def settle_htlc(self, htlc_id: int, preimage: bytes) -> None:
        pass

    def fail_htlc(self, htlc_id: int, reason: FailureReason) -> None:
        pass

    def pending_outgoing(self) -> dict[int, bytes]:
        return {}

    def pending_incoming(self) -> list[IncomingHtlc]:
        return []
