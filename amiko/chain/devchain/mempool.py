"""The dev chain's mempool: Bitcoin Core's MemPoolAccept in small, sans-IO.

Accepts a transaction only as Core 28 would (checks in Core's order, Core's reject reasons):
consensus CheckTransaction, standardness and dust, finality for the next block, inputs present
(chain UTXO or mempool parents), BIP68 sequence locks, coinbase maturity, outputs not above
inputs, standard inputs and witnesses, the minimum relay fee, ancestor/descendant limits, TRUC
(version 3) topology, replace-by-fee (full RBF, BIP125 rules 2-6), and last every input's
script through libbitcoinkernel. Packages (`submitpackage`): each transaction alone first,
then those refused for fee reasons together at their package feerate (1p1c CPFP).

Time and the chain come in as arguments; nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from amiko.bitcoin.tx import OutPoint, Transaction, TxOut
from amiko.chain import rpc_errors as E
from amiko.chain.devchain import policy as P
from amiko.chain.devchain.policy import Reject

MEMPOOL_HEIGHT = 0x7FFFFFFF
MAX_REPLACEMENT_CANDIDATES = 100
EXTRA_DESCENDANT_TX_SIZE_LIMIT = 10_000
MAX_PACKAGE_COUNT = 25
MAX_PACKAGE_WEIGHT = 404_000

ScriptCheck = Callable[[Transaction, Sequence[TxOut]], "str | None"]


@dataclass(frozen=True, slots=True)
class Coin:
    output: TxOut
    height: int  # MEMPOOL_HEIGHT for outputs of mempool transactions
    coinbase: bool


class ChainView(Protocol):
    """What the mempool needs to know about the active chain."""

    @property
    def height(self) -> int: ...

    def get_coin(self, outpoint: OutPoint) -> Coin | None: ...

    def median_time_past(self, height: int) -> int: ...


@dataclass(frozen=True, slots=True)
class MempoolPolicy:
    min_relay_feerate: int = 1000  # sat/kvB (-minrelaytxfee)
    incremental_relay_feerate: int = 1000  # sat/kvB (-incrementalrelayfee)
    dust_relay_feerate: int = 3000  # sat/kvB (-dustrelayfee)
    # The dynamic floor of a full mempool (CTxMemPool::GetMinFee), 0 when not full. Set it to
    # simulate congestion: transactions below it are TX_RECONSIDERABLE and can enter by CPFP.
    mempool_min_feerate: int = 0
    full_rbf: bool = True  # Core 28 default; False restores "txn-mempool-conflict"
    ancestor_limit: int = 25
    descendant_limit: int = 25
    ancestor_size_limit: int = 101_000  # vbytes
    descendant_size_limit: int = 101_000
    permit_bare_multisig: bool = True
    block_min_feerate: int = 1000  # sat/kvB (-blockmintxfee), used by block assembly


@dataclass(slots=True)
class MempoolEntry:
    tx: Transaction
    fee: int
    vsize: int
    time: int
    height: int
    sequence: int
    parents: set[bytes] = field(default_factory=set)
    children: set[bytes] = field(default_factory=set)

    @property
    def txid(self) -> bytes:
        return self.tx.txid


@dataclass(slots=True)
class AcceptResult:
    """MempoolAcceptResult. `kind`: "valid", "invalid", "mempool_entry" (already there) or
    "different_witness" (same txid, other witness already there)."""

    tx: Transaction
    kind: str
    reject: Reject | None = None
    vsize: int = 0
    fee: int = 0
    replaced: list[Transaction] = field(default_factory=list)
    effective_feerate: int = 0  # sat/kvB
    effective_includes: list[bytes] = field(default_factory=list)  # wtxids
    other_wtxid: bytes | None = None

    @property
    def ok(self) -> bool:
        return self.kind != "invalid"


@dataclass(slots=True)
class PackageAcceptResult:
    """PackageMempoolAcceptResult: a package-wide verdict and the per-transaction results
    (keyed by wtxid; transactions never evaluated are missing)."""

    reject: Reject | None
    results: dict[bytes, AcceptResult]

    @property
    def ok(self) -> bool:
        return self.reject is None


@dataclass(slots=True)
class _Work:
    tx: Transaction
    spent: list[TxOut] = field(default_factory=list)
    coins: list[Coin] = field(default_factory=list)
    fee: int = 0
    vsize: int = 0
    conflicts: set[bytes] = field(default_factory=set)
    all_conflicts: set[bytes] = field(default_factory=set)
    parents: set[bytes] = field(default_factory=set)
    ancestors: set[bytes] = field(default_factory=set)


class Mempool:
    def __init__(self, chain: ChainView, check_scripts: ScriptCheck,
                 policy: MempoolPolicy | None = None) -> None:
        self.chain = chain
        self.check_scripts = check_scripts
        self.policy = policy or MempoolPolicy()
        self.entries: dict[bytes, MempoolEntry] = {}
        self.by_wtxid: dict[bytes, bytes] = {}
        self.spenders: dict[OutPoint, bytes] = {}
        self._sequence = 0
        self._scripts_ok: set[bytes] = set()  # wtxids whose scripts verified (context-free)

    # -- queries --------------------------------------------------------------------------

    def __contains__(self, txid: bytes) -> bool:
        return txid in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, txid: bytes) -> MempoolEntry | None:
        return self.entries.get(txid)

    def ordered(self) -> list[MempoolEntry]:
        """Entries in acceptance order (parents before children)."""
        return sorted(self.entries.values(), key=lambda e: e.sequence)

    def ancestors(self, txid: bytes) -> set[bytes]:
        return self._closure(self.entries[txid].parents, lambda e: e.parents)

    def descendants(self, txid: bytes) -> set[bytes]:
        return self._closure(self.entries[txid].children, lambda e: e.children)

    def _closure(self, start: Iterable[bytes],
                 step: Callable[[MempoolEntry], set[bytes]]) -> set[bytes]:
        seen: set[bytes] = set()
        todo = list(start)
        while todo:
            t = todo.pop()
            if t in seen or t not in self.entries:
                continue
            seen.add(t)
            todo.extend(step(self.entries[t]))
        return seen

    def mempool_coin(self, outpoint: OutPoint) -> Coin | None:
        entry = self.entries.get(outpoint.txid)
        if entry is None or outpoint.index >= len(entry.tx.outputs):
            return None
        return Coin(entry.tx.outputs[outpoint.index], MEMPOOL_HEIGHT, False)

    # -- single transactions ----------------------------------------------------------------

    def accept(self, tx: Transaction, now: int, *, test_only: bool = False,
               bypass_limits: bool = False) -> AcceptResult:
        """AcceptToMemoryPool for one transaction. `bypass_limits` (for transactions of
        disconnected blocks) skips the fee floors and the ancestor limits."""
        ws = _Work(tx)
        reject = self._prechecks(ws, {}, package_feerates=False, bypass_limits=bypass_limits)
        if reject is None and ws.conflicts:
            reject = self._replacement_checks(ws)
        if reject is None:
            reject = self._script_checks(ws)
        if reject is not None:
            return AcceptResult(tx, "invalid", reject)
        replaced = [] if test_only else self._commit(ws, now)
        rate = P.feerate_per_kvb(ws.fee, ws.vsize)
        return AcceptResult(tx, "valid", None, ws.vsize, ws.fee, replaced, rate, [tx.wtxid])

    def test_accept_many(self, txs: Sequence[Transaction]) -> list[AcceptResult | None]:
        """testmempoolaccept of several transactions: each on top of the earlier ones, no
        package feerate; evaluation stops at the first failure (later ones: None)."""
        package: dict[bytes, Transaction] = {}
        out: list[AcceptResult | None] = []
        failed = False
        for tx in txs:
            if failed:
                out.append(None)
                continue
            ws = _Work(tx)
            reject = self._prechecks(ws, package, package_feerates=False, bypass_limits=False,
                                     allow_replacement=len(txs) == 1)
            if reject is None and ws.conflicts:
                reject = self._replacement_checks(ws)
            if reject is None:
                reject = self._script_checks(ws)
            if reject is not None:
                out.append(AcceptResult(tx, "invalid", reject))
                failed = True
                continue
            package[tx.txid] = tx
            rate = P.feerate_per_kvb(ws.fee, ws.vsize)
            out.append(AcceptResult(tx, "valid", None, ws.vsize, ws.fee, [], rate, [tx.wtxid]))
        return out

    # -- packages -------------------------------------------------------------------------

    def accept_package(self, txs: Sequence[Transaction], now: int) -> PackageAcceptResult:
        """ProcessNewPackage (Core 28 AcceptPackage): each transaction alone first; those
        refused for fee reasons (TX_RECONSIDERABLE), and their children, then together at
        the package feerate."""
        reject = check_package(txs)
        if reject is not None:
            return PackageAcceptResult(reject, {})
        results: dict[bytes, AcceptResult] = {}
        deferred: list[Transaction] = []
        deferred_txids: set[bytes] = set()
        for tx in txs:
            known = self._known(tx)
            if known is not None:
                results[tx.wtxid] = known
                continue
            single = self.accept(tx, now, test_only=True)
            if single.ok:
                results[tx.wtxid] = self.accept(tx, now)
                continue
            assert single.reject is not None
            spends_deferred = any(i.prevout.txid in deferred_txids for i in tx.inputs)
            if single.reject.result == "TX_RECONSIDERABLE" or (
                    single.reject.result == "TX_MISSING_INPUTS" and spends_deferred):
                deferred.append(tx)
                deferred_txids.add(tx.txid)
                continue
            results[tx.wtxid] = single
            return PackageAcceptResult(Reject("PCKG_TX", E.PACKAGE_TX_FAILED), results)
        if deferred:
            pkg_reject, pkg_results = self._accept_together(deferred, now)
            results.update(pkg_results)
            if pkg_reject is not None:
                return PackageAcceptResult(pkg_reject, results)
        return PackageAcceptResult(None, results)

    def _known(self, tx: Transaction) -> AcceptResult | None:
        if tx.wtxid in self.by_wtxid:
            e = self.entries[tx.txid]
            return AcceptResult(tx, "mempool_entry", None, e.vsize, e.fee)
        if tx.txid in self.entries:
            return AcceptResult(tx, "different_witness",
                                other_wtxid=self.entries[tx.txid].tx.wtxid)
        return None

    def _accept_together(self, txs: list[Transaction],
                         now: int) -> tuple[Reject | None, dict[bytes, AcceptResult]]:
        """AcceptMultipleTransactions with package feerates."""
        package: dict[bytes, Transaction] = {}
        works: list[_Work] = []
        for tx in txs:
            ws = _Work(tx)
            reject = self._prechecks(ws, package, package_feerates=True, bypass_limits=False,
                                     allow_replacement=False)
            if reject is not None:
                return (Reject("PCKG_TX", E.PACKAGE_TX_FAILED),
                        {tx.wtxid: AcceptResult(tx, "invalid", reject)})
            package[tx.txid] = tx
            works.append(ws)
        total_fee = sum(w.fee for w in works)
        total_vsize = sum(w.vsize for w in works)
        fee_reject = self._check_feerate(total_vsize, total_fee)
        if fee_reject is not None:
            last = txs[-1]
            return (Reject("PCKG_TX", E.PACKAGE_TX_FAILED),
                    {last.wtxid: AcceptResult(last, "invalid", fee_reject)})
        for ws in works:
            reject = self._script_checks(ws)
            if reject is not None:
                return (Reject("PCKG_TX", E.PACKAGE_TX_FAILED),
                        {ws.tx.wtxid: AcceptResult(ws.tx, "invalid", reject)})
        rate = P.feerate_per_kvb(total_fee, total_vsize)
        includes = [tx.wtxid for tx in txs]
        results: dict[bytes, AcceptResult] = {}
        for ws in works:
            ws.parents = {i.prevout.txid for i in ws.tx.inputs if i.prevout.txid in self.entries}
            replaced = self._commit(ws, now)
            results[ws.tx.wtxid] = AcceptResult(ws.tx, "valid", None, ws.vsize, ws.fee,
                                                replaced, rate, includes)
        return None, results

    # -- the checks ---------------------------------------------------------------------------

    def _lookup(self, outpoint: OutPoint, package: dict[bytes, Transaction]) -> Coin | None:
        ptx = package.get(outpoint.txid)
        if ptx is not None:
            if outpoint.index < len(ptx.outputs):
                return Coin(ptx.outputs[outpoint.index], MEMPOOL_HEIGHT, False)
            return None
        coin = self.mempool_coin(outpoint)
        if coin is not None:
            return coin
        return self.chain.get_coin(outpoint)

    def _check_feerate(self, vsize: int, fee: int) -> Reject | None:
        """MemPoolAccept::CheckFeeRate."""
        floor = P.fee_for(self.policy.mempool_min_feerate, vsize)
        if self.policy.mempool_min_feerate > 0 and fee < floor:
            return Reject("TX_RECONSIDERABLE", E.REJECT_MEMPOOL_MIN_FEE, f"{fee} < {floor}")
        need = P.fee_for(self.policy.min_relay_feerate, vsize)
        if fee < need:
            return Reject("TX_RECONSIDERABLE", E.REJECT_MIN_RELAY_FEE, f"{fee} < {need}")
        return None

    def _prechecks(self, ws: _Work, package: dict[bytes, Transaction], *,
                   package_feerates: bool, bypass_limits: bool,
                   allow_replacement: bool = True) -> Reject | None:
        """MemPoolAccept::PreChecks, in Core's order."""
        tx = ws.tx
        pol = self.policy
        chain = self.chain
        reject = P.check_transaction(tx)
        if reject is not None:
            return reject
        if tx.is_coinbase():
            return Reject("TX_CONSENSUS", E.REJECT_COINBASE)
        reason = P.is_standard_tx(tx, pol.dust_relay_feerate, pol.permit_bare_multisig)
        if reason is not None:
            return Reject("TX_NOT_STANDARD", reason)
        if len(tx.serialize(with_witness=False)) < P.MIN_STANDARD_TX_NONWITNESS_SIZE:
            return Reject("TX_NOT_STANDARD", E.REJECT_TX_SIZE_SMALL)
        tip = chain.height
        # "Only accept nLockTime-using transactions that can be mined in the next block"
        if not P.is_final_tx(tx, tip + 1, chain.median_time_past(tip)):
            return Reject("TX_PREMATURE_SPEND", E.REJECT_NON_FINAL)
        if tx.wtxid in self.by_wtxid:
            return Reject("TX_CONFLICT", E.REJECT_ALREADY_IN_MEMPOOL)
        if tx.txid in self.entries:
            return Reject("TX_CONFLICT", E.REJECT_SAME_NONWITNESS)
        for txin in tx.inputs:
            spender = self.spenders.get(txin.prevout)
            if spender is None or spender in ws.conflicts:
                continue
            if not allow_replacement:
                return Reject("TX_MEMPOOL_POLICY", E.REJECT_REPLACEMENT_DISALLOWED)
            other = self.entries[spender].tx
            if not pol.full_rbf and not P.signals_rbf(other) and other.version != P.TRUC_VERSION:
                return Reject("TX_MEMPOOL_POLICY", E.REJECT_MEMPOOL_CONFLICT)
            ws.conflicts.add(spender)
        for txin in tx.inputs:
            coin = self._lookup(txin.prevout, package)
            if coin is None:
                for k in range(len(tx.outputs)):
                    if chain.get_coin(OutPoint(tx.txid, k)) is not None:
                        return Reject("TX_CONFLICT", E.REJECT_ALREADY_KNOWN)
                return Reject("TX_MISSING_INPUTS", E.REJECT_INPUTS_MISSINGORSPENT)
            ws.coins.append(coin)
            ws.spent.append(coin.output)
        # BIP68: "Only accept BIP68 sequence locked transactions that can be mined in the next
        # block". Outputs of unconfirmed transactions count as created in the next block.
        heights = [tip + 1 if c.height == MEMPOOL_HEIGHT else c.height for c in ws.coins]
        min_height, min_time = P.sequence_locks(tx, heights, chain.median_time_past)
        if min_height >= tip + 1 or min_time >= chain.median_time_past(tip):
            return Reject("TX_PREMATURE_SPEND", E.REJECT_NON_BIP68_FINAL)
        cb_heights = [c.height if c.coinbase else None for c in ws.coins]
        reject, ws.fee = P.check_tx_inputs(tx, ws.spent, cb_heights, tip + 1)
        if reject is not None:
            return reject
        if not P.are_inputs_standard(ws.spent):
            return Reject("TX_INPUTS_NOT_STANDARD", E.REJECT_NONSTANDARD_INPUTS)
        if tx.has_witness() and not P.is_witness_standard(tx, ws.spent):
            return Reject("TX_WITNESS_MUTATED", E.REJECT_WITNESS_NONSTANDARD)
        ws.vsize = tx.vsize()
        # "No individual transactions are allowed below the min relay feerate except from
        # disconnected blocks. [...] The only exception is TRUC transactions."
        need = P.fee_for(pol.min_relay_feerate, ws.vsize)
        if not bypass_limits and tx.version != P.TRUC_VERSION and ws.fee < need:
            return Reject("TX_MEMPOOL_POLICY", E.REJECT_MIN_RELAY_FEE, f"{ws.fee} < {need}")
        if not bypass_limits and not package_feerates:
            reject = self._check_feerate(ws.vsize, ws.fee)
            if reject is not None:
                return reject
        ws.parents = {i.prevout.txid for i in tx.inputs
                      if i.prevout.txid in self.entries or i.prevout.txid in package}
        reject = self._ancestor_checks(ws, package, bypass_limits)
        if reject is not None:
            return reject
        reject = self._truc_checks(ws, package)
        if reject is not None:
            return reject
        overlap = ws.ancestors & ws.conflicts
        if overlap:
            return Reject("TX_CONSENSUS", E.REJECT_SPENDS_CONFLICTING,
                          f"{tx.txid_hex} spends conflicting transaction "
                          f"{min(overlap)[::-1].hex()}")
        return None

    def _ancestor_checks(self, ws: _Work, package: dict[bytes, Transaction],
                         bypass_limits: bool) -> Reject | None:
        """CalculateMemPoolAncestors with Core's default limits (25 transactions, 101 kvB)
        and the CPFP carve-out for a small child of a single parent."""
        in_pool = {p for p in ws.parents if p in self.entries}
        ancestors = self._closure(in_pool, lambda e: e.parents)
        in_package = {p for p in ws.parents if p in package}
        ws.ancestors = ancestors | in_package
        if bypass_limits:
            return None
        pol = self.policy
        n = len(ws.ancestors) + 1
        size = ws.vsize + sum(self.entries[a].vsize for a in ancestors) \
            + sum(package[p].vsize() for p in in_package)
        if n > pol.ancestor_limit:
            return Reject("TX_MEMPOOL_POLICY", E.REJECT_TOO_LONG_CHAIN,
                          f"too many unconfirmed ancestors [limit: {pol.ancestor_limit}]")
        if size > pol.ancestor_size_limit:
            return Reject("TX_MEMPOOL_POLICY", E.REJECT_TOO_LONG_CHAIN,
                          f"exceeds ancestor size limit [limit: {pol.ancestor_size_limit}]")
        carve_out = (len(ws.ancestors) == 1 and ws.vsize <= EXTRA_DESCENDANT_TX_SIZE_LIMIT
                     and ws.tx.version != P.TRUC_VERSION and len(ws.conflicts) == 0)
        limit = pol.descendant_limit + (1 if carve_out else 0)
        for a in sorted(ancestors):
            desc = self.descendants(a)
            count = len(desc) + 1 - len(desc & ws.all_conflicts)
            if count + 1 > limit:
                return Reject("TX_MEMPOOL_POLICY", E.REJECT_TOO_LONG_CHAIN,
                              f"too many descendants for tx {a[::-1].hex()} "
                              f"[limit: {pol.descendant_limit}]")
        return None

    def _truc_checks(self, ws: _Work, package: dict[bytes, Transaction]) -> Reject | None:
        """SingleTRUCChecks (policy/truc_policy.cpp), without sibling eviction."""
        tx = ws.tx

        def version_of(txid: bytes) -> int:
            ptx = package.get(txid)
            return ptx.version if ptx is not None else self.entries[txid].tx.version

        def ids(t: Transaction) -> str:
            return f"{t.txid_hex} (wtxid={t.wtxid_hex})"

        def tx_of(txid: bytes) -> Transaction:
            return package[txid] if txid in package else self.entries[txid].tx

        if tx.version != P.TRUC_VERSION:
            for p in sorted(ws.parents):
                if version_of(p) == P.TRUC_VERSION:
                    return Reject("TX_MEMPOOL_POLICY", E.REJECT_TRUC_VIOLATION,
                                  f"non-version=3 tx {ids(tx)} cannot spend from version=3 "
                                  f"tx {ids(tx_of(p))}")
            return None
        if ws.vsize > P.TRUC_MAX_VSIZE:
            return Reject("TX_MEMPOOL_POLICY", E.REJECT_TRUC_VIOLATION,
                          f"version=3 tx {ids(tx)} is too big: {ws.vsize} > "
                          f"{P.TRUC_MAX_VSIZE} virtual bytes")
        if len(ws.ancestors) + 1 > 2:
            return Reject("TX_MEMPOOL_POLICY", E.REJECT_TRUC_VIOLATION,
                          f"tx {ids(tx)} would have too many ancestors")
        if ws.parents:
            (p,) = ws.parents
            parent = tx_of(p)
            if parent.version != P.TRUC_VERSION:
                return Reject("TX_MEMPOOL_POLICY", E.REJECT_TRUC_VIOLATION,
                              f"version=3 tx {ids(tx)} cannot spend from non-version=3 tx "
                              f"{ids(parent)}")
            if ws.vsize > P.TRUC_CHILD_MAX_VSIZE:
                return Reject("TX_MEMPOOL_POLICY", E.REJECT_TRUC_VIOLATION,
                              f"version=3 child tx {ids(tx)} is too big: {ws.vsize} > "
                              f"{P.TRUC_CHILD_MAX_VSIZE} virtual bytes")
            if p in self.entries and self.entries[p].children - ws.conflicts:
                return Reject("TX_MEMPOOL_POLICY", E.REJECT_TRUC_VIOLATION,
                              f"tx {ids(parent)} would exceed descendant count limit")
        return None

    def _replacement_checks(self, ws: _Work) -> Reject | None:
        """MemPoolAccept::ReplacementChecks: BIP125 rules 6, 5, 2, 3 and 4."""
        txid_hex = ws.tx.txid_hex
        new_rate = P.feerate_per_kvb(ws.fee, ws.vsize)
        for c in sorted(ws.conflicts):
            e = self.entries[c]
            old_rate = P.feerate_per_kvb(e.fee, e.vsize)
            if new_rate <= old_rate:
                return Reject("TX_RECONSIDERABLE", E.REJECT_INSUFFICIENT_FEE,
                              f"rejecting replacement {txid_hex}; new feerate "
                              f"{P.feerate_to_string(new_rate)} <= old feerate "
                              f"{P.feerate_to_string(old_rate)}")
        count = 0
        all_conflicts: set[bytes] = set()
        for c in sorted(ws.conflicts):
            desc = self.descendants(c) | {c}
            count += len(desc)
            if count > MAX_REPLACEMENT_CANDIDATES:
                return Reject("TX_MEMPOOL_POLICY", E.REJECT_TOO_MANY_REPLACEMENTS,
                              f"rejecting replacement {txid_hex}; too many potential "
                              f"replacements ({count} > {MAX_REPLACEMENT_CANDIDATES})\n")
            all_conflicts |= desc
        ws.all_conflicts = all_conflicts
        parents_of_conflicts = {i.prevout.txid for c in all_conflicts
                                for i in self.entries[c].tx.inputs}
        for j, txin in enumerate(ws.tx.inputs):
            if txin.prevout.txid not in parents_of_conflicts and txin.prevout.txid in self.entries:
                return Reject("TX_MEMPOOL_POLICY", E.REJECT_REPLACEMENT_ADDS_UNCONFIRMED,
                              f"replacement {txid_hex} adds unconfirmed input, idx {j}")
        old_fees = sum(self.entries[c].fee for c in all_conflicts)
        if ws.fee < old_fees:
            return Reject("TX_RECONSIDERABLE", E.REJECT_INSUFFICIENT_FEE,
                          f"rejecting replacement {txid_hex}, less fees than conflicting txs; "
                          f"{P.format_money(ws.fee)} < {P.format_money(old_fees)}")
        extra = ws.fee - old_fees
        need = P.fee_for(self.policy.incremental_relay_feerate, ws.vsize)
        if extra < need:
            return Reject("TX_RECONSIDERABLE", E.REJECT_INSUFFICIENT_FEE,
                          f"rejecting replacement {txid_hex}, not enough additional fees to "
                          f"relay; {P.format_money(extra)} < {P.format_money(need)}")
        return None

    def _script_checks(self, ws: _Work) -> Reject | None:
        """PolicyScriptChecks through the kernel (consensus flags; see scripts.py)."""
        wtxid = ws.tx.wtxid
        if wtxid in self._scripts_ok:
            return None
        error = self.check_scripts(ws.tx, ws.spent)
        if error is not None:
            consensus = error.startswith(E.MANDATORY_SCRIPT_FAILED)
            return Reject("TX_CONSENSUS" if consensus else "TX_NOT_STANDARD", error)
        if len(self._scripts_ok) > 100_000:
            self._scripts_ok.clear()
        self._scripts_ok.add(wtxid)
        return None

    # -- changes --------------------------------------------------------------------------

    def _commit(self, ws: _Work, now: int) -> list[Transaction]:
        replaced: list[Transaction] = []
        for c in sorted(ws.conflicts):
            if c in self.entries:
                replaced.extend(self.remove_recursive(c))
        self._sequence += 1
        tx = ws.tx
        parents = {i.prevout.txid for i in tx.inputs if i.prevout.txid in self.entries}
        entry = MempoolEntry(tx, ws.fee, ws.vsize, now, self.chain.height, self._sequence,
                             parents)
        self.entries[tx.txid] = entry
        self.by_wtxid[tx.wtxid] = tx.txid
        for txin in tx.inputs:
            self.spenders[txin.prevout] = tx.txid
        for p in parents:
            self.entries[p].children.add(tx.txid)
        return replaced

    def _remove(self, txid: bytes) -> Transaction:
        entry = self.entries.pop(txid)
        self.by_wtxid.pop(entry.tx.wtxid, None)
        for txin in entry.tx.inputs:
            if self.spenders.get(txin.prevout) == txid:
                del self.spenders[txin.prevout]
        for p in entry.parents:
            if p in self.entries:
                self.entries[p].children.discard(txid)
        for c in entry.children:
            if c in self.entries:
                self.entries[c].parents.discard(txid)
        return entry.tx

    def remove_recursive(self, txid: bytes) -> list[Transaction]:
        """Remove a transaction and all its descendants; returns them, parents first."""
        doomed = self.descendants(txid) | {txid}
        order = sorted(doomed, key=lambda t: self.entries[t].sequence)
        return [self._remove(t) for t in order]

    def remove_for_block(self, txs: Sequence[Transaction]) -> None:
        """removeForBlock: drop the mined transactions and whatever conflicts with them."""
        for tx in txs:
            if tx.txid in self.entries:
                self._remove(tx.txid)
        for tx in txs:
            for txin in tx.inputs:
                spender = self.spenders.get(txin.prevout)
                if spender is not None and spender != tx.txid:
                    self.remove_recursive(spender)

    def clear(self) -> list[MempoolEntry]:
        """Empty the mempool; returns the old entries in acceptance order."""
        old = self.ordered()
        self.entries.clear()
        self.by_wtxid.clear()
        self.spenders.clear()
        return old


def check_package(txs: Sequence[Transaction]) -> Reject | None:
    """IsWellFormedPackage and IsChildWithParents (policy/packages.cpp)."""
    if len(txs) > MAX_PACKAGE_COUNT:
        return Reject("PCKG_POLICY", "package-too-many-transactions")
    if sum(tx.weight() for tx in txs) > MAX_PACKAGE_WEIGHT:
        return Reject("PCKG_POLICY", "package-too-large")
    txids = [tx.txid for tx in txs]
    if len(set(txids)) != len(txids):
        return Reject("PCKG_POLICY", "package-contains-duplicates")
    later = set(txids)
    for tx in txs:
        later.discard(tx.txid)
        if any(i.prevout.txid in later for i in tx.inputs):
            return Reject("PCKG_POLICY", "package-not-sorted")
    spent: set[OutPoint] = set()
    for tx in txs:
        for i in tx.inputs:
            if i.prevout in spent:
                return Reject("PCKG_POLICY", "conflict-in-package")
            spent.add(i.prevout)
    return None


def is_child_with_parents_tree(txs: Sequence[Transaction]) -> bool:
    """IsChildWithParentsTree: the last transaction spends an output of every other one, and
    the parents do not spend each other."""
    if len(txs) < 2:
        return True
    child = txs[-1]
    parent_ids = {tx.txid for tx in txs[:-1]}
    spent_by_child = {i.prevout.txid for i in child.inputs}
    if not parent_ids <= spent_by_child:
        return False
    return all(i.prevout.txid not in parent_ids for tx in txs[:-1] for i in tx.inputs)
