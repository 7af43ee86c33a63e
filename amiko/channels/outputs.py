"""What a sans-IO channel core returns from every input, whatever its type: messages to
send, whether its state must be written first, and events for the driver.

The driver of every type does, in order: write `core.to_bytes()` durably when `persist`
(a signature leaves only once the state it commits to is on disk), send `messages`, then
handle `events` (a Lightning channel hands its HTLC events to the switch at once instead:
what the switch does about them commits with the state, see `channels.bolt.driver`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Self, TypeVar

E = TypeVar("E")

# Each channel type subclasses `CoreOutputs[its Event]` (`class Outputs(CoreOutputs[Event])`)
# rather than naming the alias: calling an alias goes through typing, ~4x the cost of
# making the object, and a core makes one per input.


@dataclass(slots=True)
class CoreOutputs(Generic[E]):
    messages: list[Any] = field(default_factory=list)
    persist: bool = False
    events: list[E] = field(default_factory=list)

    def extend(self, other: CoreOutputs[E]) -> Self:
        """Append `other` (messages and events keep their order); returns self."""
        self.messages.extend(other.messages)
        self.events.extend(other.events)
        self.persist = self.persist or other.persist
        return self

    def send(self, msg: Any) -> None:
        self.messages.append(msg)

    def emit(self, event: E) -> None:
        self.events.append(event)

    def __bool__(self) -> bool:
        return bool(self.messages or self.events or self.persist)
