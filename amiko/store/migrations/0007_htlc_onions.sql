-- The onion of each HTLC a Lightning channel holds, apart from the channel's state: written
-- once when the HTLC is first stored, deleted when it leaves, so that the state written on
-- every update stays small (an onion is 1,366 bytes, the rest of an HTLC under 200).
CREATE TABLE bolt_htlc_onions (
    channel_row INTEGER NOT NULL,
    owner       TEXT NOT NULL,            -- 'local' (we offered it) or 'remote'
    htlc_id     INTEGER NOT NULL,
    onion       BLOB NOT NULL,
    PRIMARY KEY (channel_row, owner, htlc_id)
) WITHOUT ROWID;
