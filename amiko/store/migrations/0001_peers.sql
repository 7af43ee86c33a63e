-- Peers we know: their node id, the last address we reached them at, and whether we
-- should keep a connection to them (we do while we hold channels with them, or when the
-- user asked us to connect).
CREATE TABLE peers (
    node_id      BLOB PRIMARY KEY,          -- 33-byte compressed public key
    host         TEXT NOT NULL,
    port         INTEGER NOT NULL,
    persistent   INTEGER NOT NULL DEFAULT 1,  -- reconnect after a disconnect
    features     BLOB,                      -- the peer's last init features
    last_connected INTEGER                  -- unix time
);
