"""BIP 39 mnemonics: the Trezor test vectors (passphrase "TREZOR") and the word list."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amiko.bitcoin import bip39
from amiko.bitcoin.bip32 import ExtendedPrivateKey

VECTORS = json.loads((Path(__file__).parent / "vectors" / "bip39.json").read_text())


def test_wordlist_is_the_standard_one() -> None:
    raw = resources.files("amiko.bitcoin").joinpath("bip39_english.txt").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == bip39.WORDLIST_SHA256
    words = bip39.wordlist()
    assert len(words) == 2048 and words[0] == "abandon" and words[-1] == "zoo"


@pytest.mark.parametrize(("entropy", "mnemonic", "seed", "xprv"), VECTORS["english"])
def test_vectors(entropy: str, mnemonic: str, seed: str, xprv: str) -> None:
    assert bip39.entropy_to_mnemonic(bytes.fromhex(entropy)) == mnemonic
    assert bip39.mnemonic_to_entropy(mnemonic).hex() == entropy
    s = bip39.mnemonic_to_seed(mnemonic, VECTORS["passphrase"])
    assert s.hex() == seed
    assert ExtendedPrivateKey.from_seed(s).to_string() == xprv


def test_checksum_and_words_are_checked() -> None:
    good = "abandon " * 11 + "about"
    assert bip39.is_valid_mnemonic(good)
    assert bip39.is_valid_mnemonic(good.upper())
    with pytest.raises(bip39.MnemonicError, match="checksum"):
        bip39.mnemonic_to_entropy("abandon " * 12)
    with pytest.raises(bip39.MnemonicError, match="unknown word"):
        bip39.mnemonic_to_entropy("abandon " * 11 + "abut")
    with pytest.raises(bip39.MnemonicError, match="words"):
        bip39.mnemonic_to_entropy("abandon " * 10 + "about")
    with pytest.raises(bip39.MnemonicError):
        bip39.entropy_to_mnemonic(b"\x00" * 15)


def test_seed_normalizes_passphrase() -> None:
    m = "abandon " * 11 + "about"
    # NFKD: a precomposed é and e + combining acute give the same seed.
    assert bip39.mnemonic_to_seed(m, "caf\u00e9") == bip39.mnemonic_to_seed(m, "cafe\u0301")


def test_generate() -> None:
    m = bip39.generate_mnemonic(128)
    assert len(m.split()) == 12 and bip39.is_valid_mnemonic(m)


@given(st.sampled_from([16, 20, 24, 28, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)))
def test_entropy_round_trip(entropy: bytes) -> None:
    mnemonic = bip39.entropy_to_mnemonic(entropy)
    assert len(mnemonic.split()) == len(entropy) * 3 // 4
    assert bip39.mnemonic_to_entropy(mnemonic) == entropy
