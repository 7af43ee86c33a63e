"""The SQLite store: one database file in the node's directory, in WAL mode.

Schema changes are numbered SQL files in `migrations/` (`NNNN_name.sql`), applied in order
on open; the database's `PRAGMA user_version` records the last one applied. A migration
and the version bump commit together, so a crash mid-migration leaves the old version.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amiko.store.batch import CommitBatcher

log = logging.getLogger("amiko.store")

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Params = Sequence[Any] | dict[str, Any]

_U64 = 1 << 64
_I64 = 1 << 63


def to_i64(x: int) -> int:
    """A u64 (a short channel id, an amount) as SQLite's signed 64-bit integer (two's
    complement)."""
    return x - _U64 if x >= _I64 else x


def to_u64(x: int) -> int:
    """The u64 stored by `to_i64`."""
    return x + _U64 if x < 0 else x


class StoreError(RuntimeError):
    """The database is unusable (newer schema than this code, corrupt migration list...)."""


def migrations() -> list[tuple[int, str, str]]:
    """(number, file name, sql) of every migration shipped with this package, in order."""
    found = []
    for entry in resources.files("amiko.store.migrations").iterdir():
        m = _MIGRATION_NAME.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise StoreError(f"migrations must be numbered 1..N without gaps, found {numbers}")
    return found


class Store:
    """A SQLite database with numbered migrations.

    `transaction()` groups writes into one commit; transactions nest (an inner one joins
    the outer one), so a component can group its own writes and still be grouped by its
    caller. Outside a transaction each statement commits on its own.
    """

    def __init__(self, path: str, *, synchronous: str = "FULL") -> None:
        self.path = path
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        # The grouped-commit writer of this database (the first `CommitBatcher` made for
        # it): components write through it when they run in its event loop.
        self.batcher: CommitBatcher | None = None
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
        if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"bad synchronous mode {synchronous!r}")
        self._conn.execute(f"PRAGMA synchronous={synchronous}")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    # -- schema

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        shipped = migrations()
        current = self.schema_version
        if current > len(shipped):
            raise StoreError(
                f"database schema version {current} is newer than this amiko "
                f"(knows {len(shipped)}); upgrade amiko"
            )
        for number, name, sql in shipped[current:]:
            log.info("applying migration %s", name)
            with self.transaction():
                for statement in _split_sql(sql):
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version={number}")

    # -- statements

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Params]) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.executemany(sql, rows)

    def query(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return row

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        with self._lock:
            if self._depth == 0:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if self._depth == 0:
                self._conn.execute("COMMIT")

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _split_sql(sql: str) -> list[str]:
    """Split a migration file into statements (sqlite3.complete_statement decides)."""
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        if not current and (not line.strip() or line.lstrip().startswith("--")):
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        raise StoreError(f"incomplete SQL statement in migration: {current.strip()[:60]!r}")
    return statements
