"""The channels' outbox rows: which HTLC events get one, and that every kind reads back."""

from __future__ import annotations

import json

from amiko.channels import events_codec
from amiko.channels.bolt.driver import _outbox_json
from amiko.channels.bolt.outputs import HtlcFailed, HtlcIncoming, HtlcSettled
from amiko.channels.interface import FailureReason, IncomingHtlc

HTLC = IncomingHtlc(b"\x01" * 32, 7, 1_000_000, b"\x02" * 32, 800, b"\x03" * 1366)


def test_an_incoming_htlc_gets_no_row_settled_and_failed_ones_do() -> None:
    # the channel state keeps an incoming HTLC undecided; the node re-delivers it at startup
    assert _outbox_json(HtlcIncoming(HTLC)) is None
    assert events_codec.decode(_outbox_json(HtlcSettled(7, b"\x04" * 32))) == ("settled", (7, b"\x04" * 32))
    reason = FailureReason(onion=b"\x05" * 40)
    assert events_codec.decode(_outbox_json(HtlcFailed(7, reason))) == ("failed", (7, reason))


def test_an_incoming_row_written_by_an_older_version_still_reads() -> None:
    old_row = json.dumps({"kind": "incoming", "channel_id": HTLC.channel_id.hex(), "htlc_id": 7,
                          "amount_msat": 1_000_000, "payment_hash": HTLC.payment_hash.hex(),
                          "cltv_expiry": 800, "onion": HTLC.onion.hex()})
    assert events_codec.decode(old_row) == ("incoming", HTLC)
