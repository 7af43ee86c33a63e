"""Random interleavings of everything two channel cores can do to each other.

Seeded loops of ~1,000 operations: HTLCs offered both ways (dust and not, many in flight),
fulfilled or failed, `commitment_signed` batching any number of updates, `update_fee`,
messages delayed and interleaved, disconnections, and crashes (a node restarts from its
last persisted bytes, the connection drops, both reestablish). After every step:

- both commitment transactions each node holds are fully signed and valid for Bitcoin
  Core's script interpreter (HTLC transactions too, every few steps);
- every view's balances and HTLCs add up to the funding amount, and each built commitment
  transaction's outputs plus its fee are the funding amount;
- every view kept up to date update by update (`compute_view`, and the counts the checks
  use) is the one counted afresh from the HTLC table (`full_view`);
- when quiet, both nodes agree on the HTLC set and the balances.

At the end everything is resolved: no HTLC lost or doubled (each offer is settled or failed
exactly once, as the events report it) and the balances are exact.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from amiko.channels.bolt.commit import (
    View,
    Which,
    compute_view,
    full_view,
    local_commitment,
    remote_commitment,
    view_stats,
)
from amiko.channels.bolt.commitment import Commitment
from amiko.channels.bolt.data import ChannelData
from amiko.channels.bolt.fees import (
    CommitmentType,
    HtlcDirection,
    funder_commitment_cost,
    is_htlc_trimmed,
)
from amiko.channels.bolt.htlcs import Side
from amiko.channels.bolt.states import Phase
from amiko.channels.interface import FailureReason, Offered
from tests.test_bolt2_harness import (
    KEYS_A,
    KEYS_B,
    VERIFIER,
    Node,
    Pair,
    balances,
    failed_ids,
    funding_output,
    hash_of,
    htlc_summary,
    incoming,
    open_channel,
    preimage_of,
    settled_ids,
    verify_htlc_txs,
)

FUNDING_SAT = 1_000_000
PUSH_MSAT = 400_000_000


class World:
    def __init__(self, seed: int, ctype: CommitmentType) -> None:
        self.rng = random.Random(seed)
        self.pair = open_channel(funding_sat=FUNDING_SAT, push_msat=PUSH_MSAT,
                                 commitment_type=ctype)
        self.n = 0
        self.offers: dict[str, dict[int, tuple[int, int]]] = {"A": {}, "B": {}}
        self.resolved: dict[str, set[int]] = {"A": set(), "B": set()}  # incoming we removed
        self.settled_by: dict[str, dict[int, int]] = {"A": {}, "B": {}}  # id -> amount
        self.preimages: dict[bytes, bytes] = {}

    @property
    def nodes(self) -> tuple[Node, Node]:
        return self.pair.a, self.pair.b

    def other(self, n: Node) -> Node:
        return self.pair.other(n)

    # -- operations

    def offer(self, n: Node) -> None:
        amount = self.rng.choice([self.rng.randint(1_000, 700_000),  # often trimmed
                                  self.rng.randint(1_000_000, 30_000_000)])
        self.n += 1
        result = n.offer(amount, self.n)
        if isinstance(result, Offered):
            assert result.htlc_id not in self.offers[n.name]
            self.offers[n.name][result.htlc_id] = (amount, self.n)
            self.preimages[hash_of(preimage_of(self.n))] = preimage_of(self.n)

    def resolve(self, n: Node, everything: bool = False) -> None:
        todo = [i for i in incoming(n) if i not in self.resolved[n.name]]
        if not todo:
            return
        for htlc_id in todo if everything else [self.rng.choice(todo)]:
            amount, k = self.offers[self.other(n).name][htlc_id]
            if everything or self.rng.random() < 0.7:
                n.apply(n.c.settle_htlc(htlc_id, preimage_of(k)))
                self.settled_by[n.name][htlc_id] = amount
            else:
                n.apply(n.c.fail_htlc(htlc_id, FailureReason(onion=b"fail %d" % htlc_id)))
            self.resolved[n.name].add(htlc_id)

    def crash(self, n: Node) -> None:
        n.crash_and_restore()
        # Offers are stored with the commitment that signs them: the ones the crash took
        # were never committed, the peer forgets them on reconnection, and their ids are
        # offered again.
        lost = [i for i in self.offers[n.name] if i >= n.c.data.next_local_htlc_id]
        for htlc_id in lost:
            assert (n.c.data.htlcs.get((Side.LOCAL, htlc_id))) is None
            del self.offers[n.name][htlc_id]
        peer = self.other(n)
        peer.outbox.clear()
        peer.connected = False
        peer.apply(peer.c.peer_disconnected())
        self.pair.reconnect()

    def step(self) -> str:
        rng = self.rng
        a, b = self.nodes
        op = rng.random()
        n = rng.choice(self.nodes)
        if op < 0.22:
            self.offer(n)
            return "offer"
        if op < 0.37:
            self.resolve(n)
            return "resolve"
        if op < 0.52:
            n.sign()
            return "sign"
        if op < 0.93:
            self.pair.deliver(n)
            return "deliver"
        if op < 0.96:
            a.apply(a.c.update_fee(rng.randint(253, 8000)))
            return "fee"
        if op < 0.98:
            self.pair.disconnect()
            self.pair.reconnect()
            return "reconnect"
        self.crash(n)
        return "crash"

    # -- invariants

    def check(self, htlc_txs: bool) -> None:
        for n, keys in zip(self.nodes, (KEYS_A, KEYS_B), strict=True):
            d = n.c.data
            assert n.c.state is Phase.NORMAL
            for owner in (Side.LOCAL, Side.REMOTE):
                for which in Which:
                    view, fresh = compute_view(d, owner, which), full_view(d, owner, which)
                    assert view == fresh
                    assert view_stats(d, view) == view_stats(d, fresh)
                    for side in (Side.LOCAL, Side.REMOTE):
                        assert view.offered(side) == fresh.offered(side)
                for which in (Which.CURRENT, Which.NEXT):
                    view = compute_view(d, owner, which)
                    total = view.local_msat + view.remote_msat + sum(h.amount_msat
                                                                     for h in view.htlcs)
                    assert total == FUNDING_SAT * 1000
                    assert view.local_msat >= 0 and view.remote_msat >= 0
            local = local_commitment(d, keys)
            check_outputs(d, local, compute_view(d, Side.LOCAL, Which.CURRENT))
            check_outputs(d, remote_commitment(d, keys),
                          compute_view(d, Side.REMOTE, Which.CURRENT))
            if htlc_txs:
                verify_htlc_txs(n.c, self.preimages)
            else:
                tx = local.signed_tx(local.sign(keys.funding_secret), d.local_commit_sig)
                assert VERIFIER.verify(tx, [funding_output(n.c)]) is None

    def check_agreement(self) -> None:
        a, b = self.nodes
        assert htlc_summary(a.c) == htlc_summary(b.c, flip=True)
        la, ra = balances(a.c)
        lb, rb = balances(b.c)
        assert (la, ra) == (rb, lb)
        assert a.c.latest_commitment_tx() is not None
        # each one's latest commitment is the one the other signed last
        da, db = a.c.data, b.c.data
        assert local_commitment(da, KEYS_A).txid == remote_commitment(db, KEYS_B).txid
        assert local_commitment(db, KEYS_B).txid == remote_commitment(da, KEYS_A).txid

    def finish(self) -> None:
        a, b = self.nodes
        if not (a.connected and b.connected):
            self.pair.reconnect()
        for _ in range(20):
            self.pair.flush()
            self.resolve(a, everything=True)
            self.resolve(b, everything=True)
            self.pair.flush()
            if not a.c.data.htlcs and not b.c.data.htlcs:
                break
        assert not a.c.data.htlcs and not b.c.data.htlcs
        self.check_agreement()
        for n in self.nodes:
            peer = self.other(n)
            offered = set(self.offers[n.name])
            settled, failed = settled_ids(n), failed_ids(n)
            # no HTLC doubled: one event each
            assert not [k for k, c in Counter(settled).items() if c > 1]
            assert not [k for k, c in Counter(failed).items() if c > 1]
            # none lost: each offer resolved exactly once, as the peer decided
            assert set(settled) | set(failed) == offered
            assert not set(settled) & set(failed)
            assert set(settled) == set(self.settled_by[peer.name])
        paid_by_a = sum(self.settled_by["B"].values())
        paid_by_b = sum(self.settled_by["A"].values())
        expected_a = FUNDING_SAT * 1000 - PUSH_MSAT - paid_by_a + paid_by_b
        assert balances(a.c) == (expected_a, FUNDING_SAT * 1000 - expected_a)


def check_outputs(d: ChannelData, commitment: Commitment, view: View) -> None:
    """The commitment pays each side its balance minus (for the funder) the fee and
    anchors, and each untrimmed HTLC its amount: all of it adds up to the funding amount."""
    ctype = d.channel_type.commitment_type
    owner = view.owner
    dust = d.config(owner).dust_limit_sat
    untrimmed = [h for h in view.htlcs
                 if not is_htlc_trimmed(ctype, HtlcDirection.OFFERED if h.owner is owner
                                        else HtlcDirection.RECEIVED, h.amount_msat,
                                        view.feerate_per_kw, dust)]
    cost = funder_commitment_cost(ctype, view.feerate_per_kw, len(untrimmed))
    owner_pays = (owner is Side.LOCAL) == d.is_funder
    mine = view.balance(owner) // 1000 - (cost if owner_pays else 0)
    theirs = view.balance(owner.other()) // 1000 - (0 if owner_pays else cost)
    expected = [h.amount_msat // 1000 for h in untrimmed]
    expected += [v for v in (mine, theirs) if v >= dust]
    if ctype.anchors:
        expected += [330] * ((mine >= dust or bool(untrimmed)) + (theirs >= dust or bool(untrimmed)))
    assert sorted(o.value for o in commitment.tx.outputs) == sorted(expected)


def run(seed: int, steps: int, ctype: CommitmentType) -> Counter[str]:
    world = World(seed, ctype)
    done: Counter[str] = Counter()
    for i in range(steps):
        done[world.step()] += 1
        world.check(htlc_txs=i % 25 == 0)
        if not any(n.outbox for n in world.nodes) and world.rng.random() < 0.05:
            world.pair.flush()
            world.check_agreement()
    world.finish()
    return done


@pytest.mark.parametrize("seed", range(2))
def test_random_interleavings_anchors(seed: int) -> None:
    done = run(seed, 1000, CommitmentType.ANCHORS)
    assert done["offer"] > 100 and done["crash"] > 0


@pytest.mark.parametrize("seed", range(100, 101))
def test_random_interleavings_static_remotekey(seed: int) -> None:
    run(seed, 1000, CommitmentType.STATIC_REMOTEKEY)


def test_many_updates_in_one_commitment() -> None:
    """Thirty HTLCs each way and their removals, each batch in a single commitment."""
    pair: Pair = open_channel(push_msat=PUSH_MSAT)
    a, b = pair.a, pair.b
    for i in range(30):
        a.offer(2_000_000 + i, i)
        b.offer(1_000_000 + i, 100 + i)
    assert len(a.sign().messages) == 1
    pair.flush()
    assert len(incoming(a)) == 30 and len(incoming(b)) == 30
    for i in range(30):
        b.apply(b.c.settle_htlc(i, preimage_of(i)))
        a.apply(a.c.fail_htlc(i, FailureReason(onion=b"no")))
    pair.flush()
    assert sorted(settled_ids(a)) == list(range(30))
    assert sorted(failed_ids(b)) == list(range(30))
    assert not a.c.data.htlcs and not b.c.data.htlcs
