"""The wallet's SQL: every statement on the wallet_* tables (migration 0002_wallet.sql).

No logic beyond what a statement does; the Wallet groups calls in store.transaction().
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from amiko.bitcoin.tx import OutPoint
from amiko.store.sqlite import Store


@dataclass(frozen=True, slots=True)
class UtxoRow:
    outpoint: OutPoint
    amount_sat: int
    script_pubkey: bytes
    chain: int
    index: int
    spent_by: bytes | None
    reservation: str | None
    block_height: int | None  # of the creating transaction
    coinbase: bool


_UTXO_SELECT = """
    SELECT u.txid, u.vout, u.amount_sat, u.script_pubkey, u.chain, u.idx, u.spent_by,
           u.reservation, t.block_height, t.is_coinbase
    FROM wallet_utxos u JOIN wallet_txs t ON t.txid = u.txid
"""


def _utxo(row: sqlite3.Row) -> UtxoRow:
    return UtxoRow(OutPoint(bytes(row[0]), int(row[1])), int(row[2]), bytes(row[3]), int(row[4]),
                   int(row[5]), None if row[6] is None else bytes(row[6]), row[7],
                   None if row[8] is None else int(row[8]), bool(row[9]))


class WalletDB:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- meta and chains

    def meta(self, key: str) -> str | None:
        row = self.store.query_one("SELECT value FROM wallet_meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.store.execute(
            "INSERT INTO wallet_meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def chains(self) -> dict[int, tuple[int, int]]:
        """chain -> (next_index, highest_used)."""
        rows = self.store.query("SELECT chain, next_index, highest_used FROM wallet_chains")
        return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}

    def save_chain(self, chain: int, next_index: int, highest_used: int) -> None:
        self.store.execute(
            "INSERT INTO wallet_chains(chain, next_index, highest_used) VALUES (?, ?, ?) "
            "ON CONFLICT(chain) DO UPDATE SET next_index = excluded.next_index, "
            "highest_used = excluded.highest_used", (chain, next_index, highest_used))

    # -- blocks

    def block_hash_at(self, height: int) -> bytes | None:
        row = self.store.query_one("SELECT block_hash FROM wallet_blocks WHERE height = ?",
                                   (height,))
        return None if row is None else bytes(row[0])

    def tip(self) -> tuple[int, bytes] | None:
        row = self.store.query_one(
            "SELECT height, block_hash FROM wallet_blocks ORDER BY height DESC LIMIT 1")
        return None if row is None else (int(row[0]), bytes(row[1]))

    def add_block(self, height: int, block_hash: bytes) -> None:
        self.store.execute("INSERT INTO wallet_blocks(height, block_hash) VALUES (?, ?)",
                           (height, block_hash))

    def delete_block(self, height: int) -> None:
        self.store.execute("DELETE FROM wallet_blocks WHERE height = ?", (height,))

    def prune_blocks(self, below_height: int) -> None:
        self.store.execute("DELETE FROM wallet_blocks WHERE height < ?", (below_height,))

    # -- transactions

    def tx_row(self, txid: bytes) -> tuple[bytes, int | None, bytes | None, bool] | None:
        """(raw, block_height, block_hash, is_coinbase)."""
        row = self.store.query_one(
            "SELECT raw, block_height, block_hash, is_coinbase FROM wallet_txs WHERE txid = ?",
            (txid,))
        if row is None:
            return None
        return (bytes(row[0]), None if row[1] is None else int(row[1]),
                None if row[2] is None else bytes(row[2]), bool(row[3]))

    def insert_tx(self, txid: bytes, raw: bytes, height: int | None, block_hash: bytes | None,
                  coinbase: bool) -> None:
        self.store.execute(
            "INSERT INTO wallet_txs(txid, raw, block_height, block_hash, is_coinbase, seq) "
            "VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM wallet_txs))",
            (txid, raw, height, block_hash, int(coinbase)))

    def set_tx_block(self, txid: bytes, height: int | None, block_hash: bytes | None) -> None:
        self.store.execute("UPDATE wallet_txs SET block_height = ?, block_hash = ? WHERE txid = ?",
                           (height, block_hash, txid))

    def txids_in_block(self, block_hash: bytes) -> list[bytes]:
        rows = self.store.query("SELECT txid FROM wallet_txs WHERE block_hash = ? ORDER BY seq",
                                (block_hash,))
        return [bytes(r[0]) for r in rows]

    def all_txs(self) -> list[tuple[bytes, int | None, bytes | None]]:
        rows = self.store.query(
            "SELECT raw, block_height, block_hash FROM wallet_txs ORDER BY seq")
        return [(bytes(r[0]), None if r[1] is None else int(r[1]),
                 None if r[2] is None else bytes(r[2])) for r in rows]

    def delete_tx(self, txid: bytes) -> None:
        self.store.execute("DELETE FROM wallet_txs WHERE txid = ?", (txid,))

    # -- outputs

    def utxo(self, outpoint: OutPoint) -> UtxoRow | None:
        row = self.store.query_one(_UTXO_SELECT + " WHERE u.txid = ? AND u.vout = ?",
                                   (outpoint.txid, outpoint.index))
        return None if row is None else _utxo(row)

    def unspent(self) -> list[UtxoRow]:
        rows = self.store.query(_UTXO_SELECT + " WHERE u.spent_by IS NULL ORDER BY t.seq, u.vout")
        return [_utxo(r) for r in rows]

    def outputs_of(self, txid: bytes) -> list[UtxoRow]:
        return [_utxo(r) for r in self.store.query(_UTXO_SELECT + " WHERE u.txid = ?", (txid,))]

    def insert_utxo(self, outpoint: OutPoint, amount_sat: int, script_pubkey: bytes, chain: int,
                    index: int) -> None:
        self.store.execute(
            "INSERT OR IGNORE INTO wallet_utxos(txid, vout, amount_sat, script_pubkey, chain, idx) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (outpoint.txid, outpoint.index, amount_sat, script_pubkey, chain, index))

    def set_spent(self, outpoint: OutPoint, spent_by: bytes | None) -> None:
        self.store.execute("UPDATE wallet_utxos SET spent_by = ? WHERE txid = ? AND vout = ?",
                           (spent_by, outpoint.txid, outpoint.index))

    def unspend_all_spent_by(self, txid: bytes) -> None:
        self.store.execute("UPDATE wallet_utxos SET spent_by = NULL WHERE spent_by = ?", (txid,))

    def delete_outputs_of(self, txid: bytes) -> None:
        self.store.execute("DELETE FROM wallet_utxos WHERE txid = ?", (txid,))

    def reserve(self, outpoint: OutPoint, reservation: str) -> None:
        self.store.execute("UPDATE wallet_utxos SET reservation = ? WHERE txid = ? AND vout = ?",
                           (reservation, outpoint.txid, outpoint.index))

    def release(self, reservation: str) -> int:
        cur = self.store.execute(
            "UPDATE wallet_utxos SET reservation = NULL WHERE reservation = ? AND spent_by IS NULL",
            (reservation,))
        return int(cur.rowcount)

    def reserved_outpoints(self, reservation: str) -> list[OutPoint]:
        rows = self.store.query("SELECT txid, vout FROM wallet_utxos WHERE reservation = ?",
                                (reservation,))
        return [OutPoint(bytes(r[0]), int(r[1])) for r in rows]
