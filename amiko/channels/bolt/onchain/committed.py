"""The HTLCs of a commitment transaction, as the revocation log stores them.

Every `commitment_signed` we send commits the peer to a transaction whose HTLC outputs we
can only recognise (and take, should the peer publish it after revoking it) if we know
each HTLC's payment hash, expiry and direction. The driver records them, for every peer
commitment number, in the same database commit as the channel state that signs it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = ["CommittedHtlc", "decode_htlcs", "encode_htlcs"]

_RECORD = struct.Struct(">BQQ32sI")


@dataclass(frozen=True, slots=True)
class CommittedHtlc:
    """An HTLC in a commitment transaction; `offered_by_us` names its direction for both
    commitments (ours: an offered HTLC output; the peer's: a received one)."""

    offered_by_us: bool
    htlc_id: int
    amount_msat: int
    payment_hash: bytes
    cltv_expiry: int


def encode_htlcs(htlcs: tuple[CommittedHtlc, ...]) -> bytes:
    return b"".join(_RECORD.pack(int(h.offered_by_us), h.htlc_id, h.amount_msat, h.payment_hash,
                                 h.cltv_expiry) for h in htlcs)


def decode_htlcs(data: bytes) -> tuple[CommittedHtlc, ...]:
    if len(data) % _RECORD.size:
        raise ValueError("truncated HTLC record")
    out = []
    for i in range(0, len(data), _RECORD.size):
        ours, htlc_id, amount, payment_hash, cltv = _RECORD.unpack_from(data, i)
        if ours not in (0, 1):
            raise ValueError("bad HTLC direction flag")
        out.append(CommittedHtlc(bool(ours), htlc_id, amount, payment_hash, cltv))
    return tuple(out)
