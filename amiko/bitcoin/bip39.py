"""BIP 39 mnemonic sentences (English word list) and their 512-bit seeds.

The word list `bip39_english.txt` is the standard one (sha256
2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda).
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from functools import cache
from importlib import resources

WORDLIST_SHA256 = "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"
PBKDF2_ROUNDS = 2048
VALID_ENTROPY_BITS = (128, 160, 192, 224, 256)
VALID_WORD_COUNTS = (12, 15, 18, 21, 24)


class MnemonicError(ValueError):
    """A mnemonic has an unknown word, a wrong length or a bad checksum."""


@cache
def wordlist() -> tuple[str, ...]:
    raw = resources.files("amiko.bitcoin").joinpath("bip39_english.txt").read_bytes()
    if hashlib.sha256(raw).hexdigest() != WORDLIST_SHA256:
        raise RuntimeError("bip39_english.txt is corrupt (sha256 mismatch)")
    words = tuple(raw.decode("ascii").split())
    assert len(words) == 2048
    return words


@cache
def _word_index() -> dict[str, int]:
    return {w: i for i, w in enumerate(wordlist())}


def entropy_to_mnemonic(entropy: bytes) -> str:
    """ENT bits of entropy + CS = ENT/32 bits of sha256 checksum, in 11-bit words."""
    bits = len(entropy) * 8
    if bits not in VALID_ENTROPY_BITS:
        raise MnemonicError(f"entropy must be 128 to 256 bits in steps of 32, got {bits}")
    cs = bits // 32
    checksum = hashlib.sha256(entropy).digest()[0] >> (8 - cs)
    n = (int.from_bytes(entropy, "big") << cs) | checksum
    total = bits + cs
    words = wordlist()
    return " ".join(words[(n >> (total - 11 * (i + 1))) & 0x7FF] for i in range(total // 11))


def _normalize(mnemonic: str) -> list[str]:
    return unicodedata.normalize("NFKD", mnemonic).lower().split()


def mnemonic_to_entropy(mnemonic: str) -> bytes:
    """The entropy a mnemonic encodes; MnemonicError if a word or the checksum is wrong."""
    words = _normalize(mnemonic)
    if len(words) not in VALID_WORD_COUNTS:
        raise MnemonicError(f"a mnemonic has 12, 15, 18, 21 or 24 words, got {len(words)}")
    index = _word_index()
    n = 0
    for w in words:
        try:
            n = (n << 11) | index[w]
        except KeyError:
            raise MnemonicError(f"unknown word {w!r}") from None
    total = len(words) * 11
    cs = total // 33
    bits = total - cs
    entropy = (n >> cs).to_bytes(bits // 8, "big")
    if hashlib.sha256(entropy).digest()[0] >> (8 - cs) != n & ((1 << cs) - 1):
        raise MnemonicError("mnemonic checksum mismatch")
    return entropy


def is_valid_mnemonic(mnemonic: str) -> bool:
    try:
        mnemonic_to_entropy(mnemonic)
    except MnemonicError:
        return False
    return True


def mnemonic_to_seed(mnemonic: str, passphrase: str = "") -> bytes:
    """PBKDF2-HMAC-SHA512(NFKD(mnemonic), "mnemonic" + NFKD(passphrase), 2048) -> 64 bytes.

    BIP 39 does not require the checksum to be valid for this step; call
    mnemonic_to_entropy first to check what a user typed.
    """
    m = unicodedata.normalize("NFKD", " ".join(mnemonic.split()))
    salt = "mnemonic" + unicodedata.normalize("NFKD", passphrase)
    return hashlib.pbkdf2_hmac("sha512", m.encode("utf-8"), salt.encode("utf-8"), PBKDF2_ROUNDS)


def generate_mnemonic(strength_bits: int = 256) -> str:
    """A new mnemonic from the operating system's randomness (for `amiko` setup, not cores)."""
    if strength_bits not in VALID_ENTROPY_BITS:
        raise MnemonicError(f"strength must be one of {VALID_ENTROPY_BITS}")
    return entropy_to_mnemonic(secrets.token_bytes(strength_bits // 8))
