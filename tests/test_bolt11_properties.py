"""Property tests: encode -> decode round trips, and decoding garbage only raises InvoiceError."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from amiko.bitcoin import bech32
from amiko.bitcoin.networks import NETWORKS
from amiko.crypto.keys import is_valid_secret, pubkey_of
from amiko.link.features import Features
from amiko.payments.bolt11 import (
    MAX_AMOUNT_MSAT,
    Fallback,
    InvoiceError,
    RouteHop,
    decode_invoice,
    encode_invoice,
)
from amiko.wire.types import ShortChannelId

U64 = (1 << 64) - 1

secrets = st.binary(min_size=32, max_size=32).filter(is_valid_secret)
hashes = st.binary(min_size=32, max_size=32)
networks = st.sampled_from(list(NETWORKS.values()))


@st.composite
def fallbacks(draw: st.DrawFn) -> Fallback:
    version = draw(st.sampled_from([0, 0, 1, 5, 16, 17, 18]))
    if version in (17, 18):
        size = 20
    elif version == 0:
        size = draw(st.sampled_from([20, 32]))
    else:
        size = draw(st.integers(2, 40))
    return Fallback(version, draw(st.binary(min_size=size, max_size=size)))


hops = st.builds(
    RouteHop,
    pubkey=st.builds(lambda p, x: bytes((p,)) + x, st.sampled_from([2, 3]), st.binary(min_size=32, max_size=32)),
    short_channel_id=st.integers(0, U64).map(ShortChannelId),
    fee_base_msat=st.integers(0, (1 << 32) - 1),
    fee_proportional_millionths=st.integers(0, (1 << 32) - 1),
    cltv_expiry_delta=st.integers(0, (1 << 16) - 1),
)

# Invoice features: var_onion_optin (8), payment_secret (14), basic_mpp (16, needs 14),
# option_payment_metadata (48), each optional or required, plus unknown odd bits.
@st.composite
def features(draw: st.DrawFn) -> Features:
    bits = 0
    for even in (8, 14, 24, 36, 48):
        choice = draw(st.sampled_from(["", "odd", "even"]))
        if choice:
            bits |= 1 << (even + (choice == "odd"))
    if draw(st.booleans()) and bits & (0b11 << 14):
        bits |= 1 << draw(st.sampled_from([16, 17]))
    for odd in draw(st.lists(st.integers(0, 400).map(lambda n: 2 * n + 101), max_size=3)):
        bits |= 1 << odd
    return Features(bits)


utf8_descriptions = st.text(max_size=200).filter(lambda s: len(s.encode()) <= 639)


@st.composite
def invoice_args(draw: st.DrawFn) -> dict[str, Any]:
    use_hash = draw(st.booleans())
    return dict(
        network=draw(networks),
        amount_msat=draw(st.none() | st.integers(1, MAX_AMOUNT_MSAT)),
        timestamp=draw(st.integers(0, (1 << 35) - 1)),
        payment_hash=draw(hashes),
        payment_secret=draw(hashes),
        node_secret=draw(secrets),
        description=None if use_hash else draw(utf8_descriptions),
        description_hash=draw(hashes) if use_hash else None,
        expiry=draw(st.none() | st.integers(0, U64)),
        min_final_cltv_expiry_delta=draw(st.none() | st.integers(0, U64)),
        fallbacks=draw(st.lists(fallbacks(), max_size=3)),
        route_hints=draw(st.lists(st.lists(hops, min_size=1, max_size=12), max_size=3)),
        features=draw(features()),
        metadata=draw(st.none() | st.binary(max_size=639)),
        include_payee=draw(st.booleans()),
    )


@settings(max_examples=150, deadline=None)
@given(invoice_args())
def test_encode_decode_round_trip(args: dict[str, Any]) -> None:
    text = encode_invoice(**args)
    inv = decode_invoice(text, expected_network=args["network"])
    assert inv.network == args["network"]
    assert inv.amount_msat == args["amount_msat"]
    assert inv.timestamp == args["timestamp"]
    assert inv.payment_hash == args["payment_hash"]
    assert inv.payment_secret == args["payment_secret"]
    assert inv.description == args["description"]
    assert inv.description_hash == args["description_hash"]
    assert inv.payee == pubkey_of(args["node_secret"])
    assert inv.payee_in_invoice == args["include_payee"]
    assert inv.expiry == (3600 if args["expiry"] is None else args["expiry"])
    cltv = args["min_final_cltv_expiry_delta"]
    assert inv.min_final_cltv_expiry_delta == (18 if cltv is None else cltv)
    assert list(inv.fallbacks) == args["fallbacks"]
    assert [list(h) for h in inv.route_hints] == args["route_hints"]
    assert inv.features == args["features"]
    assert inv.metadata == args["metadata"]
    assert inv.unknown_fields == ()
    assert inv.encode() == text
    assert decode_invoice(text.upper()) == inv


HRPS = st.sampled_from(["lnbc", "lntb", "lntbs", "lnbcrt", "ln", "lnbc1", "bc"]).flatmap(
    lambda p: st.text(alphabet="0123456789munpx", max_size=8).map(lambda a: p + a)
)


@settings(max_examples=400, deadline=None)
@given(HRPS, st.lists(st.integers(0, 31), max_size=400))
def test_decoding_valid_bech32_garbage_only_raises_invoice_error(hrp: str, data: list[int]) -> None:
    text = bech32.encode(hrp, data, max_length=None)
    try:
        decode_invoice(text)
    except InvoiceError:
        pass


@st.composite
def structured_garbage(draw: st.DrawFn) -> list[int]:
    """A timestamp, tagged fields of known types with random lengths and data, a signature."""
    out = draw(st.lists(st.integers(0, 31), min_size=7, max_size=7))
    for _ in range(draw(st.integers(0, 8))):
        tag = draw(st.sampled_from([1, 3, 5, 6, 9, 13, 16, 19, 23, 24, 27, 2]))
        length = draw(st.sampled_from([0, 1, 2, 3, 52, 53, 82, 33]) | st.integers(0, 120))
        out += [tag, length >> 5, length & 31]
        out += draw(st.lists(st.integers(0, 31), min_size=length, max_size=length))
    out += draw(st.lists(st.integers(0, 31), min_size=104, max_size=104))
    return out


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["lnbc", "lntb2500u", "lnbcrt1m"]), structured_garbage())
def test_decoding_structured_garbage_only_raises_invoice_error(hrp: str, data: list[int]) -> None:
    try:
        inv = decode_invoice(bech32.encode(hrp, data, max_length=None))
    except InvoiceError:
        return
    assert inv.encode() == bech32.encode(hrp, data, max_length=None)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_decoding_any_text_only_raises_invoice_error(text: str) -> None:
    try:
        decode_invoice(text)
    except InvoiceError:
        pass


@settings(max_examples=150, deadline=None)
@given(invoice_args(), st.data())
def test_mutated_invoice_never_decodes_to_the_same_signed_content(args: dict[str, Any], data: st.DataObject) -> None:
    """Changing one 5-bit group (and fixing the checksum) either fails or changes what
    the decoded invoice says or who signed it. (With an `n` field the recovery id is not
    used to check the signature, so a changed recovery id that stays in 0..3 decodes: it
    is what differs then.)"""
    text = encode_invoice(**args)
    hrp, groups, _ = bech32.decode(text, max_length=None)
    i = data.draw(st.integers(0, len(groups) - 1))
    new = data.draw(st.integers(0, 31))
    assume(groups[i] != new)
    groups[i] = new
    try:
        inv = decode_invoice(bech32.encode(hrp, groups, max_length=None))
    except InvoiceError:
        return
    original = decode_invoice(text)
    assert (inv.fields, inv.timestamp, inv.payee, inv.signature, inv.recovery_id) != (
        original.fields, original.timestamp, original.payee, original.signature, original.recovery_id
    )
