"""Unit types for the wire layer, and the `short_channel_id` helpers.

BOLT #7: a `short_channel_id` is 8 bytes, "the most significant 3 bytes: indicating the
block height, the next 3 bytes: indicating the transaction index within the block, the
least significant 2 bytes: indicating the output index". Messages hold it as the u64.
"""

from __future__ import annotations

from typing import NewType

Msat = NewType("Msat", int)
Sat = NewType("Sat", int)
ChannelId = NewType("ChannelId", bytes)
ShortChannelId = NewType("ShortChannelId", int)

# BOLT #1: for `error`/`warning`, a `channel_id` of all zeros refers to all channels.
ALL_CHANNELS = ChannelId(bytes(32))

_MAX_BLOCK = (1 << 24) - 1
_MAX_TX = (1 << 24) - 1
_MAX_OUT = (1 << 16) - 1


def scid_from_parts(block: int, tx: int, out: int) -> ShortChannelId:
    """Build a `short_channel_id` from block height, transaction index, output index."""
    if not 0 <= block <= _MAX_BLOCK:
        raise ValueError(f"block height {block} does not fit in 3 bytes")
    if not 0 <= tx <= _MAX_TX:
        raise ValueError(f"transaction index {tx} does not fit in 3 bytes")
    if not 0 <= out <= _MAX_OUT:
        raise ValueError(f"output index {out} does not fit in 2 bytes")
    return ShortChannelId((block << 40) | (tx << 16) | out)


def scid_parts(scid: int) -> tuple[int, int, int]:
    """Split a `short_channel_id` into (block height, transaction index, output index)."""
    if not 0 <= scid < 1 << 64:
        raise ValueError(f"short_channel_id {scid} is not a u64")
    return scid >> 40, (scid >> 16) & _MAX_TX, scid & _MAX_OUT


def scid_to_str(scid: int) -> str:
    """BOLT #7 human readable form, e.g. `539268x845x1`."""
    block, tx, out = scid_parts(scid)
    return f"{block}x{tx}x{out}"


def scid_from_str(text: str) -> ShortChannelId:
    """Parse the `BLOCKxTXxOUT` form; raises ValueError."""
    parts = text.split("x")
    if len(parts) != 3 or not all(p.isdigit() and p.isascii() for p in parts):
        raise ValueError(f"not a short_channel_id: {text!r}")
    return scid_from_parts(int(parts[0]), int(parts[1]), int(parts[2]))
