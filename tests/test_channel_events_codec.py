"""The channels' outbox rows an older version left: every kind reads back."""

from __future__ import annotations

import json

from amiko.channels import events_codec
from amiko.channels.interface import FailureReason, IncomingHtlc

HTLC = IncomingHtlc(b"\x01" * 32, 7, 1_000_000, b"\x02" * 32, 800, b"\x03" * 1366)


def test_settled_and_failed_rows_written_by_an_older_version_still_read() -> None:
    settled = json.dumps({"kind": "settled", "htlc_id": 7, "preimage": "04" * 32})
    assert events_codec.decode(settled) == ("settled", (7, b"\x04" * 32))
    failed = json.dumps({"kind": "failed", "htlc_id": 7, "onion": "05" * 40, "failure_code": None,
                         "sha256_of_onion": None})
    assert events_codec.decode(failed) == ("failed", (7, FailureReason(onion=b"\x05" * 40)))


def test_an_incoming_row_written_by_an_older_version_still_reads() -> None:
    old_row = json.dumps({"kind": "incoming", "channel_id": HTLC.channel_id.hex(), "htlc_id": 7,
                          "amount_msat": 1_000_000, "payment_hash": HTLC.payment_hash.hex(),
                          "cltv_expiry": 800, "onion": HTLC.onion.hex()})
    assert events_codec.decode(old_row) == ("incoming", HTLC)
