"""The changes a `trust_update` proposes, and their byte encoding.

A proposal is a batch of changes made by ONE side (the proposer), in the spirit of BOLT 2's
update messages:

- `AddHtlc`: the proposer locks `amount_msat` of its balance under `payment_hash` until
  block `cltv_expiry` (BOLT 2 `update_add_htlc`);
- `SettleHtlc`: the proposer settles a lock the OTHER side placed, with its preimage
  (`update_fulfill_htlc`);
- `FailHtlc` / `FailMalformedHtlc`: the proposer rolls back a lock the OTHER side placed
  (`update_fail_htlc` / `update_fail_malformed_htlc`);
- `ExpireHtlc`: the proposer takes back ITS OWN lock once its deadline has passed (needs
  the other side's signature like every change: "fails back its own expired outgoing HTLCs
  only by agreement");
- `CloseChannel`: the resulting state is the final one (only alone, and only when no lock
  is pending).

Encoding of a change list (docs/trust-channel.md): `u16 count`, then for each change a
`u8 kind` and its fields:

    1 add             u64 htlc_id, u64 amount_msat, [32] payment_hash, u32 cltv_expiry,
                      [1366] onion
    2 settle          u64 htlc_id, [32] preimage
    3 fail            u64 htlc_id, u16 len, [len] reason
    4 fail_malformed  u64 htlc_id, [32] sha256_of_onion, u16 failure_code
    5 expire          u64 htlc_id
    6 close           (nothing)

Decoding is strict: an unknown kind, a short field or trailing bytes raise a `DecodeError`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from amiko.channels.interface import ONION_PACKET_SIZE
from amiko.wire.errors import EncodeError, InvalidValueError
from amiko.wire.primitives import Reader, encode_u16, encode_u32, encode_u64

__all__ = [
    "AddHtlc",
    "Change",
    "ChangeKind",
    "CloseChannel",
    "ExpireHtlc",
    "FailHtlc",
    "FailMalformedHtlc",
    "SettleHtlc",
    "change_size",
    "decode_changes",
    "encode_changes",
    "removal_target",
]

MAX_CHANGES = 0xFFFF


class ChangeKind(enum.IntEnum):
    ADD = 1
    SETTLE = 2
    FAIL = 3
    FAIL_MALFORMED = 4
    EXPIRE = 5
    CLOSE = 6


@dataclass(frozen=True, slots=True)
class AddHtlc:
    htlc_id: int
    amount_msat: int
    payment_hash: bytes
    cltv_expiry: int
    onion: bytes


@dataclass(frozen=True, slots=True)
class SettleHtlc:
    htlc_id: int
    preimage: bytes


@dataclass(frozen=True, slots=True)
class FailHtlc:
    htlc_id: int
    reason: bytes


@dataclass(frozen=True, slots=True)
class FailMalformedHtlc:
    htlc_id: int
    sha256_of_onion: bytes
    failure_code: int


@dataclass(frozen=True, slots=True)
class ExpireHtlc:
    htlc_id: int


@dataclass(frozen=True, slots=True)
class CloseChannel:
    pass


Change = AddHtlc | SettleHtlc | FailHtlc | FailMalformedHtlc | ExpireHtlc | CloseChannel


def removal_target(change: Change) -> int | None:
    """The id of the lock a settle/fail/expire removes (None for add and close)."""
    if isinstance(change, SettleHtlc | FailHtlc | FailMalformedHtlc | ExpireHtlc):
        return change.htlc_id
    return None


def _fixed(value: bytes, n: int, what: str) -> bytes:
    if not isinstance(value, bytes) or len(value) != n:
        raise EncodeError(f"{what} must be {n} bytes")
    return value


def encode_change(c: Change) -> bytes:
    if isinstance(c, AddHtlc):
        return b"".join((bytes((ChangeKind.ADD,)), encode_u64(c.htlc_id), encode_u64(c.amount_msat),
                         _fixed(c.payment_hash, 32, "payment_hash"), encode_u32(c.cltv_expiry),
                         _fixed(c.onion, ONION_PACKET_SIZE, "onion")))
    if isinstance(c, SettleHtlc):
        return bytes((ChangeKind.SETTLE,)) + encode_u64(c.htlc_id) + _fixed(c.preimage, 32, "preimage")
    if isinstance(c, FailHtlc):
        return bytes((ChangeKind.FAIL,)) + encode_u64(c.htlc_id) + encode_u16(len(c.reason)) + c.reason
    if isinstance(c, FailMalformedHtlc):
        return (bytes((ChangeKind.FAIL_MALFORMED,)) + encode_u64(c.htlc_id)
                + _fixed(c.sha256_of_onion, 32, "sha256_of_onion") + encode_u16(c.failure_code))
    if isinstance(c, ExpireHtlc):
        return bytes((ChangeKind.EXPIRE,)) + encode_u64(c.htlc_id)
    if isinstance(c, CloseChannel):
        return bytes((ChangeKind.CLOSE,))
    raise EncodeError(f"not a trust change: {c!r}")


def change_size(c: Change) -> int:
    """Bytes `c` takes in an encoded change list."""
    return len(encode_change(c))


def encode_changes(changes: Sequence[Change]) -> bytes:
    if len(changes) > MAX_CHANGES:
        raise EncodeError(f"too many changes ({len(changes)})")
    return encode_u16(len(changes)) + b"".join(encode_change(c) for c in changes)


def _decode_change(r: Reader) -> Change:
    kind = r.u8()
    if kind == ChangeKind.ADD:
        return AddHtlc(r.u64(), r.u64(), r.read(32), r.u32(), r.read(ONION_PACKET_SIZE))
    if kind == ChangeKind.SETTLE:
        return SettleHtlc(r.u64(), r.read(32))
    if kind == ChangeKind.FAIL:
        htlc_id = r.u64()
        return FailHtlc(htlc_id, r.read(r.u16()))
    if kind == ChangeKind.FAIL_MALFORMED:
        return FailMalformedHtlc(r.u64(), r.read(32), r.u16())
    if kind == ChangeKind.EXPIRE:
        return ExpireHtlc(r.u64())
    if kind == ChangeKind.CLOSE:
        return CloseChannel()
    raise InvalidValueError(f"{r.ctx}: unknown change kind {kind}")


def decode_changes(data: bytes, ctx: str = "trust changes") -> tuple[Change, ...]:
    """Decode a change list exactly; raises a DecodeError subclass on malformed input."""
    r = Reader(data, ctx)
    count = r.u16()
    out = tuple(_decode_change(r) for _ in range(count))
    r.finish()
    return out
