"""BOLT 5 without a chain: two channel cores back to back (the BOLT 2 harness), a commitment
"confirmed" by hand, and `classify` / `resolve` / the sweep builders checked against Bitcoin
Core's script interpreter. Every kind of close, including the peer's *next* commitment
(signed, previous not yet revoked) and a revoked one, with HTLCs both ways and dust."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from amiko.bitcoin.script import p2wpkh
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.bolt.onchain.classify import ChannelFacts, CloseKind, Role
from amiko.channels.bolt.onchain.committed import CommittedHtlc, decode_htlcs, encode_htlcs
from amiko.channels.bolt.onchain.resolve import Spend, resolve
from amiko.channels.bolt.onchain.sweep_tx import TooSmall, htlc_transaction, sweep_transaction
from amiko.channels.interface import FailureReason
from amiko.crypto.keys import pubkey_of
from tests.test_bolt2_harness import (
    HEIGHT,
    KEYS_A,
    KEYS_B,
    VERIFIER,
    Node,
    Pair,
    hash_of,
    open_channel,
    preimage_of,
)

SWEEP_TO = p2wpkh(pubkey_of(b"\x11" * 32))
H = HEIGHT + 10  # where the closing transaction "confirms"


class Log:
    """The revocation log a driver keeps: HTLCs of each peer commitment signed."""

    def __init__(self) -> None:
        self.entries: dict[int, tuple[CommittedHtlc, ...]] = {}

    def record(self, node: Node) -> None:
        number, htlcs = node.c.remote_committed_htlcs()
        self.entries[number] = decode_htlcs(encode_htlcs(htlcs))


def flush_logged(pair: Pair, logs: dict[str, Log]) -> None:
    for _ in range(1000):
        progress = False
        for n in (pair.a, pair.b):
            if pair.deliver(n):
                progress = True
                logs[n.name].record(n)
        if not progress:
            for n in (pair.a, pair.b):
                if n.sign().messages:
                    logs[n.name].record(n)
                    progress = True
        if not progress:
            return


def facts_of(node: Node, log: Log, ctype: CommitmentType) -> ChannelFacts:
    core = node.c
    assert core.funding_outpoint is not None
    return ChannelFacts(node.keys, ctype, core.funding_outpoint, core.funding_sat, core.data,
                        log.entries.get)


def channel_with_htlcs(ctype: CommitmentType) -> tuple[Pair, dict[str, Log]]:
    pair = open_channel(funding_sat=1_000_000, push_msat=400_000_000, commitment_type=ctype)
    logs = {"A": Log(), "B": Log()}
    a, b = pair.a, pair.b
    a.offer(50_000_000, 1)   # A -> B
    a.offer(200_000, 2)      # dust
    b.offer(30_000_000, 3)   # B -> A
    b.offer(100_000, 4)      # dust
    flush_logged(pair, logs)
    return pair, logs


def spend_of(tx: Transaction, height: int = H) -> dict[OutPoint, Spend]:
    return {tx.inputs[0].prevout: Spend(tx, height, 0)}


def check_sweeps(res_claims: list, closing: Transaction) -> int:
    """Every single-signature claim, swept alone, verifies with Core's interpreter."""
    checked = 0
    for c in res_claims:
        if c.presigned is not None:
            continue
        tx = sweep_transaction([c], SWEEP_TO, 253)
        spent = [closing.outputs[c.outpoint.index]]
        assert VERIFIER.verify(tx, spent) is None, c.kind
        checked += 1
    return checked


def test_committed_htlcs_roundtrip() -> None:
    htlcs = (CommittedHtlc(True, 7, 1234, b"\x01" * 32, 500), CommittedHtlc(False, 0, 1, b"\x02" * 32, 0))
    assert decode_htlcs(encode_htlcs(htlcs)) == htlcs


@given(st.binary(max_size=200))
def test_committed_htlcs_decoder_never_crashes(data: bytes) -> None:
    try:
        decode_htlcs(data)
    except ValueError:
        pass


def test_local_and_remote_commitment_with_htlcs_both_ways() -> None:
    for ctype in (CommitmentType.ANCHORS, CommitmentType.STATIC_REMOTEKEY):
        pair, logs = channel_with_htlcs(ctype)
        a, b = pair.a, pair.b
        tx = a.c.latest_commitment_tx()
        assert tx is not None
        # A's view: its own commitment
        ra = resolve(facts_of(a, logs["A"], ctype), spend_of(tx), H, {})
        assert ra.kind is CloseKind.LOCAL
        kinds = sorted(c.kind for c in ra.claims)
        # to_local after the delay, the HTLC-timeout of its HTLC; B's HTLC needs a preimage
        assert kinds == ["htlc-timeout", "to_local"], kinds
        dust = [i for i in ra.items if i.status == "dust"]
        assert sorted(i.amount_sat for i in dust) == [100, 200]
        to_local = next(c for c in ra.claims if c.kind == "to_local")
        assert to_local.ready_height == H + b.c.data.local.to_self_delay - 1
        assert check_sweeps(ra.claims, tx) == 1
        # with the preimage of B's HTLC, A claims it with its HTLC-success transaction
        ra2 = resolve(facts_of(a, logs["A"], ctype), spend_of(tx), H, {hash_of(preimage_of(3)): preimage_of(3)})
        assert sorted(c.kind for c in ra2.claims) == ["htlc-success", "htlc-timeout", "to_local"]
        # B's view of the same transaction: the peer's current commitment
        rb = resolve(facts_of(b, logs["B"], ctype), spend_of(tx), H, {})
        assert rb.kind is CloseKind.REMOTE
        assert sorted(c.kind for c in rb.claims) == ["htlc timeout", "to_remote"]
        rb2 = resolve(facts_of(b, logs["B"], ctype), spend_of(tx), H, {hash_of(preimage_of(1)): preimage_of(1)})
        assert sorted(c.kind for c in rb2.claims) == ["htlc preimage", "htlc timeout", "to_remote"]
        assert check_sweeps(rb2.claims, tx) == 3
        # dust HTLCs are failed once the commitment is deep enough, not before
        b_dust = [h.htlc_id for h in b.c.data.htlcs.values() if h.amount_msat == 100_000]
        assert b_dust and not set(b_dust) & rb.failed
        assert set(b_dust) <= resolve(facts_of(b, logs["B"], ctype), spend_of(tx), H + 5, {}).failed
        deep = resolve(facts_of(a, logs["A"], ctype), spend_of(tx), H + 5, {})
        offered_dust = [h.htlc_id for h in a.c.data.htlcs.values() if h.amount_msat == 200_000]
        assert set(offered_dust) <= deep.failed


def test_our_presigned_htlc_transactions_verify() -> None:
    pair, logs = channel_with_htlcs(CommitmentType.STATIC_REMOTEKEY)
    a = pair.a
    tx = a.c.latest_commitment_tx()
    assert tx is not None
    res = resolve(facts_of(a, logs["A"], CommitmentType.STATIC_REMOTEKEY), spend_of(tx), HEIGHT + 200,
                  {hash_of(preimage_of(3)): preimage_of(3)})
    presigned = [c for c in res.claims if c.presigned is not None]
    assert len(presigned) == 2
    for c in presigned:
        htx = htlc_transaction(c, 253, None, "", anchors=False)  # type: ignore[arg-type]
        assert VERIFIER.verify(htx, [tx.outputs[c.outpoint.index]]) is None


def test_remote_next_commitment() -> None:
    """A signed B's next commitment; B has not revoked its previous one yet: either may
    appear on chain, and A recognises both."""
    pair, logs = channel_with_htlcs(CommitmentType.ANCHORS)
    a, b = pair.a, pair.b
    current = b.c.latest_commitment_tx()
    a.offer(20_000_000, 5)
    a.sign()
    logs["A"].record(a)
    pair.deliver(a)  # update_add_htlc
    pair.deliver(a)  # commitment_signed: B now holds the next commitment
    nxt = b.c.latest_commitment_tx()
    assert current is not None and nxt is not None and nxt.txid != current.txid
    assert a.c.data.awaiting_revocation
    facts = facts_of(a, logs["A"], CommitmentType.ANCHORS)
    r_next = resolve(facts, spend_of(nxt), H, {})
    assert r_next.kind is CloseKind.REMOTE_NEXT
    assert sum(1 for c in r_next.claims if c.kind == "htlc timeout") == 2  # the new HTLC is in it
    r_cur = resolve(facts, spend_of(current), H, {})
    assert r_cur.kind is CloseKind.REMOTE
    assert sum(1 for c in r_cur.claims if c.kind == "htlc timeout") == 1
    # the new HTLC is not in the current commitment: failed once that is deep enough
    new_id = max(h.htlc_id for h in a.c.data.htlcs.values() if h.amount_msat == 20_000_000)
    assert new_id in resolve(facts, spend_of(current), H + 5, {}).failed
    assert new_id not in resolve(facts, spend_of(nxt), H + 5, {}).failed


def test_revoked_commitment_every_output_is_ours() -> None:
    for ctype in (CommitmentType.ANCHORS, CommitmentType.STATIC_REMOTEKEY):
        pair, logs = channel_with_htlcs(ctype)
        a, b = pair.a, pair.b
        old = b.c.latest_commitment_tx()
        assert old is not None
        # the channel moves on: B's HTLC is failed, A's is fulfilled
        b.apply(b.c.settle_htlc(0, preimage_of(1)))
        flush_logged(pair, logs)
        res = resolve(facts_of(a, logs["A"], ctype), spend_of(old), H, {})
        assert res.kind is CloseKind.REVOKED
        roles = {o.role for o in res.close.outputs} if res.close else set()
        assert Role.PENALTY_TO_LOCAL in roles
        kinds = sorted(c.kind for c in res.claims)
        assert kinds == ["penalty htlc", "penalty htlc", "penalty to_local", "to_remote"], kinds
        assert check_sweeps(res.claims, old) == 4
        total = sum(c.amount_sat for c in res.claims)
        ours = [o for o in res.close.outputs if o.role not in (Role.ANCHOR_OURS, Role.ANCHOR_THEIRS)] if res.close else []
        assert total == sum(o.value for o in ours)
        # one batched penalty sweeps them all
        batch = sweep_transaction(res.claims, SWEEP_TO, 1000)
        assert VERIFIER.verify(batch, [old.outputs[c.outpoint.index] for c in res.claims]) is None


def test_cheaters_htlc_transaction_is_penalized_too() -> None:
    ctype = CommitmentType.STATIC_REMOTEKEY
    pair, logs = channel_with_htlcs(ctype)
    a, b = pair.a, pair.b
    old = b.c.latest_commitment_tx()
    htlc_txs = b.c.latest_htlc_txs()
    assert old is not None
    b.apply(b.c.fail_htlc(0, FailureReason(onion=b"x" * 32)))
    flush_logged(pair, logs)
    # B publishes the revoked commitment and its HTLC-timeout for its own HTLC (id 0 of B)
    timeout = next(t for t in htlc_txs if t[0].is_timeout)
    htx, rsig, lsig = timeout
    cheat = htx.signed_tx(rsig, lsig)
    spends = spend_of(old)
    spends[cheat.inputs[0].prevout] = Spend(cheat, H + 1, 0)
    res = resolve(facts_of(a, logs["A"], ctype), spends, H + 1, {})
    second = [c for c in res.claims if c.kind == "penalty htlc second stage"]
    assert len(second) == 1 and second[0].outpoint == OutPoint(cheat.txid, 0)
    sweep = sweep_transaction(second, SWEEP_TO, 253)
    assert VERIFIER.verify(sweep, [cheat.outputs[0]]) is None


def test_mutual_close_and_restored_channel() -> None:
    pair, logs = channel_with_htlcs(CommitmentType.ANCHORS)
    a, b = pair.a, pair.b
    fake_close = Transaction(2, old_inputs(a), (TxOut(500_000, SWEEP_TO),), 0)
    res = resolve(facts_of(a, logs["A"], CommitmentType.ANCHORS), spend_of(fake_close), H, {})
    assert res.kind is CloseKind.MUTUAL and not res.claims and res.resolved_height == H
    # a channel restored from a backup knows no state: it finds its to_remote only
    tx = a.c.latest_commitment_tx()
    assert tx is not None
    core = b.c
    assert core.funding_outpoint is not None
    facts = ChannelFacts(KEYS_B, CommitmentType.ANCHORS, core.funding_outpoint, core.funding_sat, None,
                         lambda n: None)
    res = resolve(facts, spend_of(tx), H, {})
    assert res.kind is CloseKind.REMOTE_UNKNOWN
    assert [c.kind for c in res.claims] == ["to_remote"]
    assert check_sweeps(res.claims, tx) == 1
    # A's commitment pays B's to_remote, never A's: A's keys find nothing there
    facts_a = ChannelFacts(KEYS_A, CommitmentType.ANCHORS, core.funding_outpoint, core.funding_sat, None,
                           lambda n: None)
    assert not resolve(facts_a, spend_of(tx), H, {}).claims


def old_inputs(node: Node) -> tuple:
    tx = node.c.latest_commitment_tx()
    assert tx is not None
    return (TxIn(tx.inputs[0].prevout, b"", 0xFFFFFFFF),)


def test_sweep_too_small_is_refused() -> None:
    pair, logs = channel_with_htlcs(CommitmentType.ANCHORS)
    tx = pair.b.c.latest_commitment_tx()
    assert tx is not None
    res = resolve(facts_of(pair.a, logs["A"], CommitmentType.ANCHORS), spend_of(tx), H, {})
    to_remote = next(c for c in res.claims if c.kind == "to_remote")
    try:
        sweep_transaction([to_remote], SWEEP_TO, 10_000_000)
    except TooSmall:
        pass
    else:
        raise AssertionError("a sweep paying more fee than it holds was built")
