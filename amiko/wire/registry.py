"""Message catalogue: from bytes to a typed message, and custom message registration.

BOLT #1: all messages are "a 2-byte big-endian field indicating the type of message"
followed by the payload. `decode_message` reads the type and hands the payload to the
registered class; an unregistered type gives an `UnknownMessage`, because whether to
ignore it (odd) or close the connection (even) is the link's decision:

BOLT #1, a receiving node: "upon receiving a message of _odd_, unknown type: MUST ignore
the received message. upon receiving a message of _even_, unknown type: MUST close the
connection."

A channel type may define its own messages (BOLT #1: "Custom (types `32768`-`65535`)"),
generated or hand-written; a class only has to satisfy the `Message` protocol.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Protocol, Self, TypeVar

from amiko.wire.errors import TruncatedError
from amiko.wire.messages import MESSAGE_CLASSES

CUSTOM_TYPE_MIN = 32768
MAX_TYPE = 0xFFFF


class Message(Protocol):
    """The protocol every message class satisfies (generated ones and custom ones).

    - `TYPE`: the 2-byte message type; `NAME`: the spec name (for logs).
    - `encode()` returns the FULL message: 2-byte big-endian type, then the payload.
    - `decode_payload(payload)` parses the bytes after the type and raises a
      `amiko.wire.errors.DecodeError` subclass on malformed input (never anything else).
      BOLT #1: "upon receiving a known message with insufficient length for the
      contents: MUST close the connection."
    - Optionally, `CHANNEL_ID_FIELD: ClassVar[str | None]` names the attribute holding the
      32-byte channel id the link dispatches on (see `channel_id_of`).

    Instances should be immutable (frozen dataclasses) and compare by value.
    """

    TYPE: ClassVar[int]
    NAME: ClassVar[str]

    def encode(self) -> bytes: ...

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self: ...


M = TypeVar("M", bound=type[Message])


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    """A message whose type no registered class knows; `payload` excludes the type."""

    type: int
    payload: bytes

    NAME: ClassVar[str] = "unknown"

    @property
    def is_odd(self) -> bool:
        """BOLT #1: odd unknown messages MUST be ignored, even ones close the connection."""
        return bool(self.type & 1)

    def encode(self) -> bytes:
        return self.type.to_bytes(2, "big") + self.payload


class MessageRegistry:
    """Maps message types to classes. The node normally uses `DEFAULT_REGISTRY` (through
    `decode_message` / `register_message`); tests can build private ones."""

    __slots__ = ("_classes",)

    def __init__(self, classes: Iterable[type[Message]] = ()) -> None:
        self._classes: dict[int, type[Message]] = {}
        for cls in classes:
            self._add(cls)

    def _add(self, cls: type[Message]) -> None:
        msg_type = cls.TYPE
        if not isinstance(msg_type, int) or not 0 <= msg_type <= MAX_TYPE:
            raise ValueError(f"{cls.__name__}.TYPE must be a u16, got {msg_type!r}")
        existing = self._classes.get(msg_type)
        if existing is not None:
            raise ValueError(
                f"message type {msg_type} is already registered ({existing.__name__}); "
                f"cannot register {cls.__name__}"
            )
        self._classes[msg_type] = cls

    def register(self, cls: M, *, allow_spec_range: bool = False) -> M:
        """Add a message class; returns it (usable as a class decorator).

        Raises ValueError if its TYPE is already registered, or lies below the custom range
        (32768) unless `allow_spec_range` is set (for a spec message not yet generated).
        BOLT #1, when defining custom messages: "SHOULD pick a random `type` to avoid
        collision with other custom types."
        """
        if not allow_spec_range and not CUSTOM_TYPE_MIN <= cls.TYPE <= MAX_TYPE:
            raise ValueError(
                f"{cls.__name__}.TYPE {cls.TYPE} is not in the custom range 32768-65535"
            )
        self._add(cls)
        return cls

    def unregister(self, msg_type: int) -> None:
        """Remove a registered type (KeyError if absent)."""
        del self._classes[msg_type]

    def get(self, msg_type: int) -> type[Message] | None:
        return self._classes.get(msg_type)

    def types(self) -> frozenset[int]:
        return frozenset(self._classes)

    def copy(self) -> MessageRegistry:
        new = MessageRegistry()
        new._classes.update(self._classes)
        return new

    def decode(self, data: bytes) -> Message | UnknownMessage:
        """Decode a full message (type + payload). Raises DecodeError if malformed."""
        if len(data) < 2:
            raise TruncatedError(
                f"message: unexpected EOF reading the 2-byte type ({len(data)} bytes)"
            )
        msg_type = (data[0] << 8) | data[1]
        cls = self._classes.get(msg_type)
        if cls is None:
            return UnknownMessage(msg_type, data[2:])
        return cls.decode_payload(data[2:])


DEFAULT_REGISTRY = MessageRegistry(MESSAGE_CLASSES)


def decode_message(data: bytes) -> Message | UnknownMessage:
    """Decode a full Lightning message with the default registry."""
    return DEFAULT_REGISTRY.decode(data)


def register_message(cls: M, *, allow_spec_range: bool = False) -> M:
    """Register a custom message class in the default registry (see
    `MessageRegistry.register`)."""
    return DEFAULT_REGISTRY.register(cls, allow_spec_range=allow_spec_range)


def channel_id_of(msg: object) -> bytes | None:
    """The channel id a message refers to, for dispatch by the link, or None.

    That is the message's `channel_id` field; for messages sent before the channel id
    exists (`open_channel`, `accept_channel`, `funding_created`, `open_channel2`,
    `accept_channel2`) the `temporary_channel_id`. A message class names the field in
    `CHANNEL_ID_FIELD`. For `error`/`warning`, all zeros means "all channels" (BOLT #1).
    """
    field = getattr(type(msg), "CHANNEL_ID_FIELD", None)
    if field is None:
        return None
    value = getattr(msg, field)
    return value if isinstance(value, bytes) else None
