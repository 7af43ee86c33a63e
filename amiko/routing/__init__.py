"""Routing: the channel graph, pathfinding, multi-part splits, and learning from payments.

- `graph`: the in-memory channel graph (nodes interned to ints, channels by scid, both
  directions' policies) with persistence rows; `adjacency`: its pathfinding lists.
- `describegraph`: import of LND's `lncli describegraph` JSON.
- `probability`: the liquidity model (uniform prior, learned bounds, decay).
- `search`, `pathfinding`: single-path routes (`find_route`); `route`: `Route` and
  `check_route`, the hop-by-hop recomputation.
- `mpp`: multi-part splits (min-cost flow, and the halving baseline).
- `learning`: mission control, what payment attempts taught us.
- `synthetic`: random mainnet-like graphs for tests and benchmarks.
"""
