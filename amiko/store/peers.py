"""The peers table: addresses of peers and whether we keep a connection to them."""

from __future__ import annotations

import time

from amiko.store.sqlite import Store


class PeerTable:
    """Implements the link layer's `PeerBook` over the store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def save_peer(self, node_id: bytes, host: str, port: int, persistent: bool) -> None:
        self.store.execute(
            "INSERT INTO peers(node_id, host, port, persistent) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(node_id) DO UPDATE SET host=excluded.host, port=excluded.port, "
            "persistent=excluded.persistent",
            (node_id, host, port, int(persistent)),
        )

    def set_persistent(self, node_id: bytes, persistent: bool) -> None:
        self.store.execute("UPDATE peers SET persistent=? WHERE node_id=?", (int(persistent), node_id))

    def save_features(self, node_id: bytes, features: bytes) -> None:
        self.store.execute(
            "UPDATE peers SET features=?, last_connected=? WHERE node_id=?",
            (features, int(time.time()), node_id),
        )

    def load_peers(self) -> list[tuple[bytes, str, int, bool]]:
        rows = self.store.query("SELECT node_id, host, port, persistent FROM peers")
        return [(bytes(r["node_id"]), r["host"], int(r["port"]), bool(r["persistent"])) for r in rows]
