"""Gossip query encodings against BOLT 7's extended-queries vectors (copied from the spec's
bolt07/extended-queries.json), the CRC32C checksum, range replies and their rules."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amiko.routing.gossip.queries import (
    ENCODING_ZLIB,
    QueryEncodingError,
    crc32c,
    decode_query_flags,
    decode_short_ids,
    decode_timestamps,
    encode_checksums,
    encode_query_flags,
    encode_short_ids,
    encode_timestamps,
    update_checksum,
)
from amiko.routing.gossip.sync import QuerySync, decode_scid_query, range_replies
from amiko.routing.gossip.synth import SynthChannel, SynthNode
from amiko.wire.messages import (
    QueryChannelRange,
    QueryFlags,
    QueryShortChannelIds,
    QueryShortChannelIdsTlvs,
    ReplyChannelRange,
    ReplyChannelRangeTlvs,
    ReplyShortChannelIdsEnd,
    TimestampsTlv,
)
from amiko.wire.registry import decode_message
from amiko.wire.types import scid_from_str

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "vectors" / "bolt07_extended_queries.json").read_text())


def by_type(name: str) -> list[dict[str, Any]]:
    return [v for v in VECTORS if v["msg"]["type"] == name]


def ids(msg: dict[str, Any]) -> list[int]:
    return [scid_from_str(s) for s in msg["shortChannelIds"]["array"]]


def test_query_channel_range_vectors() -> None:
    vs = by_type("QueryChannelRange")
    assert len(vs) == 2
    for v in vs:
        raw = bytes.fromhex(v["hex"])
        m = decode_message(raw)
        assert isinstance(m, QueryChannelRange)
        assert m.chain_hash.hex() == v["msg"]["chainHash"]
        assert (m.first_blocknum, m.number_of_blocks) == (v["msg"]["firstBlockNum"], v["msg"]["numberOfBlocks"])
        records = v["msg"]["tlvStream"]["records"]
        assert m.tlvs.query_option == (3 if records == ["WANT_TIMESTAMPS | WANT_CHECKSUMS"] else None)
        assert m.encode() == raw


def test_reply_channel_range_vectors() -> None:
    vs = by_type("ReplyChannelRange")
    assert len(vs) == 4
    for v in vs:
        raw = bytes.fromhex(v["hex"])
        m = decode_message(raw)
        assert isinstance(m, ReplyChannelRange)
        want = v["msg"]
        assert m.sync_complete == want["complete"]
        assert (m.first_blocknum, m.number_of_blocks) == (want["firstBlockNum"], want["numberOfBlocks"])
        assert decode_short_ids(m.encoded_short_ids) == ids(want)
        assert m.encoded_short_ids[0] == (0 if want["shortChannelIds"]["encoding"] == "UNCOMPRESSED" else 1)
        if "timestamps" in want:
            assert m.tlvs.timestamps_tlv is not None
            assert decode_timestamps(m.tlvs.timestamps_tlv) == [
                (t["timestamp1"], t["timestamp2"]) for t in want["timestamps"]["timestamps"]]
            assert m.tlvs.checksums_tlv is not None
            assert [(c.checksum_node_id_1, c.checksum_node_id_2) for c in m.tlvs.checksums_tlv] == [
                (c["checksum1"], c["checksum2"]) for c in want["checksums"]["checksums"]]
        if want["shortChannelIds"]["encoding"] == "UNCOMPRESSED":
            # our encoders give the vector's bytes exactly
            tlvs = ReplyChannelRangeTlvs()
            if "timestamps" in want:
                tlvs = ReplyChannelRangeTlvs(
                    timestamps_tlv=encode_timestamps([(t["timestamp1"], t["timestamp2"])
                                                      for t in want["timestamps"]["timestamps"]]),
                    checksums_tlv=encode_checksums([(c["checksum1"], c["checksum2"])
                                                    for c in want["checksums"]["checksums"]]))
            built = ReplyChannelRange(m.chain_hash, m.first_blocknum, m.number_of_blocks, m.sync_complete,
                                      encode_short_ids(ids(want)), tlvs)
            assert built.encode() == raw


def test_query_short_channel_ids_vectors() -> None:
    vs = by_type("QueryShortChannelIds")
    assert len(vs) == 4
    for v in vs:
        raw = bytes.fromhex(v["hex"])
        m = decode_message(raw)
        assert isinstance(m, QueryShortChannelIds)
        scids, flags = decode_scid_query(m)
        assert scids == ids(v["msg"])
        records = v["msg"]["tlvStream"]["records"]
        assert flags == (records[0]["array"] if records else None)
        if v["msg"]["shortChannelIds"]["encoding"] == "UNCOMPRESSED" and not records:
            assert QueryShortChannelIds(m.chain_hash, encode_short_ids(scids)).encode() == raw


def test_encoding_errors() -> None:
    with pytest.raises(QueryEncodingError, match="whole number"):
        decode_short_ids(b"\x00" + bytes(9))
    with pytest.raises(QueryEncodingError, match="unknown encoding"):
        decode_short_ids(b"\x02" + bytes(8))
    with pytest.raises(QueryEncodingError, match="zlib"):
        decode_short_ids(b"\x01not zlib")
    assert decode_short_ids(b"") == [] == decode_short_ids(b"\x00")
    # a small message must not inflate into a large one
    bomb = bytes((ENCODING_ZLIB,)) + zlib.compress(bytes(8 * 1_000_000), 9)
    assert len(bomb) < 65535
    with pytest.raises(QueryEncodingError, match="too large"):
        decode_short_ids(bomb)
    # query flags: minimal bigsize, one per scid
    assert decode_query_flags(encode_query_flags([1, 31, 300])) == [1, 31, 300]
    with pytest.raises(QueryEncodingError):
        decode_query_flags(QueryFlags(0, b"\xfd\x00\x01"))  # not minimal
    q = QueryShortChannelIds(bytes(32), encode_short_ids([1, 2]),
                             QueryShortChannelIdsTlvs(query_flags=encode_query_flags([1])))
    with pytest.raises(QueryEncodingError, match="one flag"):
        decode_scid_query(q)
    with pytest.raises(QueryEncodingError):
        decode_timestamps(TimestampsTlv(0, bytes(12)))


def test_crc32c_and_update_checksum() -> None:
    assert crc32c(b"123456789") == 0xE3069283  # RFC 3720 B.4 check value
    assert crc32c(b"") == 0
    chain = bytes(32)
    ch = SynthChannel.make(chain, 1 << 40, SynthNode.make("a"), SynthNode.make("b"))
    u1 = ch.update(ch.a, 1000)
    u2 = ch.update(ch.a, 2000)  # same parameters, new timestamp and signature
    u3 = ch.update(ch.a, 2000, fee_base_msat=7)
    assert u1.signature != u2.signature
    assert update_checksum(u1.encode()) == update_checksum(u2.encode())
    assert update_checksum(u1.encode()) != update_checksum(u3.encode())


def check_reply_rules(first: int, number: int, replies: list[ReplyChannelRange], scids: list[int]) -> None:
    end = first + number
    assert replies[0].first_blocknum <= first
    assert replies[0].first_blocknum + replies[0].number_of_blocks > first
    prev = -1
    got: list[int] = []
    for r in replies[:-1]:
        assert r.sync_complete == 0
        assert r.first_blocknum >= prev
        prev = r.first_blocknum
        got += decode_short_ids(r.encoded_short_ids)
    last = replies[-1]
    assert last.first_blocknum >= prev
    assert last.sync_complete == 1
    assert last.first_blocknum + last.number_of_blocks >= end
    got += decode_short_ids(last.encoded_short_ids)
    assert got == [s for s in scids if first <= s >> 40 < end]
    for r in replies:
        assert len(r.encode()) <= 65535
        assert 0 < r.number_of_blocks <= 0xFFFFFFFF


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, (1 << 24) - 1), max_size=60), st.integers(0, 1 << 24), st.integers(1, 0xFFFFFFFF),
       st.integers(1, 7))
def test_range_replies_follow_the_rules(blocks: list[int], first: int, number: int, chunk: int) -> None:
    scids = sorted({b << 40 | i for i, b in enumerate(blocks)})
    replies = range_replies(bytes(32), first, number, scids, chunk=chunk)
    check_reply_rules(first, number, replies, scids)
    # and our own side reads them back to completion
    sync = QuerySync(bytes(32))
    assert sync.start_range(first, number) is not None
    for r in replies:
        assert sync.on_reply_range(r) is None
    assert sync.range_done and not sync.in_range
    assert [e.scid for e in sync.collected] == [s for s in scids if first <= s >> 40 < first + number]


def test_full_size_range_replies_fit_a_message() -> None:
    scids = [(600_000 + i // 3) << 40 | i for i in range(10_000)]
    stamps = lambda s: (1_700_000_000, 1_700_000_001)  # noqa: E731
    replies = range_replies(bytes(32), 0, 0xFFFFFFFF, scids, chunk=2000, query_option=3,
                            timestamps=stamps, checksums=lambda s: (5, 6))
    assert len(replies) == 5
    check_reply_rules(0, 0xFFFFFFFF, replies, scids)
    assert all(r.tlvs.timestamps_tlv is not None and r.tlvs.checksums_tlv is not None for r in replies)
    assert max(len(r.encode()) for r in replies) < 65535


def test_query_sync_batches_one_at_a_time() -> None:
    sync = QuerySync(bytes(32), batch=3)
    for s in (9, 1, 5, 7, 3):
        assert sync.enqueue(s, 1)
    assert not sync.enqueue(5, 1)
    q = sync.next_query(with_flags=True)
    assert q is not None
    scids, flags = decode_scid_query(q)
    assert scids == [1, 5, 9] and flags == [1, 1, 1]  # ascending, flags in the same order
    assert sync.next_query(with_flags=True) is None  # MUST NOT send another before the end
    assert sync.on_reply_end(ReplyShortChannelIdsEnd(bytes(32), 1)) is None
    q = sync.next_query(with_flags=False)
    assert q is not None and decode_scid_query(q) == ([3, 7], None)
    assert sync.on_reply_end(ReplyShortChannelIdsEnd(bytes(32), 1)) is None
    assert sync.idle
    assert sync.on_reply_end(ReplyShortChannelIdsEnd(bytes(32), 1)) == "unexpected reply_short_channel_ids_end"


def test_query_sync_refuses_bad_replies() -> None:
    sync = QuerySync(bytes(32))
    r = ReplyChannelRange(bytes(32), 0, 10, 1, encode_short_ids([1]))
    assert sync.on_reply_range(r) == "unexpected reply_channel_range"
    sync.start_range(100, 10)
    assert sync.on_reply_range(ReplyChannelRange(b"\x01" * 32, 100, 10, 1, b"\x00")) is not None
    sync.start_range(100, 10)
    assert sync.on_reply_range(ReplyChannelRange(bytes(32), 0, 50, 1, b"\x00")) == (
        "reply_channel_range outside the queried range")
    sync.start_range(100, 10)
    assert sync.on_reply_range(ReplyChannelRange(bytes(32), 100, 10, 1, b"\x00\x01")) is not None
