"""Gossip queries (BOLT #7 "Query Messages"), sans-IO.

`QuerySync` is our side with one peer: one `query_channel_range`, then the
`short_channel_id`s we lack (or hold older updates for) in `query_short_channel_ids`
batches, one at a time. `range_replies` and `decode_scid_query` serve the peer's queries.

# BOLT #7 (query_short_channel_ids sender): MUST NOT send `query_short_channel_ids` if it
# has sent a previous `query_short_channel_ids` to this peer and not received
# `reply_short_channel_ids_end`.
# BOLT #7 (query_channel_range sender): MUST NOT send this if it has sent a previous
# `query_channel_range` to this peer and not received all `reply_channel_range` replies.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from amiko.routing.gossip.queries import (
    WANT_CHECKSUMS,
    WANT_TIMESTAMPS,
    QueryEncodingError,
    decode_query_flags,
    decode_short_ids,
    decode_timestamps,
    encode_checksums,
    encode_query_flags,
    encode_short_ids,
    encode_timestamps,
)
from amiko.wire.messages import (
    QueryChannelRange,
    QueryChannelRangeTlvs,
    QueryShortChannelIds,
    QueryShortChannelIdsTlvs,
    ReplyChannelRange,
    ReplyChannelRangeTlvs,
    ReplyShortChannelIdsEnd,
)

ALL_BLOCKS = 0xFFFFFFFF
MAX_RANGE_RESULTS = 2_000_000  # scids one range query may bring (mainnet: ~50,000)
MAX_QUEUED = 500_000


@dataclass(frozen=True, slots=True)
class RangeEntry:
    scid: int
    timestamps: tuple[int, int] | None  # (node_id_1's, node_id_2's) when the peer sent them


@dataclass
class QuerySync:
    chain_hash: bytes
    batch: int = 1000  # scids per query_short_channel_ids
    # range query
    range_first: int = 0
    range_end: int = 0
    in_range: bool = False
    range_done: bool = False
    collected: list[RangeEntry] = field(default_factory=list)
    # scid queries
    queue: deque[tuple[int, int]] = field(default_factory=deque)  # (scid, query flags)
    queued: set[int] = field(default_factory=set)
    outstanding: bool = False
    received_end: int = 0

    @property
    def idle(self) -> bool:
        return not self.in_range and not self.outstanding and not self.queue

    def start_range(self, first: int = 0, number: int = ALL_BLOCKS, *, timestamps: bool = False) -> QueryChannelRange | None:
        if self.in_range:
            return None
        # BOLT #7: MUST set `number_of_blocks` to 1 or greater.
        number = max(1, number)
        self.range_first, self.range_end = first, first + number
        self.in_range, self.range_done = True, False
        self.collected = []
        tlvs = QueryChannelRangeTlvs(query_option=WANT_TIMESTAMPS) if timestamps else QueryChannelRangeTlvs()
        return QueryChannelRange(self.chain_hash, first, number, tlvs)

    def on_reply_range(self, msg: ReplyChannelRange) -> str | None:
        """Take one reply; returns a problem (the peer gets a warning) or None. When the
        replies cover the range, `range_done` is set and `collected` holds the results."""
        if not self.in_range:
            return "unexpected reply_channel_range"
        if msg.chain_hash != self.chain_hash:
            self.in_range = False
            return "reply_channel_range for another chain"
        end = msg.first_blocknum + msg.number_of_blocks
        if end <= self.range_first or msg.first_blocknum >= self.range_end:
            self.in_range = False
            return "reply_channel_range outside the queried range"
        try:
            scids = decode_short_ids(msg.encoded_short_ids)
            stamps: list[tuple[int, int]] | None = None
            if msg.tlvs.timestamps_tlv is not None:
                stamps = decode_timestamps(msg.tlvs.timestamps_tlv)
                if len(stamps) != len(scids):
                    stamps = None  # unusable, but the ids are fine
        except QueryEncodingError as exc:
            self.in_range = False
            return str(exc)
        if len(self.collected) + len(scids) > MAX_RANGE_RESULTS:
            self.in_range = False
            return "too many short_channel_ids"
        for i, scid in enumerate(scids):
            self.collected.append(RangeEntry(scid, None if stamps is None else stamps[i]))
        # BOLT #7 Rationale: the receiver can easily determine if replies are done: simply
        # check if `first_blocknum` plus `number_of_blocks` equals or exceeds the
        # `first_blocknum` plus `number_of_blocks` it asked for.
        # (A block's channels may be split across replies, so the last block can be covered
        # before the last reply: only the final one has `sync_complete` set. A peer that
        # never sets it is finished by the caller's timeout, `finish_range`.)
        if end >= self.range_end and msg.sync_complete:
            self.finish_range()
        return None

    def finish_range(self) -> None:
        self.in_range, self.range_done = False, True

    def enqueue(self, scid: int, flags: int) -> bool:
        if scid in self.queued or len(self.queue) >= MAX_QUEUED:
            return False
        self.queued.add(scid)
        self.queue.append((scid, flags))
        return True

    def next_query(self, *, with_flags: bool) -> QueryShortChannelIds | None:
        """The next batch, when none is outstanding. BOLT #7: MUST encode a whole number of
        `short_channel_id`s; encoding 0 is "in ascending order"."""
        if self.outstanding or not self.queue:
            return None
        batch = [self.queue.popleft() for _ in range(min(self.batch, len(self.queue)))]
        batch.sort()
        for scid, _ in batch:
            self.queued.discard(scid)
        tlvs = QueryShortChannelIdsTlvs()
        if with_flags:
            # BOLT #7: MUST encode one query flag per `short_channel_id`.
            tlvs = QueryShortChannelIdsTlvs(query_flags=encode_query_flags([f for _, f in batch]))
        self.outstanding = True
        return QueryShortChannelIds(self.chain_hash, encode_short_ids([s for s, _ in batch]), tlvs)

    def on_reply_end(self, msg: ReplyShortChannelIdsEnd) -> str | None:
        if not self.outstanding:
            return "unexpected reply_short_channel_ids_end"
        self.outstanding = False
        self.received_end += 1
        return None


# -- answering the peer's queries --------------------------------------------------------------

def decode_scid_query(msg: QueryShortChannelIds) -> tuple[list[int], list[int] | None]:
    """The scids and their query flags (None: no flags, send everything). Raises
    QueryEncodingError for what the peer gets a warning for.

    # BOLT #7: if `encoded_query_flags` does not decode to exactly one flag per
    # `short_channel_id`: MAY send a `warning`. MAY close the connection.
    """
    scids = decode_short_ids(msg.encoded_short_ids)
    flags = None
    if msg.tlvs.query_flags is not None:
        flags = decode_query_flags(msg.tlvs.query_flags)
        if len(flags) != len(scids):
            raise QueryEncodingError("encoded_query_flags does not hold one flag per short_channel_id")
    return scids, flags


def range_replies(
    chain_hash: bytes,
    first: int,
    number: int,
    scids: Sequence[int],
    *,
    chunk: int,
    query_option: int = 0,
    timestamps: Callable[[int], tuple[int, int]] | None = None,
    checksums: Callable[[int], tuple[int, int]] | None = None,
) -> list[ReplyChannelRange]:
    """The `reply_channel_range` messages for `[first, first + number)` over our sorted
    public `scids`.

    # BOLT #7: MUST respond with one or more `reply_channel_range`: MUST set with
    # `chain_hash` equal to that of `query_channel_range`, MUST limit `number_of_blocks` to
    # the maximum number of blocks whose results could fit in `encoded_short_ids`. MAY
    # split block contents across multiple `reply_channel_range`.
    # the first `reply_channel_range` message: MUST set `first_blocknum` less than or equal
    # to the `first_blocknum` in `query_channel_range`; MUST set `first_blocknum` plus
    # `number_of_blocks` greater than `first_blocknum` in `query_channel_range`.
    # successive `reply_channel_range` message: MUST have `first_blocknum` equal or greater
    # than the previous `first_blocknum`. MUST set `sync_complete` to `false` if this is
    # not the final `reply_channel_range`.
    # the final `reply_channel_range` message: MUST have `first_blocknum` plus
    # `number_of_blocks` equal or greater than the `query_channel_range` `first_blocknum`
    # plus `number_of_blocks`. MUST set `sync_complete` to `true`.
    """
    end = first + number
    lo = bisect_left(scids, first << 40)
    hi = bisect_left(scids, end << 40)
    selected = list(scids[lo:hi])
    if not selected:
        return [ReplyChannelRange(chain_hash, first, number, 1, encode_short_ids([]))]
    parts = [selected[i:i + chunk] for i in range(0, len(selected), chunk)]
    out = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        blk_first = first if i == 0 else part[0] >> 40
        blk_end = end if last else (part[-1] >> 40) + 1
        tlvs = ReplyChannelRangeTlvs()
        # BOLT #7: if bit 0 in `query_option_flags` is set, the receiver MAY append a
        # `timestamps_tlv` ...; if bit 1 ... MAY append a `checksums_tlv`.
        if query_option & WANT_TIMESTAMPS and timestamps is not None:
            tlvs = ReplyChannelRangeTlvs(timestamps_tlv=encode_timestamps([timestamps(s) for s in part]))
        if query_option & WANT_CHECKSUMS and checksums is not None:
            tlvs = ReplyChannelRangeTlvs(
                timestamps_tlv=tlvs.timestamps_tlv,
                checksums_tlv=encode_checksums([checksums(s) for s in part]),
            )
        out.append(ReplyChannelRange(
            chain_hash, blk_first, blk_end - blk_first, 1 if last else 0, encode_short_ids(part), tlvs,
        ))
    return out
