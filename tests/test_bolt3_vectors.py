"""BOLT 3 appendices C and F: every commitment and HTLC transaction, byte for byte.

The appendices give the remote node's signatures; ours are deterministic (RFC 6979), so
signing the transactions we build must give exactly the published transactions. The
appendix also lists the remote node's secrets (the `INTERNAL:` lines), so the remote
signatures are reproduced too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from amiko.bitcoin.script import p2wpkh, p2wsh
from amiko.bitcoin.tx import OutPoint, Transaction, TxOut
from amiko.channels.bolt.commitment import (
    Commitment,
    CommitmentHtlc,
    CommitmentSpec,
    OutputKind,
    build_commitment,
    commitment_number_from_tx,
    obscuring_factor,
)
from amiko.channels.bolt.fees import CommitmentType, HtlcDirection
from amiko.channels.bolt.htlc_txs import HtlcTx, build_htlc_txs
from amiko.channels.bolt.keys import (
    Basepoints,
    CommitmentKeys,
    derive_privkey,
    per_commitment_point,
)
from amiko.channels.bolt.scripts import funding_script
from amiko.channels.bolt.signatures import compact_to_der, der_to_compact
from amiko.crypto.hashes import sha256
from amiko.crypto.keys import pubkey_of
from amiko.wire.types import Msat, Sat

VECTORS = Path(__file__).parent / "vectors"


def _load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


C = _load("bolt03_commitments.json")
F = _load("bolt03_anchors.json")["tests"]
P = C["params"]
INTERNAL = P["internal"]


def h(x: str) -> bytes:
    return bytes.fromhex(x)


# -- the channel of appendix C (local is the opener) -----------------------------------------

@dataclass(frozen=True)
class VectorChannel:
    keys: CommitmentKeys
    local_funding_secret: bytes
    remote_funding_secret: bytes
    local_htlc_secret: bytes
    remote_htlc_secret: bytes
    local_delayed_secret: bytes
    remote_payment_secret: bytes
    remote_revocation_basepoint_secret: bytes
    per_commitment_secret: bytes
    funding_output: TxOut


def vector_channel() -> VectorChannel:
    point = h(INTERNAL["local_per_commitment_point"])
    unused = pubkey_of(b"\x55" * 32)  # basepoints the local commitment does not use
    local = Basepoints(
        funding_pubkey=h(P["local_funding_pubkey"]),
        revocation_basepoint=unused,
        payment_basepoint=h(P["local_payment_basepoint"]),
        delayed_payment_basepoint=h(INTERNAL["local_delayed_payment_basepoint"]),
        htlc_basepoint=h(P["local_htlc_basepoint"]),
    )
    remote = Basepoints(
        funding_pubkey=h(P["remote_funding_pubkey"]),
        revocation_basepoint=h(INTERNAL["remote_revocation_basepoint"]),
        payment_basepoint=h(P["remote_payment_basepoint"]),
        delayed_payment_basepoint=unused,
        htlc_basepoint=h(P["remote_htlc_basepoint"]),
    )
    # The HTLC basepoints are the payment basepoints, so their secrets are the same.
    local_base_secret = h(INTERNAL["local_payment_basepoint_secret"])
    remote_base_secret = h(INTERNAL["remote_payment_basepoint_secret"])
    fscript = funding_script(local.funding_pubkey, remote.funding_pubkey)
    return VectorChannel(
        keys=CommitmentKeys.derive(local, remote, point),
        local_funding_secret=h(P["local_funding_privkey"]),
        remote_funding_secret=h(INTERNAL["remote_funding_privkey"]),
        local_htlc_secret=derive_privkey(local_base_secret, point),
        remote_htlc_secret=derive_privkey(remote_base_secret, point),
        local_delayed_secret=derive_privkey(h(INTERNAL["local_delayed_payment_basepoint_secret"]),
                                            point),
        remote_payment_secret=remote_base_secret,
        remote_revocation_basepoint_secret=h(INTERNAL["remote_revocation_basepoint_secret"]),
        per_commitment_secret=h(INTERNAL["x_local_per_commitment_secret"]),
        funding_output=TxOut(P["funding_amount_satoshi"], p2wsh(fscript)),
    )


CHANNEL = vector_channel()
HTLCS = {x["id"]: x for x in P["htlcs"]}


def vector_htlc(n: int) -> CommitmentHtlc:
    x = HTLCS[n]
    direction = HtlcDirection.RECEIVED if x["direction"] == "remote->local" else HtlcDirection.OFFERED
    return CommitmentHtlc(direction, Msat(x["amount_msat"]), sha256(h(x["payment_preimage"])),
                          x["expiry"])


def htlc_ids(name: str, uses_htlcs: bool) -> list[int]:
    """Appendix C/F: "HTLCs 5 and 6 are only used in the "same amount and preimage" test"
    (which uses HTLC 1 besides), the others use HTLCs 0 to 4 (or none)."""
    if not uses_htlcs:
        return []
    if "same amount and preimage" in name:
        return [1, 5, 6]
    return [0, 1, 2, 3, 4]


def vector_spec(ctype: CommitmentType, to_local_msat: int, to_remote_msat: int, feerate: int,
                dust_limit: int, ids: list[int]) -> CommitmentSpec:
    return CommitmentSpec(
        commitment_type=ctype,
        funding_outpoint=OutPoint.from_hex(P["funding_tx_id"], P["funding_output_index"]),
        funding_sat=Sat(P["funding_amount_satoshi"]),
        commitment_number=P["commitment_number"],
        obscuring_factor=obscuring_factor(h(P["local_payment_basepoint"]),
                                          h(P["remote_payment_basepoint"])),
        owner_is_funder=True,
        to_local_msat=Msat(to_local_msat),
        to_remote_msat=Msat(to_remote_msat),
        htlcs=tuple(vector_htlc(n) for n in ids),
        feerate_per_kw=feerate,
        dust_limit_sat=Sat(dust_limit),
        to_self_delay=P["local_delay"],
        keys=CHANNEL.keys,
    )


def c_spec(case: dict[str, Any]) -> CommitmentSpec:
    ids = htlc_ids(case["name"], "no HTLCs" not in case["name"])
    return vector_spec(CommitmentType.STATIC_REMOTEKEY, case["to_local_msat"],
                       case["to_remote_msat"], case["feerate_per_kw"],
                       P["local_dust_limit_satoshi"], ids)


def f_spec(case: dict[str, Any]) -> CommitmentSpec:
    ids = htlc_ids(case["Name"], case["UseTestHtlcs"])
    return vector_spec(CommitmentType.ANCHORS, case["LocalBalance"], case["RemoteBalance"],
                       case["FeePerKw"], case["DustLimitSatoshis"], ids)


def signed_commitment(commit: Commitment) -> Transaction:
    """Both signatures made here: ours, and the remote node's from its listed secret."""
    local_sig = commit.sign(CHANNEL.local_funding_secret)
    remote_sig = commit.sign(CHANNEL.remote_funding_secret)
    return commit.signed_tx(local_sig, remote_sig)


def signed_htlc_tx(commit: Commitment, htx: HtlcTx) -> Transaction:
    remote_sig = htx.sign_as_remote(CHANNEL.remote_htlc_secret)
    local_sig = htx.sign_as_local(CHANNEL.local_htlc_secret)
    htlc_id = htlc_ids_of(commit)[htx.htlc_index]
    preimage = h(HTLCS[htlc_id]["payment_preimage"]) if htx.is_success else None
    return htx.signed_tx(remote_sig, local_sig, preimage)


def htlc_ids_of(commit: Commitment) -> list[int]:
    """The vector HTLC numbers of a commitment built by c_spec/f_spec, in spec order."""
    by_hash_amount = {(sha256(h(x["payment_preimage"])), x["amount_msat"]): x["id"]
                      for x in P["htlcs"]}
    return [by_hash_amount[(x.payment_hash, x.amount_msat)] for x in commit.spec.htlcs]


C_CASES = C["tests"]


# -- keys -----------------------------------------------------------------------------------

def test_vector_counts() -> None:
    assert len(C_CASES) == 16
    assert len(F) == 9
    assert sum(len(c["htlc_txs"]) for c in C_CASES) == 33  # 16 + 33 + 9 + 15 = 73 transactions
    assert sum(len(c["HtlcDescs"]) for c in F) == 15


def test_appendix_c_keys() -> None:
    keys = CHANNEL.keys
    assert keys.local_htlc_pubkey == h(P["local_htlcpubkey"])
    assert keys.remote_htlc_pubkey == h(P["remote_htlcpubkey"])
    assert keys.local_delayed_pubkey == h(P["local_delayedpubkey"])
    assert keys.revocation_pubkey == h(P["local_revocation_pubkey"])
    assert keys.remote_payment_pubkey == h(P["remote_payment_basepoint"])
    assert per_commitment_point(CHANNEL.per_commitment_secret) == keys.per_commitment_point
    assert pubkey_of(CHANNEL.local_funding_secret) == h(P["local_funding_pubkey"])
    assert pubkey_of(CHANNEL.remote_funding_secret) == h(P["remote_funding_pubkey"])
    assert pubkey_of(CHANNEL.local_htlc_secret) == keys.local_htlc_pubkey
    assert pubkey_of(CHANNEL.remote_htlc_secret) == keys.remote_htlc_pubkey
    # The appendix's own private keys: localpubkey's (local_privkey), the delayed key, and
    # remotepubkey's (static_remotekey: the payment basepoint secret itself).
    assert CHANNEL.local_htlc_secret == h(P["local_privkey"])
    assert CHANNEL.local_delayed_secret == h(INTERNAL["local_delayed_privkey"])
    assert pubkey_of(CHANNEL.remote_payment_secret) == keys.remote_payment_pubkey
    assert funding_script(keys.local_funding_pubkey, keys.remote_funding_pubkey) == \
        h(P["funding_witness_script"])


def test_obscuring_factor() -> None:
    factor = obscuring_factor(h(P["local_payment_basepoint"]), h(P["remote_payment_basepoint"]))
    assert factor == int(P["obscuring_factor"], 16)
    tx = build_commitment(c_spec(C_CASES[0])).tx
    assert commitment_number_from_tx(tx, factor) == 42
    assert tx.locktime >> 24 == 0x20 and tx.inputs[0].sequence >> 24 == 0x80


# -- appendix C -----------------------------------------------------------------------------

@pytest.mark.parametrize("case", C_CASES, ids=[c["name"] for c in C_CASES])
def test_appendix_c_commitment(case: dict[str, Any]) -> None:
    commit = build_commitment(c_spec(case))
    if case["base_fee"] is not None:
        assert commit.base_fee_sat == case["base_fee"]
        assert commit.fee_sat == case["actual_fee"]
    local_sig = commit.sign(CHANNEL.local_funding_secret)
    assert compact_to_der(local_sig).hex() == case["local_signature"]
    remote_sig = der_to_compact(h(case["remote_signature"]))
    assert commit.verify(CHANNEL.keys.remote_funding_pubkey, remote_sig)
    assert not commit.verify(CHANNEL.keys.local_funding_pubkey, remote_sig)
    assert commit.sign(CHANNEL.remote_funding_secret) == remote_sig
    signed = commit.signed_tx(local_sig, remote_sig)
    assert signed.to_hex() == case["commit_tx"]
    assert Transaction.from_hex(case["commit_tx"]) == signed

    # The outputs the appendix spells out, with their witness scripts.
    ids = htlc_ids_of(commit)
    for out_comment in case["outputs_comment"]:
        idx = commit.htlc_output_indices[ids.index(out_comment["htlc"])]
        assert idx is not None
        out = commit.outputs[idx]
        assert out.value == out_comment["amount"]
        assert out.witness_script is not None and out.witness_script.hex() == out_comment["wscript"]
        assert out.kind is (OutputKind.OFFERED_HTLC if out_comment["kind"] == "offered"
                            else OutputKind.RECEIVED_HTLC)
    if case["to_local"]:
        idx = commit.output_index(OutputKind.TO_LOCAL)
        assert idx is not None
        assert commit.outputs[idx].value == case["to_local"]["amount"]
        assert commit.outputs[idx].witness_script == h(case["to_local"]["wscript"])
    if case["to_remote"]:
        idx = commit.output_index(OutputKind.TO_REMOTE)
        assert idx is not None
        assert commit.outputs[idx].txout == TxOut(case["to_remote"]["amount"],
                                                   p2wpkh(h(case["to_remote"]["pubkey"])))
    assert len(commit.htlc_outputs) == case["num_htlcs"]


@pytest.mark.parametrize("case", [c for c in C_CASES if c["htlc_txs"]],
                         ids=[c["name"] for c in C_CASES if c["htlc_txs"]])
def test_appendix_c_htlc_txs(case: dict[str, Any]) -> None:
    commit = build_commitment(c_spec(case))
    htxs = build_htlc_txs(commit)
    assert len(htxs) == len(case["htlc_txs"])
    ids = htlc_ids_of(commit)
    for htx, expected in zip(htxs, case["htlc_txs"], strict=True):
        assert htx.commitment_output_index == expected["output_index"]
        assert ids[htx.htlc_index] == expected["htlc"]
        assert htx.is_success == (expected["kind"] == "htlc-success")
        remote_sig = der_to_compact(h(expected["remote_signature"]))
        assert htx.verify_remote(CHANNEL.keys.remote_htlc_pubkey, remote_sig)
        assert htx.sign_as_remote(CHANNEL.remote_htlc_secret) == remote_sig
        local_sig = htx.sign_as_local(CHANNEL.local_htlc_secret)
        assert compact_to_der(local_sig).hex() == expected["local_signature"]
        assert signed_htlc_tx(commit, htx).to_hex() == expected["tx"]


# -- appendix F (anchors, zero-fee HTLC transactions) ----------------------------------------

@pytest.mark.parametrize("case", F, ids=[c["Name"] for c in F])
def test_appendix_f_commitment(case: dict[str, Any]) -> None:
    commit = build_commitment(f_spec(case))
    remote_sig = der_to_compact(h(case["RemoteSigHex"]))
    assert commit.verify(CHANNEL.keys.remote_funding_pubkey, remote_sig)
    assert commit.sign(CHANNEL.remote_funding_secret) == remote_sig
    local_sig = commit.sign(CHANNEL.local_funding_secret)
    assert commit.signed_tx(local_sig, remote_sig).to_hex() == case["ExpectedCommitmentTxHex"]


@pytest.mark.parametrize("case", [c for c in F if c["HtlcDescs"]],
                         ids=[c["Name"] for c in F if c["HtlcDescs"]])
def test_appendix_f_htlc_txs(case: dict[str, Any]) -> None:
    commit = build_commitment(f_spec(case))
    htxs = build_htlc_txs(commit)
    assert len(htxs) == len(case["HtlcDescs"])
    for htx, expected in zip(htxs, case["HtlcDescs"], strict=True):
        # Zero-fee: the output keeps the whole HTLC amount; sequence 1.
        assert htx.tx.outputs[0].value == htx.amount_sat
        assert htx.tx.inputs[0].sequence == 1
        remote_sig = der_to_compact(h(expected["RemoteSigHex"]))
        assert htx.verify_remote(CHANNEL.keys.remote_htlc_pubkey, remote_sig)
        assert htx.sign_as_remote(CHANNEL.remote_htlc_secret) == remote_sig
        signed = signed_htlc_tx(commit, htx)
        assert signed.to_hex() == expected["ResolutionTxHex"]
        # SIGHASH_SINGLE|SIGHASH_ANYONECANPAY on the remote signature, SIGHASH_ALL on ours.
        assert signed.inputs[0].witness[1][-1] == 0x83
        assert signed.inputs[0].witness[2][-1] == 0x01


def test_appendix_f_anchor_outputs() -> None:
    # Both anchors normally; only the local one when the remote has no output and no HTLCs.
    both = build_commitment(f_spec(F[0]))
    assert both.output_index(OutputKind.LOCAL_ANCHOR) is not None
    assert both.output_index(OutputKind.REMOTE_ANCHOR) is not None
    single = build_commitment(f_spec(F[1]))
    assert single.output_index(OutputKind.LOCAL_ANCHOR) is not None
    assert single.output_index(OutputKind.REMOTE_ANCHOR) is None
    assert single.output_index(OutputKind.TO_REMOTE) is None
    # Only to_remote left: only its anchor.
    one = build_commitment(f_spec(F[7]))
    assert [o.kind for o in one.outputs] == [OutputKind.REMOTE_ANCHOR, OutputKind.TO_REMOTE]


def test_same_amount_htlcs_ordered_by_cltv() -> None:
    # HTLCs 5 and 6 have the same amount in sat and the same payment hash, so the same
    # offered script: the one with the lower cltv_expiry (6, at 505) comes first.
    case = C_CASES[-1]
    commit = build_commitment(c_spec(case))
    ids = htlc_ids_of(commit)
    order = [ids[out.htlc_index] for _, out in commit.htlc_outputs if out.htlc_index is not None]
    assert order == [1, 6, 5]
    first, second = (commit.outputs[i] for i, _ in commit.htlc_outputs[1:])
    assert first.txout == second.txout
