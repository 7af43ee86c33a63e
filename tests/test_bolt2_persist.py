"""The stored form of a channel: exact round trips in every phase, versioning, no secrets,
and corrupt bytes refused."""

from __future__ import annotations

import json

import pytest

from amiko.channels.bolt.core import BoltChannel
from amiko.channels.bolt.serialize import VERSION, SerializeError, decode, encode
from amiko.channels.bolt.states import Phase
from tests.test_bolt2_harness import (
    KEYS_A,
    KEYS_B,
    SCRIPT_A,
    SIMPLE_CLOSE,
    Node,
    open_channel,
    preimage_of,
)


def roundtrip(node: Node) -> None:
    data = node.c.to_bytes()
    assert decode(data) == node.c.data
    assert encode(decode(data)) == data
    restored = BoltChannel.from_bytes(data, node.keys)
    assert restored.state is node.c.state
    assert restored.latest_commitment_tx() == node.c.latest_commitment_tx()


@pytest.mark.parametrize("features", [None, SIMPLE_CLOSE])
def test_roundtrip_in_every_phase(features: object) -> None:
    kw = {} if features is None else {"features": features}
    pair = open_channel(push_msat=200_000_000, lock_in=False, **kw)  # type: ignore[arg-type]
    a, b = pair.a, pair.b
    seen = set()
    for n in (a, b):
        roundtrip(n)
        seen.add(n.c.state)
    for n in (a, b):
        n.apply(n.c.funding_depth(3, 77))
    pair.flush()
    a.offer(50_000_000, 1)
    a.offer(400_000, 2)  # trimmed
    b.offer(30_000_000, 3)
    a.sign()
    pair.deliver(a)
    pair.deliver(a)
    pair.deliver(a)
    for n in (a, b):  # HTLCs in the middle of the dance
        roundtrip(n)
    pair.flush()
    a.apply(a.c.update_fee(3000))
    b.apply(b.c.settle_htlc(0, preimage_of(1)))
    for n in (a, b):
        roundtrip(n)
        seen.add(n.c.state)
    pair.flush()
    a.apply(a.c.shutdown(SCRIPT_A))
    pair.flush()
    for n in (a, b):
        roundtrip(n)
        seen.add(n.c.state)
    b.apply(b.c.settle_htlc(1, preimage_of(2)))
    a.apply(a.c.settle_htlc(0, preimage_of(3)))
    pair.flush()
    for n in (a, b):
        roundtrip(n)
        seen.add(n.c.state)
    assert {Phase.AWAIT_LOCKIN, Phase.NORMAL, Phase.SHUTDOWN, Phase.CLOSING} <= seen


def test_stored_form_is_versioned_json_without_secrets() -> None:
    pair = open_channel(push_msat=200_000_000)
    pair.a.offer(5_000_000, 1)
    pair.flush()
    data = pair.a.c.to_bytes()
    doc = json.loads(data)
    assert doc["format"] == "amiko-bolt-channel" and doc["version"] == VERSION
    text = data.decode()
    for secret in (KEYS_A.funding_secret, KEYS_A.revocation_basepoint_secret,
                   KEYS_A.payment_basepoint_secret, KEYS_A.delayed_payment_basepoint_secret,
                   KEYS_A.htlc_basepoint_secret, KEYS_A.per_commitment_seed,
                   KEYS_A.per_commitment_secret(0), KEYS_A.per_commitment_secret(1)):
        assert secret.hex() not in text
    # the peer's revealed secrets are stored (we need them to punish a revoked commitment)
    assert KEYS_B.per_commitment_secret(0).hex() in text


@pytest.mark.parametrize("mangle", [
    lambda d: d[:-1],
    lambda d: b"[]",
    lambda d: json.dumps({**json.loads(d), "format": "other"}).encode(),
    lambda d: json.dumps({**json.loads(d), "version": VERSION + 1}).encode(),
    lambda d: d.replace(b'"phase":"normal"', b'"phase":"nonsense"'),
    lambda d: d.replace(b'"funding_sat":1000000', b'"funding_sat":"lots"'),
])
def test_corrupt_bytes_are_refused(mangle: object) -> None:
    pair = open_channel(push_msat=200_000_000)
    data = pair.a.c.to_bytes()
    with pytest.raises(SerializeError):
        BoltChannel.from_bytes(mangle(data), KEYS_A)  # type: ignore[operator]


def test_restored_channel_is_disconnected_and_reestablishes() -> None:
    pair = open_channel(push_msat=200_000_000)
    a, b = pair.a, pair.b
    a.offer(5_000_000, 1)
    pair.flush()
    a.crash_and_restore()
    assert not a.c.connected and not a.c.status().peer_connected
    b.outbox.clear()
    b.connected = False
    b.apply(b.c.peer_disconnected())
    pair.reconnect()
    assert a.c.connected and a.c.status().usable
    b.apply(b.c.settle_htlc(0, preimage_of(1)))
    pair.flush()
    assert not a.c.data.htlcs
