"""The on-chain wallet on a fake chain: blocks are lists of transactions, funding comes from
transactions paying wallet addresses. Signatures are checked with BIP 143 + libsecp256k1."""

from __future__ import annotations

import hashlib
from pathlib import Path

import coincurve
import pytest

from amiko.bitcoin import bip39
from amiko.bitcoin.address import address_to_script
from amiko.bitcoin.networks import BITCOIN, REGTEST
from amiko.bitcoin.psbt import Psbt
from amiko.bitcoin.script import is_p2wpkh, p2pkh_script_code, p2wpkh, p2wsh
from amiko.bitcoin.sighash import bip143_sighash
from amiko.bitcoin.tx import NULL_OUTPOINT, OutPoint, Transaction, TxIn, TxOut
from amiko.chain.wallet import (
    DEFAULT_ANCHOR_RESERVE_SAT,
    InsufficientFunds,
    Wallet,
    WalletError,
)
from amiko.chain.wallet.coinselect import (
    P2WPKH_INPUT_WEIGHT,
    dust_threshold,
    fee_for_weight,
    output_weight,
    tx_weight,
)
from amiko.chain.wallet.keychain import CHANGE, RECEIVE, Keychain
from amiko.store.sqlite import Store

SEED = bip39.mnemonic_to_seed("abandon " * 11 + "about")
OTHER_SEED = bip39.mnemonic_to_seed("zoo " * 11 + "wrong")
FEERATE = 1000  # sat/kw = 4 sat/vB
ELSEWHERE = p2wsh(b"somebody else")


def bhash(height: int, fork: str = "") -> bytes:
    return hashlib.sha256(f"block {height} {fork}".encode()).digest()


_counter = 0


def pay(*outputs: tuple[bytes, int]) -> Transaction:
    """A transaction from outside the wallet paying (script, amount) outputs."""
    global _counter
    _counter += 1
    prev = OutPoint(hashlib.sha256(f"external {_counter}".encode()).digest(), 0)
    return Transaction(2, (TxIn(prev),), tuple(TxOut(v, s) for s, v in outputs))


def coinbase(height: int, script: bytes, value: int = 5_000_000_000) -> Transaction:
    return Transaction(2, (TxIn(NULL_OUTPOINT, bytes((1, height & 0xFF)) + b"\x00"),),
                       (TxOut(value, script),))


def spk(wallet: Wallet) -> bytes:
    return address_to_script(wallet.new_address(), REGTEST)


def verify_signed(tx: Transaction, prevouts: dict[OutPoint, TxOut]) -> None:
    """Every input spending a known P2WPKH output carries a valid BIP 143 signature."""
    for k, txin in enumerate(tx.inputs):
        prev = prevouts[txin.prevout]
        assert is_p2wpkh(prev.script_pubkey)
        sig, pub = txin.witness
        assert p2wpkh(pub) == prev.script_pubkey
        assert sig[-1] == 1
        digest = bip143_sighash(tx, k, p2pkh_script_code(pub), prev.value)
        assert coincurve.PublicKey(pub).verify(sig[:-1], digest, hasher=None)


def outputs_of(*txs: Transaction) -> dict[OutPoint, TxOut]:
    return {tx.outpoint(k): o for tx in txs for k, o in enumerate(tx.outputs)}


@pytest.fixture
def wallet() -> Wallet:
    return Wallet(Store(":memory:"), SEED, REGTEST)


def funded(wallet: Wallet, *amounts: int, height: int = 1) -> Transaction:
    fund = pay(*((spk(wallet), a) for a in amounts))
    wallet.apply_block(height, bhash(height), [fund])
    return fund


# -- keys and addresses ----------------------------------------------------------------------

def test_bip84_test_vectors() -> None:
    """BIP 84's vectors: the abandon...about mnemonic, account 0 on mainnet."""
    kc = Keychain(SEED, BITCOIN)
    assert kc.address(RECEIVE, 0) == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
    assert kc.address(RECEIVE, 1) == "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"
    assert kc.address(CHANGE, 0) == "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"
    assert kc.path(RECEIVE, 5) == (84 | 2**31, 2**31, 2**31, 0, 5)


def test_new_addresses_are_fresh_and_ours(wallet: Wallet) -> None:
    addrs = [wallet.new_address() for _ in range(30)]
    assert len(set(addrs)) == 30
    assert all(a.startswith("bcrt1q") for a in addrs)
    assert all(wallet.is_mine(address_to_script(a, REGTEST)) for a in addrs)
    assert not wallet.is_mine(ELSEWHERE)
    key = wallet.signing_key(address_to_script(addrs[3], REGTEST))
    assert key is not None
    assert p2wpkh(coincurve.PrivateKey(key).public_key.format()) == address_to_script(addrs[3], REGTEST)


def test_gap_limit_lookahead() -> None:
    w = Wallet(Store(":memory:"), SEED, REGTEST, gap_limit=20)
    kc = Keychain(SEED, REGTEST)  # a separate one: deriving a key also watches its script
    # Nothing handed out: indexes 0..19 are watched, 20 is not.
    assert w.apply_block(1, bhash(1), [pay((kc.script_pubkey(RECEIVE, 20), 10_000))]) == []
    seen = pay((kc.script_pubkey(RECEIVE, 19), 10_000))
    assert w.apply_block(2, bhash(2), [seen]) == [seen.txid]
    # Using 19 moves the window to 20..39; one transaction reaching 39 then 59 is followed.
    chain = pay((kc.script_pubkey(RECEIVE, 39), 1_000), (kc.script_pubkey(RECEIVE, 59), 2_000))
    w.apply_block(3, bhash(3), [chain])
    assert w.balance().confirmed_sat == 13_000
    assert w.apply_block(4, bhash(4), [pay((kc.script_pubkey(RECEIVE, 80), 1_000))]) == []
    # Change addresses are watched too.
    w.apply_block(5, bhash(5), [pay((kc.script_pubkey(CHANGE, 7), 500))])
    assert w.balance().confirmed_sat == 13_500


# -- following the chain ---------------------------------------------------------------------

def test_funding_and_confirmations(wallet: Wallet) -> None:
    fund = funded(wallet, 100_000, 50_000, height=10)
    assert wallet.tip == (10, bhash(10))
    b = wallet.balance()
    assert (b.confirmed_sat, b.unconfirmed_sat, b.reserved_sat) == (150_000, 0, 0)
    funds = wallet.list_funds(tip_height=12)
    assert sorted(u.amount_sat for u in funds) == [50_000, 100_000]
    assert all(u.confirmations == 3 and not u.reserved for u in funds)
    assert {u.outpoint for u in funds} == {fund.outpoint(0), fund.outpoint(1)}
    assert funds[0].address.startswith("bcrt1q") and funds[0].key_path[0] == RECEIVE
    assert wallet.get_transaction(fund.txid) is not None
    assert wallet.apply_block(10, bhash(10), [fund]) == []  # the same block again: no-op
    with pytest.raises(WalletError):
        wallet.apply_block(10, bhash(10, "fork"), [])
    with pytest.raises(WalletError):
        wallet.apply_block(9, bhash(9), [])


def test_create_transaction_signs_and_pays(wallet: Wallet) -> None:
    fund = funded(wallet, 100_000, 50_000, 20_000)
    dest = TxOut(60_000, ELSEWHERE)
    tx = wallet.create_transaction([dest], FEERATE)
    verify_signed(tx, outputs_of(fund))
    assert dest in tx.outputs
    change = [o for o in tx.outputs if o != dest]
    assert len(change) == 1 and wallet.is_mine(change[0].script_pubkey)
    assert wallet.keychain.lookup(change[0].script_pubkey) == (CHANGE, 0)
    fee = sum(outputs_of(fund)[i.prevout].value for i in tx.inputs) - sum(o.value for o in tx.outputs)
    assert fee_for_weight(tx.weight(), FEERATE) <= fee <= fee_for_weight(tx.weight() + 8, FEERATE)
    assert all(i.sequence == 0xFFFFFFFD for i in tx.inputs)
    # inputs are reserved until the wallet sees the transaction
    spent = sum(outputs_of(fund)[i.prevout].value for i in tx.inputs)
    assert wallet.balance().reserved_sat == spent
    assert wallet.apply_mempool_tx(tx)
    b = wallet.balance()
    assert b.reserved_sat == 0
    assert b.unconfirmed_sat == change[0].value
    assert b.confirmed_sat == 170_000 - spent
    wallet.apply_block(2, bhash(2), [tx])
    b = wallet.balance()
    assert b.confirmed_sat == 170_000 - 60_000 - fee and b.unconfirmed_sat == 0


def test_reorg_returns_transactions_to_unconfirmed(wallet: Wallet) -> None:
    fund = funded(wallet, 100_000)
    tx = wallet.create_transaction([TxOut(30_000, ELSEWHERE)], FEERATE)
    wallet.apply_block(2, bhash(2), [tx])
    after = wallet.balance()
    assert after.unconfirmed_sat == 0 and after.confirmed_sat > 0
    assert wallet.undo_block(2, bhash(2)) == [tx.txid]
    b = wallet.balance()
    assert b.unconfirmed_sat == after.confirmed_sat and b.confirmed_sat == 0
    assert wallet.get_transaction(tx.txid).block_height is None  # type: ignore[union-attr]
    assert wallet.tip == (1, bhash(1))
    # the funding block goes too: everything unconfirmed, nothing spendable at 1 conf
    wallet.undo_block(1, bhash(1))
    assert wallet.balance().confirmed_sat == 0
    with pytest.raises(InsufficientFunds):
        wallet.create_transaction([TxOut(1_000, ELSEWHERE)], FEERATE)
    # the new chain mines both again
    wallet.apply_block(1, bhash(1, "b"), [fund])
    wallet.apply_block(2, bhash(2, "b"), [tx])
    assert wallet.balance() == after
    assert wallet.get_transaction(tx.txid).block_hash == bhash(2, "b")  # type: ignore[union-attr]


def test_coinbase_maturity_and_reorg(wallet: Wallet) -> None:
    cb = coinbase(1, spk(wallet))
    wallet.apply_block(1, bhash(1), [cb])
    assert wallet.balance().immature_sat == 5_000_000_000
    with pytest.raises(InsufficientFunds):
        wallet.create_transaction([TxOut(10_000, ELSEWHERE)], FEERATE)
    assert wallet.balance(tip_height=100).confirmed_sat == 5_000_000_000
    for h in range(2, 101):
        wallet.apply_block(h, bhash(h), [])
    tx = wallet.create_transaction([TxOut(10_000, ELSEWHERE)], FEERATE)
    verify_signed(tx, outputs_of(cb))
    wallet.release(tx.txid_hex)
    # undoing back to the coinbase's block drops the coinbase
    for h in range(100, 0, -1):
        wallet.undo_block(h, bhash(h))
    assert wallet.balance().total_sat == 0
    assert wallet.get_transaction(cb.txid) is None


def test_conflicting_block_transaction_evicts_ours(wallet: Wallet) -> None:
    fund = funded(wallet, 100_000)
    ours = wallet.create_transaction([TxOut(30_000, ELSEWHERE)], FEERATE)
    wallet.apply_mempool_tx(ours)
    # a different spend of the same coin (e.g. an RBF replacement) gets mined
    theirs = wallet.create_transaction([TxOut(20_000, ELSEWHERE)], FEERATE, min_confirmations=0)
    wallet.apply_mempool_tx(theirs)
    assert theirs.inputs[0].prevout != fund.outpoint(0)  # only the unconfirmed change is free
    replacement = Transaction(2, (TxIn(fund.outpoint(0), b"", 0xFFFFFFFD),),
                              (TxOut(99_000, ELSEWHERE),))
    wallet.apply_block(2, bhash(2), [replacement])
    assert wallet.get_transaction(ours.txid) is None
    assert wallet.get_transaction(theirs.txid) is None  # it spent ours' change
    assert wallet.balance().total_sat == 0


def test_abandon_frees_inputs(wallet: Wallet) -> None:
    funded(wallet, 100_000)
    tx = wallet.create_transaction([TxOut(30_000, ELSEWHERE)], FEERATE, reserve_for="test")
    wallet.apply_mempool_tx(tx)
    wallet.abandon_transaction(tx.txid)
    assert wallet.balance().reserved_sat == 100_000
    assert wallet.release("test") == 1
    assert wallet.balance().confirmed_sat == 100_000
    with pytest.raises(WalletError):
        wallet.abandon_transaction(tx.txid)


# -- reservations and the anchor reserve --------------------------------------------------

def test_reservations(wallet: Wallet) -> None:
    funded(wallet, 100_000, 40_000)
    _, info = wallet.prepare_transaction([TxOut(30_000, ELSEWHERE)], FEERATE, reserve_for="chan-1")
    assert info.reservation == "chan-1"
    reserved = {u.outpoint for u in wallet.list_funds() if u.reserved}
    assert reserved == set(info.inputs)
    assert all(u.reservation == "chan-1" for u in wallet.list_funds() if u.reserved)
    # the other coin is still usable, the reserved one is not
    tx2, info2 = wallet.prepare_transaction([TxOut(10_000, ELSEWHERE)], FEERATE)
    assert not set(info2.inputs) & set(info.inputs)
    assert info2.reservation == tx2.txid_hex
    with pytest.raises(InsufficientFunds):
        wallet.prepare_transaction([TxOut(10_000, ELSEWHERE)], FEERATE)
    assert wallet.release("chan-1") == len(info.inputs)
    assert wallet.release("chan-1") == 0
    wallet.prepare_transaction([TxOut(10_000, ELSEWHERE)], FEERATE)


def test_anchor_reserve_is_kept() -> None:
    w = Wallet(Store(":memory:"), SEED, REGTEST, anchor_reserve_sat=DEFAULT_ANCHOR_RESERVE_SAT)
    fund = funded(w, 100_000)
    with pytest.raises(InsufficientFunds, match="reserve"):
        w.create_transaction([TxOut(80_000, ELSEWHERE)], FEERATE)
    ok = w.create_transaction([TxOut(70_000, ELSEWHERE)], FEERATE)
    w.release(ok.txid_hex)
    # send all: everything but the reserve, which stays in a change output
    sweep = w.create_transaction([], FEERATE, send_all_to=ELSEWHERE)
    verify_signed(sweep, outputs_of(fund))
    kept = [o for o in sweep.outputs if w.is_mine(o.script_pubkey)]
    assert [o.value for o in kept] == [DEFAULT_ANCHOR_RESERVE_SAT]
    w.release(sweep.txid_hex)
    # ... unless explicitly overridden
    everything, info = w.prepare_transaction([], FEERATE, send_all_to=ELSEWHERE,
                                             spend_reserve=True)
    assert everything.outputs == (TxOut(100_000 - info.fee_sat, ELSEWHERE),)
    assert info.fee_sat == fee_for_weight(tx_weight([P2WPKH_INPUT_WEIGHT], [output_weight(ELSEWHERE)]),
                                          FEERATE)
    verify_signed(w.sign(everything), outputs_of(fund))


def test_no_dust_change_and_input_checks(wallet: Wallet) -> None:
    funded(wallet, 50_000)
    # leave 100 sat over the changeless fee: too little for a change output, it goes to the fee
    fee_no_change = fee_for_weight(tx_weight([P2WPKH_INPUT_WEIGHT], [output_weight(ELSEWHERE)]),
                                   FEERATE)
    tx, info = wallet.prepare_transaction([TxOut(50_000 - fee_no_change - 100, ELSEWHERE)], FEERATE)
    assert len(tx.outputs) == 1 and info.change_index is None
    assert info.fee_sat == fee_no_change + 100
    wallet.release(info.reservation)
    with pytest.raises(WalletError, match="dust"):
        wallet.create_transaction([TxOut(dust_threshold(ELSEWHERE) - 1, ELSEWHERE)], FEERATE)
    with pytest.raises(ValueError):
        wallet.create_transaction([TxOut(10_000, ELSEWHERE)], 252)
    with pytest.raises(InsufficientFunds):
        wallet.create_transaction([TxOut(60_000, ELSEWHERE)], FEERATE)


# -- funding flows ---------------------------------------------------------------------------

def test_prepare_funding_then_sign(wallet: Wallet) -> None:
    fund = funded(wallet, 300_000, 200_000)
    funding_script = p2wsh(b"2-of-2 funding script")
    unsigned, info = wallet.prepare_funding(TxOut(250_000, funding_script), FEERATE,
                                            reserve_for="channel:abc")
    assert unsigned.outputs[info.output_index] == TxOut(250_000, funding_script)
    assert info.change_index is not None
    assert unsigned.outputs[info.change_index].value == info.change_sat
    assert all(not i.witness for i in unsigned.inputs)
    txid_before = unsigned.txid
    signed = wallet.sign(unsigned)
    assert signed.txid == txid_before  # segwit: signing does not move the funding outpoint
    verify_signed(signed, outputs_of(fund))
    assert sum(outputs_of(fund)[i.prevout].value for i in signed.inputs) == (
        sum(o.value for o in signed.outputs) + info.fee_sat)
    # send_all funding: the output gets everything
    wallet.release("channel:abc")
    unsigned, info = wallet.prepare_funding(TxOut(0, funding_script), FEERATE, send_all=True)
    assert len(unsigned.outputs) == 1 and info.change_index is None
    assert unsigned.outputs[0].value == 500_000 - info.fee_sat


def test_psbt_flow(wallet: Wallet) -> None:
    fund = funded(wallet, 100_000)
    psbt = wallet.fund_psbt([TxOut(40_000, ELSEWHERE)], FEERATE)
    assert psbt.inputs[0].witness_utxo == fund.outputs[0]
    assert psbt.inputs[0].non_witness_utxo == fund
    (origin,) = psbt.inputs[0].bip32_derivations.values()
    assert origin.fingerprint == wallet.keychain.master_fingerprint
    assert origin.path[:3] == wallet.keychain.account_path
    change = [k for k, o in enumerate(psbt.outputs) if o.bip32_derivations]
    assert len(change) == 1
    # through base64 and back, as an external tool would pass it
    signed = wallet.sign_psbt(Psbt.from_base64(psbt.to_base64()))
    assert signed.is_complete
    tx = signed.extract()
    verify_signed(tx, outputs_of(fund))


def test_sign_input_for_other_components(wallet: Wallet) -> None:
    """Another component (e.g. a channel closing to our address) spends a wallet script."""
    script = spk(wallet)
    prev = OutPoint(b"\x42" * 32, 1)
    tx = Transaction(2, (TxIn(prev),), (TxOut(9_000, ELSEWHERE),))
    signed = wallet.sign_input(tx, 0, script_pubkey=script, amount_sat=10_000)
    verify_signed(signed, {prev: TxOut(10_000, script)})
    with pytest.raises(WalletError):
        wallet.sign_input(tx, 0, script_pubkey=ELSEWHERE, amount_sat=10_000)


# -- persistence -----------------------------------------------------------------------------

def test_state_survives_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "node.sqlite")
    store = Store(path)
    w = Wallet(store, SEED, REGTEST)
    fund = funded(w, 100_000)
    tx = w.create_transaction([TxOut(30_000, ELSEWHERE)], FEERATE, reserve_for="r")
    w.apply_mempool_tx(tx)
    addr = w.new_address()
    balance, funds = w.balance(), w.list_funds()
    store.close()

    store = Store(path)
    w2 = Wallet(store, SEED, REGTEST)
    assert w2.balance() == balance
    assert w2.list_funds() == funds
    assert w2.tip == (1, bhash(1))
    assert w2.new_address() != addr
    assert [t.txid for t in w2.transactions()] == [fund.txid, tx.txid]
    # the change index moved on too
    tx2 = w2.create_transaction([TxOut(10_000, ELSEWHERE)], FEERATE, min_confirmations=0)
    assert all(w2.keychain.lookup(o.script_pubkey) != (CHANGE, 0) for o in tx2.outputs)
    store.close()

    with pytest.raises(WalletError, match="another seed"):
        Wallet(Store(path), OTHER_SEED, REGTEST)
    with pytest.raises(WalletError, match="regtest"):
        Wallet(Store(path), SEED, BITCOIN)


def test_outputs_are_sorted_and_deterministic(wallet: Wallet) -> None:
    funded(wallet, 10_000, 20_000, 30_000, 40_000)
    tx, _ = wallet.prepare_transaction(
        [TxOut(65_000, ELSEWHERE), TxOut(5_000, p2wsh(b"b"))], FEERATE)
    assert list(tx.outputs) == sorted(tx.outputs, key=lambda o: (o.value, o.script_pubkey))
    keys = [(i.prevout.txid[::-1], i.prevout.index) for i in tx.inputs]
    assert keys == sorted(keys)
