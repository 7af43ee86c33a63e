"""BOLT 11 reader and writer rules, one by one, on invoices crafted and signed here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import pytest

from amiko.bitcoin import bech32
from amiko.bitcoin.address import address_to_script
from amiko.bitcoin.networks import BITCOIN, REGTEST, SIGNET, TESTNET
from amiko.crypto.keys import pubkey_of
from amiko.link.features import Features
from amiko.payments.bolt11 import (
    Fallback,
    InvoiceEncodeError,
    InvoiceError,
    RouteHop,
    TaggedField,
    decode_invoice,
    encode_invoice,
    format_amount,
    parse_amount,
    sign_invoice,
)
from amiko.payments.bolt11.fields import bytes_to_5bit, int_to_5bit, serialize
from amiko.wire.types import ShortChannelId

KEY = bytes.fromhex("e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734")
OTHER_KEY = bytes(31) + b"\x07"
PAYEE = pubkey_of(KEY)
HASH = bytes(range(32))
SECRET = bytes(32 * [0x11])
FEATURES = Features((1 << 8) | (1 << 14))  # var_onion_optin, payment_secret (required)
TS = 1_700_000_000


def field(letter: str, data: Sequence[int]) -> TaggedField:
    return TaggedField.of(letter, data)


def b(letter: str, data: bytes) -> TaggedField:
    return field(letter, bytes_to_5bit(data))


BASE = [b("s", SECRET), b("p", HASH), b("d", b"coffee"), field("9", int_to_5bit(FEATURES.bits))]


def signed(fields: Sequence[TaggedField], hrp: str = "lnbc10u", key: bytes = KEY) -> str:
    return sign_invoice(hrp, TS, fields, key)


def fails(text: str, match: str) -> None:
    with pytest.raises(InvoiceError, match=match):
        decode_invoice(text)


def simple(**kw: object) -> str:
    args: dict[str, object] = dict(
        network=BITCOIN, amount_msat=1_000_000, timestamp=TS, payment_hash=HASH,
        payment_secret=SECRET, node_secret=KEY, description="coffee", features=FEATURES,
    )
    args.update(kw)
    return encode_invoice(**args)  # type: ignore[arg-type]


def test_base_invoice_decodes() -> None:
    inv = decode_invoice(signed(BASE))
    assert (inv.payment_secret, inv.payment_hash, inv.description) == (SECRET, HASH, "coffee")
    assert inv.amount_msat == 1_000_000 and inv.payee == PAYEE
    assert inv.expiry == 3600 and inv.min_final_cltv_expiry_delta == 18


# -- human-readable part --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "msat"),
    [
        ("1", 100_000_000_000), ("10m", 1_000_000_000), ("2500u", 250_000_000), ("1n", 100),
        ("10p", 1), ("9678785340p", 967_878_534), ("1000u", 100_000_000), ("1000000000p", 100_000_000),
        ("21000000", 21_000_000 * 100_000_000_000),
    ],
)
def test_parse_amount(text: str, msat: int) -> None:
    assert parse_amount(text) == msat


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("1p", "last decimal must be 0"), ("2500000001p", "last decimal must be 0"),
        ("2500x", "invalid multiplier"), ("1mm", "invalid amount"), ("m", "invalid amount"),
        ("0", "leading zeros"), ("0m", "leading zeros"), ("01u", "leading zeros"),
        ("21000001", "21 million"), ("9" * 40 + "p", "21 million"), ("9" * 5000, "21 million"),
    ],
)
def test_parse_amount_rejects(text: str, match: str) -> None:
    with pytest.raises(InvoiceError, match=match):
        parse_amount(text)


@pytest.mark.parametrize(
    ("msat", "text"),
    [(1, "10p"), (99, "990p"), (100, "1n"), (101, "1010p"), (100_000, "1u"), (250_000_000, "2500u"),
     (100_000_000, "1m"), (110_000_000_000, "1100m"), (100_000_000_000, "1"), (967_878_534, "9678785340p")],
)
def test_format_amount_shortest(msat: int, text: str) -> None:
    assert format_amount(msat) == text and parse_amount(text) == msat


@pytest.mark.parametrize("msat", [0, -1, 21_000_000 * 100_000_000_000 + 1])
def test_format_amount_rejects(msat: int) -> None:
    with pytest.raises(InvoiceEncodeError):
        format_amount(msat)


@pytest.mark.parametrize("network", [BITCOIN, TESTNET, SIGNET, REGTEST])
def test_every_network_prefix(network: object) -> None:
    for amount in (None, 1, 2_500_000):
        inv = decode_invoice(simple(network=network, amount_msat=amount), expected_network=network)  # type: ignore[arg-type]
        assert inv.network is network and inv.amount_msat == amount


def test_unknown_prefix_and_wrong_network() -> None:
    fails(signed(BASE, hrp="lnxy10u"), "unknown currency prefix 'lnxy'")
    fails(signed(BASE, hrp="lnbcx"), "unknown currency prefix")
    fails(signed(BASE, hrp="bc10u"), "does not start with 'ln'")
    with pytest.raises(InvoiceError, match="for bitcoin"):
        decode_invoice(signed(BASE), expected_network=TESTNET)


# -- bech32 ----------------------------------------------------------------------------------

def test_case_and_checksum() -> None:
    text = signed(BASE)
    assert decode_invoice(text.upper()).encode() == text
    fails(text[:5] + text[5:].upper(), "mixed case")
    fails(text[:-1] + ("q" if text[-1] != "q" else "p"), "invalid checksum")
    hrp, data, _ = bech32.decode(text, max_length=None)
    fails(bech32.encode(hrp, data, bech32.Encoding.BECH32M, max_length=None), "bech32m")


def test_uri_prefix_and_whitespace_accepted() -> None:
    text = signed(BASE)
    assert decode_invoice(f"  lightning:{text}\n").encode() == text
    assert decode_invoice(f"LIGHTNING:{text.upper()}").encode() == text


def test_long_invoices_beyond_90_characters() -> None:
    text = simple(description="x" * 639)
    assert len(text) > 1000 and decode_invoice(text).description == "x" * 639


# -- tagged fields ---------------------------------------------------------------------------

def test_truncated_fields() -> None:
    hrp = "lnbc10u"
    sig = bytes(65)
    good = serialize(hrp, TS, BASE, sig)
    _, data, _ = bech32.decode(good, max_length=None)
    # a field header cut short, then a data_length running into the signature
    body = data[:-104]
    for cut in ([*body, 1], [*body, 1, 0], [*body, 1, 0, 5, 0]):
        fails(bech32.encode(hrp, cut + data[-104:], max_length=None), "truncated|remain")


@pytest.mark.parametrize(("letter", "size"), [("p", 51), ("p", 53), ("s", 51), ("h", 53), ("n", 52), ("n", 54)])
def test_fixed_length_fields_must_have_their_length(letter: str, size: int) -> None:
    # BOLT #11: MUST fail the payment if any field with fixed data_length (p, h, s, n) does
    # not have the correct length (52, 52, 52, 53).
    fails(signed([*BASE, field(letter, [0] * size)]), f"{letter} field has data_length {size}")


def test_unknown_fields_are_skipped_and_kept() -> None:
    extras = [field("2", [1, 2, 3]), field("y", []), field("f", [19, *[0] * 32]), field("f", [31])]
    text = signed([*BASE[:2], extras[0], *BASE[2:], *extras[1:]])
    inv = decode_invoice(text)
    assert inv.unknown_fields == (extras[0], extras[1])
    assert inv.fallbacks == ()
    assert inv.encode() == text
    assert sign_invoice(inv.hrp, inv.timestamp, inv.fields, KEY) == text


def test_nonzero_padding_rejected() -> None:
    groups = bytes_to_5bit(HASH)
    groups[-1] |= 1  # 260 bits for 256: the last 4 bits are padding
    fails(signed([BASE[0], field("p", groups), *BASE[2:]]), "p field: invalid padding")
    fails(signed([*BASE[:2], field("d", [0, 0, 0]), BASE[3]]), "d field: invalid padding")


def test_first_of_repeated_fields_counts() -> None:
    other = bytes(32 * [0x22])
    text = signed([*BASE, b("p", other), b("s", other), b("d", b"tea"), field("x", [1]), field("x", [2])])
    inv = decode_invoice(text)
    assert (inv.payment_hash, inv.payment_secret, inv.description, inv.expiry) == (HASH, SECRET, "coffee", 1)


def test_description_rules() -> None:
    dh = hashlib.sha256(b"a long description").digest()
    fails(signed([BASE[0], BASE[1], BASE[3]]), "neither a d field")
    fails(signed([*BASE, b("h", dh)]), "both a d field")
    fails(signed([BASE[0], BASE[1], b("d", b"\xff\xfe"), BASE[3]]), "not valid UTF-8")
    text = signed([BASE[0], BASE[1], b("h", dh), BASE[3]])
    # BOLT #11: MUST check that the SHA2 256-bit hash in the h field exactly matches the
    # hashed description.
    assert decode_invoice(text, description="a long description").description_hash == dh
    with pytest.raises(InvoiceError, match="does not hash to the h field"):
        decode_invoice(text, description="something else")
    assert decode_invoice(signed(BASE), description="coffee").description == "coffee"
    with pytest.raises(InvoiceError, match="differs"):
        decode_invoice(signed(BASE), description="tea")
    assert decode_invoice(signed([*BASE[:2], field("d", []), BASE[3]])).description == ""


def test_required_p_and_s() -> None:
    fails(signed([BASE[1], BASE[2], BASE[3]]), "no valid s field")
    fails(signed([BASE[0], BASE[2], BASE[3]]), "no valid p field")


@pytest.mark.parametrize("letter", ["x", "c", "9"])
def test_x_c_9_must_be_minimal(letter: str) -> None:
    fields = [*BASE[:3], field(letter, [0, 1])] if letter != "9" else [*BASE[:3], field("9", [0, *BASE[3].data])]
    fails(signed(fields), "not minimally encoded")


def test_x_and_c_values() -> None:
    inv = decode_invoice(signed([*BASE, field("x", int_to_5bit(604800)), field("c", int_to_5bit(144))]))
    assert (inv.expiry, inv.min_final_cltv_expiry_delta) == (604800, 144)
    inv = decode_invoice(signed([*BASE, field("x", []), field("c", [])]))
    assert (inv.expiry, inv.min_final_cltv_expiry_delta) == (0, 0)
    fails(signed([*BASE, field("x", int_to_5bit(1 << 64))]), "does not fit in 64 bits")
    fails(signed([*BASE, field("c", [31] * 13)]), "does not fit in 64 bits")


def test_expiry() -> None:
    inv = decode_invoice(simple(expiry=60))
    assert inv.expires_at == TS + 60
    assert not inv.is_expired(TS) and not inv.is_expired(TS + 60) and inv.is_expired(TS + 61)


# -- features --------------------------------------------------------------------------------

def _with_features(bits: int) -> str:
    return signed([*BASE[:3], field("9", int_to_5bit(bits))])


def test_features_odd_unknown_ignored_even_unknown_fails() -> None:
    assert decode_invoice(_with_features(FEATURES.bits | 1 << 99)).features.bits == FEATURES.bits | 1 << 99
    fails(_with_features(FEATURES.bits | 1 << 100), "unknown required feature bit 100")
    # A BOLT 9 feature that has no meaning in an invoice cannot be required by one.
    fails(_with_features(FEATURES.bits | 1 << 22), "bit 22 .*option_anchors")
    assert decode_invoice(_with_features(FEATURES.bits | 1 << 23)).features.has("option_anchors")


def test_feature_dependencies() -> None:
    # BOLT #11: if the feature vector does not set all known, transitive feature
    # dependencies: MUST NOT attempt the payment. (basic_mpp needs payment_secret)
    fails(_with_features(1 << 8 | 1 << 17), "basic_mpp .* without its dependency payment_secret")
    inv = decode_invoice(_with_features(FEATURES.bits | 1 << 17))
    assert inv.features.has("basic_mpp")
    assert decode_invoice(signed(BASE[:3])).features == Features()


# -- fallbacks and route hints ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("network", "address", "version"),
    [
        (BITCOIN, "1RustyRX2oai4EYYDpQGWvEL62BBGqN9T", 17),
        (BITCOIN, "3EktnHQD7RiAE6uzMj2ZifT9YgRrkSgzQX", 18),
        (TESTNET, "mk2QpYatsKicvFVuTAQLBryyccRXMUaGHP", 17),
        (BITCOIN, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", 0),
        (BITCOIN, "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", 0),
        (BITCOIN, "bc1pptdvg0d2nj99568qn6ssdy4cygnwuxgw2ukmnwgwz7jpqjz2kszse2s3lm", 1),
    ],
)
def test_fallback_addresses(network: object, address: str, version: int) -> None:
    fb = Fallback.from_address(address, network)  # type: ignore[arg-type]
    assert fb.version == version
    assert fb.address(network) == address  # type: ignore[arg-type]
    assert fb.script_pubkey() == address_to_script(address, network)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([], "f field is empty"),
        ([17, *bytes_to_5bit(bytes(19))], "20-byte public key hash"),
        ([18, *bytes_to_5bit(bytes(21))], "20-byte script hash"),
        ([0, *bytes_to_5bit(bytes(25))], "invalid witness program"),
        ([1, *bytes_to_5bit(bytes(1))], "invalid witness program"),
    ],
)
def test_invalid_fallbacks_fail(data: list[int], match: str) -> None:
    fails(signed([*BASE, field("f", data)]), match)


def test_future_witness_version_fallback_accepted() -> None:
    fb = Fallback(5, bytes(range(30)))
    inv = decode_invoice(simple(fallbacks=[fb, Fallback(17, bytes(20))]))
    assert inv.fallbacks == (fb, Fallback(17, bytes(20)))


HOP = RouteHop(bytes.fromhex("02" + "11" * 32), ShortChannelId((700_000 << 40) | (12 << 16) | 1), 1000, 250, 40)


def test_route_hints() -> None:
    hints = [[HOP], [HOP, HOP], [HOP] * 12]
    inv = decode_invoice(simple(route_hints=hints))
    assert [list(h) for h in inv.route_hints] == hints
    assert inv.to_json()["route_hints"][0] == [  # type: ignore[index]
        {"pubkey": "02" + "11" * 32, "short_channel_id": "700000x12x1", "fee_base_msat": 1000,
         "fee_proportional_millionths": 250, "cltv_expiry_delta": 40}
    ]
    fails(signed([*BASE, field("r", [])]), "r field holds 0 bytes")
    fails(signed([*BASE, b("r", bytes(50))]), "r field holds 50 bytes")
    with pytest.raises(InvoiceEncodeError, match="at most 639"):
        simple(route_hints=[[HOP] * 13])
    with pytest.raises(InvoiceEncodeError, match="at least one hop"):
        simple(route_hints=[[]])


# -- signature -------------------------------------------------------------------------------

def test_n_field_verifies_instead_of_recovery() -> None:
    text = simple(include_payee=True)
    inv = decode_invoice(text)
    assert inv.payee_in_invoice and inv.payee == PAYEE
    assert [f.letter for f in inv.fields].count("n") == 1
    # An n field naming another node: the signature does not verify against it.
    other = pubkey_of(OTHER_KEY)
    fails(signed([*BASE, b("n", other)]), "does not verify against the n field")
    fails(signed([*BASE, b("n", b"\x05" + bytes(32))]), "n field is not a valid")


def test_high_s_is_refused_with_n_and_accepted_without() -> None:
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    for fields, ok in ((BASE, True), ([*BASE, b("n", PAYEE)], False)):
        inv_text = signed(fields)
        hrp, data, _ = bech32.decode(inv_text, max_length=None)
        sig = bech32.five_bit_to_bytes(data[-104:])
        s = int.from_bytes(sig[32:64], "big")
        # The same signature, high-S: (r, n - s) with the other recovery id.
        high = sig[:32] + (n - s).to_bytes(32, "big") + bytes((sig[64] ^ 1,))
        text = bech32.encode(hrp, data[:-104] + bech32.bytes_to_5bit(high), max_length=None)
        if ok:
            assert decode_invoice(text).payee == PAYEE
        else:
            fails(text, "high-S")


def test_recovery_id_range_and_garbage_signatures() -> None:
    hrp, data, _ = bech32.decode(signed(BASE), max_length=None)
    sig = bech32.five_bit_to_bytes(data[-104:])
    for bad, match in (
        (sig[:64] + b"\x04", "recovery id 4"),
        (bytes(64) + b"\x00", "not recoverable"),
        (b"\xff" * 64 + b"\x00", "not recoverable"),
    ):
        fails(bech32.encode(hrp, data[:-104] + bech32.bytes_to_5bit(bad), max_length=None), match)


def test_signature_covers_the_hrp() -> None:
    # Changing the amount without re-signing gives another payee, not the signer.
    text = signed(BASE)
    hrp, data, _ = bech32.decode(text, max_length=None)
    forged = bech32.encode("lnbc20u", data, max_length=None)
    assert decode_invoice(forged).payee != PAYEE


# -- writer ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"description": None}, "exactly one of description"),
        ({"description_hash": bytes(32)}, "exactly one of description"),
        ({"description": "x" * 640}, "at most 639"),
        ({"metadata": bytes(640)}, "at most 639"),
        ({"amount_msat": 0}, "positive"),
        ({"payment_hash": bytes(31)}, "payment_hash must be 32 bytes"),
        ({"payment_secret": bytes(33)}, "payment_secret must be 32 bytes"),
        ({"node_secret": bytes(32)}, "node_secret"),
        ({"timestamp": 1 << 35}, "35 bits"),
        ({"expiry": -1}, "64-bit"),
        ({"min_final_cltv_expiry_delta": 1 << 64}, "64-bit"),
        ({"features": Features(1 << 100)}, "unknown required feature bit 100"),
        ({"features": Features(1 << 16)}, "without its dependency"),
        ({"field_order": "spd"}, "lacks '9'"),
        ({"field_order": "sspd9"}, "repeats"),
    ],
)
def test_writer_rejects(kw: dict[str, object], match: str) -> None:
    with pytest.raises(InvoiceEncodeError, match=match):
        simple(**kw)


def test_writer_fields_and_order() -> None:
    text = simple(expiry=3600, min_final_cltv_expiry_delta=18, metadata=b"", include_payee=True)
    inv = decode_invoice(text)
    assert "".join(f.letter for f in inv.fields) == "spdmnxc9"
    assert inv.metadata == b"" and inv.expiry == 3600
    assert decode_invoice(simple(features=Features())).features == Features()
    assert "9" not in [f.letter for f in decode_invoice(simple(features=Features())).fields]
    assert simple() == simple()  # deterministic (RFC 6979)


def test_tagged_field_validation() -> None:
    with pytest.raises(ValueError):
        TaggedField(32, ())
    with pytest.raises(ValueError):
        TaggedField(1, (32,))
    with pytest.raises(ValueError):
        TaggedField(1, (0,) * 1024)
    with pytest.raises(ValueError):
        TaggedField.of("b", ())  # 'b' is not a bech32 character
    assert TaggedField.of("p", ()).tag == 1


def test_to_json_is_plain_json() -> None:
    inv = decode_invoice(simple(fallbacks=[Fallback(0, bytes(20))], route_hints=[[HOP]], metadata=b"\x01"))
    out = inv.to_json()
    assert json.loads(json.dumps(out)) == out
    assert out["payment_hash"] == HASH.hex() and out["payee"] == PAYEE.hex()
    assert out["amount_msat"] == 1_000_000 and out["network"] == "bitcoin" and out["currency"] == "lnbc"
    assert out["fallbacks"] == [{"version": 0, "program": "00" * 20, "address": Fallback(0, bytes(20)).address(BITCOIN)}]
    assert out["features"] == {"hex": "4100", "names": ["var_onion_optin", "payment_secret"]}
    assert out["metadata"] == "01" and out["description_hash"] is None
