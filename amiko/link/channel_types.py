"""The channel-type registry: how the link hands channel messages to channels.

The link knows nothing of how any channel works inside. It knows three things:
- a channel message names its channel by `channel_id` (or `temporary_channel_id` while
  it opens), and goes to the `ChannelHandler` registered under that id for that peer;
- some message types *open* a channel; each such type belongs to one `ChannelType`,
  which decides whether to create a handler for it;
- each channel type adds feature bits to our `init`.

A channel type (the Lightning channel of BOLT 2, the trust channel, a test type) registers
itself in a `ChannelTypeRegistry`; the node builds one registry and gives it to every link.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from amiko.link.features import Features


class PeerPort(Protocol):
    """What a channel sees of the peer it lives with (provided by the link)."""

    @property
    def node_id(self) -> bytes: ...

    @property
    def features(self) -> Features:
        """The negotiated features of the current connection."""
        ...

    @property
    def connected(self) -> bool: ...

    def send(self, msg: Any) -> bool:
        """Queue a message to the peer; False when there is no connection (dropped)."""
        ...

    def disconnect(self, reason: str) -> None:
        """Close the connection (channels reestablish on the next one)."""
        ...

    def register_channel(self, channel_id: bytes, handler: ChannelHandler) -> None: ...

    def rename_channel(self, old_id: bytes, new_id: bytes) -> None: ...

    def forget_channel(self, channel_id: bytes) -> None: ...


class ChannelHandler(Protocol):
    """One channel of any type, as the link sees it."""

    def handle_message(self, msg: Any) -> None:
        """A message for this channel arrived (already decoded)."""
        ...

    def handle_peer_error(self, data: bytes) -> None:
        """BOLT #1: upon receiving `error` ... MUST fail the channel."""
        ...

    def link_up(self, port: PeerPort) -> None:
        """The peer is connected and `init` is done (channels reestablish here)."""
        ...

    def link_down(self) -> None:
        """The connection to the peer ended."""
        ...


class ChannelType(Protocol):
    name: str

    @property
    def features(self) -> Features:
        """Bits this type adds to our `init`."""
        ...

    @property
    def opening_messages(self) -> frozenset[int]:
        """Message types that start a channel of this type."""
        ...

    def open_from_peer(self, port: PeerPort, msg: Any) -> ChannelHandler | None:
        """The peer asks to open a channel of this type. Return its handler (the link
        registers it under the message's temporary id), or None when refused: the type
        has then told the peer why through `port`."""
        ...


class ChannelTypeRegistry:
    def __init__(self, types: Iterable[ChannelType] = ()) -> None:
        self._types: dict[str, ChannelType] = {}
        self._openers: dict[int, ChannelType] = {}
        for t in types:
            self.register(t)

    def register(self, channel_type: ChannelType) -> None:
        if channel_type.name in self._types:
            raise ValueError(f"channel type {channel_type.name!r} is already registered")
        for msg_type in channel_type.opening_messages:
            other = self._openers.get(msg_type)
            if other is not None:
                raise ValueError(
                    f"message type {msg_type} already opens channels of type {other.name!r}"
                )
        self._types[channel_type.name] = channel_type
        for msg_type in channel_type.opening_messages:
            self._openers[msg_type] = channel_type

    def get(self, name: str) -> ChannelType:
        return self._types[name]

    def names(self) -> list[str]:
        return list(self._types)

    def opener_for(self, msg_type: int) -> ChannelType | None:
        return self._openers.get(msg_type)

    def features(self) -> Features:
        out = Features()
        for t in self._types.values():
            out = out | t.features
        return out
