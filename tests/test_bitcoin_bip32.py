"""BIP 32 extended keys: test vectors 1 to 3 and the invalid keys of test vector 5."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amiko.bitcoin.bip32 import (
    HARDENED,
    Bip32Error,
    ExtendedPrivateKey,
    ExtendedPublicKey,
    format_path,
    parse_extended_key,
    parse_path,
)

VECTORS = json.loads((Path(__file__).parent / "vectors" / "bip32.json").read_text())
CASES = [(v["seed"], *chain) for v in VECTORS["valid"] for chain in v["chains"]]


@pytest.mark.parametrize(("seed", "path", "xpub", "xprv"), CASES)
def test_vectors(seed: str, path: str, xpub: str, xprv: str) -> None:
    key = ExtendedPrivateKey.from_seed(bytes.fromhex(seed)).derive_path(path)
    assert key.to_string() == xprv
    assert key.neuter().to_string() == xpub
    assert ExtendedPrivateKey.parse(xprv) == key
    assert ExtendedPublicKey.parse(xpub) == key.neuter()


@pytest.mark.parametrize(("seed", "path", "xpub", "xprv"), CASES)
def test_public_derivation_matches_private(seed: str, path: str, xpub: str, xprv: str) -> None:
    """CKDpub along the non-hardened tail of each path gives the same public keys."""
    elems = parse_path(path)
    k = len(elems)
    while k > 0 and not elems[k - 1] & HARDENED:
        k -= 1
    master = ExtendedPrivateKey.from_seed(bytes.fromhex(seed))
    assert master.derive_path(elems[:k]).neuter().derive_path(elems[k:]).to_string() == xpub


@pytest.mark.parametrize(("key", "reason"), VECTORS["invalid"])
def test_invalid_keys(key: str, reason: str) -> None:
    with pytest.raises(Bip32Error):
        parse_extended_key(key)


def test_paths() -> None:
    assert parse_path("m/84'/1'/0'/0/5") == (84 | HARDENED, 1 | HARDENED, HARDENED, 0, 5)
    assert parse_path("m/84h/1H/0'") == parse_path("84'/1'/0'")
    assert parse_path("m") == ()
    assert format_path(parse_path("m/84'/1'/0'/0/5")) == "m/84'/1'/0'/0/5"
    for bad in ("m/", "m//1", "m/x", "m/01", "m/2147483648", "m/-1", "m/1''"):
        with pytest.raises(Bip32Error):
            parse_path(bad)


def test_hardened_child_of_public_key_refused() -> None:
    xpub = ExtendedPrivateKey.from_seed(b"\x01" * 16).neuter()
    with pytest.raises(Bip32Error):
        xpub.derive_child(HARDENED)


def test_testnet_serialization() -> None:
    key = ExtendedPrivateKey.from_seed(b"\x01" * 16, testnet=True)
    assert key.to_string().startswith("tprv")
    assert key.neuter().to_string().startswith("tpub")
    assert parse_extended_key(key.to_string()) == key
    assert "private_key" not in repr(key) and key.private_key.hex() not in repr(key)


@given(st.binary(min_size=16, max_size=64), st.lists(st.integers(0, 2**32 - 1), max_size=4))
def test_serialization_round_trip(seed: bytes, path: list[int]) -> None:
    key = ExtendedPrivateKey.from_seed(seed).derive_path(path)
    assert parse_extended_key(key.to_string()) == key
    assert parse_extended_key(key.neuter().to_string()) == key.neuter()
