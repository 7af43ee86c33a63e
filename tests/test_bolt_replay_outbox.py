"""Outbox rows an older version left (HTLC events the switch had not yet acted on when it
stopped) are handed to the switch at startup, in order, and then deleted; a row that
cannot be read is logged and kept, and the others still go; without a switch nothing is
taken out."""

from __future__ import annotations

import asyncio
import json
import logging
from types import SimpleNamespace
from typing import Any

import pytest

from amiko.channels.bolt.driver import BoltDriver
from amiko.channels.interface import FailureReason, IncomingHtlc
from amiko.store.batch import CommitBatcher
from amiko.store.channels import ChannelTable
from amiko.store.sqlite import Store
from tests.test_bolt_driver_events import FakeCore

HTLC = IncomingHtlc(b"\x01" * 32, 4, 1_000_000, b"\x02" * 32, 800, b"\x03" * 1366)
ROWS = [
    (1, json.dumps({"kind": "incoming", "channel_id": HTLC.channel_id.hex(), "htlc_id": 4,
                    "amount_msat": 1_000_000, "payment_hash": HTLC.payment_hash.hex(),
                    "cltv_expiry": 800, "onion": HTLC.onion.hex()})),
    (2, json.dumps({"kind": "settled", "htlc_id": 9, "preimage": "07" * 32})),
    (3, json.dumps({"kind": "failed", "htlc_id": 10, "onion": "05" * 40, "failure_code": None,
                    "sha256_of_onion": None})),
]


class Listener:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def htlc_incoming(self, channel: Any, htlc: IncomingHtlc) -> None:
        self.calls.append(("incoming", htlc))

    def htlc_settled(self, channel: Any, htlc_id: int, preimage: bytes) -> None:
        self.calls.append(("settled", (htlc_id, preimage)))

    def htlc_failed(self, channel: Any, htlc_id: int, reason: FailureReason) -> None:
        self.calls.append(("failed", (htlc_id, reason)))


def replay(tmp_path: Any, rows: list[tuple[int, str]], listener: Listener | None) -> list[tuple[int, int]]:
    """Replay `rows` (of channel row 5; a row of channel 6 stands beside them); returns the
    (channel row, seq) left after the commit."""
    async def main() -> list[tuple[int, int]]:
        store = Store(str(tmp_path / "db.sqlite"))
        batcher = CommitBatcher(store)
        table = ChannelTable(store, batcher)
        for seq, text in [*rows]:
            store.execute("INSERT INTO channel_events(channel_row, seq, event) VALUES (5, ?, ?)", (seq, text))
        store.execute("INSERT INTO channel_events(channel_row, seq, event) VALUES (6, 1, ?)", (ROWS[1][1],))
        ctx = SimpleNamespace(channels=table, listener=listener, rename=lambda *a: None)
        driver = BoltDriver(FakeCore(), ctx, 5)  # type: ignore[arg-type]
        driver.replay_outbox()
        await batcher.drain()
        left = [(int(r["channel_row"]), int(r["seq"]))
                for r in store.query("SELECT channel_row, seq FROM channel_events ORDER BY channel_row, seq")]
        batcher.close()
        store.close()
        return left

    return asyncio.run(main())


def test_old_rows_are_handed_over_in_order_then_deleted(tmp_path: Any) -> None:
    listener = Listener()
    assert replay(tmp_path, ROWS, listener) == [(6, 1)]  # another channel's row stays
    assert listener.calls == [("incoming", HTLC), ("settled", (9, b"\x07" * 32)),
                              ("failed", (10, FailureReason(onion=b"\x05" * 40)))]


def test_an_unreadable_row_is_logged_and_kept(tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    listener = Listener()
    rows = [ROWS[1], (5, '{"kind": "settled"'), (6, json.dumps({"kind": "teleported"})), ROWS[2]]
    with caplog.at_level(logging.ERROR):
        left = replay(tmp_path, rows, listener)
    assert left == [(5, 5), (5, 6), (6, 1)]
    assert [kind for kind, _ in listener.calls] == ["settled", "failed"]
    assert sum("unreadable outbox row" in r.getMessage() for r in caplog.records) == 2


def test_without_a_switch_nothing_is_taken_out(tmp_path: Any) -> None:
    assert replay(tmp_path, ROWS, None) == [(5, 1), (5, 2), (5, 3), (6, 1)]
