-- The public channel graph learned from gossip (BOLT 7), with the raw signed messages so
-- they can be relayed and served to queries byte for byte. u64 values (short_channel_id,
-- htlc amounts) are stored as SQLite's signed 64-bit integers (two's complement).

-- One row per channel. `announcement` is the raw channel_announcement; NULL for channels
-- imported from a graph dump (unverified, never relayed).
CREATE TABLE gossip_channels (
    scid          INTEGER PRIMARY KEY,
    node1         BLOB NOT NULL,
    node2         BLOB NOT NULL,
    capacity_sat  INTEGER,
    features      BLOB NOT NULL,
    announcement  BLOB,
    funding_txid  BLOB,
    unverified    INTEGER NOT NULL DEFAULT 0,
    added_at      INTEGER NOT NULL,
    spent_height  INTEGER
);

-- The latest channel_update of each direction (0: from node1, 1: from node2). `raw` is NULL
-- when the update must not be forwarded (dont_forward) or was imported.
CREATE TABLE gossip_updates (
    scid             INTEGER NOT NULL,
    direction        INTEGER NOT NULL,
    fee_base_msat    INTEGER NOT NULL,
    fee_ppm          INTEGER NOT NULL,
    cltv_delta       INTEGER NOT NULL,
    htlc_min_msat    INTEGER NOT NULL,
    htlc_max_msat    INTEGER NOT NULL,
    disabled         INTEGER NOT NULL,
    timestamp        INTEGER NOT NULL,
    raw              BLOB,
    PRIMARY KEY (scid, direction)
) WITHOUT ROWID;

-- The latest node_announcement of each node with a channel.
CREATE TABLE gossip_nodes (
    node_id    BLOB PRIMARY KEY,
    timestamp  INTEGER NOT NULL,
    features   BLOB NOT NULL,
    alias      TEXT NOT NULL,
    rgb        BLOB NOT NULL,
    addresses  TEXT NOT NULL,
    raw        BLOB
) WITHOUT ROWID;
