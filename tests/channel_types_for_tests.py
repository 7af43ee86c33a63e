"""Two toy channel types for link tests: each has its own custom messages, and its
channels record what reaches them. They share nothing with each other or the link."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from amiko.link.channel_types import PeerPort
from amiko.link.features import Features, register_feature
from amiko.wire.errors import TruncatedError
from amiko.wire.registry import DEFAULT_REGISTRY, register_message


def _message_class(name: str, msg_type: int) -> type:
    @dataclass(frozen=True, slots=True)
    class Msg:
        TYPE: ClassVar[int] = msg_type
        NAME: ClassVar[str] = name
        CHANNEL_ID_FIELD: ClassVar[str] = "channel_id"

        channel_id: bytes
        data: bytes = b""

        def encode(self) -> bytes:
            return struct.pack(">H", self.TYPE) + self.channel_id + self.data

        @classmethod
        def decode_payload(cls, payload: bytes) -> Self:
            if len(payload) < 32:
                raise TruncatedError(f"{name}: need a 32-byte channel_id")
            return cls(payload[:32], payload[32:])

    Msg.__name__ = Msg.__qualname__ = name
    if DEFAULT_REGISTRY.get(msg_type) is None:
        register_message(Msg)
    return DEFAULT_REGISTRY.get(msg_type)  # type: ignore[return-value]


AlphaOpen = _message_class("AlphaOpen", 40001)
AlphaData = _message_class("AlphaData", 40003)
BetaOpen = _message_class("BetaOpen", 40005)
BetaData = _message_class("BetaData", 40007)


@dataclass
class RecordingChannel:
    type_name: str
    channel_id: bytes
    received: list[Any] = field(default_factory=list)
    errors: list[bytes] = field(default_factory=list)
    ups: int = 0
    downs: int = 0
    port: PeerPort | None = None

    def handle_message(self, msg: Any) -> None:
        self.received.append(msg)

    def handle_peer_error(self, data: bytes) -> None:
        self.errors.append(data)

    def link_up(self, port: PeerPort) -> None:
        self.ups += 1
        self.port = port

    def link_down(self) -> None:
        self.downs += 1


@dataclass
class RecordingType:
    name: str
    open_cls: type
    data_cls: type
    feature_bit: int
    opened: list[RecordingChannel] = field(default_factory=list)
    refuse: bool = False

    def __post_init__(self) -> None:
        register_feature(f"test_channel_type_{self.name}", self.feature_bit)

    @property
    def features(self) -> Features:
        return Features(1 << (self.feature_bit + 1))

    @property
    def opening_messages(self) -> frozenset[int]:
        return frozenset({self.open_cls.TYPE})

    def open_from_peer(self, port: PeerPort, msg: Any) -> RecordingChannel | None:
        if self.refuse:
            return None
        ch = RecordingChannel(self.name, msg.channel_id)
        ch.received.append(msg)
        ch.port = port
        self.opened.append(ch)
        return ch

    def open_to_peer(self, port: PeerPort, channel_id: bytes) -> RecordingChannel:
        ch = RecordingChannel(self.name, channel_id, port=port)
        port.register_channel(channel_id, ch)
        port.send(self.open_cls(channel_id=channel_id))
        return ch


def alpha_type() -> RecordingType:
    return RecordingType("alpha", AlphaOpen, AlphaData, 400)


def beta_type() -> RecordingType:
    return RecordingType("beta", BetaOpen, BetaData, 402)
