"""The stored form of a channel: exact round trips in every phase, versioning, no secrets,
corrupt bytes refused, and states stored by earlier versions (JSON) still read."""

from __future__ import annotations

import json

import pytest

from amiko.channels.bolt.core import BoltChannel
from amiko.channels.bolt.serialize import MAGIC, VERSION, SerializeError, decode, encode, encode_v1
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
    assert encode(node.c.data) == data  # again, from the encoder's remembered records
    restored = BoltChannel.from_bytes(data, node.keys)
    assert restored.state is node.c.state
    assert restored.latest_commitment_tx() == node.c.latest_commitment_tx()
    # the same state as version 1 stored it (JSON) reads the same
    old = encode_v1(node.c.data)
    assert json.loads(old)["version"] == 1
    assert decode(old) == node.c.data
    assert encode(decode(old)) == data
    assert BoltChannel.from_bytes(old, node.keys).latest_commitment_tx() == node.c.latest_commitment_tx()
    # the form the driver stores: the onions apart, put back when loading
    apart = node.c.snapshot()()
    onions = {key: h.onion for key, h in node.c.data.htlcs.items()}
    if any(onions.values()):
        assert len(apart) < len(data) - 1000 * sum(1 for o in onions.values() if o)
        assert all(not h.onion for h in decode(apart).htlcs.values())
    loaded = BoltChannel.from_bytes(apart, node.keys, onions)
    assert loaded.data == BoltChannel.from_bytes(data, node.keys).data


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


def test_stored_form_is_versioned_without_secrets() -> None:
    pair = open_channel(push_msat=200_000_000)
    pair.a.offer(5_000_000, 1)
    pair.flush()
    data = pair.a.c.to_bytes()
    assert data.startswith(MAGIC) and data[len(MAGIC)] == VERSION
    old = encode_v1(pair.a.c.data)
    doc = json.loads(old)
    assert doc["format"] == "amiko-bolt-channel" and doc["version"] == 1
    text = old.decode()
    for secret in (KEYS_A.funding_secret, KEYS_A.revocation_basepoint_secret,
                   KEYS_A.payment_basepoint_secret, KEYS_A.delayed_payment_basepoint_secret,
                   KEYS_A.htlc_basepoint_secret, KEYS_A.per_commitment_seed,
                   KEYS_A.per_commitment_secret(0), KEYS_A.per_commitment_secret(1)):
        assert secret not in data and secret.hex().encode() not in data
        assert secret.hex() not in text
    # the peer's revealed secrets are stored (we need them to punish a revoked commitment)
    assert KEYS_B.per_commitment_secret(0) in data
    assert KEYS_B.per_commitment_secret(0).hex() in text


def _field(name: str) -> bytes:
    return bytes((len(name),)) + name.encode()


@pytest.mark.parametrize("mangle", [
    lambda d: d[:-1],
    lambda d: d + b"\x00",
    lambda d: b"[]",
    lambda d: b"",
    lambda d: MAGIC[:-1] + b"X" + d[len(MAGIC):],
    lambda d: MAGIC + bytes((VERSION + 1,)) + d[len(MAGIC) + 1:],
    lambda d: MAGIC + bytes((1,)) + d[len(MAGIC) + 1:],
    lambda d: d.replace(_field("phase") + b"\x05\x06normal", _field("phase") + b"\x05\x08nonsense"),
    lambda d: d.replace(_field("funding_sat") + b"\x03\x03\x0f\x42\x40", _field("funding_sat") + b"\x05\x04lots"),
    lambda d: d.replace(_field("funding_sat") + b"\x03\x03", _field("funding_sat") + b"\x09\x03"),
])
def test_corrupt_bytes_are_refused(mangle: object) -> None:
    pair = open_channel(push_msat=200_000_000)
    data = pair.a.c.to_bytes()
    mangled = mangle(data)  # type: ignore[operator]
    assert mangled != data
    with pytest.raises(SerializeError):
        BoltChannel.from_bytes(mangled, KEYS_A)


@pytest.mark.parametrize("mangle", [
    lambda d: d[:-1],
    lambda d: b"[]",
    lambda d: json.dumps({**json.loads(d), "format": "other"}).encode(),
    lambda d: json.dumps({**json.loads(d), "version": 2}).encode(),
    lambda d: d.replace(b'"phase":"normal"', b'"phase":"nonsense"'),
    lambda d: d.replace(b'"funding_sat":1000000', b'"funding_sat":"lots"'),
])
def test_corrupt_old_json_is_refused(mangle: object) -> None:
    pair = open_channel(push_msat=200_000_000)
    data = encode_v1(pair.a.c.data)
    mangled = mangle(data)  # type: ignore[operator]
    assert mangled != data
    with pytest.raises(SerializeError):
        BoltChannel.from_bytes(mangled, KEYS_A)


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


def test_integers_of_any_size_roundtrip() -> None:
    """Feature bits can be far above 64 (and an int above 2040 bits needs more than one
    length byte)."""
    pair = open_channel(push_msat=200_000_000)
    d = pair.a.c.data.copy()
    for bits in (1 << 63, 1 << 64, (1 << 3001) | 5, (1 << 9000) - 1):
        d.negotiated = bits
        assert decode(encode(d)) == d
        assert decode(encode_v1(d)) == d
    d.negotiated = (1 << 100_000) - 1  # (too long for JSON's integers)
    assert decode(encode(d)) == d
    d.base_local_msat = -(1 << 70)  # (never negative in a channel; the encoding allows it)
    assert decode(encode(d)).base_local_msat == -(1 << 70)
