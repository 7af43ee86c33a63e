"""The channel manager's lookups: by short channel id (an index kept from statuses), and
what a user types."""

from __future__ import annotations

from dataclasses import dataclass, field

from amiko.channels.interface import ChannelState, ChannelStatus
from amiko.channels.manager import ChannelManager


@dataclass
class _PeerRecord:
    channels: dict = field(default_factory=dict)


class _Peers:
    """The part of the peer manager the channel manager uses."""

    def __init__(self) -> None:
        self.peers: dict[bytes, _PeerRecord] = {}

    def record(self, node_id: bytes) -> _PeerRecord:
        return self.peers.setdefault(node_id, _PeerRecord())


class _Channel:
    def __init__(self, n: int, scid: int | None) -> None:
        self.channel_id = bytes([n]) * 32
        self.peer_id = b"\x02" + bytes([n]) * 32
        self.scid = scid
        self.status_calls = 0

    def status(self) -> ChannelStatus:
        self.status_calls += 1
        return ChannelStatus(self.channel_id, self.peer_id, "test", ChannelState.NORMAL, self.scid,
                             1000, 500, 500, 500, 500, 1, 0, True)


def test_short_channel_id_lookups_use_an_index_of_what_statuses_said() -> None:
    manager = ChannelManager(_Peers())  # type: ignore[arg-type]
    a, b, pending = _Channel(1, 100), _Channel(2, 200), _Channel(3, None)
    for c in (a, b, pending):
        manager.add(c)  # type: ignore[arg-type]
    assert manager.by_short_channel_id(200) is b
    calls = a.status_calls + b.status_calls
    assert manager.by_short_channel_id(100) is a
    assert manager.by_short_channel_id(200) is b
    assert a.status_calls + b.status_calls == calls  # found without a status each time
    assert manager.by_short_channel_id(300) is None  # unknown: looked for, not found

    # A channel that gets its real short channel id keeps answering to its alias.
    pending.scid = 300
    assert manager.by_short_channel_id(300) is pending
    a.scid = 101
    assert manager.by_short_channel_id(101) is a
    assert manager.by_short_channel_id(100) is a

    # A channel the manager no longer has is not found by any of its ids.
    manager.remove(b)  # type: ignore[arg-type]
    assert manager.by_short_channel_id(200) is None
    assert manager.by_short_channel_id(101) is a
