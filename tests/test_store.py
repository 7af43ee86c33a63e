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
