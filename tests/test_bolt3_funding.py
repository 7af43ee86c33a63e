"""BOLT 3 appendix B (the funding transaction), script shapes, and signature encodings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amiko.bitcoin.script import build, p2wpkh, p2wsh
from amiko.bitcoin.sighash import SIGHASH_ALL, der_sig_with_hashtype, legacy_sighash
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.channels.bolt.commitment import output_sort_key
from amiko.channels.bolt.fees import fee_for_weight
from amiko.channels.bolt.scripts import (
    anchor_script,
    funding_output,
    funding_script,
    offered_htlc_script,
    received_htlc_script,
    to_local_script,
    to_remote_anchor_script,
)
from amiko.channels.bolt.signatures import (
    SignatureError,
    compact_to_der,
    der_to_compact,
    funding_witness,
    stack_sig,
)
from amiko.crypto.keys import pubkey_of, sign, sign_der

B = json.loads((Path(__file__).parent / "vectors" / "bolt03_funding.json").read_text())


def h(x: str) -> bytes:
    return bytes.fromhex(x)


def test_appendix_b_funding_script() -> None:
    local, remote = h(B["local_funding_pubkey"]), h(B["remote_funding_pubkey"])
    assert funding_script(local, remote) == h(B["funding_witness_script"])
    assert funding_script(remote, local) == h(B["funding_witness_script"])


def test_appendix_b_funding_tx() -> None:
    """Rebuild and sign the funding transaction: its P2PKH input, the channel output, the
    change, in BIP 69 order."""
    secret = h(B["coinbase_privkey"])
    pubkey = pubkey_of(secret)
    coinbase = Transaction.from_hex(B["block1_coinbase_tx"])
    assert coinbase.txid_hex == B["input_txid"]
    prev_out = coinbase.outputs[B["input_index"]]
    assert prev_out.value == B["input_satoshis"]

    outputs = sorted(
        [funding_output(h(B["local_funding_pubkey"]), h(B["remote_funding_pubkey"]),
                        B["funding_satoshis"]),
         TxOut(B["change_satoshis"], p2wpkh(pubkey))],
        key=lambda o: output_sort_key(o.value, o.script_pubkey))
    unsigned = Transaction(2, (TxIn(OutPoint.from_hex(B["input_txid"], B["input_index"])),),
                           tuple(outputs), 0)
    digest = legacy_sighash(unsigned, 0, prev_out.script_pubkey, SIGHASH_ALL)
    script_sig = build([der_sig_with_hashtype(sign_der(secret, digest)), pubkey])
    tx = unsigned.with_script_sig(0, script_sig)
    assert tx.to_hex() == B["funding_tx"]
    assert tx.txid_hex == B["funding_txid"]
    assert tx.outputs[B["funding_output"]].script_pubkey == p2wsh(h(B["funding_witness_script"]))
    # feerate_per_kw 15000 on its weight gives exactly the fee paid.
    fee = B["input_satoshis"] - B["funding_satoshis"] - B["change_satoshis"]
    assert fee == fee_for_weight(B["feerate_per_kw"], tx.weight())


def test_script_shapes() -> None:
    k = [pubkey_of(bytes([i]) * 32) for i in range(1, 5)]
    ph = bytes(32)
    # The appendix A sizes: offered 133 (136 with anchors), received 140 (143), with a
    # 4-byte cltv_expiry push (expiry >= 2^23).
    assert len(offered_htlc_script(k[0], k[1], k[2], ph, False)) == 133
    assert len(offered_htlc_script(k[0], k[1], k[2], ph, True)) == 136
    assert len(received_htlc_script(k[0], k[1], k[2], ph, 1 << 23, False)) == 140
    assert len(received_htlc_script(k[0], k[1], k[2], ph, 1 << 23, True)) == 143
    assert offered_htlc_script(k[0], k[1], k[2], ph, True).endswith(bytes.fromhex("51b27568"))
    assert len(funding_script(k[0], k[1])) == 71
    assert anchor_script(k[0]) == b"\x21" + k[0] + bytes.fromhex("ac736460b268")
    assert to_remote_anchor_script(k[0]) == b"\x21" + k[0] + bytes.fromhex("ad51b2")
    # to_self_delay pushes: small numbers as OP_n, others as CScriptNum.
    assert to_local_script(k[0], 16, k[1])[35:38] == bytes.fromhex("6760b2")
    assert to_local_script(k[0], 144, k[1])[35:40] == bytes.fromhex("67029000b2")
    with pytest.raises(ValueError):
        to_local_script(k[0], 1 << 16, k[1])
    with pytest.raises(ValueError):
        offered_htlc_script(k[0], k[1], k[2], b"short", False)


@given(st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32))
def test_compact_der_roundtrip(secret: bytes, msg: bytes) -> None:
    try:
        sig = sign(secret, msg)
    except ValueError:
        return  # not a valid secret
    der = compact_to_der(sig)
    assert der == sign_der(secret, msg)
    assert der_to_compact(der) == sig
    assert stack_sig(sig) == der + b"\x01"


def test_der_strictness() -> None:
    sig = sign(b"\x01" * 32, b"\x02" * 32)
    der = compact_to_der(sig)
    for bad in (der[:-1], der + b"\x00", b"\x31" + der[1:], der[:4] + b"\x00" + der[4:],
                b"\x30\x06\x02\x01\x80\x02\x01\x01"):
        with pytest.raises(SignatureError):
            der_to_compact(bad)
    with pytest.raises(SignatureError):
        compact_to_der(sig[:63])
    with pytest.raises(SignatureError):
        stack_sig(sig, 0)


def test_funding_witness_orders_by_pubkey() -> None:
    a, b = pubkey_of(b"\x01" * 32), pubkey_of(b"\x02" * 32)
    script = funding_script(a, b)
    sa, sb = sign(b"\x01" * 32, b"\x03" * 32), sign(b"\x02" * 32, b"\x03" * 32)
    w1 = funding_witness(script, a, sa, b, sb)
    w2 = funding_witness(script, b, sb, a, sa)
    assert w1 == w2 and w1[0] == b"" and w1[-1] == script
    first = sa if a < b else sb
    assert w1[1] == stack_sig(first)
    with pytest.raises(SignatureError):
        funding_witness(script, a, sa, a, sa)
