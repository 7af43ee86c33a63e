"""BOLT 5: what happens on chain once a Lightning channel's funding output is spent.

- `committed`: the HTLCs of each commitment transaction we signed for the peer (the
  revocation log: a revoked commitment can only be penalized in full if we know them).
- `classify`: which transaction spent the funding output (mutual close, our commitment, the
  peer's current, next or a revoked one, or one we know nothing of) and what each of its
  outputs is.
- `resolve`: a pure function from the channel, the confirmed spends and the tip to what
  we can claim now or later, which HTLCs are settled or failed, and what to watch.
- `sweep_tx`: the transactions that claim: batched sweeps, HTLC transactions with fee
  inputs, anchor CPFP.
- `service`: the watcher and sweeper that runs all of it against the chain.
"""
