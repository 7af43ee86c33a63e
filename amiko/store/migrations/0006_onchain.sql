-- BOLT 5: what happens on chain once a channel's funding output is spent.

-- The revocation log: the HTLCs of every commitment we signed for the peer (by number),
-- written in the same commit as the state that signs it. Commitments without HTLCs have
-- no row.
CREATE TABLE bolt_remote_htlcs (
    channel_row INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    htlcs       BLOB NOT NULL,
    PRIMARY KEY (channel_row, number)
) WITHOUT ROWID;

-- Confirmed transactions spending an output the watcher follows (the funding output,
-- then the outputs of the closing transaction, then second-stage outputs).
CREATE TABLE onchain_spends (
    channel_row INTEGER NOT NULL,
    txid        BLOB NOT NULL,           -- the spent outpoint
    vout        INTEGER NOT NULL,
    spender     BLOB NOT NULL,           -- the spending transaction (serialized)
    input_index INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    block_hash  BLOB NOT NULL,
    PRIMARY KEY (channel_row, txid, vout)
);
CREATE INDEX onchain_spends_height ON onchain_spends(height);

-- A channel whose funding output is spent (or restored from a backup and waiting for it).
CREATE TABLE onchain_channels (
    channel_row     INTEGER PRIMARY KEY,
    sweep_script    BLOB NOT NULL,        -- our wallet script every sweep pays
    kind            TEXT,                 -- mutual, local, remote, remote_next, revoked, remote_unknown
    closing_txid    BLOB,
    closing_height  INTEGER,
    resolved_height INTEGER,
    closed          INTEGER NOT NULL DEFAULT 0,
    reported        TEXT NOT NULL DEFAULT '[]',   -- our HTLC ids whose outcome the switch heard
    items           TEXT NOT NULL DEFAULT '[]'    -- the last resolution, for listclosed
);

-- Preimages handed to a closed channel (to claim incoming HTLCs on chain).
CREATE TABLE onchain_preimages (
    channel_row  INTEGER NOT NULL,
    payment_hash BLOB NOT NULL,
    preimage     BLOB NOT NULL,
    PRIMARY KEY (channel_row, payment_hash)
);

-- Every claiming transaction we broadcast; a fee bump replaces one with the next.
CREATE TABLE sweeps (
    id               INTEGER PRIMARY KEY,
    channel_row      INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    txid             BLOB NOT NULL,
    tx               BLOB NOT NULL,
    outpoints        TEXT NOT NULL,       -- JSON list of "txid:vout" it claims
    amount_sat       INTEGER NOT NULL,    -- what the claimed outputs hold
    fee_sat          INTEGER NOT NULL,
    feerate          INTEGER NOT NULL,
    created_height   INTEGER NOT NULL,
    status           TEXT NOT NULL,       -- broadcast, confirmed, replaced, conflicted
    confirmed_height INTEGER,
    reservation      TEXT
);
CREATE INDEX sweeps_status ON sweeps(status);

-- Channels restored from a static backup: enough to ask the peer to close and to find
-- our output in its commitment.
CREATE TABLE restored_channels (
    channel_row     INTEGER PRIMARY KEY,
    peer_id         BLOB NOT NULL,
    channel_id      BLOB NOT NULL,
    funding_txid    BLOB NOT NULL,
    funding_vout    INTEGER NOT NULL,
    funding_sat     INTEGER NOT NULL,
    commitment_type TEXT NOT NULL,
    scan_from       INTEGER NOT NULL,
    host            TEXT,
    port            INTEGER
);
