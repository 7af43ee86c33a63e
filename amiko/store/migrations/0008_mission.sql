-- What payments taught the payer about channels' liquidity (mission control), kept across
-- restarts: routing hints, not money. The whole set is rewritten on each save. u64 values
-- (short_channel_id) are stored as SQLite's signed 64-bit integers (two's complement).

-- Per channel direction: the liquidity was at least `lo_msat` at `lo_time`, and less than
-- `hi_msat` + 1 at `hi_time` (NULL: no upper bound learned). Times are Unix seconds.
CREATE TABLE mission_liquidity (
    scid        INTEGER NOT NULL,
    direction   INTEGER NOT NULL CHECK (direction IN (0, 1)),
    lo_msat     INTEGER NOT NULL,
    lo_time     REAL NOT NULL,
    hi_msat     INTEGER,
    hi_time     REAL NOT NULL,
    PRIMARY KEY (scid, direction)
) WITHOUT ROWID;

-- Nodes and channel directions left out of routes until `until` (Unix seconds). `ident`:
-- the node id, or the channel direction's edge key (scid << 1 | direction) as 9 bytes.
CREATE TABLE mission_bans (
    kind    TEXT NOT NULL CHECK (kind IN ('node', 'edge')),
    ident   BLOB NOT NULL,
    until   REAL NOT NULL,
    PRIMARY KEY (kind, ident)
) WITHOUT ROWID;
