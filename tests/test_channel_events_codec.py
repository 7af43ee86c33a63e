"""The channels' outbox rows an older version left: every kind reads back."""

from __future__ import annotations

import json

from amiko.channels import events_codec
from amiko.channels.interface import FailureReason, IncomingHtlc

HTLC = IncomingHtlc(b"\x01" * 32, 7, 1_000_000, b"\x02" * 32, 800, b"\x03" * 1366)


def test_settled_and_failed_rows_read_back() -> None:
    assert events_codec.decode(events_codec.encode_settled(7, b"\x04" * 32)) == ("settled", (7, b"\x04" * 32))
    reason = FailureReason(onion=b"\x05" * 40)
    assert events_codec.decode(events_codec.encode_failed(7, reason)) == ("failed", (7, reason))


def test_an_incoming_row_written_by_an_older_version_still_reads() -> None:
    old_row = json.dumps({"kind": "incoming", "channel_id": HTLC.channel_id.hex(), "htlc_id": 7,
                          "amount_msat": 1_000_000, "payment_hash": HTLC.payment_hash.hex(),
                          "cltv_expiry": 800, "onion": HTLC.onion.hex()})
    assert events_codec.decode(old_row) == ("incoming", HTLC)
