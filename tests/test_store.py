"""The store: migrations, nested transactions, grouped commits, channel rows."""

from __future__ import annotations

import asyncio

import pytest

from amiko.store.batch import CommitBatcher
from amiko.store.channels import ChannelTable
from amiko.store.sqlite import Store, StoreError, migrations


def test_migrations_numbered_and_applied(tmp_path):
    shipped = migrations()
    assert [n for n, _, _ in shipped] == list(range(1, len(shipped) + 1))
    s = Store(str(tmp_path / "db.sqlite"))
    assert s.schema_version == len(shipped)
    s.close()
    again = Store(str(tmp_path / "db.sqlite"))  # re-opening applies nothing twice
    assert again.schema_version == len(shipped)
    again.close()


def test_newer_schema_is_refused(tmp_path):
    s = Store(str(tmp_path / "db.sqlite"))
    s.execute("PRAGMA user_version=999")
    s.close()
    with pytest.raises(StoreError, match="newer"):
        Store(str(tmp_path / "db.sqlite"))


def test_nested_transaction_rolls_back_whole():
    s = Store(":memory:")
    with pytest.raises(RuntimeError):
        with s.transaction():
            s.execute("INSERT INTO peers(node_id, host, port) VALUES (x'01', 'h', 1)")
            with s.transaction():
                s.execute("INSERT INTO peers(node_id, host, port) VALUES (x'02', 'h', 1)")
            raise RuntimeError("boom")
    assert s.query("SELECT * FROM peers") == []


def test_a_batch_starts_after_the_loops_turn(tmp_path):
    async def main():
        store = Store(str(tmp_path / "db.sqlite"))
        batcher = CommitBatcher(store)
        sql = "INSERT INTO peers(node_id, host, port) VALUES (?, 'h', 1)"
        first = batcher.write(sql, (b"\x01",))
        # what a callback scheduled right after the first write stages (as a channel's
        # signing is, after the message that changed its state) joins the same batch
        asyncio.get_running_loop().call_soon(lambda: batcher.write(sql, (b"\x02",)))
        await first
        assert batcher.commits == 1 and batcher.writes == 2
        await batcher.write(sql, (b"\x03",))
        assert batcher.commits == 2
        batcher.close()
        store.close()

    asyncio.run(main())


def test_batcher_groups_writes_and_keeps_order(tmp_path):
    async def main():
        store = Store(str(tmp_path / "db.sqlite"))
        batcher = CommitBatcher(store)
        futs = [batcher.write("INSERT INTO peers(node_id, host, port) VALUES (?, 'h', ?)", (bytes([i]), i))
                for i in range(200)]
        done_order = []
        for i, f in enumerate(futs):
            f.add_done_callback(lambda _f, i=i: done_order.append(i))
        await asyncio.gather(*futs)
        assert done_order == list(range(200))
        assert batcher.writes == 200 and batcher.commits < 10
        assert len(store.query("SELECT * FROM peers")) == 200
        # a failing statement fails its whole batch, and nothing of it is written
        bad = [batcher.write("INSERT INTO peers(node_id, host, port) VALUES (x'ff', 'h', 1)"),
               batcher.write("INSERT INTO nosuchtable VALUES (1)")]
        results = await asyncio.gather(*bad, return_exceptions=True)
        assert all(isinstance(r, Exception) for r in results)
        assert store.query_one("SELECT * FROM peers WHERE node_id=x'ff'") is None
        # and the batcher keeps working afterwards
        await batcher.write("INSERT INTO peers(node_id, host, port) VALUES (x'fe', 'h', 1)")
        batcher.close()
        store.close()

    asyncio.run(main())


def test_channel_rows_and_key_indexes(tmp_path):
    async def main():
        store = Store(str(tmp_path / "db.sqlite"))
        table = ChannelTable(store, CommitBatcher(store))
        first, second = table.next_key_index(), table.next_key_index()
        assert second == first + 1
        await table.save(first, "bolt", b"\x02" * 33, b"\x01" * 32, b"state-1")
        await table.save(first, "bolt", b"\x02" * 33, b"\x03" * 32, b"state-2")
        await table.save(second, "trust", b"\x02" * 33, b"\x04" * 32, b"t", closed=True)
        (row,) = table.load_open()
        assert (row.id, row.channel_id, row.state) == (first, b"\x03" * 32, b"state-2")
        assert len(table.load_all()) == 2
        store.close()
        reopened = ChannelTable(Store(str(tmp_path / "db.sqlite")), None)  # type: ignore[arg-type]
        assert reopened.next_key_index() == second + 1

    asyncio.run(main())


def test_saves_of_one_channel_waiting_for_a_commit_are_written_once(tmp_path):
    async def main():
        store = Store(str(tmp_path / "db.sqlite"))
        batcher = CommitBatcher(store)
        table = ChannelTable(store, batcher)
        row = table.next_key_index()
        encoded: list[int] = []

        def state(n: int):
            def encode() -> bytes:
                encoded.append(n)
                return b"state-%d" % n
            return encode
        await table.save(row, "bolt", b"\x02" * 33, b"\x01" * 32, state(0))
        # staged in one event-loop turn: one commit, the newest state, encoded once
        futs = [table.save(row, "bolt", b"\x02" * 33, b"\x01" * 32, state(n)) for n in range(1, 6)]
        onion = table.save_onion(row, "local", 1, b"o1")
        commits = batcher.commits
        await asyncio.gather(*futs, onion)
        assert batcher.commits == commits + 1
        assert encoded == [0, 5]
        assert table.load_open()[0].state == b"state-5"
        assert table.onions(row) == {("local", 1): b"o1"}
        # a row dropped before it was written: neither the row nor its removal is
        writes = batcher.writes
        table.save_onion(row, "local", 2, b"o2")
        table.drop_onion(row, "local", 2)
        table.drop_onion(row, "local", 1)  # (already written: removed)
        await table.save(row, "bolt", b"\x02" * 33, b"\x01" * 32, b"state-5")
        assert batcher.writes == writes + 2
        assert table.onions(row) == {}
        await table.save_onion(row, "local", 1, b"o1")
        # a state that cannot be encoded fails its batch, whose other writes stay out
        def broken() -> bytes:
            raise ValueError("cannot encode")
        results = await asyncio.gather(table.save(row, "bolt", b"\x02" * 33, b"\x01" * 32, broken),
                                       table.save_onion(row, "local", 2, b"o2"), return_exceptions=True)
        assert all(isinstance(r, ValueError) for r in results)
        assert table.load_open()[0].state == b"state-5"
        assert table.onions(row) == {("local", 1): b"o1"}
        await table.save(row, "bolt", b"\x02" * 33, b"\x01" * 32, b"state-6")
        assert table.load_open()[0].state == b"state-6"
        batcher.close()
        store.close()

    asyncio.run(main())


def test_commits_run_on_the_loop_while_the_disk_is_fast_and_on_the_thread_once_slow(tmp_path, monkeypatch):
    import threading
    import time

    from amiko.store import batch as batch_module

    class SlowDisk:
        """The store's connection, with a COMMIT that takes `delay` seconds (a slow sync)
        and remembers the thread it ran on."""

        def __init__(self, conn):
            self.conn, self.delay, self.threads = conn, 0.0, []

        def execute(self, sql, params=()):
            if sql == "COMMIT":
                time.sleep(self.delay)
                self.threads.append(threading.current_thread().name)
            return self.conn.execute(sql, params)

        def __getattr__(self, name):
            return getattr(self.conn, name)

    async def main():
        store = Store(str(tmp_path / "db.sqlite"))
        batcher = CommitBatcher(store)
        disk = store._conn = SlowDisk(store._conn)

        async def commit(n: int) -> str:
            await batcher.write("INSERT INTO peers(node_id, host, port) VALUES (?, 'h', 1)",
                                (n.to_bytes(2, "big"),))
            return disk.threads[-1]
        loop_thread = threading.current_thread().name
        assert await commit(1) == loop_thread  # a fast disk: on the loop
        disk.delay = 0.01
        await commit(2)
        await commit(3)  # slow syncs on the loop push the next commits to the thread
        slow = [await commit(n) for n in range(4, 4 + batch_module.PROBE_EVERY)]
        assert slow[0].startswith("amiko-store")
        assert slow.count(loop_thread) == 1  # one probe on the loop meanwhile
        disk.delay = 0.0
        fast_again = [await commit(n) for n in range(100, 100 + batch_module.PROBE_EVERY + 3)]
        assert fast_again[-1] == loop_thread  # a probe found the disk fast again
        # Slow statements on a fast disk stay on the loop: only the sync is worth a thread.
        store._conn.create_function("slow", 0, lambda: time.sleep(0.01))
        for _ in range(3):
            await batcher.write("SELECT slow()")
        assert disk.threads[-3:] == [loop_thread] * 3
        batcher.close()
        store.close()

    asyncio.run(main())
