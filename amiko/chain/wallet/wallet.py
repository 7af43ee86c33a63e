"""The on-chain wallet: BIP 84 P2WPKH coins tracked from the blocks and transactions it is
given, coin selection, reservations and signing. It never talks to the network: the node
feeds it blocks (`apply_block`, `undo_block` on a reorg) and the transactions it broadcasts
(`apply_mempool_tx`), and sends what the wallet builds.

Its state lives in the node's store (tables of migration 0002_wallet.sql); every method
that changes it does so in one store transaction.

A coin is spent once any wallet transaction spends it, confirmed or not. A transaction
whose block is disconnected goes back to unconfirmed (a coinbase one is dropped, with any
descendants); one that conflicts with a newly seen transaction is dropped with its
descendants. Coins picked by `prepare_transaction` are reserved until released or spent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import coincurve

from amiko.bitcoin.address import script_to_address
from amiko.bitcoin.networks import Network
from amiko.bitcoin.psbt import KeyOrigin, Psbt, PsbtInput, PsbtOutput
from amiko.bitcoin.script import p2pkh_script_code
from amiko.bitcoin.sighash import SIGHASH_ALL, bip143_sighash, der_sig_with_hashtype
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.chain.interfaces import FEERATE_FLOOR_SAT_PER_KW
from amiko.chain.wallet.coinselect import (
    P2WPKH_INPUT_WEIGHT,
    P2WPKH_OUTPUT_WEIGHT,
    SEGWIT_MARKER_WEIGHT,
    Coin,
    InsufficientFunds,
    dust_threshold,
    fee_for_weight,
    output_weight,
    select_coins,
    tx_weight,
)
from amiko.chain.wallet.db import UtxoRow, WalletDB
from amiko.chain.wallet.keychain import CHAINS, CHANGE, DEFAULT_GAP_LIMIT, RECEIVE, Keychain
from amiko.chain.wallet.model import (
    COINBASE_MATURITY,
    Balance,
    FundingInfo,
    Utxo,
    WalletError,
    WalletTx,
)
from amiko.store.sqlite import Store

DEFAULT_ANCHOR_RESERVE_SAT = 25_000  # kept for anchor CPFP while anchor channels exist
RBF_SEQUENCE = 0xFFFFFFFD  # BIP 125: replaceable
KEEP_BLOCKS = 1000  # rows of wallet_blocks kept for undo_block
_UNREAD = object()  # the cached tip before it is read


class Wallet:
    def __init__(
        self,
        store: Store,
        seed: bytes,
        network: Network,
        *,
        account: int = 0,
        gap_limit: int = DEFAULT_GAP_LIMIT,
        anchor_reserve_sat: int = 0,
    ) -> None:
        self.store = store
        self.network = network
        self._addresses: dict[bytes, str] = {}
        self._tip: object = _UNREAD
        self.keychain = Keychain(seed, network, account=account, gap_limit=gap_limit)
        # Coins kept unspent for fee bumping (set to DEFAULT_ANCHOR_RESERVE_SAT while the
        # node has anchor channels); only send_all with spend_reserve=True touches them.
        self.anchor_reserve_sat = anchor_reserve_sat
        self.db = WalletDB(store)
        xpub = self.keychain.account_xpub.to_string()
        with store.transaction():
            known_network = self.db.meta("network")
            if known_network is None:
                self.db.set_meta("network", network.name)
                self.db.set_meta("account_xpub", xpub)
            elif known_network != network.name:
                raise WalletError(f"this wallet is for {known_network}, not {network.name}")
            elif self.db.meta("account_xpub") != xpub:
                raise WalletError("this wallet database belongs to another seed")
            chains = self.db.chains()
            for c in CHAINS:
                if c not in chains:
                    chains[c] = (0, -1)
                    self.db.save_chain(c, 0, -1)
        self._next = {c: chains[c][0] for c in CHAINS}
        self._used = {c: chains[c][1] for c in CHAINS}
        for c in CHAINS:
            self.keychain.ensure_lookahead(c, self._first_unused(c))

    # -- keys and addresses

    def _first_unused(self, chain: int) -> int:
        return max(self._next[chain], self._used[chain] + 1)

    def _save_chain(self, chain: int) -> None:
        self.db.save_chain(chain, self._next[chain], self._used[chain])
        self.keychain.ensure_lookahead(chain, self._first_unused(chain))

    def _mark_used(self, chain: int, index: int) -> None:
        if index > self._used[chain]:
            self._used[chain] = index
            self._save_chain(chain)

    def _take_index(self, chain: int) -> int:
        index = self._next[chain]
        self._next[chain] = index + 1
        self._save_chain(chain)
        return index

    def new_address(self) -> str:
        """A receive address never handed out before."""
        with self.store.transaction():
            index = self._take_index(RECEIVE)
        return self.keychain.address(RECEIVE, index)

    def is_mine(self, script_pubkey: bytes) -> bool:
        return self.keychain.lookup(script_pubkey) is not None

    def signing_key(self, script_pubkey: bytes) -> bytes | None:
        """The 32-byte secret key of one of our P2WPKH scripts, or None."""
        loc = self.keychain.lookup(script_pubkey)
        return None if loc is None else self.keychain.private_key(*loc)

    # -- chain events

    @property
    def tip(self) -> tuple[int, bytes] | None:
        """(height, hash) of the last block applied, if it is still remembered (kept in
        memory: deadlines read it for every HTLC; refreshed once a block change commits)."""
        if self._tip is _UNREAD:
            self._tip = self.db.tip()
        return self._tip  # type: ignore[return-value]

    def _tip_height(self, tip_height: int | None) -> int:
        if tip_height is not None:
            return tip_height
        tip = self.db.tip()
        return -1 if tip is None else tip[0]

    def apply_block(self, height: int, block_hash: bytes, txs: Sequence[Transaction]) -> list[bytes]:
        """Record a connected block; returns the txids that concern the wallet.

        Applying the same block again does nothing. A different block at a height already
        applied must first be undone with undo_block.
        """
        with self.store.transaction():
            recorded = self.db.block_hash_at(height)
            if recorded == block_hash:
                return []
            if recorded is not None:
                raise WalletError(f"another block is applied at height {height}; undo it first")
            tip = self.db.tip()
            if tip is not None and height <= tip[0]:
                raise WalletError(f"block {height} is not above the wallet tip {tip[0]}")
            self._tip = _UNREAD
            self.db.add_block(height, block_hash)
            relevant = [tx.txid for tx in txs if self._add_tx(tx, height, block_hash)]
            self.db.prune_blocks(height - KEEP_BLOCKS)
        self._tip = _UNREAD
        return relevant

    def undo_block(self, height: int, block_hash: bytes) -> list[bytes]:
        """Disconnect a block (a reorg): its wallet transactions become unconfirmed again,
        except coinbase ones, which are dropped. Returns the txids affected."""
        with self.store.transaction():
            recorded = self.db.block_hash_at(height)
            if recorded is not None and recorded != block_hash:
                raise WalletError(f"block {block_hash[::-1].hex()} is not the one at {height}")
            affected = self.db.txids_in_block(block_hash)
            for txid in affected:
                row = self.db.tx_row(txid)
                if row is not None and row[3]:
                    self._remove_tx(txid)
                else:
                    self.db.set_tx_block(txid, None, None)
            self._tip = _UNREAD
            self.db.delete_block(height)
        self._tip = _UNREAD
        return affected

    def apply_mempool_tx(self, tx: Transaction) -> bool:
        """Record an unconfirmed transaction (ours, broadcast); True if it concerns the wallet.

        A replacement (RBF) drops the wallet transactions it conflicts with.
        """
        with self.store.transaction():
            return self._add_tx(tx, None, None)

    def abandon_transaction(self, txid: bytes) -> None:
        """Forget an unconfirmed transaction (and its descendants) that will never confirm:
        its inputs become spendable again (their reservation stays until released)."""
        with self.store.transaction():
            row = self.db.tx_row(txid)
            if row is None:
                raise WalletError(f"unknown transaction {txid[::-1].hex()}")
            if row[1] is not None:
                raise WalletError("cannot abandon a confirmed transaction")
            self._remove_tx(txid)

    def _add_tx(self, tx: Transaction, height: int | None, block_hash: bytes | None) -> bool:
        txid = tx.txid
        row = self.db.tx_row(txid)
        if row is not None:
            if height is not None and (row[1] != height or row[2] != block_hash):
                self.db.set_tx_block(txid, height, block_hash)
            return True
        spent = [u for u in (self.db.utxo(i.prevout) for i in tx.inputs) if u is not None]
        received: dict[int, tuple[int, int]] = {}
        while True:  # a payment may reach past the lookahead: extend it and look again
            found = {
                vout: loc for vout, out in enumerate(tx.outputs)
                if vout not in received and (loc := self.keychain.lookup(out.script_pubkey))
            }
            if not found:
                break
            for chain, index in found.values():
                self._mark_used(chain, index)
            received.update(found)
        if not spent and not received:
            return False
        for u in spent:
            if u.spent_by is not None and u.spent_by != txid:
                self._drop_conflict(u.spent_by, height is not None)
        self.db.insert_tx(txid, tx.serialize(), height, block_hash, tx.is_coinbase())
        for u in spent:
            self.db.set_spent(u.outpoint, txid)
        for vout, (chain, index) in sorted(received.items()):
            out = tx.outputs[vout]
            self.db.insert_utxo(OutPoint(txid, vout), out.value, out.script_pubkey, chain, index)
        return True

    def _drop_conflict(self, other: bytes, confirmed: bool) -> None:
        row = self.db.tx_row(other)
        if row is None:
            return
        if row[1] is not None:
            raise WalletError(
                f"conflicts with confirmed wallet transaction {other[::-1].hex()}"
                + ("; undo the stale block first" if confirmed else ""))
        self._remove_tx(other)

    def _remove_tx(self, txid: bytes) -> None:
        for out in self.db.outputs_of(txid):
            if out.spent_by is not None:
                self._remove_tx(out.spent_by)
        self.db.unspend_all_spent_by(txid)
        self.db.delete_outputs_of(txid)
        self.db.delete_tx(txid)

    # -- queries

    def _address(self, script_pubkey: bytes) -> str:
        """Addresses of our scripts, encoded once (bech32 costs ~70 µs, and coin selection
        lists every coin)."""
        address = self._addresses.get(script_pubkey)
        if address is None:
            address = self._addresses[script_pubkey] = script_to_address(script_pubkey, self.network)
        return address

    def _utxo(self, row: UtxoRow, tip: int) -> Utxo:
        conf = 0 if row.block_height is None else max(0, tip - row.block_height + 1)
        return Utxo(row.outpoint, row.amount_sat, self._address(row.script_pubkey),
                    row.script_pubkey, conf, row.reservation is not None, row.reservation,
                    row.coinbase, (row.chain, row.index))

    def list_funds(self, tip_height: int | None = None) -> list[Utxo]:
        """Every unspent coin, reserved or not, with its confirmations at `tip_height`
        (default: the last block applied)."""
        tip = self._tip_height(tip_height)
        return [self._utxo(r, tip) for r in self.db.unspent()]

    def balance(self, tip_height: int | None = None) -> Balance:
        confirmed = unconfirmed = reserved = immature = 0
        for u in self.list_funds(tip_height):
            if u.reserved:
                reserved += u.amount_sat
            elif not u.mature:
                immature += u.amount_sat
            elif u.confirmations >= 1:
                confirmed += u.amount_sat
            else:
                unconfirmed += u.amount_sat
        return Balance(confirmed, unconfirmed, reserved, immature)

    def transactions(self) -> list[WalletTx]:
        return [WalletTx(Transaction.parse(raw), h, bh) for raw, h, bh in self.db.all_txs()]

    def get_transaction(self, txid: bytes) -> WalletTx | None:
        row = self.db.tx_row(txid)
        return None if row is None else WalletTx(Transaction.parse(row[0]), row[1], row[2])

    def _spendable(self, min_confirmations: int, tip: int) -> list[Utxo]:
        return [
            u for u in self.list_funds(tip)
            if not u.reserved and u.mature and u.confirmations >= min_confirmations
        ]

    # -- building transactions

    def prepare_transaction(
        self,
        outputs: Sequence[TxOut],
        feerate_sat_per_kw: int,
        *,
        send_all_to: bytes | None = None,
        reserve_for: str | None = None,
        min_confirmations: int = 1,
        spend_reserve: bool = False,
        locktime: int = 0,
        tip_height: int | None = None,
    ) -> tuple[Transaction, FundingInfo]:
        """An unsigned transaction paying `outputs`, its inputs reserved under `reserve_for`
        (default: the txid in hex). Its txid is final: every input is segwit.

        With `send_all_to`, every spendable coin is swept, the remainder after `outputs`
        and the fee going to that script; the anchor reserve stays in a change output
        unless `spend_reserve`. Otherwise coins are selected and change above the dust
        limit goes to a new change address; the transaction must leave at least
        `anchor_reserve_sat` in the wallet. Inputs and outputs are in BIP 69 order.
        """
        if feerate_sat_per_kw < FEERATE_FLOOR_SAT_PER_KW:
            raise ValueError(f"feerate below the floor of {FEERATE_FLOOR_SAT_PER_KW} sat/kw")
        for o in outputs:
            if o.value < dust_threshold(o.script_pubkey):
                raise WalletError(f"output of {o.value} sat is below the dust limit")
        if not outputs and send_all_to is None:
            raise ValueError("nothing to pay")
        with self.store.transaction():
            tip = self._tip_height(tip_height)
            coins = self._spendable(min_confirmations, tip)
            reserve = 0 if spend_reserve else self.anchor_reserve_sat
            change_script = self.keychain.script_pubkey(CHANGE, self._next[CHANGE])
            target = sum(o.value for o in outputs)
            weights = [output_weight(o.script_pubkey) for o in outputs]
            final_outputs = list(outputs)
            if send_all_to is not None:
                chosen = [c.outpoint for c in coins]
                total = sum(c.amount_sat for c in coins)
                out_w = [*weights, output_weight(send_all_to)]
                if reserve:
                    out_w.append(P2WPKH_OUTPUT_WEIGHT)
                fee = fee_for_weight(tx_weight([P2WPKH_INPUT_WEIGHT] * len(coins), out_w),
                                     feerate_sat_per_kw)
                sweep = total - target - fee - reserve
                if not coins or sweep < dust_threshold(send_all_to):
                    raise InsufficientFunds(
                        f"{total} sat spendable; not enough to pay {target} sat, the fee and "
                        f"keep the {reserve} sat reserve")
                final_outputs.append(TxOut(sweep, send_all_to))
                change = reserve
            else:
                sel = select_coins(
                    [Coin(c.outpoint, c.amount_sat) for c in coins], target, feerate_sat_per_kw,
                    weights, change_dust=dust_threshold(change_script))
                left = sum(c.amount_sat for c in coins) - target - sel.fee
                if left < reserve:
                    raise InsufficientFunds(
                        f"would leave {left} sat, below the {reserve} sat anchor reserve")
                chosen = [c.outpoint for c in sel.coins]
                fee, change = sel.fee, sel.change
            change_out = TxOut(change, change_script) if change else None
            if change_out is not None:
                final_outputs.append(change_out)
                self._take_index(CHANGE)
            tx = Transaction(
                version=2,
                inputs=tuple(TxIn(op, b"", RBF_SEQUENCE)
                             for op in sorted(chosen, key=lambda op: (op.txid[::-1], op.index))),
                outputs=tuple(sorted(final_outputs, key=lambda o: (o.value, o.script_pubkey))),
                locktime=locktime,
            )
            first = outputs[0] if outputs else final_outputs[len(outputs)]
            reservation = reserve_for if reserve_for is not None else tx.txid_hex
            for op in chosen:
                self.db.reserve(op, reservation)
        return tx, FundingInfo(
            output_index=tx.outputs.index(first),
            change_index=None if change_out is None else tx.outputs.index(change_out),
            change_sat=change,
            fee_sat=fee,
            reservation=reservation,
            inputs=tuple(i.prevout for i in tx.inputs),
        )

    def prepare_funding(
        self,
        output: TxOut,
        feerate_sat_per_kw: int,
        *,
        send_all: bool = False,
        reserve_for: str | None = None,
        min_confirmations: int = 1,
    ) -> tuple[Transaction, FundingInfo]:
        """A channel funding transaction: the unsigned tx (txid final) and where its funding
        output is. With send_all, the output gets everything (less fee and reserve) and
        `output.value` is ignored. Sign with `sign` once the peer's signatures are in."""
        if send_all:
            return self.prepare_transaction(
                [], feerate_sat_per_kw, send_all_to=output.script_pubkey,
                reserve_for=reserve_for, min_confirmations=min_confirmations)
        return self.prepare_transaction([output], feerate_sat_per_kw, reserve_for=reserve_for,
                                        min_confirmations=min_confirmations)

    def create_transaction(
        self,
        outputs: Sequence[TxOut],
        feerate_sat_per_kw: int,
        *,
        send_all_to: bytes | None = None,
        reserve_for: str | None = None,
        min_confirmations: int = 1,
        spend_reserve: bool = False,
        locktime: int = 0,
    ) -> Transaction:
        """prepare_transaction, signed. Its inputs stay reserved (under `reserve_for`, or the
        txid in hex) until it is seen (apply_mempool_tx / apply_block) or released."""
        tx, _ = self.prepare_transaction(
            outputs, feerate_sat_per_kw, send_all_to=send_all_to, reserve_for=reserve_for,
            min_confirmations=min_confirmations, spend_reserve=spend_reserve, locktime=locktime)
        return self.sign(tx)

    def add_fee_inputs(
        self,
        tx: Transaction,
        input_values: Sequence[int],
        feerate_sat_per_kw: int,
        *,
        extra_weight: int = 0,
        paid_elsewhere_sat: int = 0,
        reserve_for: str,
        tip_height: int | None = None,
    ) -> Transaction:
        """Add wallet coins (and a change output) to `tx`, whose own inputs are not the
        wallet's and hold `input_values`, so that the whole pays `feerate_sat_per_kw`:
        an HTLC transaction with anchors, or an anchor's CPFP child. `extra_weight` is the
        weight of what is not in `tx` yet (its foreign witnesses; for a CPFP child, its
        parent too) and `paid_elsewhere_sat` the fee already paid (by the parent). The
        anchor reserve may be spent: it exists for this. The added coins are reserved under
        `reserve_for`; sign the foreign inputs and then `sign` the wallet's."""
        with self.store.transaction():
            tip = self._tip_height(tip_height)
            coins = sorted(self._spendable(1, tip), key=lambda c: -c.amount_sat)
            change_script = self.keychain.script_pubkey(CHANGE, self._next[CHANGE])
            value_in = sum(input_values)
            value_out = sum(o.value for o in tx.outputs)
            base = tx.weight() + extra_weight + SEGWIT_MARKER_WEIGHT
            chosen: list[Utxo] = []
            while True:
                weight = base + len(chosen) * P2WPKH_INPUT_WEIGHT + P2WPKH_OUTPUT_WEIGHT
                need = fee_for_weight(weight, feerate_sat_per_kw) - paid_elsewhere_sat
                have = value_in + sum(c.amount_sat for c in chosen) - value_out
                if chosen and have - need >= 0:
                    break
                if len(chosen) == len(coins):
                    raise InsufficientFunds(
                        f"{sum(c.amount_sat for c in coins)} sat spendable; not enough to pay "
                        f"{max(need, 0)} sat of fees")
                chosen.append(coins[len(chosen)])
            change = have - max(need, 0)
            outputs = list(tx.outputs)
            if change >= dust_threshold(change_script):
                outputs.append(TxOut(change, change_script))
                self._take_index(CHANGE)
            inputs = list(tx.inputs) + [TxIn(c.outpoint, b"", RBF_SEQUENCE) for c in chosen]
            for c in chosen:
                self.db.reserve(c.outpoint, reserve_for)
        return Transaction(tx.version, tuple(inputs), tuple(outputs), tx.locktime)

    def release(self, reservation: str) -> int:
        """Give back the unspent coins held by `reservation`; returns how many."""
        with self.store.transaction():
            return self.db.release(reservation)

    # -- signing

    def sign(self, tx: Transaction) -> Transaction:
        """Sign every input that spends one of the wallet's coins (P2WPKH, SIGHASH_ALL)."""
        witnesses = {}
        for k, txin in enumerate(tx.inputs):
            u = self.db.utxo(txin.prevout)
            if u is not None:
                witnesses[k] = self._p2wpkh_witness(tx, k, u.chain, u.index, u.amount_sat,
                                                    SIGHASH_ALL)
        for k, witness in witnesses.items():
            tx = tx.with_witness(k, witness)
        return tx

    def sign_input(self, tx: Transaction, index: int, *, script_pubkey: bytes | None = None,
                   amount_sat: int | None = None, sighash_type: int = SIGHASH_ALL) -> Transaction:
        """Sign input `index` spending one of our P2WPKH scripts: a wallet coin, or a script
        and amount the caller names (an output of ours the wallet has not seen yet)."""
        u = self.db.utxo(tx.inputs[index].prevout)
        if u is not None:
            chain, key_index, amount = u.chain, u.index, u.amount_sat
        else:
            loc = None if script_pubkey is None else self.keychain.lookup(script_pubkey)
            if loc is None or amount_sat is None:
                raise WalletError(f"input {index} does not spend a known wallet script")
            (chain, key_index), amount = loc, amount_sat
        witness = self._p2wpkh_witness(tx, index, chain, key_index, amount, sighash_type)
        return tx.with_witness(index, witness)

    def _p2wpkh_witness(self, tx: Transaction, index: int, chain: int, key_index: int,
                        amount: int, sighash_type: int) -> tuple[bytes, bytes]:
        secret = coincurve.PrivateKey(self.keychain.private_key(chain, key_index))
        pubkey = secret.public_key.format(compressed=True)
        digest = bip143_sighash(tx, index, p2pkh_script_code(pubkey), amount, sighash_type)
        return der_sig_with_hashtype(secret.sign(digest, hasher=None), sighash_type), pubkey

    # -- PSBT

    def _origin(self, chain: int, index: int) -> KeyOrigin:
        return KeyOrigin(self.keychain.master_fingerprint, self.keychain.path(chain, index))

    def fund_psbt(
        self,
        outputs: Sequence[TxOut],
        feerate_sat_per_kw: int,
        *,
        send_all_to: bytes | None = None,
        reserve_for: str | None = None,
        min_confirmations: int = 1,
        spend_reserve: bool = False,
        locktime: int = 0,
    ) -> Psbt:
        """prepare_transaction as a PSBT: utxos and BIP 32 derivations of our inputs and of
        the change output filled in, for an external signer or `sign_psbt`."""
        tx, info = self.prepare_transaction(
            outputs, feerate_sat_per_kw, send_all_to=send_all_to, reserve_for=reserve_for,
            min_confirmations=min_confirmations, spend_reserve=spend_reserve, locktime=locktime)
        psbt = Psbt.from_unsigned_tx(tx)
        for k, txin in enumerate(tx.inputs):
            u = self.db.utxo(txin.prevout)
            row = self.db.tx_row(txin.prevout.txid)
            if u is None or row is None:
                continue
            pub = self.keychain.pubkey(u.chain, u.index)
            psbt = psbt.with_input(k, PsbtInput(
                non_witness_utxo=Transaction.parse(row[0]),
                witness_utxo=TxOut(u.amount_sat, u.script_pubkey),
                bip32_derivations={pub: self._origin(u.chain, u.index)},
            ))
        if info.change_index is not None:
            loc = self.keychain.lookup(tx.outputs[info.change_index].script_pubkey)
            if loc is not None:
                psbt = psbt.with_output(info.change_index, PsbtOutput(
                    bip32_derivations={self.keychain.pubkey(*loc): self._origin(*loc)}))
        return psbt

    def sign_psbt(self, psbt: Psbt, *, finalize: bool = True) -> Psbt:
        """Add our signatures to every input spending one of our P2WPKH scripts (known from
        the PSBT's utxo records or the wallet's coins); finalize those inputs if asked."""
        for k, txin in enumerate(psbt.tx.inputs):
            if psbt.inputs[k].is_finalized:
                continue
            utxo = psbt.spent_output(k)
            if utxo is None:
                u = self.db.utxo(txin.prevout)
                if u is None:
                    continue
                psbt = psbt.with_input(k, replace(
                    psbt.inputs[k], witness_utxo=TxOut(u.amount_sat, u.script_pubkey)))
                utxo = psbt.spent_output(k)
            assert utxo is not None
            secret = self.signing_key(utxo.script_pubkey)
            if secret is not None:
                psbt = psbt.sign_input(k, secret)
        return psbt.finalize() if finalize else psbt


__all__ = [
    "COINBASE_MATURITY",
    "DEFAULT_ANCHOR_RESERVE_SAT",
    "Balance",
    "FundingInfo",
    "InsufficientFunds",
    "Utxo",
    "Wallet",
    "WalletError",
    "WalletTx",
]
