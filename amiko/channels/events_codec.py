"""HTLC events of the channel-type interface as JSON: the rows of the channels' outbox.

Lightning channels kept an HTLC's resolution there until the switch had acted on it, a
commit later; they now hand it over in the turn that makes it (its effects commit with
it), so only rows an older version left are read, and replayed at startup."""

from __future__ import annotations

import json
from typing import Any

from amiko.channels.interface import FailureReason, IncomingHtlc


def _unhex(s: Any) -> bytes | None:
    return None if s is None else bytes.fromhex(s)


def decode(text: str) -> tuple[str, Any]:
    """("incoming", IncomingHtlc) | ("settled", (htlc_id, preimage)) | ("failed", (htlc_id, reason)).

    (Incoming HTLCs are no longer written to the outbox; rows an older version wrote are
    still read.)"""
    d = json.loads(text)
    kind = d["kind"]
    if kind == "incoming":
        return kind, IncomingHtlc(bytes.fromhex(d["channel_id"]), d["htlc_id"], d["amount_msat"],
                                  bytes.fromhex(d["payment_hash"]), d["cltv_expiry"], bytes.fromhex(d["onion"]))
    if kind == "settled":
        return kind, (d["htlc_id"], bytes.fromhex(d["preimage"]))
    if kind == "failed":
        return kind, (d["htlc_id"], FailureReason(_unhex(d["onion"]), d["failure_code"], _unhex(d["sha256_of_onion"])))
    raise ValueError(f"unknown channel event {kind!r}")
