"""The dev chain's mempool policy, replacement, packages and block assembly, through the
DevChain API (the RPC face is tested in test_devchain_rpc.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from amiko.bitcoin.script import OP_1, p2wsh
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.chain.devchain import DevChain, DevChainError, MempoolPolicy
from amiko.chain.devchain.miner import select_transactions
from amiko.chain.devchain.testing import TestKey, spend_p2wpkh

KEY = TestKey.from_seed("mempool")
OTHER = TestKey.from_seed("other")
COIN = 100_000_000


def funded(tmp_path: Path, n: int = 4, **kwargs: object) -> tuple[DevChain, list[tuple[OutPoint, int]]]:
    """A dev chain with `n` mature coinbase outputs of KEY."""
    dc = DevChain(tmp_path / "chain", **kwargs)  # type: ignore[arg-type]
    hashes = dc.generate(n, KEY.script_pubkey)
    dc.generate(100, OTHER.script_pubkey)
    coins = []
    for h in hashes:
        cb = dc.block_info(h).block.txs[0]  # type: ignore[union-attr]
        coins.append((cb.outpoint(0), cb.outputs[0].value))
    return dc, coins


def refused(dc: DevChain, tx: Transaction) -> tuple[int, str]:
    with pytest.raises(DevChainError) as info:
        dc.send_raw_transaction(tx)
    return info.value.code, info.value.message


def test_refusals_carry_cores_codes_and_messages(tmp_path: Path) -> None:
    dc, coins = funded(tmp_path)
    (op, amount), (op2, amount2) = coins[0], coins[1]
    try:
        unknown = spend_p2wpkh(KEY, [(OutPoint(b"\x11" * 32, 0), amount)],
                               [TxOut(amount - 1000, KEY.script_pubkey)])
        assert refused(dc, unknown) == (-25, "bad-txns-inputs-missingorspent")

        too_much = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount + 1, KEY.script_pubkey)])
        assert refused(dc, too_much) == (
            -26, "bad-txns-in-belowout, value in (50.00) < value out (50.00000001)")

        wrong_key = spend_p2wpkh(OTHER, [(op, amount)], [TxOut(amount - 1000, KEY.script_pubkey)])
        assert refused(dc, wrong_key) == (
            -26, "mandatory-script-verify-flag-failed (Witness program hash mismatch)")
        good = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount - 1000, KEY.script_pubkey)])
        bad_sig = good.with_witness(0, (good.inputs[0].witness[0][:-2] + b"\x00\x01",
                                        good.inputs[0].witness[1]))
        code, message = refused(dc, bad_sig)
        assert code == -26 and message.startswith("mandatory-script-verify-flag-failed (")

        free = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount, KEY.script_pubkey)])
        assert refused(dc, free) == (-26, f"min relay fee not met, 0 < {free.vsize()}")

        dust = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount - 2000, KEY.script_pubkey),
                                                  TxOut(293, KEY.script_pubkey)])
        assert refused(dc, dust) == (-26, "dust")
        # Lightning anchors: 330 sat P2WSH is exactly Core's dust threshold, so it relays.
        anchor = spend_p2wpkh(KEY, [(op2, amount2)], [TxOut(amount2 - 2000, KEY.script_pubkey),
                                                      TxOut(330, p2wsh(bytes([OP_1])))])
        assert dc.send_raw_transaction(anchor) == anchor.txid

        assert dc.send_raw_transaction(good) == good.txid
        assert dc.send_raw_transaction(good) == good.txid  # already there: same answer
        same_fee = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount - 1000, OTHER.script_pubkey)])
        code, message = refused(dc, same_fee)
        assert code == -26
        assert message == (
            f"insufficient fee, rejecting replacement {same_fee.txid_hex}; new feerate "
            f"0.00009090 BTC/kvB <= old feerate 0.00009090 BTC/kvB")

        immature_cb = dc.block_info(dc.block_hash(dc.height)).block.txs[0]  # type: ignore[union-attr]
        premature = spend_p2wpkh(OTHER, [(immature_cb.outpoint(0), immature_cb.outputs[0].value)],
                                 [TxOut(immature_cb.outputs[0].value - 1000, KEY.script_pubkey)])
        assert refused(dc, premature) == (
            -26, "bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth 1")

        dc.generate(1, OTHER.script_pubkey)
        assert good.txid not in dc.mempool and len(dc.mempool) == 0
        assert refused(dc, same_fee) == (-25, "bad-txns-inputs-missingorspent")
        assert refused(dc, good) == (-27, "Transaction outputs already in utxo set")

        v4 = spend_p2wpkh(KEY, [(coins[2][0], coins[2][1])],
                          [TxOut(coins[2][1] - 1000, KEY.script_pubkey)], version=4)
        assert refused(dc, v4) == (-26, "version")
    finally:
        dc.close()


def test_replace_by_fee(tmp_path: Path) -> None:
    dc, coins = funded(tmp_path)
    (op, amount) = coins[0]
    try:
        first = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount - 1000, KEY.script_pubkey)])
        dc.send_raw_transaction(first)
        child = spend_p2wpkh(KEY, [(first.outpoint(0), amount - 1000)],
                             [TxOut(amount - 2000, KEY.script_pubkey)])
        dc.send_raw_transaction(child)
        # BIP125 rule 3: pay at least the fees of everything replaced (1000 + 1000).
        richer_rate = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount - 1500, OTHER.script_pubkey)])
        code, message = refused(dc, richer_rate)
        assert code == -26 and message == (
            f"insufficient fee, rejecting replacement {richer_rate.txid_hex}, less fees than "
            f"conflicting txs; 0.000015 < 0.00002")
        # Rule 4: plus the relay fee of its own size.
        not_enough = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount - 2050, OTHER.script_pubkey)])
        code, message = refused(dc, not_enough)
        assert message.startswith(
            f"insufficient fee, rejecting replacement {not_enough.txid_hex}, not enough "
            f"additional fees to relay; 0.0000005 < 0.0000011")
        replacement = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount - 3000, OTHER.script_pubkey)])
        assert dc.send_raw_transaction(replacement) == replacement.txid
        assert first.txid not in dc.mempool and child.txid not in dc.mempool
        dc.generate(1, KEY.script_pubkey)
        assert dc.chain.find_tx(replacement.txid) is not None
    finally:
        dc.close()


def test_without_full_rbf_conflicts_need_signalling(tmp_path: Path) -> None:
    dc, coins = funded(tmp_path, policy=MempoolPolicy(full_rbf=False))
    (op, amount), (op2, amount2) = coins[0], coins[1]
    try:
        final = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount - 1000, KEY.script_pubkey)],
                             sequence=0xFFFFFFFF)
        dc.send_raw_transaction(final)
        bump = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount - 5000, KEY.script_pubkey)])
        assert refused(dc, bump) == (-26, "txn-mempool-conflict")
        signalling = spend_p2wpkh(KEY, [(op2, amount2)], [TxOut(amount2 - 1000, KEY.script_pubkey)])
        dc.send_raw_transaction(signalling)
        bump2 = spend_p2wpkh(KEY, [(op2, amount2)], [TxOut(amount2 - 5000, KEY.script_pubkey)])
        assert dc.send_raw_transaction(bump2) == bump2.txid
    finally:
        dc.close()


def _pair(op: OutPoint, amount: int, version: int, parent_fee: int,
          child_fee: int) -> tuple[Transaction, Transaction]:
    parent = spend_p2wpkh(KEY, [(op, amount)], [TxOut(amount - parent_fee, KEY.script_pubkey)],
                          version=version)
    child = spend_p2wpkh(KEY, [(parent.outpoint(0), amount - parent_fee)],
                         [TxOut(amount - parent_fee - child_fee, KEY.script_pubkey)],
                         version=version)
    return parent, child


def test_zero_fee_parent_and_cpfp_child_as_a_package(tmp_path: Path) -> None:
    dc, coins = funded(tmp_path)
    try:
        parent, child = _pair(*coins[0], version=3, parent_fee=0, child_fee=5000)
        code, message = refused(dc, parent)
        assert (code, message) == (-26, f"min relay fee not met, 0 < {parent.vsize()}")
        result = dc.submit_package([parent, child])
        assert result.ok
        rates = {r.effective_feerate for r in result.results.values()}
        assert rates == {5000 * 1000 // (parent.vsize() + child.vsize())}
        assert parent.txid in dc.mempool and child.txid in dc.mempool
        block_hash = dc.generate(1, KEY.script_pubkey)[0]
        mined = [tx.txid for tx in dc.block_info(block_hash).block.txs[1:]]  # type: ignore[union-attr]
        assert mined == [parent.txid, child.txid]

        # Core: "No individual transactions are allowed below the min relay feerate [...]
        # The only exception is TRUC transactions." A version 2 zero-fee parent stays out.
        parent2, child2 = _pair(*coins[1], version=2, parent_fee=0, child_fee=5000)
        result = dc.submit_package([parent2, child2])
        assert not result.ok
        assert str(result.results[parent2.wtxid].reject) == (
            f"min relay fee not met, 0 < {parent2.vsize()}")
        assert len(dc.mempool) == 0
    finally:
        dc.close()


def test_cpfp_over_mempool_min_fee(tmp_path: Path) -> None:
    """A commitment paying below a congested mempool's floor gets in with its child."""
    dc, coins = funded(tmp_path, policy=MempoolPolicy(mempool_min_feerate=5000))
    try:
        parent, child = _pair(*coins[0], version=2, parent_fee=300, child_fee=3000)
        code, message = refused(dc, parent)
        assert (code, message) == (-26, f"mempool min fee not met, 300 < {parent.vsize() * 5}")
        result = dc.submit_package([parent, child])
        assert result.ok and parent.txid in dc.mempool and child.txid in dc.mempool
    finally:
        dc.close()


def test_block_assembly_by_ancestor_feerate(tmp_path: Path) -> None:
    dc, coins = funded(tmp_path)
    try:
        parent, child = _pair(*coins[0], version=2, parent_fee=120, child_fee=10_000)
        middle = spend_p2wpkh(KEY, [coins[1]], [TxOut(coins[1][1] - 2000, KEY.script_pubkey)])
        for tx in (parent, middle, child):
            dc.send_raw_transaction(tx)
        order = [e.txid for e in select_transactions(dc.mempool)]
        assert order == [parent.txid, child.txid, middle.txid]
        assert [e.txid for e in select_transactions(dc.mempool, max_weight=600)] == [
            middle.txid]
        dc.generate(1, KEY.script_pubkey)
        assert len(dc.mempool) == 0
        coinbase = dc.tip.block.txs[0]
        assert coinbase.outputs[0].value == 50 * COIN + 120 + 10_000 + 2000
    finally:
        dc.close()


def test_non_final_and_sequence_locks(tmp_path: Path) -> None:
    dc, coins = funded(tmp_path)
    try:
        h = dc.height
        late = spend_p2wpkh(KEY, [coins[0]], [TxOut(coins[0][1] - 1000, KEY.script_pubkey)],
                            locktime=h + 1)
        assert refused(dc, late) == (-26, "non-final")
        parent = spend_p2wpkh(KEY, [coins[1]], [TxOut(coins[1][1] - 1000, KEY.script_pubkey)])
        dc.send_raw_transaction(parent)
        # BIP68: nSequence 3 = spendable in the 3rd block counting the parent's own block.
        child = spend_p2wpkh(KEY, [(parent.outpoint(0), coins[1][1] - 1000)],
                             [TxOut(coins[1][1] - 2000, KEY.script_pubkey)], sequence=3)
        assert refused(dc, child) == (-26, "non-BIP68-final")
        dc.generate(1, KEY.script_pubkey)  # parent mined at h + 1; `late` final for h + 2
        assert dc.send_raw_transaction(late) == late.txid
        dc.generate(1, KEY.script_pubkey)
        assert refused(dc, child) == (-26, "non-BIP68-final")
        dc.generate(1, KEY.script_pubkey)  # tip h + 3: the next block is the 3rd after
        assert dc.send_raw_transaction(child) == child.txid
    finally:
        dc.close()


def test_testmempoolaccept_chain_and_max_fee(tmp_path: Path) -> None:
    dc, coins = funded(tmp_path)
    try:
        parent, child = _pair(*coins[0], version=2, parent_fee=1000, child_fee=1000)
        results = dc.test_mempool_accept([parent, child])
        assert [r.ok for r in results if r] == [True, True]
        assert len(dc.mempool) == 0
        greedy = spend_p2wpkh(KEY, [coins[1]], [TxOut(coins[1][1] // 2, KEY.script_pubkey)])
        with pytest.raises(DevChainError) as info:
            dc.send_raw_transaction(greedy)
        assert (info.value.code, info.value.message) == (
            -25, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)")
        assert dc.send_raw_transaction(greedy, max_fee_rate=0) == greedy.txid
    finally:
        dc.close()


def test_raw_spend_of_p2wpkh_with_two_inputs(tmp_path: Path) -> None:
    dc, coins = funded(tmp_path)
    try:
        tx = spend_p2wpkh(KEY, coins[:2], [TxOut(coins[0][1] + coins[1][1] - 2000,
                                                 OTHER.script_pubkey)])
        assert dc.send_raw_transaction(tx) == tx.txid
        dc.generate(1, KEY.script_pubkey)
        assert dc.get_coin(tx.outpoint(0)) is not None
        assert dc.get_coin(coins[0][0]) is None
    finally:
        dc.close()


def test_unsigned_spend_of_anyone_can_spend_p2wsh(tmp_path: Path) -> None:
    """An OP_TRUE P2WSH output spends with just its script: the anchor-like path."""
    dc, coins = funded(tmp_path)
    try:
        script = bytes([OP_1])
        fund = spend_p2wpkh(KEY, [coins[0]], [TxOut(coins[0][1] - 1000, p2wsh(script))])
        dc.send_raw_transaction(fund)
        spend = Transaction(2, (TxIn(fund.outpoint(0), b"", 0xFFFFFFFD, (script,)),),
                            (TxOut(coins[0][1] - 2000, KEY.script_pubkey),))
        assert dc.send_raw_transaction(spend) == spend.txid
    finally:
        dc.close()


def _der(r: int, s: int) -> bytes:
    def part(x: int) -> bytes:
        b = x.to_bytes(32, "big").lstrip(b"\x00")
        if b[0] & 0x80:
            b = b"\x00" + b
        return bytes((0x02, len(b))) + b

    body = part(r) + part(s)
    return bytes((0x30, len(body))) + body


def test_high_s_signature_is_non_standard(tmp_path: Path) -> None:
    order = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    dc, coins = funded(tmp_path)
    try:
        good = spend_p2wpkh(KEY, [coins[0]], [TxOut(coins[0][1] - 1000, KEY.script_pubkey)])
        sig = good.inputs[0].witness[0]
        len_r = sig[3]
        r = int.from_bytes(sig[4:4 + len_r], "big")
        s = int.from_bytes(sig[6 + len_r:-1], "big")
        high = good.with_witness(0, (_der(r, order - s) + b"\x01", KEY.pubkey))
        assert refused(dc, high) == (
            -26, "non-mandatory-script-verify-flag (Non-canonical signature: S value is "
                 "unnecessarily high)")
        assert dc.send_raw_transaction(good) == good.txid
    finally:
        dc.close()


def test_reopen_replays_when_kernel_state_is_lost(tmp_path: Path) -> None:
    import shutil

    dc, coins = funded(tmp_path)
    tx = spend_p2wpkh(KEY, [coins[0]], [TxOut(coins[0][1] - 1000, KEY.script_pubkey)])
    dc.send_raw_transaction(tx)
    dc.generate(1, KEY.script_pubkey)
    tip, height = dc.tip.hash, dc.height
    dc.invalidate_block(tip)
    dc.generate(1, OTHER.script_pubkey)
    new_tip = dc.tip.hash
    dc.close()
    shutil.rmtree(tmp_path / "chain" / "kernel")
    again = DevChain(tmp_path / "chain")
    try:
        assert (again.tip.hash, again.height) == (new_tip, height)
        assert again.get_coin(tx.outpoint(0)) is not None
        assert again.block_info(tip).invalidated  # type: ignore[union-attr]
    finally:
        again.close()
