-- Invoices we issued (BOLT 11). `status`: unpaid, paid, canceled (expiry is computed).
-- `hold`: the preimage is not ours to reveal until the user settles (hold invoices).
CREATE TABLE invoices (
    payment_hash    BLOB PRIMARY KEY,
    label           TEXT NOT NULL UNIQUE,
    preimage        BLOB,                -- NULL for a hold invoice until settled
    payment_secret  BLOB NOT NULL,
    amount_msat     INTEGER,             -- NULL: any amount
    description     TEXT,
    bolt11          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    status          TEXT NOT NULL DEFAULT 'unpaid',
    hold            INTEGER NOT NULL DEFAULT 0,
    received_msat   INTEGER,
    paid_at         INTEGER
);

-- Payments we sent. `status`: pending, complete, failed.
CREATE TABLE payments (
    payment_hash    BLOB PRIMARY KEY,
    bolt11          TEXT,
    destination     BLOB NOT NULL,
    amount_msat     INTEGER NOT NULL,
    status          TEXT NOT NULL,
    preimage        BLOB,
    fee_msat        INTEGER,
    failure         TEXT,
    created_at      INTEGER NOT NULL,
    completed_at    INTEGER
);

-- HTLCs we forwarded (the switch's circuits): incoming lock -> outgoing lock.
CREATE TABLE forwards (
    in_channel      BLOB NOT NULL,
    in_htlc_id      INTEGER NOT NULL,
    out_channel     BLOB NOT NULL,
    out_htlc_id     INTEGER NOT NULL,
    payment_hash    BLOB NOT NULL,
    in_msat         INTEGER NOT NULL,
    out_msat        INTEGER NOT NULL,
    in_cltv         INTEGER NOT NULL,
    out_cltv        INTEGER NOT NULL,
    shared_secret   BLOB NOT NULL,
    status          TEXT NOT NULL,       -- offered, settled, failed, lost (the outgoing lock was never committed)
    preimage        BLOB,                -- once settled downstream: settle upstream with it
    failure         BLOB,                -- once failed downstream: the failure for upstream
    created_at      INTEGER NOT NULL,
    resolved_at     INTEGER,
    PRIMARY KEY (in_channel, in_htlc_id)
);
-- A channel hands out an id again when the lock that had it was never committed ('lost').
CREATE UNIQUE INDEX forwards_out ON forwards(out_channel, out_htlc_id) WHERE status != 'lost';

-- The parts of our payments: one lock each on one of our channels.
CREATE TABLE payment_parts (
    payment_hash    BLOB NOT NULL,
    channel_id      BLOB NOT NULL,
    htlc_id         INTEGER NOT NULL,
    amount_msat     INTEGER NOT NULL,
    fee_msat        INTEGER NOT NULL,
    status          TEXT NOT NULL        -- pending, settled, failed, lost (never committed)
);
CREATE UNIQUE INDEX payment_parts_lock ON payment_parts(channel_id, htlc_id) WHERE status != 'lost';
CREATE INDEX payment_parts_hash ON payment_parts(payment_hash);

-- Our forwarding policy per channel (setchannel); channels without a row use the defaults.
CREATE TABLE channel_policies (
    channel_id      BLOB PRIMARY KEY,
    fee_base_msat   INTEGER NOT NULL,
    fee_ppm         INTEGER NOT NULL,
    cltv_delta      INTEGER NOT NULL
);
