"""The channels table: every channel's serialized state, whatever its type."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from amiko.store.batch import CommitBatcher
from amiko.store.sqlite import Store


@dataclass(frozen=True)
class ChannelRow:
    id: int
    type: str
    peer_id: bytes
    channel_id: bytes
    state: bytes
    extra: bytes | None
    closed: bool


class ChannelTable:
    def __init__(self, store: Store, batcher: CommitBatcher) -> None:
        self.store = store
        self.batcher = batcher

    def next_key_index(self) -> int:
        """A channel key index never handed out before (durable before it is returned)."""
        with self.store.transaction():
            row = self.store.query_one("SELECT value FROM counters WHERE name='channel_key_index'")
            value = 1 if row is None else int(row["value"]) + 1
            self.store.execute(
                "INSERT INTO counters(name, value) VALUES ('channel_key_index', ?) "
                "ON CONFLICT(name) DO UPDATE SET value=excluded.value", (value,))
        return value

    def save(self, row_id: int, type_name: str, peer_id: bytes, channel_id: bytes,
             state: bytes | Callable[[], bytes], *, closed: bool = False) -> asyncio.Future[None]:
        """Stage the channel's new state (or the function that encodes it, called once the
        commit starts); returns the future of its durability. A save still waiting for its
        commit is replaced by the next one of the same channel."""
        now = int(time.time())

        def params() -> tuple[Any, ...]:
            blob = state() if callable(state) else state
            return (row_id, type_name, peer_id, channel_id, blob, int(closed), now, now)
        return self.batcher.write(
            "INSERT INTO channels(id, type, peer_id, channel_id, state, closed, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET channel_id=excluded.channel_id, "
            "state=excluded.state, closed=excluded.closed, updated_at=excluded.updated_at",
            params, key=("channel", row_id),
        )

    def save_extra(self, row_id: int, extra: bytes | None) -> asyncio.Future[None]:
        return self.batcher.write("UPDATE channels SET extra=? WHERE id=?", (extra, row_id))

    def ack_event(self, row_id: int, seq: int) -> None:
        """An outbox row an older version left was replayed: it goes."""
        self.batcher.write("DELETE FROM channel_events WHERE channel_row=? AND seq=?", (row_id, seq))

    def log_remote_htlcs(self, row_id: int, number: int, htlcs: bytes) -> asyncio.Future[None]:
        """The revocation log: the HTLCs of the peer's commitment `number`."""
        return self.batcher.write(
            "INSERT OR REPLACE INTO bolt_remote_htlcs(channel_row, number, htlcs) VALUES (?,?,?)",
            (row_id, number, htlcs))

    def save_onion(self, row_id: int, owner: str, htlc_id: int, onion: bytes) -> asyncio.Future[None]:
        """An HTLC's onion, stored once beside the channel's state (see migration 0007)."""
        return self.batcher.write(
            "INSERT OR REPLACE INTO bolt_htlc_onions(channel_row, owner, htlc_id, onion) VALUES (?,?,?,?)",
            (row_id, owner, htlc_id, onion), key=("onion", row_id, owner, htlc_id))

    def drop_onion(self, row_id: int, owner: str, htlc_id: int) -> None:
        if not self.batcher.retract(("onion", row_id, owner, htlc_id)):
            self.batcher.write("DELETE FROM bolt_htlc_onions WHERE channel_row=? AND owner=? AND htlc_id=?",
                               (row_id, owner, htlc_id))

    def onions(self, row_id: int) -> dict[tuple[str, int], bytes]:
        rows = self.store.query("SELECT owner, htlc_id, onion FROM bolt_htlc_onions WHERE channel_row=?",
                                (row_id,))
        return {(str(r["owner"]), int(r["htlc_id"])): bytes(r["onion"]) for r in rows}

    def forget_onions(self, row_id: int, keys: list[tuple[str, int]]) -> None:
        """Drop onion rows no stored state refers to (at once: used while loading)."""
        with self.store.transaction():
            for owner, htlc_id in keys:
                self.store.execute("DELETE FROM bolt_htlc_onions WHERE channel_row=? AND owner=? AND htlc_id=?",
                                   (row_id, owner, htlc_id))

    def remote_htlcs(self, row_id: int, number: int) -> bytes | None:
        row = self.store.query_one("SELECT htlcs FROM bolt_remote_htlcs WHERE channel_row=? AND number=?",
                                   (row_id, number))
        return None if row is None else bytes(row["htlcs"])

    def pending_events(self, row_id: int) -> list[tuple[int, str]]:
        rows = self.store.query("SELECT seq, event FROM channel_events WHERE channel_row=? ORDER BY seq",
                                (row_id,))
        return [(int(r["seq"]), str(r["event"])) for r in rows]

    def load_open(self) -> list[ChannelRow]:
        return [self._row(r) for r in self.store.query("SELECT * FROM channels WHERE closed=0 ORDER BY id")]

    def load_all(self) -> list[ChannelRow]:
        return [self._row(r) for r in self.store.query("SELECT * FROM channels ORDER BY id")]

    @staticmethod
    def _row(r: sqlite3.Row) -> ChannelRow:
        return ChannelRow(r["id"], r["type"], bytes(r["peer_id"]), bytes(r["channel_id"]),
                          bytes(r["state"]), None if r["extra"] is None else bytes(r["extra"]),
                          bool(r["closed"]))
