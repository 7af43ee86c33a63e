"""All of the node's channels, of every type: where they live and how to find them.

The manager places each channel in its peer's channel table (so the link dispatches the
peer's messages to it), follows channel id changes, lists channels for views, and
finds one from what a user types (channel id, short channel id, or a peer's id).
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from amiko.channels.interface import Channel, ChannelStatus
from amiko.link.channel_types import ChannelHandler
from amiko.link.manager import PeerManager
from amiko.wire.types import scid_from_str, scid_to_str

log = logging.getLogger("amiko.channels")


class ManagedChannel(Channel, ChannelHandler, Protocol):
    """A channel of any type: the switch's `Channel` and the link's `ChannelHandler`."""


class ChannelLookupError(LookupError):
    pass


class ChannelManager:
    def __init__(self, peers: PeerManager) -> None:
        self.peers = peers
        self.channels: dict[bytes, ManagedChannel] = {}
        # short channel id -> channel, as statuses last said (every forward looks one up,
        # and a status is not free: it works out what the channel can send)
        self._by_scid: dict[int, ManagedChannel] = {}

    def add(self, channel: ManagedChannel) -> None:
        cid = channel.channel_id
        self.channels[cid] = channel
        rec = self.peers.record(channel.peer_id)
        rec.channels[cid] = channel

    def rename(self, channel: ManagedChannel, old: bytes, new: bytes) -> None:
        self.channels.pop(old, None)
        self.channels[new] = channel
        rec = self.peers.record(channel.peer_id)
        rec.channels.pop(old, None)
        rec.channels[new] = channel
        log.info("channel %s is now %s", old.hex(), new.hex())

    def remove(self, channel: ManagedChannel) -> None:
        cid = channel.channel_id
        self.channels.pop(cid, None)
        rec = self.peers.peers.get(channel.peer_id)
        if rec is not None:
            rec.channels.pop(cid, None)

    def by_channel_id(self, channel_id: bytes) -> ManagedChannel | None:
        return self.channels.get(channel_id)

    def by_short_channel_id(self, scid: int) -> ManagedChannel | None:
        """The channel with this short channel id (or alias; one it had keeps naming it)."""
        c = self._by_scid.get(scid)
        if c is not None and self.channels.get(c.channel_id) is c:
            return c
        for c in self.channels.values():
            known = c.status().short_channel_id
            if known is not None:
                self._by_scid[known] = c
        self._by_scid = {k: c for k, c in self._by_scid.items()
                         if self.channels.get(c.channel_id) is c}
        return self._by_scid.get(scid)

    def statuses(self) -> list[ChannelStatus]:
        return [c.status() for c in self.channels.values()]

    def find(self, text: str) -> ManagedChannel:
        """A channel by its id (hex), short channel id (BLOCKxTXxOUT) or peer id."""
        text = text.strip()
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = b""
        if len(raw) == 32 and raw in self.channels:
            return self.channels[raw]
        if len(raw) == 33:
            found = [c for c in self.channels.values() if c.peer_id == raw]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise ChannelLookupError("several channels with that peer: name one by channel id")
        if "x" in text:
            try:
                scid = scid_from_str(text)
            except ValueError:
                scid = None
            for c in self.channels.values():
                if scid is not None and c.status().short_channel_id == scid:
                    return c
        raise ChannelLookupError(f"no channel {text!r}")


def status_json(st: ChannelStatus) -> dict[str, Any]:
    return {
        "channel_id": st.channel_id.hex(),
        "peer_id": st.peer_id.hex(),
        "type": st.type_name,
        "state": st.state.value,
        "short_channel_id": None if st.short_channel_id is None else scid_to_str(st.short_channel_id),
        "capacity_msat": st.capacity_msat,
        "local_msat": st.local_msat,
        "remote_msat": st.remote_msat,
        "can_send_msat": st.can_send_msat,
        "can_receive_msat": st.can_receive_msat,
        "htlcs_in_flight": st.htlcs_in_flight,
        "peer_connected": st.peer_connected,
    }
