-- The on-chain wallet (amiko/chain/wallet): BIP 84 keys, the wallet's own transactions
-- and the outputs it can spend. Amounts are satoshis; txids and block hashes are in
-- internal byte order (as hashed).

-- Facts fixed when the wallet was created: 'network', 'account_xpub' (to refuse another seed).
CREATE TABLE wallet_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Per BIP 84 chain (0 receive, 1 change): addresses handed out and the highest one paid.
CREATE TABLE wallet_chains (
    chain        INTEGER PRIMARY KEY,
    next_index   INTEGER NOT NULL,          -- the next address new_address() gives out
    highest_used INTEGER NOT NULL           -- -1 until an output pays this chain
);

-- The blocks the wallet was given (apply_block), so a reorg can be undone and the node
-- knows where to resume. Old rows are pruned.
CREATE TABLE wallet_blocks (
    height     INTEGER PRIMARY KEY,
    block_hash BLOB NOT NULL
);

-- Transactions that pay or spend the wallet: seen in a block, or broadcast by us.
CREATE TABLE wallet_txs (
    txid         BLOB PRIMARY KEY,
    raw          BLOB NOT NULL,             -- network serialization, with witnesses
    block_height INTEGER,                   -- NULL while unconfirmed
    block_hash   BLOB,
    is_coinbase  INTEGER NOT NULL DEFAULT 0,
    seq          INTEGER NOT NULL           -- the order the wallet learned of them
);
CREATE INDEX wallet_txs_block ON wallet_txs(block_hash);

-- Outputs paying the wallet's scripts, spent or not.
CREATE TABLE wallet_utxos (
    txid          BLOB NOT NULL,
    vout          INTEGER NOT NULL,
    amount_sat    INTEGER NOT NULL,
    script_pubkey BLOB NOT NULL,
    chain         INTEGER NOT NULL,
    idx           INTEGER NOT NULL,
    spent_by      BLOB,                     -- txid of the wallet transaction spending it
    reservation   TEXT,                     -- held for this purpose until spent or released
    PRIMARY KEY (txid, vout)
);
CREATE INDEX wallet_utxos_spent_by ON wallet_utxos(spent_by);
CREATE INDEX wallet_utxos_reservation ON wallet_utxos(reservation);
