"""BOLT #7 gossip: validating, storing, relaying and syncing the public channel graph.

Modules (import what you need; this package imports nothing eagerly):

- `validation`: the signed hashes of the three gossip messages, signature and field checks.
- `addresses`: `node_announcement` address descriptors (IPv4, IPv6, Tor v3, DNS).
- `announcements`: building and signing our own `channel_announcement` (through
  `announcement_signatures`), `channel_update` and `node_announcement`.
- `queries`: the encodings of the query messages (`encoded_short_ids`, timestamps,
  query flags, CRC32C checksums).
- `sync`: our side of `query_channel_range` / `query_short_channel_ids` with one peer, and
  the replies to a peer's queries.
- `relay`: the staggered broadcast buffer with per-peer timestamp filters, and the
  per-channel rate limiter.
- `funding`: the chain facts about a funding output, looked up (and cached) by scid.
- `records`: what the gossiper keeps per channel besides the graph; the rows it writes.
- `gossiper`: the sans-IO core: `Gossiper.handle(peer, msg, now) -> Verdict` and outputs;
  `answers` (its replies to a peer's filter and queries) and `upkeep` (pruning, the rows
  to write) are parts of it.
- `store`: the SQLite tables (raw messages kept for relaying), and the fast load.
- `driver`: the asyncio glue: link handlers, funding lookups, timers, chain events, writes.
- `views`: JSON for `listnodes`, `listchannels`, `getroute`.
- `importer`: `import_describegraph(path, graph, store)`.
- `synth`: validly signed synthetic gossip and a table-backed fake chain, for tests and
  benchmarks.
"""
