"""The watcher and sweeper: BOLT 5 run against the chain.

A chain listener. Every Lightning channel with a funding outpoint is watched; each block is
scanned for transactions spending a watched output, which are stored (with their height
and block) before anything acts on them. After every block, each channel whose funding
output is spent is resolved again from scratch (`resolve.resolve`), and the service acts:

- the channel core hears that its funding output is spent (it stops taking updates);
- our HTLCs the chain settled (a preimage in a witness) or rolled back (a timeout deep
  enough, a trimmed HTLC, an HTLC the commitment lacked) are reported to the switch, once;
- claims that are ready are swept: single-signature outputs of one channel batched into
  one transaction, our HTLC transactions one by one (with wallet fee inputs for anchors),
  each at a feerate chosen from its deadline; a sweep still unconfirmed a block later is
  replaced by one paying more (RBF);
- a failed channel whose commitment is not confirmed has it broadcast again every block,
  with an anchor CPFP child when its own feerate is below what the deadline needs;
- once everything is resolved and buried `final_depth` blocks deep, the channel is closed.

A reorganisation deletes the stored spends of the disconnected blocks and resolves again.
Restarts resume from the stored height (blocks missed while off are fetched and scanned).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from amiko.bitcoin.block import Block
from amiko.bitcoin.tx import OutPoint, Transaction
from amiko.chain.interfaces import BroadcastError
from amiko.chain.wallet import Wallet
from amiko.chain.wallet.coinselect import InsufficientFunds
from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.bolt.keys import ChannelKeys
from amiko.channels.bolt.onchain.classify import ChannelFacts, CloseKind
from amiko.channels.bolt.onchain.committed import CommittedHtlc, decode_htlcs
from amiko.channels.bolt.onchain.resolve import Claim, Resolution, Spend, resolve
from amiko.channels.bolt.onchain.sweep_tx import (
    TooSmall,
    anchor_cpfp,
    htlc_transaction,
    sweep_transaction,
)
from amiko.channels.bolt.states import Phase
from amiko.channels.interface import ChannelState, FailureReason
from amiko.payments.onion.failures import PermanentChannelFailure
from amiko.store.channels import ChannelTable
from amiko.store.sqlite import Store

if TYPE_CHECKING:
    from amiko.channels.bolt.driver import BoltDriver

log = logging.getLogger("amiko.onchain")

NO_DEADLINE_TARGET = 144  # blocks: a sweep nobody races us for
NO_DEADLINE_PATIENCE = 6  # blocks such a sweep may wait unconfirmed before a fee bump


@dataclass
class _Channel:
    row_id: int
    facts: ChannelFacts
    driver: BoltDriver | None
    sweep_script: bytes | None = None
    spends: dict[OutPoint, Spend] = field(default_factory=dict)
    preimages: dict[bytes, bytes] = field(default_factory=dict)
    reported: set[int] = field(default_factory=set)
    resolution: Resolution | None = None
    closed: bool = False
    peer_id: bytes = b""
    channel_id: bytes = b""
    handler: Any = None  # a restored channel's stand-in (has `onchain_state`)


@dataclass(frozen=True)
class RestoredChannel:
    """A channel known only from a static backup."""

    row_id: int
    peer_id: bytes
    channel_id: bytes
    funding: OutPoint
    funding_sat: int
    commitment_type: CommitmentType
    scan_from: int


class OnchainService:
    def __init__(self, store: Store, channels: ChannelTable, wallet: Wallet, backend: Any,
                 keys_for: Callable[[int], ChannelKeys], new_script: Callable[[], bytes], *,
                 final_depth: int = 100, htlc_fail_depth: int = 3,
                 listener: Callable[[], Any] = lambda: None,
                 drivers: Callable[[], Iterable[BoltDriver]] = lambda: ()) -> None:
        self.store = store
        self.table = channels
        self.wallet = wallet
        self.backend = backend
        self.keys_for = keys_for
        self.new_script = new_script
        self.final_depth = final_depth
        self.htlc_fail_depth = htlc_fail_depth
        self.listener = listener
        self.drivers = drivers
        self.height = 0
        self.channels: dict[int, _Channel] = {}
        self._index: dict[OutPoint, int] = {}  # watched outpoint -> channel row
        self._lock = asyncio.Lock()  # one update at a time: sweeps are built from the table

    # -- which channels

    def track(self, driver: BoltDriver) -> None:
        """Watch a Lightning channel once its funding outpoint is known (idempotent)."""
        core = driver.core
        outpoint = core.funding_outpoint
        if outpoint is None or not core.state.funded or driver.row_id in self.channels:
            return
        ch = _Channel(driver.row_id, self._facts(driver.row_id, core.commitment_type, outpoint,
                                                 core.funding_sat, core.data), driver,
                      peer_id=driver.peer_id, channel_id=driver.channel_id)
        self._load(ch)
        self.channels[ch.row_id] = ch
        self._reindex(ch)

    def track_restored(self, r: RestoredChannel, handler: Any = None) -> None:
        if r.row_id in self.channels:
            return
        ch = _Channel(r.row_id, self._facts(r.row_id, r.commitment_type, r.funding, r.funding_sat,
                                            None), None, peer_id=r.peer_id, channel_id=r.channel_id,
                      handler=handler)
        self._load(ch)
        self.channels[ch.row_id] = ch
        self._reindex(ch)

    def _facts(self, row_id: int, ctype: CommitmentType, outpoint: OutPoint, funding_sat: int,
               data: Any) -> ChannelFacts:
        def log_lookup(number: int) -> tuple[CommittedHtlc, ...] | None:
            raw = self.table.remote_htlcs(row_id, number)
            return None if raw is None else decode_htlcs(raw)
        return ChannelFacts(self.keys_for(row_id), ctype, outpoint, funding_sat, data, log_lookup)

    def _load(self, ch: _Channel) -> None:
        row = self.store.query_one("SELECT * FROM onchain_channels WHERE channel_row=?", (ch.row_id,))
        if row is not None:
            ch.sweep_script = bytes(row["sweep_script"])
            ch.reported = set(json.loads(row["reported"]))
            ch.closed = bool(row["closed"])
        for r in self.store.query("SELECT * FROM onchain_spends WHERE channel_row=?", (ch.row_id,)):
            ch.spends[OutPoint(bytes(r["txid"]), r["vout"])] = Spend(
                Transaction.parse(bytes(r["spender"])), r["height"], r["input_index"])
        for r in self.store.query("SELECT * FROM onchain_preimages WHERE channel_row=?", (ch.row_id,)):
            ch.preimages[bytes(r["payment_hash"])] = bytes(r["preimage"])

    def _reindex(self, ch: _Channel) -> None:
        for op in [op for op, row in self._index.items() if row == ch.row_id]:
            del self._index[op]
        if ch.closed:
            return
        watch = ch.resolution.watch if ch.resolution is not None else {ch.facts.funding_outpoint}
        for op in watch:
            self._index[op] = ch.row_id

    # -- start

    async def start(self, resume_height: int | None) -> None:
        """Check stored spends against the chain (a reorg while we were off), then scan the
        blocks between where we stopped and `resume_height` (where the backend's own
        events begin)."""
        await self._drop_orphaned()
        row = self.store.query_one("SELECT value FROM counters WHERE name='onchain_height'")
        self._track_new_drivers()
        stored = None if row is None else int(row["value"])
        restored = [int(r["scan_from"]) for r in self.store.query("SELECT scan_from FROM restored_channels")]
        if resume_height is None and stored is None and not restored:
            return  # a new node: nothing happened before the backend's first event
        end = resume_height if resume_height is not None else (await self.backend.get_tip()).height
        start = stored if stored is not None else end
        for scan_from in restored:
            if stored is None or stored < scan_from:
                start = min(start, scan_from - 1)
        for height in range(start + 1, end + 1):
            block = await self.backend.get_block_at(height)
            if block is None:
                break
            await self._scan(height, block)
        self._save_height(end)
        self.height = max(self.height, end)

    async def rescan(self, from_height: int) -> None:
        """Scan past blocks again (a channel restored on a running node), then act."""
        for height in range(from_height, self.height + 1):
            block = await self.backend.get_block_at(height)
            if block is None:
                break
            await self._scan(height, block)
        await self.update_all()

    async def _drop_orphaned(self) -> None:
        rows = self.store.query("SELECT DISTINCT height, block_hash FROM onchain_spends ORDER BY height")
        for r in rows:
            if await self.backend.get_block_hash(r["height"]) != bytes(r["block_hash"]):
                log.info("a block at %d with watched spends left the chain while we were off", r["height"])
                self._forget_from(r["height"])
                break

    # -- ChainListener

    async def block_connected(self, height: int, block: Block) -> None:
        await self._scan(height, block)
        self.height = height
        self._save_height(height)
        await self.update_all()

    async def block_disconnected(self, height: int, block_hash: bytes) -> None:
        self._forget_from(height)
        self.height = height - 1
        self._save_height(height - 1)
        await self.update_all()

    def _save_height(self, height: int) -> None:
        self.store.execute("INSERT INTO counters(name, value) VALUES ('onchain_height', ?) "
                           "ON CONFLICT(name) DO UPDATE SET value=excluded.value", (height,))

    def _forget_from(self, height: int) -> None:
        with self.store.transaction():
            self.store.execute("DELETE FROM onchain_spends WHERE height>=?", (height,))
            self.store.execute("UPDATE sweeps SET status='broadcast', confirmed_height=NULL "
                               "WHERE confirmed_height>=?", (height,))
        for ch in self.channels.values():
            ch.spends = {op: s for op, s in ch.spends.items() if s.height < height}
            if ch.closed and ch.resolution is not None and (ch.resolution.resolved_height or 0) >= height:
                ch.closed = False

    async def _scan(self, height: int, block: Block) -> None:
        """Record every spend of a watched output; outputs that become watched because of
        a spend in this block (a commitment and its HTLC transaction together) too."""
        self._track_new_drivers()
        recorded: set[tuple[int, OutPoint]] = set()
        while True:
            found = False
            for tx in block.txs:
                for i, txin in enumerate(tx.inputs):
                    row_id = self._index.get(txin.prevout)
                    if row_id is None or (row_id, txin.prevout) in recorded:
                        continue
                    recorded.add((row_id, txin.prevout))
                    self._record(self.channels[row_id], txin.prevout, tx, i, height, block.hash)
                    found = True
                self._mark_sweep_confirmed(tx.txid, height)
            if not found:
                return
            for ch in self.channels.values():  # newly watched outputs
                self._resolve(ch)

    def _record(self, ch: _Channel, op: OutPoint, tx: Transaction, index: int, height: int,
                block_hash: bytes) -> None:
        self.store.execute(
            "INSERT OR REPLACE INTO onchain_spends(channel_row, txid, vout, spender, input_index, height, "
            "block_hash) VALUES (?,?,?,?,?,?,?)",
            (ch.row_id, op.txid, op.index, tx.serialize(), index, height, block_hash))
        ch.spends[op] = Spend(tx, height, index)
        for r in self.store.query("SELECT id, txid, outpoints, reservation FROM sweeps WHERE channel_row=? "
                                  "AND status='broadcast'", (ch.row_id,)):
            if str(op) in json.loads(r["outpoints"]) and bytes(r["txid"]) != tx.txid:
                # the peer (or an older sweep of ours) took it first
                self._drop_sweep(r["id"], "conflicted")
        log.info("channel %s: %s spent by %s at %d", ch.channel_id.hex(), op, tx.txid_hex, height)

    def _mark_sweep_confirmed(self, txid: bytes, height: int) -> None:
        self.store.execute("UPDATE sweeps SET status='confirmed', confirmed_height=? WHERE txid=?",
                           (height, txid))

    def _track_new_drivers(self) -> None:
        for driver in list(self.drivers()):
            if driver.row_id not in self.channels:
                self.track(driver)

    # -- resolving and acting

    def _resolve(self, ch: _Channel) -> Resolution:
        if ch.driver is not None and ch.facts.data is not ch.driver.core.data:
            # the core replaces its data on every input: resolve against the latest
            ch.facts = replace(ch.facts, data=ch.driver.core.data)
        preimages = dict(ch.preimages)
        ch.resolution = resolve(ch.facts, ch.spends, self.height, preimages,
                                htlc_fail_depth=self.htlc_fail_depth)
        self._reindex(ch)
        return ch.resolution

    async def update_all(self) -> None:
        async with self._lock:
            await self._update_all()

    async def _update_all(self) -> None:
        for ch in list(self.channels.values()):
            if ch.closed:
                continue
            try:
                await self._update(ch)
            except Exception:
                log.exception("channel %s: on-chain update failed", ch.channel_id.hex())

    async def _update(self, ch: _Channel) -> None:
        res = self._resolve(ch)
        driver = ch.driver
        if res.close is None:
            if driver is not None:
                await self._rebroadcast_commitment(ch, driver)
            return
        for r in self.store.query("SELECT id, tx FROM sweeps WHERE channel_row=? AND kind='anchor cpfp' "
                                  "AND status='broadcast'", (ch.row_id,)):
            if Transaction.parse(bytes(r["tx"])).inputs[0].prevout.txid != res.close.tx.txid:
                self._drop_sweep(r["id"], "conflicted")  # it bumped a commitment that lost
        if ch.sweep_script is None:
            ch.sweep_script = self.new_script()
        self._save_channel(ch, res)
        if driver is not None:
            if driver.core.state not in (Phase.FAILED, Phase.CLOSING):
                log.info("channel %s: funding output spent by %s (%s)", ch.channel_id.hex(),
                         res.close.tx.txid_hex, res.kind.value if res.kind else "?")
                driver.funding_spent()
            driver.onchain_state = ChannelState.CLOSING
            self._report(ch, driver, res)
        await self._sweep(ch, res)
        if res.resolved_height is not None and self.height - res.resolved_height + 1 >= self.final_depth:
            ch.closed = True
            self._save_channel(ch, res)
            self._reindex(ch)
            if driver is not None:
                driver.onchain_state = ChannelState.CLOSED
                await self.table.save(driver.row_id, "bolt", driver.peer_id, driver.channel_id,
                                      driver.core.to_bytes(), closed=True)
            else:
                if ch.handler is not None:
                    ch.handler.onchain_state = ChannelState.CLOSED
                self.store.execute("UPDATE channels SET closed=1 WHERE id=?", (ch.row_id,))
            log.info("channel %s: closed on chain; everything resolved at %d", ch.channel_id.hex(),
                     res.resolved_height)

    def _save_channel(self, ch: _Channel, res: Resolution) -> None:
        close = res.close
        items = [{"description": i.description, "amount_sat": i.amount_sat, "status": i.status,
                  "outpoint": None if i.outpoint is None else str(i.outpoint),
                  "txid": None if i.txid is None else i.txid[::-1].hex(), "height": i.height}
                 for i in res.items]
        self.store.execute(
            "INSERT INTO onchain_channels(channel_row, sweep_script, kind, closing_txid, closing_height, "
            "resolved_height, closed, reported, items) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(channel_row) DO UPDATE "
            "SET kind=excluded.kind, closing_txid=excluded.closing_txid, closing_height=excluded.closing_height, "
            "resolved_height=excluded.resolved_height, closed=excluded.closed, reported=excluded.reported, "
            "items=excluded.items",
            (ch.row_id, ch.sweep_script, None if close is None else close.kind.value,
             None if close is None else close.tx.txid, res.closing_height, res.resolved_height,
             int(ch.closed), json.dumps(sorted(ch.reported)), json.dumps(items)))

    def _report(self, ch: _Channel, driver: BoltDriver, res: Resolution) -> None:
        """Tell the switch, once each, about our HTLCs the chain decided."""
        listener = self.listener()
        new = [(i, p) for i, p in res.settled.items() if i not in ch.reported]
        new_failed = [i for i in sorted(res.failed) if i not in ch.reported and i not in res.settled]
        if not new and not new_failed:
            return
        ch.reported.update(i for i, _ in new)
        ch.reported.update(new_failed)
        self._save_channel(ch, res)
        if listener is None:
            return
        for htlc_id, preimage in new:
            log.info("channel %s: HTLC %d settled on chain", ch.channel_id.hex(), htlc_id)
            listener.htlc_settled(driver, htlc_id, preimage)
        for htlc_id in new_failed:
            log.info("channel %s: HTLC %d failed on chain", ch.channel_id.hex(), htlc_id)
            listener.htlc_failed(driver, htlc_id, FailureReason(local=PermanentChannelFailure().encode()))

    def add_preimage(self, driver: BoltDriver, payment_hash: bytes, preimage: bytes) -> None:
        """The switch settled an HTLC of a channel that is over: claim it on chain."""
        ch = self.channels.get(driver.row_id)
        if ch is None:
            self.track(driver)
            ch = self.channels.get(driver.row_id)
            if ch is None:
                return
        if ch.preimages.get(payment_hash) == preimage:
            return
        ch.preimages[payment_hash] = preimage
        self.store.execute("INSERT OR REPLACE INTO onchain_preimages(channel_row, payment_hash, preimage) "
                           "VALUES (?,?,?)", (ch.row_id, payment_hash, preimage))
        asyncio.get_running_loop().create_task(self.update_all())  # claim it now: it has a deadline

    # -- our commitment, before it confirms

    async def _rebroadcast_commitment(self, ch: _Channel, driver: BoltDriver) -> None:
        core = driver.core
        if core.state is not Phase.FAILED or core.data.must_not_broadcast:
            return
        tx = core.latest_commitment_tx()
        if tx is None:
            return
        if not await self._broadcast(ch, tx, "commitment") or not ch.facts.anchors:
            return  # refused (the peer's commitment is in the mempool), or nothing to bump
        target = self._target(self._commitment_deadline(driver))
        want = self.backend.feerate_sat_per_kw(target)
        paid = ch.facts.funding_sat - sum(o.value for o in tx.outputs)
        if paid * 1000 >= want * tx.weight():
            return
        pending = self.store.query_one("SELECT feerate FROM sweeps WHERE channel_row=? AND kind='anchor cpfp' "
                                       "AND status='broadcast' ORDER BY id DESC", (ch.row_id,))
        if pending is not None:
            want = max(want, _bumped(int(pending["feerate"])))
        reservation = _reservation("cpfp", ch.row_id)
        try:
            child = anchor_cpfp(tx, ch.facts.keys.funding_secret, ch.facts.funding_sat, want,
                                self.wallet, reservation)
        except (InsufficientFunds, TooSmall) as e:
            log.warning("channel %s: cannot bump our commitment with the anchor: %s", ch.channel_id.hex(), e)
            return
        if child is not None:
            await self._send_sweep(ch, "anchor cpfp", child, [child.inputs[0].prevout], 330, want,
                                   reservation, replaces="anchor cpfp")

    @staticmethod
    def _commitment_deadline(driver: BoltDriver) -> int | None:
        htlcs = driver.core.data.htlcs.values()
        return min((h.cltv_expiry for h in htlcs), default=None)

    # -- sweeping

    def _target(self, deadline: int | None) -> int:
        if deadline is None:
            return NO_DEADLINE_TARGET
        return max(1, min(deadline - self.height, NO_DEADLINE_TARGET))

    async def _sweep(self, ch: _Channel, res: Resolution) -> None:
        assert ch.sweep_script is not None
        ready = [c for c in res.claims if self.height >= c.ready_height]
        if not ready:
            return
        pending = self._pending_sweeps(ch.row_id)
        singles: list[Claim] = []
        for claim in ready:
            key = str(claim.outpoint)
            sweep = pending.get(key)
            patience = 1 if claim.deadline is not None else NO_DEADLINE_PATIENCE
            if sweep is not None and sweep["created_height"] + patience > self.height:
                await self._rebroadcast(ch, sweep)
                continue
            if claim.presigned is not None:
                await self._sweep_htlc_tx(ch, claim, sweep)
            else:
                singles.append(claim)
        if singles:
            await self._sweep_singles(ch, singles, pending)

    def _pending_sweeps(self, row_id: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for r in self.store.query("SELECT * FROM sweeps WHERE channel_row=? AND status='broadcast'", (row_id,)):
            for op in json.loads(r["outpoints"]):
                out[op] = r
        return out

    async def _sweep_singles(self, ch: _Channel, claims: list[Claim], pending: dict[str, Any]) -> None:
        assert ch.sweep_script is not None
        deadline = min((c.deadline for c in claims if c.deadline is not None), default=None)
        feerate = self.backend.feerate_sat_per_kw(self._target(deadline))
        for c in claims:
            old = pending.get(str(c.outpoint))
            if old is not None:
                feerate = max(feerate, _bumped(int(old["feerate"])))
        try:
            tx = sweep_transaction(claims, ch.sweep_script, feerate)
        except TooSmall as e:
            log.info("channel %s: not sweeping %s: %s", ch.channel_id.hex(),
                     ", ".join(c.kind for c in claims), e)
            return
        kinds = sorted({c.kind for c in claims})
        await self._send_sweep(ch, " + ".join(kinds), tx, [c.outpoint for c in claims],
                               sum(c.amount_sat for c in claims), feerate, None)

    async def _sweep_htlc_tx(self, ch: _Channel, claim: Claim, old: Any) -> None:
        feerate = self.backend.feerate_sat_per_kw(self._target(claim.deadline))
        if old is not None:
            feerate = max(feerate, _bumped(int(old["feerate"])))
        reservation = _reservation("htlc", ch.row_id)
        try:
            tx = htlc_transaction(claim, feerate, self.wallet, reservation, ch.facts.anchors)
        except InsufficientFunds as e:
            log.error("channel %s: no wallet funds to pay for the %s transaction: %s",
                      ch.channel_id.hex(), claim.kind, e)
            return
        if old is not None and not ch.facts.anchors:
            await self._rebroadcast(ch, old)  # pre-signed, fee fixed: nothing to bump
            self.wallet.release(reservation)
            return
        await self._send_sweep(ch, claim.kind, tx, [claim.outpoint], claim.amount_sat, feerate,
                               reservation if ch.facts.anchors else None)

    async def _send_sweep(self, ch: _Channel, kind: str, tx: Transaction, outpoints: list[OutPoint],
                          amount: int, feerate: int, reservation: str | None, *,
                          replaces: str | None = None) -> None:
        """Record a sweep (replacing the ones it conflicts with), then broadcast it; one the
        chain refuses is dropped and its wallet coins freed."""
        same = self.store.query_one("SELECT id, status FROM sweeps WHERE txid=?", (tx.txid,))
        if same is not None:  # built again identically: send it again, record it once
            if reservation:
                self.wallet.release(reservation)
            await self._broadcast(ch, tx, kind)
            return
        sweep_id = self._new_sweep(ch, kind, tx, outpoints, amount, feerate, reservation, replaces=replaces)
        if not await self._broadcast(ch, tx, kind):
            self._drop_sweep(sweep_id, "refused")

    def _drop_sweep(self, sweep_id: int, status: str) -> None:
        """A sweep that will never confirm: its wallet side is undone, its coins freed."""
        row = self.store.query_one("SELECT txid, reservation FROM sweeps WHERE id=?", (sweep_id,))
        if row is None:
            return
        self.store.execute("UPDATE sweeps SET status=? WHERE id=?", (status, sweep_id))
        txid = bytes(row["txid"])
        wtx = self.wallet.get_transaction(txid)
        if wtx is not None and wtx.block_height is None:
            self.wallet.abandon_transaction(txid)
        if row["reservation"]:
            self.wallet.release(row["reservation"])

    def _new_sweep(self, ch: _Channel, kind: str, tx: Transaction, outpoints: list[OutPoint],
                   amount: int, feerate: int, reservation: str | None, *, replaces: str | None = None) -> int:
        """Record a sweep before it is broadcast; the sweeps it replaces are marked so."""
        keys = [str(op) for op in outpoints]
        fee = self._fee_of(tx, amount)
        with self.store.transaction():
            for r in self.store.query("SELECT id, outpoints, kind FROM sweeps WHERE channel_row=? "
                                      "AND status='broadcast'", (ch.row_id,)):
                if set(json.loads(r["outpoints"])) & set(keys) or (replaces is not None and r["kind"] == replaces):
                    self._drop_sweep(r["id"], "replaced")
            cur = self.store.execute(
                "INSERT INTO sweeps(channel_row, kind, txid, tx, outpoints, amount_sat, fee_sat, feerate, "
                "created_height, status, reservation) VALUES (?,?,?,?,?,?,?,?,?,'broadcast',?)",
                (ch.row_id, kind, tx.txid, tx.serialize(), json.dumps(keys), amount, fee, feerate,
                 self.height, reservation))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def _fee_of(self, tx: Transaction, amount: int) -> int:
        """What the sweep pays in fees: the claimed amount plus wallet inputs, less outputs."""
        wallet_in = 0
        for txin in tx.inputs:
            u = self.wallet.db.utxo(txin.prevout)
            if u is not None:
                wallet_in += u.amount_sat
        return amount + wallet_in - sum(o.value for o in tx.outputs)

    async def _rebroadcast(self, ch: _Channel, sweep: Any) -> None:
        await self._broadcast(ch, Transaction.parse(bytes(sweep["tx"])), sweep["kind"])

    async def _broadcast(self, ch: _Channel, tx: Transaction, what: str) -> bool:
        """True if the chain has the transaction (accepted now or already known); a backend
        out of reach counts as sent (it is sent again on the next block)."""
        try:
            await self.backend.broadcast(tx)
            log.info("channel %s: broadcast %s %s", ch.channel_id.hex(), what, tx.txid_hex)
        except BroadcastError as e:
            if not e.already_known:
                log.warning("channel %s: %s %s refused: %s", ch.channel_id.hex(), what, tx.txid_hex, e)
                return False
        except ConnectionError as e:
            log.warning("channel %s: cannot broadcast %s now: %s", ch.channel_id.hex(), what, e)
            return True
        self.wallet.apply_mempool_tx(tx)
        return True

    # -- views

    def list_closed(self) -> list[dict[str, Any]]:
        out = []
        for r in self.store.query("SELECT o.*, c.peer_id, c.channel_id FROM onchain_channels o "
                                  "LEFT JOIN channels c ON c.id=o.channel_row ORDER BY o.channel_row"):
            if r["kind"] is None:
                continue
            out.append({
                "channel_id": None if r["channel_id"] is None else bytes(r["channel_id"]).hex(),
                "peer_id": None if r["peer_id"] is None else bytes(r["peer_id"]).hex(),
                "close_kind": r["kind"],
                "closing_txid": bytes(r["closing_txid"])[::-1].hex() if r["closing_txid"] else None,
                "closing_height": r["closing_height"],
                "resolved_height": r["resolved_height"],
                "closed": bool(r["closed"]),
                "outputs": json.loads(r["items"]),
            })
        return out

    def list_sweeps(self) -> list[dict[str, Any]]:
        out = []
        for r in self.store.query("SELECT s.*, c.channel_id FROM sweeps s LEFT JOIN channels c "
                                  "ON c.id=s.channel_row ORDER BY s.id"):
            out.append({
                "channel_id": None if r["channel_id"] is None else bytes(r["channel_id"]).hex(),
                "kind": r["kind"],
                "txid": bytes(r["txid"])[::-1].hex(),
                "claims": json.loads(r["outpoints"]),
                "amount_sat": r["amount_sat"],
                "fee_sat": r["fee_sat"],
                "feerate_per_kw": r["feerate"],
                "broadcast_height": r["created_height"],
                "status": r["status"],
                "confirmed_height": r["confirmed_height"],
            })
        return out

    def closing_kind(self, row_id: int) -> CloseKind | None:
        ch = self.channels.get(row_id)
        return None if ch is None or ch.resolution is None else ch.resolution.kind


def _reservation(what: str, row_id: int) -> str:
    return f"{what}-{row_id}-{os.urandom(6).hex()}"


def _bumped(feerate: int) -> int:
    """A replacement's feerate: 25% more, and at least the 1 sat/vB BIP 125 asks for."""
    return max(feerate * 5 // 4, feerate + 260)
