"""Encodings of the gossip query messages: arrays of `short_channel_id`s, timestamps and
query flags behind an encoding byte, and the CRC32C checksum of a `channel_update`.

# BOLT #7: Encoding types:
# * `0`: uncompressed array of `short_channel_id` types, in ascending order.
# * `1`: Previously used for zlib compression, this encoding MUST NOT be used.
# This encoding is also used for arrays of other types (timestamps, flags, ...)

We only ever send encoding 0. Encoding 1 is still decoded when a peer sends it (older
nodes did), with the inflated size bounded so a small message cannot expand into a large
one; any other encoding byte is an error the caller answers with a `warning`.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

from amiko.routing.gossip.validation import CHANNEL_UPDATE_SIGNED_FROM, CHANNEL_UPDATE_TIMESTAMP_AT
from amiko.wire.errors import DecodeError
from amiko.wire.messages import (
    ChannelUpdateChecksums,
    ChannelUpdateTimestamps,
    QueryFlags,
    TimestampsTlv,
)
from amiko.wire.primitives import decode_bigsize, encode_bigsize

ENCODING_UNCOMPRESSED = 0
ENCODING_ZLIB = 1
MAX_INFLATED = 1 << 20  # bytes a deprecated zlib array may inflate to

# BOLT #7 query_option_flags: bit 0 "Sender wants timestamps", bit 1 "Sender wants checksums".
WANT_TIMESTAMPS = 1
WANT_CHECKSUMS = 2

# BOLT #7 query_flag bits.
QUERY_ANNOUNCEMENT = 1  # "Sender wants `channel_announcement`"
QUERY_UPDATE_1 = 2  # "Sender wants `channel_update` for node 1"
QUERY_UPDATE_2 = 4  # "Sender wants `channel_update` for node 2"
QUERY_NODE_1 = 8  # "Sender wants `node_announcement` for node 1"
QUERY_NODE_2 = 16  # "Sender wants `node_announcement` for node 2"
QUERY_ALL = QUERY_ANNOUNCEMENT | QUERY_UPDATE_1 | QUERY_UPDATE_2 | QUERY_NODE_1 | QUERY_NODE_2


class QueryEncodingError(ValueError):
    """An encoded array the receiver cannot read (the peer gets a `warning`)."""


def _body(encoding: int, data: bytes, what: str) -> bytes:
    if encoding == ENCODING_UNCOMPRESSED:
        return data
    if encoding == ENCODING_ZLIB:
        d = zlib.decompressobj()
        try:
            out = d.decompress(data, MAX_INFLATED)
        except zlib.error as exc:
            raise QueryEncodingError(f"{what}: bad zlib data: {exc}") from None
        if d.unconsumed_tail or not d.eof:
            raise QueryEncodingError(f"{what}: zlib data too large or truncated")
        return out
    # BOLT #7: if the first byte of `encoded_short_ids` is not a known encoding type: MAY
    # send a `warning`. MAY close the connection.
    raise QueryEncodingError(f"{what}: unknown encoding type {encoding}")


# -- short_channel_id arrays -------------------------------------------------------------------

def encode_short_ids(scids: Sequence[int]) -> bytes:
    """Encoding 0 of sorted scids (the caller sorts)."""
    return bytes((ENCODING_UNCOMPRESSED,)) + struct.pack(f">{len(scids)}Q", *scids)


def decode_short_ids(encoded: bytes) -> list[int]:
    if not encoded:
        return []  # no encoding byte: an empty array
    body = _body(encoded[0], encoded[1:], "encoded_short_ids")
    if len(body) % 8:
        # BOLT #7: if `encoded_short_ids` does not decode into a whole number of
        # `short_channel_id`: MAY send a `warning`. MAY close the connection.
        raise QueryEncodingError("encoded_short_ids is not a whole number of short_channel_ids")
    return list(struct.unpack(f">{len(body) // 8}Q", body))


# -- timestamps (reply_channel_range) ----------------------------------------------------------

def encode_timestamps(stamps: Sequence[tuple[int, int]]) -> TimestampsTlv:
    flat = [t for pair in stamps for t in pair]
    return TimestampsTlv(ENCODING_UNCOMPRESSED, struct.pack(f">{len(flat)}I", *flat))


def decode_timestamps(tlv: TimestampsTlv) -> list[tuple[int, int]]:
    body = _body(tlv.encoding_type, tlv.encoded_timestamps, "encoded_timestamps")
    if len(body) % 8:
        raise QueryEncodingError("encoded_timestamps is not a whole number of timestamp pairs")
    out = []
    for i in range(0, len(body), 8):
        ts = ChannelUpdateTimestamps.decode(body[i:i + 8])
        out.append((ts.timestamp_node_id_1, ts.timestamp_node_id_2))
    return out


def encode_checksums(sums: Sequence[tuple[int, int]]) -> tuple[ChannelUpdateChecksums, ...]:
    return tuple(ChannelUpdateChecksums(a, b) for a, b in sums)


# -- query flags (query_short_channel_ids) -----------------------------------------------------

def encode_query_flags(flags: Sequence[int]) -> QueryFlags:
    """# BOLT #7: Each query flag is a minimally-encoded bigsize."""
    return QueryFlags(ENCODING_UNCOMPRESSED, b"".join(encode_bigsize(f) for f in flags))


def decode_query_flags(qf: QueryFlags) -> list[int]:
    body = _body(qf.encoding_type, qf.encoded_query_flags, "encoded_query_flags")
    out = []
    pos, end = 0, len(body)
    try:
        while pos < end:
            flag, pos = decode_bigsize(body, pos, end, "query_flag")
            out.append(flag)
    except DecodeError as exc:
        raise QueryEncodingError(str(exc)) from None
    return out


# -- checksums ---------------------------------------------------------------------------------

def _crc32c_table() -> list[int]:
    poly = 0x82F63B78  # Castagnoli, reflected
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes, crc: int = 0) -> int:
    """CRC32C (RFC 3720 appendix B.4); `crc32c(b"123456789") == 0xE3069283`."""
    c = crc ^ 0xFFFFFFFF
    table = _CRC32C
    for b in data:
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def update_checksum(raw_update: bytes) -> int:
    """# BOLT #7: The checksum of a `channel_update` is the CRC32C checksum as specified in
    # RFC3720 of this `channel_update` without its `signature` and `timestamp` fields."""
    head = raw_update[CHANNEL_UPDATE_SIGNED_FROM:CHANNEL_UPDATE_TIMESTAMP_AT]
    return crc32c(raw_update[CHANNEL_UPDATE_TIMESTAMP_AT + 4:], crc32c(head))
