-- Channels of every type. `state` is the channel type's own serialization of everything
-- the channel needs to resume; it is replaced whole, atomically, on every change.
-- `id` also numbers the channel's keys (never reused: see counters).
CREATE TABLE channels (
    id          INTEGER PRIMARY KEY,
    type        TEXT NOT NULL,
    peer_id     BLOB NOT NULL,
    channel_id  BLOB NOT NULL,
    state       BLOB NOT NULL,
    extra       BLOB,                     -- type-specific side data (e.g. our signed funding tx)
    closed      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX channels_peer ON channels(peer_id);
CREATE UNIQUE INDEX channels_channel_id ON channels(channel_id);

-- Monotonic counters (e.g. the next channel key index): a value handed out is never
-- handed out again, even if what used it was abandoned.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

-- The channels' outbox: HTLC outcomes and arrivals the switch must hear about. A row is
-- written in the same commit as (or before) the channel state that produced it, and
-- deleted once handled; rows left by a crash are handed over again at the next start.
CREATE TABLE channel_events (
    channel_row INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    event       TEXT NOT NULL,           -- JSON
    PRIMARY KEY (channel_row, seq)
);
