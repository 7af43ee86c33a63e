"""Bitcoin Core's script interpreter (libbitcoinkernel, through the dev chain's ScriptVerifier,
with every consensus flag: P2SH, DERSIG, NULLDUMMY, CHECKLOCKTIMEVERIFY, CHECKSEQUENCEVERIFY,
WITNESS, TAPROOT) accepts every BOLT 3 appendix C/F transaction we build, and every spend
path of every commitment output through the witness helpers; and refuses spends whose time
locks are not met."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from amiko.bitcoin.script import p2pkh_script_code, p2wpkh
from amiko.bitcoin.sighash import SIGHASH_ALL
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.chain.devchain.scripts import ScriptVerifier
from amiko.channels.bolt.commitment import Commitment, OutputKind, build_commitment
from amiko.channels.bolt.htlc_txs import HtlcTx, build_htlc_txs
from amiko.channels.bolt.keys import derive_revocation_privkey
from amiko.channels.bolt.scripts import (
    anchor_sweep_witness,
    anchor_witness,
    htlc_revocation_witness,
    offered_htlc_success_witness,
    received_htlc_timeout_witness,
    to_local_delayed_witness,
    to_local_revocation_witness,
    to_remote_witness,
)
from amiko.channels.bolt.signatures import sign_input
from amiko.crypto.keys import pubkey_of
from tests.test_bolt3_vectors import (
    C_CASES,
    CHANNEL,
    HTLCS,
    F,
    c_spec,
    f_spec,
    h,
    htlc_ids_of,
    signed_commitment,
    signed_htlc_tx,
)

VERIFIER = ScriptVerifier()
SINK = p2wpkh(pubkey_of(b"\x77" * 32))
REVOCATION_SECRET = derive_revocation_privkey(CHANNEL.remote_revocation_basepoint_secret,
                                              CHANNEL.per_commitment_secret)


def check(tx: Transaction, spent: TxOut) -> str | None:
    """None if Core accepts the spend, else its reject reason."""
    return VERIFIER.verify(tx, [spent])


def locktime_refused(reason: str | None) -> bool:
    """Core refused the spend for a CHECKLOCKTIMEVERIFY / CHECKSEQUENCEVERIFY failure."""
    return reason is not None and "Locktime requirement not satisfied" in reason


ALL_COMMITMENTS = [("C " + c["name"], build_commitment(c_spec(c))) for c in C_CASES] + \
                  [("F " + c["Name"], build_commitment(f_spec(c))) for c in F]


@pytest.mark.parametrize("name,commit", ALL_COMMITMENTS, ids=[n for n, _ in ALL_COMMITMENTS])
def test_core_accepts_commitment_and_htlc_txs(name: str, commit: Commitment) -> None:
    assert check(signed_commitment(commit), CHANNEL.funding_output) is None
    for htx in build_htlc_txs(commit):
        spent = commit.tx.outputs[htx.commitment_output_index]
        assert check(signed_htlc_tx(commit, htx), spent) is None


def test_revocation_key_matches() -> None:
    assert pubkey_of(REVOCATION_SECRET) == CHANNEL.keys.revocation_pubkey


def test_core_refuses_broken_commitment() -> None:
    commit = build_commitment(c_spec(C_CASES[1]))
    local_sig = commit.sign(CHANNEL.local_funding_secret)
    remote_sig = commit.sign(CHANNEL.remote_funding_secret)
    good = commit.signed_tx(local_sig, remote_sig)
    assert check(good, CHANNEL.funding_output) is None
    # Signatures swapped (not in funding script key order): OP_CHECKMULTISIG fails.
    w = good.inputs[0].witness
    assert check(good.with_witness(0, (w[0], w[2], w[1], w[3])), CHANNEL.funding_output)
    # A signature by the wrong key.
    bad = commit.signed_tx(local_sig, commit.sign(CHANNEL.local_htlc_secret))
    assert check(bad, CHANNEL.funding_output)


def _timeout_txs(commit: Commitment) -> list[HtlcTx]:
    return [x for x in build_htlc_txs(commit) if x.is_timeout]


@pytest.mark.parametrize("anchors", [False, True])
def test_core_checks_htlc_tx_time_locks(anchors: bool) -> None:
    commit = build_commitment(f_spec(F[2]) if anchors else c_spec(C_CASES[1]))
    htx = _timeout_txs(commit)[0]
    spent = commit.tx.outputs[htx.commitment_output_index]
    assert check(signed_htlc_tx(commit, htx), spent) is None
    # The offered HTLC script has no CLTV of its own: the HTLC-timeout transaction's
    # locktime is enforced by the remote signature over it. Moving the locktime earlier
    # invalidates that signature.
    remote_sig = htx.sign_as_remote(CHANNEL.remote_htlc_secret)
    early = replace(htx, locktime=htx.locktime - 1)
    local_sig = early.sign_as_local(CHANNEL.local_htlc_secret)
    assert check(early.signed_tx(remote_sig, local_sig), spent) is not None
    assert not early.verify_remote(CHANNEL.keys.remote_htlc_pubkey, remote_sig)
    if anchors:
        # With anchors, the HTLC scripts demand nSequence >= 1 (1 OP_CHECKSEQUENCEVERIFY).
        seq0 = replace(htx, sequence=0)
        assert locktime_refused(check(signed_htlc_tx(commit, seq0), spent))


# -- every spend path of the commitment outputs, with the witness helpers ---------------------

def spend(prev: Transaction, index: int, *, sequence: int = 0xFFFFFFFE,
          locktime: int = 0) -> Transaction:
    value = prev.outputs[index].value
    return Transaction(version=2, inputs=(TxIn(OutPoint(prev.txid, index), b"", sequence),),
                       outputs=(TxOut(value, SINK),), locktime=locktime)


def signed(tx: Transaction, spent: TxOut, script_code: bytes, secret: bytes,
           make_witness: Callable[[bytes], tuple[bytes, ...]],
           sighash_type: int = SIGHASH_ALL) -> Transaction:
    sig = sign_input(tx, 0, script_code, spent.value, secret, sighash_type)
    return tx.with_witness(0, make_witness(sig))


COMMITS = {
    False: build_commitment(c_spec(C_CASES[1])),  # all five HTLCs untrimmed, no anchors
    True: build_commitment(f_spec(F[2])),  # seven outputs untrimmed, anchors
}


@pytest.mark.parametrize("anchors", [False, True])
def test_core_to_local_paths(anchors: bool) -> None:
    commit = COMMITS[anchors]
    i = commit.output_index(OutputKind.TO_LOCAL)
    assert i is not None
    out = commit.outputs[i]
    script = out.witness_script
    assert script is not None
    delay = commit.spec.to_self_delay
    # The owner, after to_self_delay blocks.
    tx = signed(spend(commit.tx, i, sequence=delay), out.txout, script,
                CHANNEL.local_delayed_secret, lambda s: to_local_delayed_witness(s, script))
    assert check(tx, out.txout) is None
    early = signed(spend(commit.tx, i, sequence=delay - 1), out.txout, script,
                   CHANNEL.local_delayed_secret, lambda s: to_local_delayed_witness(s, script))
    assert locktime_refused(check(early, out.txout))
    # The other node, with the revocation key, at once.
    tx = signed(spend(commit.tx, i, sequence=0), out.txout, script, REVOCATION_SECRET,
                lambda s: to_local_revocation_witness(s, script))
    assert check(tx, out.txout) is None
    # ... and not with the delayed key down the revocation branch.
    tx = signed(spend(commit.tx, i, sequence=0), out.txout, script,
                CHANNEL.local_delayed_secret, lambda s: to_local_revocation_witness(s, script))
    assert check(tx, out.txout)


@pytest.mark.parametrize("anchors", [False, True])
def test_core_to_remote_path(anchors: bool) -> None:
    commit = COMMITS[anchors]
    i = commit.output_index(OutputKind.TO_REMOTE)
    assert i is not None
    out = commit.outputs[i]
    pubkey = CHANNEL.keys.remote_payment_pubkey
    code = out.witness_script if anchors else p2pkh_script_code(pubkey)
    assert code is not None
    tx = signed(spend(commit.tx, i, sequence=1), out.txout, code, CHANNEL.remote_payment_secret,
                lambda s: to_remote_witness(s, pubkey, anchors))
    assert check(tx, out.txout) is None
    if anchors:  # one block CSV
        tx = signed(spend(commit.tx, i, sequence=0), out.txout, code,
                    CHANNEL.remote_payment_secret, lambda s: to_remote_witness(s, pubkey, True))
        assert locktime_refused(check(tx, out.txout))


@pytest.mark.parametrize("kind", [OutputKind.LOCAL_ANCHOR, OutputKind.REMOTE_ANCHOR])
def test_core_anchor_paths(kind: OutputKind) -> None:
    commit = COMMITS[True]
    i = commit.output_index(kind)
    assert i is not None
    out = commit.outputs[i]
    script = out.witness_script
    assert script is not None
    secret = (CHANNEL.local_funding_secret if kind is OutputKind.LOCAL_ANCHOR
              else CHANNEL.remote_funding_secret)
    tx = signed(spend(commit.tx, i, sequence=0), out.txout, script, secret,
                lambda s: anchor_witness(s, script))
    assert check(tx, out.txout) is None
    # Anyone, after 16 blocks.
    assert check(spend(commit.tx, i, sequence=16).with_witness(0, anchor_sweep_witness(script)),
                 out.txout) is None
    early = spend(commit.tx, i, sequence=15).with_witness(0, anchor_sweep_witness(script))
    assert locktime_refused(check(early, out.txout))


@pytest.mark.parametrize("anchors", [False, True])
def test_core_htlc_output_paths(anchors: bool) -> None:
    commit = COMMITS[anchors]
    ids = htlc_ids_of(commit)
    seq = 1 if anchors else 0
    tested = set()
    for i, out in commit.htlc_outputs:
        script = out.witness_script
        assert script is not None and out.htlc_index is not None
        htlc = commit.spec.htlcs[out.htlc_index]
        if out.kind is OutputKind.OFFERED_HTLC:
            # The remote node claims what we offered, with the preimage.
            preimage = h(HTLCS[ids[out.htlc_index]]["payment_preimage"])
            tx = signed(spend(commit.tx, i, sequence=seq), out.txout, script,
                        CHANNEL.remote_htlc_secret,
                        lambda s: offered_htlc_success_witness(s, preimage, script))
            assert check(tx, out.txout) is None
            wrong = signed(spend(commit.tx, i, sequence=seq), out.txout, script,
                           CHANNEL.remote_htlc_secret,
                           lambda s: offered_htlc_success_witness(s, b"\x09" * 32, script))
            assert check(wrong, out.txout)
        else:
            # The remote node takes back what it offered, after cltv_expiry.
            tx = signed(spend(commit.tx, i, sequence=seq, locktime=htlc.cltv_expiry), out.txout,
                        script, CHANNEL.remote_htlc_secret,
                        lambda s: received_htlc_timeout_witness(s, script))
            assert check(tx, out.txout) is None
            early = signed(spend(commit.tx, i, sequence=seq, locktime=htlc.cltv_expiry - 1),
                           out.txout, script, CHANNEL.remote_htlc_secret,
                           lambda s: received_htlc_timeout_witness(s, script))
            assert locktime_refused(check(early, out.txout))
        if anchors:
            # Both non-revocation branches end in `1 OP_CHECKSEQUENCEVERIFY OP_DROP`.
            if out.kind is OutputKind.OFFERED_HTLC:
                no_csv = signed(spend(commit.tx, i, sequence=0), out.txout, script,
                                CHANNEL.remote_htlc_secret,
                                lambda s: offered_htlc_success_witness(s, preimage, script))
            else:
                no_csv = signed(spend(commit.tx, i, sequence=0, locktime=htlc.cltv_expiry),
                                out.txout, script, CHANNEL.remote_htlc_secret,
                                lambda s: received_htlc_timeout_witness(s, script))
            assert locktime_refused(check(no_csv, out.txout))
        # Revoked: the remote node takes it at once with the revocation key.
        tx = signed(spend(commit.tx, i, sequence=0), out.txout, script, REVOCATION_SECRET,
                    lambda s: htlc_revocation_witness(s, CHANNEL.keys.revocation_pubkey, script))
        assert check(tx, out.txout) is None
        tested.add(out.kind)
    assert tested == {OutputKind.OFFERED_HTLC, OutputKind.RECEIVED_HTLC}


@pytest.mark.parametrize("anchors", [False, True])
def test_core_htlc_tx_output_paths(anchors: bool) -> None:
    commit = COMMITS[anchors]
    for htx in build_htlc_txs(commit):
        second = signed_htlc_tx(commit, htx)
        out = second.outputs[0]
        script = htx.output_script
        delay = commit.spec.to_self_delay
        tx = signed(spend(second, 0, sequence=delay), out, script, CHANNEL.local_delayed_secret,
                    lambda s: to_local_delayed_witness(s, script))
        assert check(tx, out) is None
        early = signed(spend(second, 0, sequence=delay - 1), out, script,
                       CHANNEL.local_delayed_secret,
                       lambda s: to_local_delayed_witness(s, script))
        assert locktime_refused(check(early, out))
        tx = signed(spend(second, 0, sequence=0), out, script, REVOCATION_SECRET,
                    lambda s: to_local_revocation_witness(s, script))
        assert check(tx, out) is None
