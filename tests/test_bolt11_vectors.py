"""BOLT 11 "Examples" and "Examples of Invalid Invoices": every one of them.

Valid examples are decoded and checked field by field, then written again: from their
meaning with `encode_invoice` (in the example's field order) and from the decoded fields
with `sign_invoice`; the spec's private key reproduces each string exactly (RFC 6979).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from coincurve import PublicKey

from amiko.bitcoin import bech32
from amiko.bitcoin.networks import network_by_name
from amiko.crypto.keys import pubkey_of
from amiko.link.features import Features
from amiko.payments.bolt11 import (
    Fallback,
    InvoiceError,
    RouteHop,
    TaggedField,
    decode_invoice,
    encode_invoice,
    sign_invoice,
    signing_data,
    signing_hash,
)
from amiko.payments.bolt11.fields import data_without_signature
from amiko.wire.types import scid_from_str

VECTORS = json.loads((Path(__file__).parent / "vectors" / "bolt11_examples.json").read_text())
KEY = bytes.fromhex(VECTORS["private_key"])
VALID: list[dict[str, Any]] = VECTORS["valid"]
INVALID: list[dict[str, Any]] = VECTORS["invalid"]
CONFLICTING: list[dict[str, Any]] = VECTORS["conflicting"]
SPEC_PAYEE = "03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad"


def h(x: str | None) -> bytes | None:
    return None if x is None else bytes.fromhex(x)


def _hops(v: dict[str, Any]) -> list[list[RouteHop]]:
    return [
        [
            RouteHop(
                pubkey=bytes.fromhex(hop["pubkey"]),
                short_channel_id=scid_from_str(hop["short_channel_id"]),
                fee_base_msat=hop["fee_base_msat"],
                fee_proportional_millionths=hop["fee_proportional_millionths"],
                cltv_expiry_delta=hop["cltv_expiry_delta"],
            )
            for hop in hint
        ]
        for hint in v["route_hints"]
    ]


def _features(v: dict[str, Any]) -> Features:
    return Features(sum(1 << b for b in v["feature_bits"]))


def test_every_example_is_here() -> None:
    assert len(VALID) == 15
    assert len(CONFLICTING) == 1
    assert len(INVALID) == 10
    assert pubkey_of(KEY).hex() == SPEC_PAYEE


@pytest.mark.parametrize("v", VALID, ids=[v["name"] for v in VALID])
def test_decode_valid_example(v: dict[str, Any]) -> None:
    inv = decode_invoice(v["invoice"])
    network = network_by_name(v["network"])
    assert inv.network == network
    assert inv.currency_prefix == network.bolt11_prefix
    assert inv.amount_msat == v["amount_msat"]
    assert inv.timestamp == v["timestamp"]
    assert inv.payment_hash == h(v["payment_hash"])
    assert inv.payment_secret == h(v["payment_secret"])
    assert inv.description == v["description"]
    assert inv.description_hash == h(v["description_hash"])
    assert inv.payee.hex() == v["payee"]
    assert not inv.payee_in_invoice
    assert inv.expiry == v["expiry"]
    assert inv.min_final_cltv_expiry_delta == v["min_final_cltv_expiry_delta"]
    assert [(f.version, f.address(network)) for f in inv.fallbacks] == [
        (f["version"], f["address"]) for f in v["fallbacks"]
    ]
    assert [list(hint) for hint in inv.route_hints] == _hops(v)
    assert inv.features == _features(v)
    assert inv.metadata == h(v["metadata"])
    assert "".join(f.letter for f in inv.fields) == v["field_order"]
    assert inv.unknown_fields == ()
    if "signature" in v:
        assert inv.signature.hex() == v["signature"]
        assert inv.recovery_id == v["recovery_id"]
        data5 = data_without_signature(inv.timestamp, inv.fields)
        assert signing_data(inv.hrp, data5).hex() == v["signing_data"]
        assert signing_hash(inv.hrp, data5).hex() == v["signing_hash"]
    if "description_preimage" in v:
        assert hashlib.sha256(v["description_preimage"].encode()).hexdigest() == v["description_hash"]
        decode_invoice(v["invoice"], description=v["description_preimage"])
    # The stored signature gives back the same string, in the case it was written in.
    assert inv.encode(uppercase=v["invoice"].isupper()) == v["invoice"]


@pytest.mark.parametrize("v", VALID, ids=[v["name"] for v in VALID])
def test_reencode_valid_example_with_the_spec_key(v: dict[str, Any]) -> None:
    inv = decode_invoice(v["invoice"])
    resigned = sign_invoice(inv.hrp, inv.timestamp, inv.fields, KEY)
    if v["name"] == "high_s_recovery":
        # Signing yields the low-S signature: the first example.
        assert resigned == VALID[0]["invoice"]
        return
    assert resigned == v["invoice"].lower()


@pytest.mark.parametrize("v", VALID, ids=[v["name"] for v in VALID])
def test_encode_valid_example_from_its_meaning(v: dict[str, Any]) -> None:
    network = network_by_name(v["network"])
    text = encode_invoice(
        network=network,
        amount_msat=v["amount_msat"],
        timestamp=v["timestamp"],
        payment_hash=bytes.fromhex(v["payment_hash"]),
        payment_secret=bytes.fromhex(v["payment_secret"]),
        node_secret=KEY,
        description=v["description"],
        description_hash=h(v["description_hash"]),
        expiry=None if v["expiry"] == 3600 else v["expiry"],
        min_final_cltv_expiry_delta=None if v["min_final_cltv_expiry_delta"] == 18 else v["min_final_cltv_expiry_delta"],
        fallbacks=[Fallback.from_address(f["address"], network) for f in v["fallbacks"]],
        route_hints=_hops(v),
        features=_features(v),
        metadata=h(v["metadata"]),
        field_order=v["field_order"],
    )
    expected = VALID[0]["invoice"] if v["name"] == "high_s_recovery" else v["invoice"].lower()
    assert text == expected


def test_high_s_signature_is_the_negation_of_the_first_example() -> None:
    low = decode_invoice(VALID[0]["invoice"])
    high = decode_invoice(next(v for v in VALID if v["name"] == "high_s_recovery")["invoice"])
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    assert high.signature[:32] == low.signature[:32]
    s_low, s_high = (int.from_bytes(x.signature[32:], "big") for x in (low, high))
    assert s_low <= n // 2 < s_high and s_low + s_high == n
    assert high.recovery_id == low.recovery_id == 1
    # Same fields, so same meaning; only the recovered key differs (see the vector's note).
    assert high.fields == low.fields and high.payment_hash == low.payment_hash
    assert low.payee.hex() == SPEC_PAYEE
    # (r, n - s) is the spec key's signature with the other recovery id.
    assert _recover(VALID[0]["invoice"], high.signature + bytes((0,))) == SPEC_PAYEE


@pytest.mark.parametrize("v", INVALID, ids=[v["name"] for v in INVALID])
def test_invalid_example_fails_for_the_right_reason(v: dict[str, Any]) -> None:
    with pytest.raises(InvoiceError, match=v["error"]):
        decode_invoice(v["invoice"])


@pytest.mark.parametrize("name", ["unknown_feature_100", "invalid_multiplier", "sub_millisatoshi"])
def test_invalid_examples_are_signed_by_the_spec_key(name: str) -> None:
    """These fail for their rule alone: their signature is good."""
    v = next(x for x in INVALID if x["name"] == name)
    hrp, data, _ = bech32.decode(v["invoice"], max_length=None)
    assert _recover(v["invoice"], bech32.five_bit_to_bytes(data[-104:])) == SPEC_PAYEE


def _recover(text: str, signature65: bytes) -> str:
    hrp, data, _ = bech32.decode(text, max_length=None)
    msg = signing_hash(hrp, data[:-104])
    return PublicKey.from_signature_and_message(signature65, msg, hasher=None).format().hex()


@pytest.mark.parametrize("v", CONFLICTING, ids=[v["name"] for v in CONFLICTING])
def test_example_with_wrong_length_fields_fails_under_the_current_rule(v: dict[str, Any]) -> None:
    """The spec lists it as valid, but its requirement (lightning/bolts#1243) now says a
    reader MUST fail on a `p`, `h`, `s` or `n` field of the wrong length; see the note."""
    with pytest.raises(InvoiceError, match=v["error"]):
        decode_invoice(v["invoice"])
    # Its signature is the spec key's, over exactly these fields: written again from the
    # meaning plus the extra fields, it is the same string.
    extra_text = v["invoice"].split("9q5sqqqqqqqqqqqqqqqqsgq", 1)[1][:-110]
    extras = _split_extra(extra_text)
    assert [f.letter for f in extras] == list("2fpphhssnn")
    assert [len(f.data) for f in extras] == [3, 33, 51, 53, 51, 53, 51, 53, 52, 54]
    text = encode_invoice(
        network=network_by_name("bitcoin"),
        amount_msat=v["amount_msat"],
        timestamp=1496314658,
        payment_hash=bytes.fromhex(VALID[0]["payment_hash"]),
        payment_secret=bytes(32 * [0x11]),
        node_secret=KEY,
        description=v["description"],
        features=_features(v),
        field_order=v["field_order"],
        extra_fields=extras,
    )
    assert text == v["invoice"]
    # Without the wrong-length fields, the unknown type-2 field and the f field of unknown
    # version 19 are skipped, kept, and written back unchanged.
    kept = extras[:2]
    text = encode_invoice(
        network=network_by_name("bitcoin"),
        amount_msat=v["amount_msat"],
        timestamp=1496314658,
        payment_hash=bytes.fromhex(VALID[0]["payment_hash"]),
        payment_secret=bytes(32 * [0x11]),
        node_secret=KEY,
        description=v["description"],
        features=_features(v),
        field_order=v["field_order"],
        extra_fields=kept,
    )
    inv = decode_invoice(text)
    assert inv.fallbacks == ()
    assert inv.unknown_fields == (kept[0],)
    assert inv.fields[-2:] == tuple(kept)
    assert inv.encode() == text
    assert inv.description == "coffee beans" and inv.payee.hex() == SPEC_PAYEE


def _split_extra(text: str) -> list[TaggedField]:
    groups = [bech32.CHARSET.index(c) for c in text]
    out, pos = [], 0
    while pos < len(groups):
        length = groups[pos + 1] * 32 + groups[pos + 2]
        out.append(TaggedField(groups[pos], tuple(groups[pos + 3:pos + 3 + length])))
        pos += 3 + length
    return out
