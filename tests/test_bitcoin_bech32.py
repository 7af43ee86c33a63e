"""Bech32/bech32m (BIP 173, BIP 350) and segwit addresses, with the BIPs' test vectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amiko.bitcoin import bech32
from amiko.bitcoin.address import (
    AddressError,
    address_to_script,
    b58check_decode,
    b58check_encode,
    decode_segwit,
    encode_segwit,
    script_to_address,
)
from amiko.bitcoin.networks import BITCOIN, REGTEST, SIGNET, TESTNET, Network

VECTORS = json.loads((Path(__file__).parent / "vectors" / "bip173_bip350.json").read_text())


@pytest.mark.parametrize("s", VECTORS["valid_bech32"])
def test_valid_bech32(s: str) -> None:
    hrp, data, encoding = bech32.decode(s)
    assert encoding is bech32.Encoding.BECH32
    assert bech32.encode(hrp, data, encoding) == s.lower()


@pytest.mark.parametrize("s", VECTORS["valid_bech32m"])
def test_valid_bech32m(s: str) -> None:
    hrp, data, encoding = bech32.decode(s)
    assert encoding is bech32.Encoding.BECH32M
    assert bech32.encode(hrp, data, encoding) == s.lower()


@pytest.mark.parametrize(("s", "reason"), VECTORS["invalid_bech32"] + VECTORS["invalid_bech32m"])
def test_invalid_strings(s: str, reason: str) -> None:
    with pytest.raises(bech32.Bech32Error):
        bech32.decode(s)


def _net(address: str) -> Network:
    return BITCOIN if address.lower().startswith("bc") else TESTNET


@pytest.mark.parametrize(("address", "spk"), VECTORS["valid_addresses"])
def test_valid_addresses(address: str, spk: str) -> None:
    net = _net(address)
    version, program = decode_segwit(net.bech32_hrp, address)
    assert address_to_script(address, net).hex() == spk
    assert script_to_address(bytes.fromhex(spk), net) == address.lower()
    assert encode_segwit(net.bech32_hrp, version, program) == address.lower()


@pytest.mark.parametrize(
    ("address", "reason"),
    VECTORS["invalid_addresses"] + VECTORS["invalid_addresses_bip173"]
    + VECTORS["superseded_bip173_valid_addresses"],
)
def test_invalid_addresses(address: str, reason: str) -> None:
    for hrp in ("bc", "tb"):
        with pytest.raises(AddressError):
            decode_segwit(hrp, address)
    for net in (BITCOIN, TESTNET):
        with pytest.raises(AddressError):
            address_to_script(address, net)


def test_wrong_network_is_a_clear_error() -> None:
    address = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    with pytest.raises(AddressError, match="another network"):
        address_to_script(address, REGTEST)
    with pytest.raises(AddressError, match="unknown address prefix"):
        address_to_script("tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", BITCOIN)
    with pytest.raises(AddressError, match="not a valid address"):
        address_to_script("hello", BITCOIN)


def test_regtest_and_signet_prefixes() -> None:
    spk = bytes.fromhex("0014751e76e8199196d454941c45d1b3a323f1433bd6")
    assert script_to_address(spk, REGTEST).startswith("bcrt1q")
    assert address_to_script(script_to_address(spk, REGTEST), REGTEST) == spk
    assert script_to_address(spk, SIGNET).startswith("tb1q")


def test_legacy_addresses() -> None:
    # The P2PKH address of the key hash of BIP 173's first example (a well-known pair).
    p2pkh = bytes.fromhex("76a914751e76e8199196d454941c45d1b3a323f1433bd688ac")
    assert script_to_address(p2pkh, BITCOIN) == "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"
    assert address_to_script("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", BITCOIN) == p2pkh
    p2sh = bytes.fromhex("a914751e76e8199196d454941c45d1b3a323f1433bd687")
    assert address_to_script(script_to_address(p2sh, TESTNET), TESTNET) == p2sh
    with pytest.raises(AddressError, match="not valid on"):
        address_to_script("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", TESTNET)
    with pytest.raises(AddressError):
        script_to_address(b"\x6a\x01\x01", BITCOIN)


def test_base58check() -> None:
    assert b58check_decode(b58check_encode(b"\x00\x00abc")) == b"\x00\x00abc"
    with pytest.raises(AddressError):
        b58check_decode("1111111111")


def test_long_strings_for_bolt11() -> None:
    data = list(range(32)) * 20
    s = bech32.encode("lnbc", data, max_length=None)
    assert len(s) > 90
    with pytest.raises(bech32.Bech32Error):
        bech32.decode(s)
    assert bech32.decode(s, max_length=None) == ("lnbc", data, bech32.Encoding.BECH32)


@given(st.binary(min_size=2, max_size=40), st.integers(min_value=1, max_value=16))
def test_segwit_round_trip(program: bytes, version: int) -> None:
    address = encode_segwit("bc", version, program)
    assert decode_segwit("bc", address) == (version, program)


@given(st.binary(max_size=100))
def test_convertbits_round_trip(data: bytes) -> None:
    assert bech32.five_bit_to_bytes(bech32.bytes_to_5bit(data)) == data


@given(st.text(max_size=100))
def test_decode_never_crashes(s: str) -> None:
    try:
        bech32.decode(s, max_length=None)
    except bech32.Bech32Error:
        pass


@given(st.binary(max_size=1100).map(lambda b: bytes(x & 31 for x in b)))
def test_the_checksum_by_parities_is_the_checksum(values: bytes) -> None:
    """Decoding computes BIP 173's checksum from parities under masks (up to 1,024 values;
    longer inputs take the loop): the same value as the loop, for every input."""
    assert bech32._polymod_fast(values) == bech32._polymod(list(values))


def test_the_checksum_by_parities_at_its_limits() -> None:
    for n in (0, 1, 2, bech32._MASKED_VALUES - 1, bech32._MASKED_VALUES, bech32._MASKED_VALUES + 1, 3000):
        for values in (bytes(n), bytes([31]) * n, bytes(i % 32 for i in range(n))):
            assert bech32._polymod_fast(values) == bech32._polymod(list(values))


def reference_convertbits(data: list[int], frombits: int, tobits: int, pad: bool) -> list[int] | None:
    """BIP 173's reference regrouping, bit by bit (None where it fails)."""
    acc = bits = 0
    ret = []
    maxv = (1 << tobits) - 1
    max_acc = (1 << (frombits + tobits - 1)) - 1
    for value in data:
        if value < 0 or value >> frombits:
            return None
        acc = ((acc << frombits) | value) & max_acc
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            ret.append((acc >> bits) & maxv)
    if pad:
        if bits:
            ret.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return ret


@given(st.lists(st.integers(0, 40), max_size=120), st.booleans())
def test_five_bit_groups_to_bytes_follows_the_reference(groups: list[int], pad: bool) -> None:
    """The conversions by int agree with BIP 173's bit-by-bit regrouping, errors included."""
    expected = reference_convertbits(groups, 5, 8, pad)
    try:
        got: list[int] | None = bech32.convertbits(groups, 5, 8, pad=pad)
    except bech32.Bech32Error:
        got = None
    assert got == expected
    if not pad:
        try:
            direct: bytes | None = bech32.five_bit_to_bytes(groups)
        except bech32.Bech32Error:
            direct = None
        assert direct == (None if expected is None else bytes(expected))
