"""BOLT 5 as a pure function: from the channel, the confirmed spends and the tip, what is
ours to claim (now or later), which of our HTLCs are settled or failed, what to watch.

Nothing here remembers anything: the service calls `resolve` again after every block with
the confirmed transactions that spend outputs it watches, so a reorganisation (which
removes some of them) is handled by simply resolving again.

# BOLT #5: A node [...] once it has broadcast a funding transaction OR sent a commitment
# signature for a commitment transaction that contains an HTLC output: until all outputs
# are *irrevocably resolved*, MUST monitor the blockchain for transactions that spend any
# output that is NOT *irrevocably resolved*.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from amiko.bitcoin.script import p2pkh_script_code, p2wsh
from amiko.bitcoin.tx import OutPoint, Transaction
from amiko.channels.bolt.commit import local_htlc_txs
from amiko.channels.bolt.htlc_txs import HtlcTx
from amiko.channels.bolt.htlcs import Side
from amiko.channels.bolt.onchain.classify import ChannelFacts, Close, CloseKind, Role, classify
from amiko.channels.bolt.onchain.committed import CommittedHtlc
from amiko.channels.bolt.scripts import (
    htlc_output_script,
    htlc_revocation_witness,
    offered_htlc_success_witness,
    received_htlc_timeout_witness,
    to_local_delayed_witness,
    to_local_revocation_witness,
    to_remote_witness,
)
from amiko.crypto.hashes import sha256

__all__ = ["Claim", "HtlcTxClaim", "Item", "Resolution", "Spend", "resolve"]

RBF_SEQUENCE = 0xFFFFFFFD


@dataclass(frozen=True, slots=True)
class Spend:
    """A confirmed transaction spending a watched output (`input_index` spends it)."""

    tx: Transaction
    height: int
    input_index: int


@dataclass(frozen=True)
class HtlcTxClaim:
    """An HTLC-timeout or HTLC-success transaction of our commitment, pre-signed by the peer.
    With anchors it pays no fee of its own: fee inputs are added, then we sign (the peer's
    SIGHASH_SINGLE|ANYONECANPAY signature allows it)."""

    htlc_tx: HtlcTx
    remote_sig: bytes
    local_secret: bytes
    preimage: bytes | None


@dataclass(frozen=True)
class Claim:
    """An output we can take. `ready_height`: the lowest tip at which the claiming input is
    valid in the next block; `deadline`: the height by which it must confirm before the peer
    can take it (None: no race)."""

    outpoint: OutPoint
    amount_sat: int
    kind: str
    ready_height: int
    deadline: int | None
    sequence: int = RBF_SEQUENCE
    locktime: int = 0
    script_code: bytes = b""
    secret: bytes = b""
    witness: Callable[[bytes], tuple[bytes, ...]] | None = None  # signature -> witness stack
    presigned: HtlcTxClaim | None = None
    htlc_id: int | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One line of what happened to the channel's money on chain (for `listclosed`)."""

    description: str
    amount_sat: int
    status: str  # pending, claimable, claimed, settled, theirs, dust, anchor
    outpoint: OutPoint | None = None
    txid: bytes | None = None  # the transaction that resolved it
    height: int | None = None  # ... and its height (or the height it becomes claimable)


@dataclass
class Resolution:
    close: Close | None = None
    closing_height: int | None = None
    claims: list[Claim] = field(default_factory=list)
    watch: set[OutPoint] = field(default_factory=set)
    settled: dict[int, bytes] = field(default_factory=dict)  # our HTLC id -> preimage
    failed: set[int] = field(default_factory=set)  # our HTLC ids rolled back for good
    learned: dict[bytes, bytes] = field(default_factory=dict)  # payment hash -> preimage
    items: list[Item] = field(default_factory=list)
    pending: int = 0  # outputs not resolved yet
    resolved_height: int | None = None  # everything resolved: the last resolving height

    @property
    def kind(self) -> CloseKind | None:
        return None if self.close is None else self.close.kind


def resolve(facts: ChannelFacts, spends: Mapping[OutPoint, Spend], tip: int,
            preimages: Mapping[bytes, bytes], *, htlc_fail_depth: int = 3) -> Resolution:
    """`preimages`: every preimage we know (payment hash -> preimage), besides those the
    chain shows. `htlc_fail_depth`: how deep the transaction that rolls back one of our
    HTLCs must be before it is reported failed (the settle side needs no depth: a preimage
    is ours as soon as it is seen)."""
    res = Resolution(watch={facts.funding_outpoint})
    funding = spends.get(facts.funding_outpoint)
    if funding is None:
        return res
    close = classify(facts, funding.tx)
    res.close, res.closing_height = close, funding.height
    r = _Resolver(facts, spends, tip, dict(preimages), htlc_fail_depth, res, funding.height)
    r.run()
    return res


class _Resolver:
    def __init__(self, facts: ChannelFacts, spends: Mapping[OutPoint, Spend], tip: int,
                 preimages: dict[bytes, bytes], fail_depth: int, res: Resolution,
                 height: int) -> None:
        self.facts, self.spends, self.tip = facts, spends, tip
        self.preimages, self.fail_depth, self.res, self.height = preimages, fail_depth, res, height
        assert res.close is not None
        self.close: Close = res.close
        self.txid = self.close.tx.txid
        self.last_height = height
        self.anchors = facts.anchors
        self.csv1 = 1 if self.anchors else RBF_SEQUENCE  # BOLT 3: `1 OP_CSV` with anchors

    def deep(self, height: int) -> bool:
        return self.tip - height + 1 >= self.fail_depth

    def item(self, description: str, amount: int, status: str, outpoint: OutPoint | None = None,
             txid: bytes | None = None, height: int | None = None) -> None:
        self.res.items.append(Item(description, amount, status, outpoint, txid, height))
        if status in ("pending", "claimable"):
            self.res.pending += 1
        elif height is not None:
            self.last_height = max(self.last_height, height)

    def run(self) -> None:
        close = self.close
        d = self.facts.data
        if d is not None:
            for known in d.htlcs.values():  # preimages learned off chain (update_fulfill_htlc)
                if known.preimage:
                    self.preimages.setdefault(known.payment_hash, known.preimage)
                if known.removal is not None and known.removal.preimage:
                    self.preimages.setdefault(known.payment_hash, known.removal.preimage)
        if close.kind is CloseKind.MUTUAL:
            self.item("mutual close", sum(o.value for o in close.tx.outputs), "claimed",
                      None, self.txid, self.height)
        htlc_txs = self._presigned() if close.kind is CloseKind.LOCAL else {}
        in_outputs: set[int] = set()
        for o in close.outputs:
            op = OutPoint(self.txid, o.index)
            if o.role is Role.TO_LOCAL:
                assert close.keys is not None and close.number is not None
                delay = close.to_self_delay
                secret = self.facts.keys.delayed_payment_secret(close.keys.per_commitment_point)
                self._single(op, o.value, "to_local", self.height + delay - 1, None, delay,
                             0, o.witness_script or b"", secret,
                             _delayed(o.witness_script or b""))
            elif o.role is Role.TO_REMOTE:
                pubkey = self.facts.keys.basepoints.payment_basepoint
                code = o.witness_script if o.witness_script else p2pkh_script_code(pubkey)
                self._single(op, o.value, "to_remote", self.height, None, self.csv1, 0, code,
                             self.facts.keys.payment_secret(), _to_remote(pubkey, self.anchors))
            elif o.role is Role.PENALTY_TO_LOCAL:
                assert close.revocation_secret is not None
                self._single(op, o.value, "penalty to_local", self.height,
                             self.height + close.to_self_delay, RBF_SEQUENCE, 0,
                             o.witness_script or b"", close.revocation_secret,
                             _revoked_delayed(o.witness_script or b""))
            elif o.role is Role.HTLC:
                assert o.htlc is not None
                in_outputs.add(id(o.htlc))
                self._htlc(op, o.value, o.htlc, o.witness_script or b"", htlc_txs.get(o.index))
            elif o.role is Role.ANCHOR_OURS:
                self.item("our anchor", o.value, "anchor", op)
            elif o.role in (Role.THEIRS, Role.ANCHOR_THEIRS):
                self.item("the peer's " + ("anchor" if o.role is Role.ANCHOR_THEIRS else "balance"),
                          o.value, "theirs", op)
        # HTLCs without an output: trimmed (dust) ones, and ours the commitment lacks
        for h in close.htlcs:
            if id(h) not in in_outputs:
                self.item(f"HTLC {h.htlc_id} {_dir(h)} (trimmed: dust, to fees)",
                          h.amount_msat // 1000, "dust", height=self.height)
                if h.offered_by_us and self.deep(self.height):
                    self.res.failed.add(h.htlc_id)
        if d is not None:
            committed = {h.htlc_id for h in close.htlcs if h.offered_by_us}
            for ours in d.htlcs.values():
                if ours.owner is not Side.LOCAL:
                    continue
                if ours.payment_hash in self.preimages:
                    self.res.settled[ours.htlc_id] = self.preimages[ours.payment_hash]
                elif ours.htlc_id not in committed and self.deep(self.height):
                    self.res.failed.add(ours.htlc_id)
        for h in close.htlcs:
            if h.offered_by_us and h.payment_hash in self.res.learned:
                self.res.settled[h.htlc_id] = self.res.learned[h.payment_hash]
                self.res.failed.discard(h.htlc_id)
        if self.res.pending == 0:
            self.res.resolved_height = self.last_height

    # -- outputs

    def _single(self, op: OutPoint, value: int, kind: str, ready: int, deadline: int | None,
                sequence: int, locktime: int, script_code: bytes, secret: bytes,
                witness: Callable[[bytes], tuple[bytes, ...]], htlc_id: int | None = None) -> None:
        """An output claimed by one signature of ours: claimed already, or a claim."""
        self.res.watch.add(op)
        spend = self.spends.get(op)
        if spend is not None:
            self.item(kind, value, "claimed", op, spend.tx.txid, spend.height)
            return
        self.res.claims.append(Claim(op, value, kind, ready, deadline, sequence, locktime,
                                     script_code, secret, witness, None, htlc_id))
        self.item(kind, value, "claimable" if self.tip >= ready else "pending", op,
                  height=ready)

    def _presigned(self) -> dict[int, tuple[HtlcTx, bytes, bytes]]:
        d = self.facts.data
        assert d is not None
        return {tx.commitment_output_index: (tx, rsig, lsig)
                for tx, rsig, lsig in local_htlc_txs(d, self.facts.keys)}

    def _htlc(self, op: OutPoint, value: int, h: CommittedHtlc, script: bytes,
              presigned: tuple[HtlcTx, bytes, bytes] | None) -> None:
        close, keys = self.close, self.facts.keys
        assert close.keys is not None
        ck = close.keys
        self.res.watch.add(op)
        label = f"HTLC {h.htlc_id} {_dir(h)}"
        spend = self.spends.get(op)
        preimage = self.preimages.get(h.payment_hash)
        if spend is not None:
            found = _preimage_in(spend.tx.inputs[spend.input_index].witness, h.payment_hash)
            if found is not None:
                self.res.learned[h.payment_hash] = found
            self._htlc_spent(op, value, h, label, spend, found)
            return
        if close.kind is CloseKind.REVOKED:
            assert close.revocation_secret is not None
            # The cheater can take our HTLC (received in its commitment) at once with the
            # preimage, and its own after expiry: race it now.
            deadline = self.height + 1 if h.offered_by_us else h.cltv_expiry
            self.res.claims.append(Claim(op, value, "penalty htlc", self.height, deadline,
                                         RBF_SEQUENCE, 0, script, close.revocation_secret,
                                         _revoked_htlc(ck.revocation_pubkey, script), None,
                                         h.htlc_id))
            self.item(label, value, "claimable", op, height=self.height)
            return
        if close.kind is CloseKind.LOCAL:
            assert presigned is not None
            htlc_tx, rsig, _lsig = presigned
            local_secret = keys.htlc_secret(ck.per_commitment_point)
            if h.offered_by_us:
                # BOLT #5: [our offered HTLC on our commitment] MUST handle the HTLC output
                # by spending it using the HTLC-timeout transaction once it is timed out.
                ready = max(h.cltv_expiry, self.height)
                self.res.claims.append(Claim(op, value, "htlc-timeout", ready, None,
                                             presigned=HtlcTxClaim(htlc_tx, rsig, local_secret, None),
                                             htlc_id=h.htlc_id))
                self.item(label, value, "claimable" if self.tip >= ready else "pending", op,
                          height=ready)
            elif preimage is not None:
                # BOLT #5: if it has the preimage: MUST resolve the output by spending it
                # using the HTLC-success transaction.
                self.res.claims.append(Claim(op, value, "htlc-success", self.height,
                                             h.cltv_expiry,
                                             presigned=HtlcTxClaim(htlc_tx, rsig, local_secret, preimage),
                                             htlc_id=h.htlc_id))
                self.item(label, value, "claimable", op, height=self.height)
            else:
                self._theirs_after_expiry(op, value, h, label)
            return
        # the peer's commitment (current or next): we claim directly, no HTLC transaction
        secret = keys.htlc_secret(ck.per_commitment_point)
        if h.offered_by_us:
            # BOLT #5: MUST resolve the output [of our offered HTLC on the remote commitment]
            # by spending it to a convenient address once it is timed out.
            ready = max(h.cltv_expiry, self.height)
            self.res.claims.append(Claim(op, value, "htlc timeout", ready, None, self.csv1,
                                         h.cltv_expiry, script, secret, _timeout(script), None,
                                         h.htlc_id))
            self.item(label, value, "claimable" if self.tip >= ready else "pending", op,
                      height=ready)
        elif preimage is not None:
            # BOLT #5: if it has the preimage: MUST resolve the output by spending it to a
            # convenient address.
            self.res.claims.append(Claim(op, value, "htlc preimage", self.height, h.cltv_expiry,
                                         self.csv1, 0, script, secret,
                                         _success(preimage, script), None, h.htlc_id))
            self.item(label, value, "claimable", op, height=self.height)
        else:
            self._theirs_after_expiry(op, value, h, label)

    def _theirs_after_expiry(self, op: OutPoint, value: int, h: CommittedHtlc, label: str) -> None:
        """The peer's HTLC we have no preimage for: theirs once it expires (before, the
        switch may still hand us the preimage)."""
        if self.tip >= h.cltv_expiry:
            self.item(label, value, "theirs", op, height=h.cltv_expiry)
        else:
            self.item(label + " (no preimage yet)", value, "pending", op, height=h.cltv_expiry)

    def _htlc_spent(self, op: OutPoint, value: int, h: CommittedHtlc, label: str, spend: Spend,
                    preimage: bytes | None) -> None:
        close, keys = self.close, self.facts.keys
        assert close.keys is not None
        ck = close.keys
        stx = spend.tx
        second = htlc_output_script(ck.revocation_pubkey, close.to_self_delay,
                                    ck.local_delayed_pubkey)
        second_spk = p2wsh(second)
        out_op = OutPoint(stx.txid, spend.input_index)
        is_second_stage = (len(stx.outputs) > spend.input_index
                           and stx.outputs[spend.input_index].script_pubkey == second_spk)
        if is_second_stage and close.kind is CloseKind.LOCAL:
            # our HTLC-timeout / HTLC-success confirmed: its output is ours after the delay
            delay = close.to_self_delay
            secret = keys.delayed_payment_secret(ck.per_commitment_point)
            self.item(label, value, "settled" if preimage else "timed out", op, stx.txid,
                      spend.height)
            self._single(out_op, stx.outputs[spend.input_index].value, "htlc second stage",
                         spend.height + delay - 1, None, delay, 0, second, secret,
                         _delayed(second), h.htlc_id)
        elif is_second_stage and close.kind is CloseKind.REVOKED:
            # BOLT #5: [a revoked commitment's HTLC output spent by an HTLC transaction]
            # MUST *resolve* the _remote node's HTLC-timeout/-success transaction_ by
            # spending it using the revocation private key.
            assert close.revocation_secret is not None
            self.item(label + " (cheater's HTLC transaction)", value, "theirs", op, stx.txid,
                      spend.height)
            self._single(out_op, stx.outputs[spend.input_index].value,
                         "penalty htlc second stage", spend.height,
                         spend.height + close.to_self_delay, RBF_SEQUENCE, 0, second,
                         close.revocation_secret, _revoked_delayed(second), h.htlc_id)
        else:
            witness = stx.inputs[spend.input_index].witness
            if close.kind is CloseKind.REVOKED and ck.revocation_pubkey in witness:
                status = "claimed"  # our penalty
            elif preimage is not None:
                status = "settled" if h.offered_by_us else "claimed"
            else:
                status = "claimed" if h.offered_by_us else "theirs"
            self.item(label, value, status, op, stx.txid, spend.height)
        if h.offered_by_us and preimage is None and self.deep(spend.height):
            self.res.failed.add(h.htlc_id)


def _dir(h: CommittedHtlc) -> str:
    return "offered" if h.offered_by_us else "received"


def _preimage_in(witness: tuple[bytes, ...], payment_hash: bytes) -> bytes | None:
    for item in witness:
        if len(item) == 32 and sha256(item) == payment_hash:
            return item
    return None


# -- witnesses, from our signature

def _delayed(script: bytes) -> Callable[[bytes], tuple[bytes, ...]]:
    return lambda sig: to_local_delayed_witness(sig, script)


def _revoked_delayed(script: bytes) -> Callable[[bytes], tuple[bytes, ...]]:
    return lambda sig: to_local_revocation_witness(sig, script)


def _revoked_htlc(revocation_pubkey: bytes, script: bytes) -> Callable[[bytes], tuple[bytes, ...]]:
    return lambda sig: htlc_revocation_witness(sig, revocation_pubkey, script)


def _to_remote(pubkey: bytes, anchors: bool) -> Callable[[bytes], tuple[bytes, ...]]:
    return lambda sig: to_remote_witness(sig, pubkey, anchors)


def _timeout(script: bytes) -> Callable[[bytes], tuple[bytes, ...]]:
    return lambda sig: received_htlc_timeout_witness(sig, script)


def _success(preimage: bytes, script: bytes) -> Callable[[bytes], tuple[bytes, ...]]:
    return lambda sig: offered_htlc_success_witness(sig, preimage, script)
