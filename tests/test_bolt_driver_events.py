"""The Lightning channel's driver hands HTLC events to the switch in the turn that made
them: what the switch stages commits with the channel's state (one commit, not two),
messages still leave only once that commit is done, and what the switch makes the same
channel send goes after the messages of the step that caused it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from amiko.channels.bolt.driver import BoltDriver
from amiko.channels.bolt.outputs import HtlcSettled, Outputs, StateChanged
from amiko.store.batch import CommitBatcher
from amiko.store.channels import ChannelTable
from amiko.store.sqlite import Store

CHANNEL_ID = b"\x01" * 32
PREIMAGE = b"\x07" * 32


class FakeCore:
    channel_id = CHANNEL_ID
    peer_id = b"\x02" * 33
    state = SimpleNamespace(coarse=None)
    data = SimpleNamespace(htlcs={})

    def snapshot(self) -> Callable[[], bytes]:
        return lambda: b"state"


class Port:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.sent: list[tuple[str, int]] = []  # (message, committed channel rows when sent)

    def send(self, msg: Any) -> bool:
        rows = self.store.query_one("SELECT count(*) AS n FROM channels")
        self.sent.append((msg.NAME, rows["n"] if rows else 0))
        return True


class Msg:
    def __init__(self, name: str) -> None:
        self.NAME = name


class Listener:
    """Stands for the switch: settling a forward stages a write, and makes the channel
    send a message of its own."""

    def __init__(self, batcher: CommitBatcher) -> None:
        self.batcher = batcher
        self.driver: BoltDriver | None = None
        self.calls: list[tuple[str, int]] = []
        self.staged: asyncio.Future[None] | None = None

    def htlc_settled(self, channel: Any, htlc_id: int, preimage: bytes) -> None:
        self.calls.append(("settled", htlc_id))
        self.staged = self.batcher.write("CREATE TABLE IF NOT EXISTS seen(preimage BLOB)")
        assert self.driver is not None
        self.driver.apply(Outputs(messages=[Msg("update_fulfill_htlc")], persist=True))

    def channel_changed(self, channel: Any) -> None:
        self.calls.append(("changed", 0))


def test_htlc_events_are_handed_over_at_once_and_commit_with_the_state(tmp_path: Path) -> None:
    async def main() -> None:
        store = Store(str(tmp_path / "db.sqlite"))
        batcher = CommitBatcher(store)
        table = ChannelTable(store, batcher)
        listener = Listener(batcher)
        ctx = SimpleNamespace(channels=table, listener=listener, rename=lambda *a: None)
        port = Port(store)
        driver = BoltDriver(FakeCore(), ctx, table.next_key_index(), port=port)  # type: ignore[arg-type]
        listener.driver = driver
        commits = batcher.commits

        driver.apply(Outputs(messages=[Msg("revoke_and_ack")], persist=True,
                             events=[HtlcSettled(3, PREIMAGE), StateChanged("a", "b")]))
        # the HTLC event reached the listener in this very call; the other waits its turn
        assert listener.calls == [("settled", 3)]
        assert port.sent == [] and batcher.commits == commits  # nothing left before the commit
        assert listener.staged is not None
        await listener.staged
        for _ in range(5):
            await asyncio.sleep(0)
        # one commit held the channel's state and the listener's write
        assert batcher.commits == commits + 1
        # both messages left after it, the step's own first
        assert port.sent == [("revoke_and_ack", 1), ("update_fulfill_htlc", 1)]
        assert listener.calls == [("settled", 3), ("changed", 0)]
        batcher.close()
        store.close()

    asyncio.run(main())
