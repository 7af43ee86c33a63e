"""BOLT 3 appendix D: per-commitment secret generation and compact storage, plus properties."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amiko.channels.bolt.shachain import (
    MAX_ENTRIES,
    START_INDEX,
    ShachainError,
    ShachainStore,
    commitment_index,
    generate_from_seed,
    where_to_put_secret,
)

D = json.loads((Path(__file__).parent / "vectors" / "bolt03_per_commitment_secrets.json").read_text())


@pytest.mark.parametrize("v", D["generation"], ids=[v["name"] for v in D["generation"]])
def test_appendix_d_generation(v: dict[str, Any]) -> None:
    assert generate_from_seed(bytes.fromhex(v["seed"]), v["index"]).hex() == v["output"]


@pytest.mark.parametrize("v", D["storage"], ids=[v["name"] for v in D["storage"]])
def test_appendix_d_storage(v: dict[str, Any]) -> None:
    store = ShachainStore()
    for step in v["steps"]:
        secret = bytes.fromhex(step["secret"])
        if step["ok"]:
            store = store.insert(step["index"], secret)
            assert store.get(step["index"]) == secret
        else:
            with pytest.raises(ShachainError):
                store.insert(step["index"], secret)
    # Every vector ends with its one failure, except the correct sequence.
    assert [s["ok"] for s in v["steps"]].count(False) == (0 if v["name"].endswith("correct sequence") else 1)


def test_appendix_d_correct_sequence_derives_all() -> None:
    seed = b"\xff" * 32
    steps = D["storage"][0]["steps"]
    store = ShachainStore()
    for step in steps:
        store = store.insert(step["index"], bytes.fromhex(step["secret"]))
    for step in steps:
        assert store.get(step["index"]).hex() == step["secret"]
        assert generate_from_seed(seed, step["index"]).hex() == step["secret"]
    assert ShachainStore.parse(store.serialize()) == store


def test_where_to_put_secret() -> None:
    assert where_to_put_secret(START_INDEX) == 0
    assert where_to_put_secret(0xFFFFFFFFFFF0) == 4
    assert where_to_put_secret(1 << 47) == 47
    assert where_to_put_secret(0) == 48


def test_order_and_bounds_enforced() -> None:
    seed = b"\x01" * 32
    store = ShachainStore()
    with pytest.raises(ShachainError):  # must start at START_INDEX
        store.insert(START_INDEX - 1, generate_from_seed(seed, START_INDEX - 1))
    store = store.insert(START_INDEX, generate_from_seed(seed, START_INDEX))
    with pytest.raises(ShachainError):  # no gaps
        store.insert(START_INDEX - 2, generate_from_seed(seed, START_INDEX - 2))
    with pytest.raises(ShachainError):  # no repeats
        store.insert(START_INDEX, generate_from_seed(seed, START_INDEX))
    with pytest.raises(ShachainError):
        store.get(START_INDEX - 1)  # not received yet
    with pytest.raises(ShachainError):
        store.insert(START_INDEX - 1, b"\x00" * 31)
    store = store.insert_commitment_secret(1, generate_from_seed(seed, commitment_index(1)))
    assert store.next_commitment_number == 2
    assert store.commitment_secret(0) == generate_from_seed(seed, START_INDEX)
    assert "ShachainStore(next_index=" in repr(store)


def test_last_secrets_and_full_storage() -> None:
    """Near index 0 every bucket is used (49 entries), and nothing follows index 0."""
    seed = b"\x07" * 32
    # Build the state as if every secret down to index 1 had been received: bucket b holds
    # the smallest received index with b trailing zeros.
    buckets = []
    for b in range(48):
        index = 1 << b  # the last index >= 1 with b trailing zeros
        buckets.append((index, generate_from_seed(seed, index)))
    store = ShachainStore(tuple(buckets))
    assert store.next_index == 0
    store = store.insert(0, generate_from_seed(seed, 0))
    assert len(store.buckets) == MAX_ENTRIES
    assert store.get(12345) == generate_from_seed(seed, 12345)
    assert store.get(START_INDEX) == generate_from_seed(seed, START_INDEX)
    with pytest.raises(ShachainError):
        store.insert(-1, b"\x00" * 32)
    assert ShachainStore.parse(store.serialize()) == store


def test_parse_rejects_malformed() -> None:
    seed = b"\x02" * 32
    store = ShachainStore().insert(START_INDEX, generate_from_seed(seed, START_INDEX))
    raw = store.serialize()
    for bad in (b"", raw[:-1], raw + b"\x00", b"\x32" + raw[1:],
                b"\x01" + (START_INDEX - 1).to_bytes(6, "big") + raw[7:]):
        with pytest.raises(ShachainError):
            ShachainStore.parse(bad)
    assert ShachainStore.parse(b"\x00") == ShachainStore()


@settings(max_examples=60, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), count=st.integers(1, 300),
       start_offset=st.sampled_from([0, 1000, 1 << 20, (1 << 32) - 7]))
def test_received_secrets_all_derivable(seed: bytes, count: int, start_offset: int) -> None:
    """After any number of secrets, every one received derives again, none later does,
    storage stays within 49 entries and round-trips."""
    # Skip ahead cheaply: rebuild the store a node would have after `start_offset` secrets.
    first = START_INDEX - start_offset
    store = ShachainStore()
    if start_offset:
        buckets = []
        for b in range(48):
            # the smallest received index (>= first + 1) with exactly b trailing zeros
            base = ((first + 1 + (1 << b) - 1) >> b) << b
            index = base if (base >> b) & 1 else base + (1 << b)
            if index > START_INDEX:
                break
            buckets.append((index, generate_from_seed(seed, index)))
        store = ShachainStore(tuple(buckets))
        assert store.next_index == first
    indices = [first - k for k in range(count)]
    for index in indices:
        store = store.insert(index, generate_from_seed(seed, index))
        assert len(store.buckets) <= MAX_ENTRIES
    for index in [*indices[:: max(1, count // 40)], indices[-1]]:
        assert store.get(index) == generate_from_seed(seed, index)
    with pytest.raises(ShachainError):
        store.get(indices[-1] - 1)
    assert ShachainStore.parse(store.serialize()) == store


@settings(max_examples=60, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), count=st.integers(2, 130),
       data=st.data())
def test_wrong_secret_detected_by_its_parent(seed: bytes, count: int, data: st.DataObject) -> None:
    """A secret not from the seed is refused at once if it should derive secrets already
    stored (its index has trailing zeros); otherwise it is stored, and the next secret,
    which must derive it, is refused."""
    bad_k = data.draw(st.integers(0, count - 2))
    wrong = data.draw(st.binary(min_size=32, max_size=32))
    bad_index = START_INDEX - bad_k
    if wrong == generate_from_seed(seed, bad_index):
        return
    store = ShachainStore()
    for k in range(count):
        index = START_INDEX - k
        secret = wrong if k == bad_k else generate_from_seed(seed, index)
        if (k == bad_k and where_to_put_secret(index) > 0) or k == bad_k + 1:
            with pytest.raises(ShachainError):
                store.insert(index, secret)
            return
        store = store.insert(index, secret)
