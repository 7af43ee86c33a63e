"""BOLT 3 appendix E (key derivation), our channel keys, and the commitment keys of both
sides of a channel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amiko.channels.bolt.keys import (
    ChannelKeys,
    CommitmentKeys,
    derive_privkey,
    derive_pubkey,
    derive_revocation_privkey,
    derive_revocation_pubkey,
    per_commitment_point,
)
from amiko.channels.bolt.shachain import START_INDEX, generate_from_seed
from amiko.crypto.keys import pubkey_of

E = json.loads((Path(__file__).parent / "vectors" / "bolt03_key_derivation.json").read_text())


def h(x: str) -> bytes:
    return bytes.fromhex(x)


BASE_SECRET = h(E["base_secret"])
PC_SECRET = h(E["per_commitment_secret"])
BASE_POINT = h(E["base_point"])
PC_POINT = h(E["per_commitment_point"])


def test_appendix_e_points() -> None:
    assert pubkey_of(BASE_SECRET) == BASE_POINT
    assert per_commitment_point(PC_SECRET) == PC_POINT


def test_appendix_e_pubkey() -> None:
    # "derivation of pubkey from basepoint and per_commitment_point"
    assert derive_pubkey(BASE_POINT, PC_POINT) == h(E["localpubkey"])


def test_appendix_e_privkey() -> None:
    # "derivation of private key from basepoint secret and per_commitment_secret"
    priv = derive_privkey(BASE_SECRET, PC_POINT)
    assert priv == h(E["localprivkey"])
    assert pubkey_of(priv) == h(E["localpubkey"])


def test_appendix_e_revocation_pubkey() -> None:
    assert derive_revocation_pubkey(BASE_POINT, PC_POINT) == h(E["revocationpubkey"])


def test_appendix_e_revocation_privkey() -> None:
    priv = derive_revocation_privkey(BASE_SECRET, PC_SECRET)
    assert priv == h(E["revocationprivkey"])
    assert pubkey_of(priv) == h(E["revocationpubkey"])


secrets = st.binary(min_size=32, max_size=32).filter(
    lambda b: 0 < int.from_bytes(b, "big") < 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141)


@settings(max_examples=50)
@given(secrets, secrets)
def test_private_and_public_derivations_agree(base: bytes, pcs: bytes) -> None:
    point = pubkey_of(pcs)
    assert pubkey_of(derive_privkey(base, point)) == derive_pubkey(pubkey_of(base), point)
    assert pubkey_of(derive_revocation_privkey(base, pcs)) == \
        derive_revocation_pubkey(pubkey_of(base), point)


def test_channel_keys_are_deterministic_and_distinct() -> None:
    root = bytes(range(32))
    a = ChannelKeys.derive(root, 0)
    assert a == ChannelKeys.derive(root, 0)
    b = ChannelKeys.derive(root, 1)
    c = ChannelKeys.derive(b"\x01" + root[1:], 0)
    secrets_of = [
        (k.funding_secret, k.revocation_basepoint_secret, k.payment_basepoint_secret,
         k.delayed_payment_basepoint_secret, k.htlc_basepoint_secret, k.per_commitment_seed)
        for k in (a, b, c)
    ]
    flat = [s for group in secrets_of for s in group]
    assert len(set(flat)) == len(flat) == 18
    bp = a.basepoints
    assert bp.funding_pubkey == pubkey_of(a.funding_secret) == a.funding_pubkey
    assert bp.htlc_basepoint == pubkey_of(a.htlc_basepoint_secret)
    assert "secret" not in repr(a) and a.funding_secret.hex() not in repr(a)
    with pytest.raises(ValueError):
        ChannelKeys.derive(b"short", 0)
    with pytest.raises(ValueError):
        ChannelKeys.derive(root, -1)


def test_channel_keys_per_commitment_secrets() -> None:
    keys = ChannelKeys.derive(b"\x42" * 32, 7)
    # BOLT #3: The first secret used: MUST be index 281474976710655
    assert keys.per_commitment_secret(0) == generate_from_seed(keys.per_commitment_seed,
                                                               START_INDEX)
    assert keys.per_commitment_secret(5) == generate_from_seed(keys.per_commitment_seed,
                                                               START_INDEX - 5)
    assert keys.per_commitment_point(5) == pubkey_of(keys.per_commitment_secret(5))


def test_commitment_keys_of_both_sides() -> None:
    """Each side derives the same keys for each commitment, and holds the secrets of its own."""
    alice = ChannelKeys.derive(b"\x0a" * 32, 0)
    bob = ChannelKeys.derive(b"\x0b" * 32, 0)
    n = 3
    a_point = alice.per_commitment_point(n)
    b_point = bob.per_commitment_point(n)
    alice_commit = CommitmentKeys.derive(alice.basepoints, bob.basepoints, a_point)
    bob_commit = CommitmentKeys.derive(bob.basepoints, alice.basepoints, b_point)

    # Alice's commitment: her delayed and htlc keys, Bob's htlc key, Bob's payment basepoint.
    assert pubkey_of(alice.delayed_payment_secret(a_point)) == alice_commit.local_delayed_pubkey
    assert pubkey_of(alice.htlc_secret(a_point)) == alice_commit.local_htlc_pubkey
    assert pubkey_of(bob.htlc_secret(a_point)) == alice_commit.remote_htlc_pubkey
    assert pubkey_of(bob.payment_secret()) == alice_commit.remote_payment_pubkey
    assert alice_commit.local_funding_pubkey == alice.funding_pubkey
    assert alice_commit.remote_funding_pubkey == bob.funding_pubkey
    # Once Alice revokes it (reveals her secret), Bob holds the revocation key.
    revocation = bob.revocation_secret(alice.per_commitment_secret(n))
    assert pubkey_of(revocation) == alice_commit.revocation_pubkey

    # And symmetrically for Bob's commitment.
    assert pubkey_of(bob.delayed_payment_secret(b_point)) == bob_commit.local_delayed_pubkey
    assert pubkey_of(alice.htlc_secret(b_point)) == bob_commit.remote_htlc_pubkey
    assert bob_commit.remote_payment_pubkey == alice.basepoints.payment_basepoint
    assert pubkey_of(alice.revocation_secret(bob.per_commitment_secret(n))) == \
        bob_commit.revocation_pubkey
