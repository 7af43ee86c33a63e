"""The link: BOLT 1 between two nodes over one encrypted connection, sans-IO.

Amiko Pay called this the core protocol. It owns `init` and feature negotiation,
ping/pong, `warning` and `error`, the odd/even rule, and dispatch: each channel message
goes to the channel that owns its `channel_id`, whatever that channel's type; messages
that open a channel go to the channel type registered for them; other messages (gossip,
...) go to handlers registered by message type.

`Link` takes decoded-from-the-wire bytes and the time, and returns outputs (bytes to
send, a disconnect with its reason, events). It does no I/O: the driver in `peer.py`
reads and writes the socket and calls `tick()` on a timer.
"""

from __future__ import annotations

import enum
import functools
import logging
import random
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from amiko.link.channel_types import ChannelHandler, ChannelTypeRegistry
from amiko.link.features import FeatureError, Features, check_peer_features, negotiated
from amiko.wire.errors import DecodeError
from amiko.wire.messages import Error, Init, InitTlvs, Ping, Pong, WarningMsg
from amiko.wire.registry import UnknownMessage, channel_id_of, decode_message
from amiko.wire.types import ChannelId

log = logging.getLogger("amiko.link")

ALL_CHANNELS = ChannelId(b"\x00" * 32)

# BOLT #1: A node receiving a `ping` message: if `num_pong_bytes` is less than 65532:
# MUST respond by sending a `pong` message ... otherwise MUST ignore the `ping`.
PONG_LIMIT = 65532


class LinkState(enum.Enum):
    AWAIT_INIT = "await_init"  # we sent our init; theirs has not come
    ACTIVE = "active"
    CLOSED = "closed"


_TRANSITIONS: dict[LinkState, frozenset[LinkState]] = {
    LinkState.AWAIT_INIT: frozenset({LinkState.ACTIVE, LinkState.CLOSED}),
    LinkState.ACTIVE: frozenset({LinkState.CLOSED}),
    LinkState.CLOSED: frozenset(),
}


class IllegalTransition(RuntimeError):
    pass


# -- outputs --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Send:
    data: bytes


@dataclass(frozen=True, slots=True)
class Disconnect:
    reason: str


@dataclass(frozen=True, slots=True)
class Ready:
    """`init` exchanged: the connection carries channel messages from now on."""

    remote_features: Features
    negotiated: Features
    remote_networks: tuple[bytes, ...] | None


@dataclass(frozen=True, slots=True)
class PeerSaid:
    """The peer sent `warning` or `error`, for the log and the node's records."""

    kind: str  # "warning" | "error"
    channel_id: bytes
    text: str


Output = Send | Disconnect | Ready | PeerSaid

MessageHandler = Callable[["Link", Any], None]


@dataclass
class LinkConfig:
    features: Features
    chain_hashes: tuple[bytes, ...]
    ping_interval: float = 60.0  # ping when nothing was received for this long
    pong_timeout: float = 30.0  # drop a peer that does not answer a ping in time
    init_timeout: float = 30.0  # drop a peer that does not send init in time
    max_pings_per_interval: int = 20  # more pings than this in ping_interval: drop the peer
    remote_addr: bytes | None = None  # BOLT 7 address descriptor of the peer, if known


def printable(data: bytes) -> str:
    """BOLT #1: if `data` is not composed solely of printable ASCII characters ...
    SHOULD NOT print out `data` verbatim."""
    if all(32 <= b <= 126 for b in data):
        return data.decode("ascii")
    return "hex:" + data.hex()


@dataclass
class Link:
    """One connection's BOLT 1 state. `channels` is the peer's channel table, which
    outlives connections; the link registers into it what channel types open."""

    remote_id: bytes
    config: LinkConfig
    registry: ChannelTypeRegistry
    channels: MutableMapping[bytes, ChannelHandler]
    handlers: dict[int, MessageHandler] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)
    state: LinkState = LinkState.AWAIT_INIT
    remote_features: Features = field(default_factory=Features)
    features: Features = field(default_factory=Features)  # negotiated
    _out: list[Output] = field(default_factory=list)
    _started_at: float = 0.0
    _last_received: float = 0.0
    _ping_outstanding: tuple[int, float] | None = None  # (num_pong_bytes, sent at)
    _pings_received: list[float] = field(default_factory=list)
    on_output: Callable[[], None] | None = None  # the driver's wake-up for out-of-band sends

    # -- PeerPort (what channels see)

    @property
    def node_id(self) -> bytes:
        return self.remote_id

    @property
    def connected(self) -> bool:
        return self.state is LinkState.ACTIVE

    def send(self, msg: Any) -> bool:
        # BOLT #1: MUST wait to receive `init` before sending any other messages.
        if self.state is not LinkState.ACTIVE:
            return False
        self._out.append(Send(msg.encode()))
        if self.on_output is not None:
            self.on_output()
        return True

    def disconnect(self, reason: str) -> None:
        self._close(reason)
        if self.on_output is not None:
            self.on_output()

    def register_channel(self, channel_id: bytes, handler: ChannelHandler) -> None:
        if channel_id in self.channels and self.channels[channel_id] is not handler:
            raise ValueError(f"channel {channel_id.hex()} is already registered")
        self.channels[channel_id] = handler

    def rename_channel(self, old_id: bytes, new_id: bytes) -> None:
        handler = self.channels.pop(old_id)
        self.register_channel(new_id, handler)

    def forget_channel(self, channel_id: bytes) -> None:
        self.channels.pop(channel_id, None)

    # -- driver interface

    def start(self, now: float) -> list[Output]:
        """The encrypted connection is up: send our `init`."""
        self._started_at = self._last_received = now
        # BOLT #1: MUST send `init` as the first Lightning message for any connection.
        # SHOULD set `networks` to all chains it will gossip or open channels for.
        tlvs = InitTlvs(networks=self.config.chain_hashes, remote_addr=self.config.remote_addr)
        init = Init(globalfeatures=b"", features=self.config.features.to_bytes(), tlvs=tlvs)
        self._out.append(Send(init.encode()))
        return self.take_outputs()

    def take_outputs(self) -> list[Output]:
        out, self._out = self._out, []
        return out

    def receive(self, data: bytes, now: float) -> list[Output]:
        if self.state is LinkState.CLOSED:
            return []
        self._last_received = now
        try:
            msg = decode_message(data)
        except DecodeError as e:
            # BOLT #1: upon receiving a known message with insufficient length for the
            # contents: MUST close the connection.
            self._fail_connection(f"malformed message: {e}")
            return self.take_outputs()
        if isinstance(msg, UnknownMessage):
            self._unknown(msg)
        elif self.state is LinkState.AWAIT_INIT:
            if isinstance(msg, Init):
                self._receive_init(msg)
            else:
                self._close(f"expected init, got message type {msg.TYPE}")
        else:
            self._dispatch(msg, now)
        return self.take_outputs()

    def tick(self, now: float) -> list[Output]:
        """Timers: init timeout, ping on idle, pong timeout."""
        if self.state is LinkState.AWAIT_INIT:
            if now - self._started_at >= self.config.init_timeout:
                self._close("peer sent no init in time")
        elif self.state is LinkState.ACTIVE:
            if self._ping_outstanding is not None:
                if now - self._ping_outstanding[1] >= self.config.pong_timeout:
                    # BOLT #1: if it doesn't receive a corresponding `pong`: MAY close the
                    # network connection, and MUST NOT fail the channels in this case.
                    self._close("peer did not answer ping")
            elif now - self._last_received >= self.config.ping_interval:
                self.ping(now)
        return self.take_outputs()

    def ping(self, now: float, num_pong_bytes: int | None = None) -> None:
        if self.state is not LinkState.ACTIVE:
            return
        n = self.rng.randrange(0, 64) if num_pong_bytes is None else num_pong_bytes
        # BOLT #1: SHOULD set `ignored` to 0s.
        self._ping_outstanding = (n, now)
        self._out.append(Send(Ping(num_pong_bytes=n, ignored=b"").encode()))

    def close(self, reason: str) -> list[Output]:
        """Close from our side (node shutting down, user disconnect)."""
        self._close(reason)
        return self.take_outputs()

    def connection_lost(self) -> None:
        """The driver saw the connection end (without us deciding to close)."""
        if self.state is not LinkState.CLOSED:
            self._to(LinkState.CLOSED)
            self._links_down()

    # -- internals

    def _to(self, new: LinkState) -> None:
        if new not in _TRANSITIONS[self.state]:
            raise IllegalTransition(f"link {self.state.value} -> {new.value}")
        self.state = new

    def _close(self, reason: str) -> None:
        if self.state is LinkState.CLOSED:
            return
        was_active = self.state is LinkState.ACTIVE
        self._to(LinkState.CLOSED)
        self._out.append(Disconnect(reason))
        if was_active:
            self._links_down()

    def _links_down(self) -> None:
        for handler in list(self.channels.values()):
            try:
                handler.link_down()
            except Exception:
                log.exception("channel handler failed on link_down")

    def _fail_connection(self, reason: str) -> None:
        """Tell the peer why (when init is done) and close the connection."""
        if self.state is LinkState.ACTIVE:
            warning = WarningMsg(channel_id=ALL_CHANNELS, data=reason.encode()[:1000])
            self._out.append(Send(warning.encode()))
        self._close(reason)

    def _unknown(self, msg: UnknownMessage) -> None:
        if msg.type % 2:
            # BOLT #1: upon receiving a message of _odd_, unknown type: MUST ignore it.
            log.debug("ignoring unknown odd message type %d from %s", msg.type, self.remote_id.hex())
            return
        # BOLT #1: upon receiving a message of _even_, unknown type: MUST close the connection.
        self._close(f"unknown even message type {msg.type}")

    def _receive_init(self, msg: Init) -> None:
        # BOLT #1: MUST combine (bitwise OR) the two feature bitmaps into one.
        theirs = Features.from_bytes(msg.globalfeatures) | Features.from_bytes(msg.features)
        try:
            check_peer_features(self.config.features, theirs)
        except FeatureError as e:
            self._fail_init(str(e))
            return
        networks = msg.tlvs.networks
        if networks is not None and not set(networks) & set(self.config.chain_hashes):
            # BOLT #1: upon receiving `networks` containing no common chains: MAY close.
            self._fail_init("no common chain in networks")
            return
        self.remote_features = theirs
        self.features = negotiated(self.config.features, theirs)
        self._to(LinkState.ACTIVE)
        self._out.append(Ready(theirs, self.features, None if networks is None else tuple(networks)))
        for handler in list(self.channels.values()):
            try:
                handler.link_up(self)
            except Exception:
                log.exception("channel handler failed on link_up")

    def _fail_init(self, reason: str) -> None:
        # Our init is out already, so the peer can read an error before we close.
        err = Error(channel_id=ALL_CHANNELS, data=reason.encode()[:1000])
        self._out.append(Send(err.encode()))
        self._close(reason)

    def _dispatch(self, msg: Any, now: float) -> None:
        if isinstance(msg, Ping):
            self._receive_ping(msg, now)
        elif isinstance(msg, Pong):
            self._receive_pong(msg)
        elif isinstance(msg, Error | WarningMsg):
            self._receive_error(msg)
        elif isinstance(msg, Init):
            self._fail_connection("second init on one connection")
        else:
            handler = self.handlers.get(msg.TYPE)
            if handler is not None:
                self._call(lambda: handler(self, msg), msg)
                return
            channel_id = channel_id_of(msg)
            if channel_id is not None:
                self._channel_message(channel_id, msg)
            else:
                log.debug("no handler for message %s from %s", type(msg).__name__, self.remote_id.hex())

    def _channel_message(self, channel_id: bytes, msg: Any) -> None:
        opener = self.registry.opener_for(msg.TYPE)
        if opener is not None:
            if channel_id in self.channels:
                self._fail_connection(f"open for existing channel id {channel_id.hex()}")
                return
            new = self._call(lambda: opener.open_from_peer(self, msg), msg)
            if new is not None:
                self.register_channel(channel_id, new)
            return
        handler = self.channels.get(channel_id)
        if handler is not None:
            self._call(lambda: handler.handle_message(msg), msg)
        elif 32 <= msg.TYPE <= 255:
            # BOLT #1: SHOULD send `error` with the unknown `channel_id` in reply to
            # messages of type `32`-`255` related to unknown channels.
            self._out.append(Send(Error(channel_id=ChannelId(channel_id), data=b"unknown channel").encode()))
        elif msg.TYPE % 2 == 0:
            self._fail_connection(f"message type {msg.TYPE} for unknown channel")

    def _call(self, fn: Callable[[], Any], msg: Any) -> Any:
        """Run a handler; a failure inside it is our bug, not the peer's: log it, warn the
        peer, keep the connection."""
        try:
            return fn()
        except Exception as e:
            log.exception("handler failed on %s from %s", type(msg).__name__, self.remote_id.hex())
            cid = ChannelId(channel_id_of(msg) or ALL_CHANNELS)
            text = f"internal error handling {type(msg).__name__}: {type(e).__name__}"
            self._out.append(Send(WarningMsg(channel_id=cid, data=text.encode()).encode()))
            return None

    def _receive_ping(self, msg: Ping, now: float) -> None:
        window = self.config.ping_interval
        self._pings_received = [t for t in self._pings_received if now - t < window]
        self._pings_received.append(now)
        if len(self._pings_received) > self.config.max_pings_per_interval:
            self._fail_connection("too many pings")
            return
        if msg.num_pong_bytes < PONG_LIMIT:
            self._out.append(Send(Pong(ignored=bytes(msg.num_pong_bytes)).encode()))

    def _receive_pong(self, msg: Pong) -> None:
        expected = self._ping_outstanding
        if expected is None or len(msg.ignored) != expected[0]:
            # BOLT #1: if `byteslen` does not correspond to any `ping`'s `num_pong_bytes`
            # value it has sent: MAY close the connection.
            self._fail_connection("unsolicited pong")
            return
        self._ping_outstanding = None

    def _receive_error(self, msg: Error | WarningMsg) -> None:
        kind = "error" if isinstance(msg, Error) else "warning"
        text = printable(msg.data)
        self._out.append(PeerSaid(kind, msg.channel_id, text))
        if kind == "warning":
            # BOLT #1: upon receiving `warning`: SHOULD log the message for later diagnosis.
            log.warning("peer %s warns (channel %s): %s", self.remote_id.hex(), msg.channel_id.hex(), text)
            return
        log.error("peer %s sent error (channel %s): %s", self.remote_id.hex(), msg.channel_id.hex(), text)
        if msg.channel_id == ALL_CHANNELS:
            # BOLT #1: if `channel_id` is all zero: MUST fail all channels with the sending node.
            targets = list(self.channels.values())
        else:
            # MUST fail the channel referred to by `channel_id`, if that channel is with the
            # sending node. If no existing channel is referred to: MUST ignore the message.
            found = self.channels.get(msg.channel_id)
            targets = [found] if found is not None else []
        for handler in targets:
            self._call(functools.partial(handler.handle_peer_error, msg.data), msg)
