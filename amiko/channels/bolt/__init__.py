"""The Lightning channel type of BOLT 2 and BOLT 3.

BOLT 3 (transactions and keys), each module one concern, all sans-IO:

- `keys`: basepoints, per-commitment keys, revocation keys, our channel secrets;
- `shachain`: per-commitment secret generation and the peer's secrets in compact storage;
- `scripts`: the funding, to_local, to_remote, anchor and HTLC scripts and their witnesses;
- `fees`: expected weights, fees, trimming, dust thresholds;
- `commitment`: the commitment transaction;
- `htlc_txs`: HTLC-timeout and HTLC-success transactions;
- `closing`: mutual closing transactions;
- `signatures`: compact/DER signatures and BIP 143 signing of one input.
"""
