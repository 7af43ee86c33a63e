"""Which transaction spent a channel's funding output, and what each of its outputs is.

# BOLT #5: There are three ways a channel can end: 1. The good way (*mutual close*) [...]
# 2. The bad way (*unilateral close*) [...] 3. The ugly way (*revoked transaction close*)
# [...] Because a node may be faced with the other node's commitment transaction being
# published, it needs to handle both its own and the remote node's commitment transactions.

A commitment transaction carries its obscured commitment number in its locktime and input
sequence (BOLT 3), so the number tells which of the peer's commitments it is: the current
one, the next one (signed by us, the previous not yet revoked), a revoked one (we hold its
per-commitment secret), or one newer than anything we know (we lost state, or the channel
was restored from a backup). Each output is then recognised by its script.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from amiko.bitcoin.script import p2wsh
from amiko.bitcoin.tx import OutPoint, Transaction
from amiko.channels.bolt.commit import Which, compute_view, local_commitment
from amiko.channels.bolt.commitment import commitment_number_from_tx, obscuring_factor
from amiko.channels.bolt.data import ChannelData
from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.bolt.htlcs import Side
from amiko.channels.bolt.keys import ChannelKeys, CommitmentKeys, per_commitment_point
from amiko.channels.bolt.onchain.committed import CommittedHtlc
from amiko.channels.bolt.scripts import (
    anchor_script,
    offered_htlc_script,
    received_htlc_script,
    to_local_script,
    to_remote_anchor_script,
    to_remote_script_pubkey,
)
from amiko.channels.bolt.shachain import ShachainError

__all__ = ["ChannelFacts", "Close", "CloseKind", "OutputRole", "Role", "classify"]


@dataclass(frozen=True)
class ChannelFacts:
    """What on-chain resolution needs to know of a channel.

    `data` is None for a channel restored from a static backup: then only our `to_remote`
    output of the peer's commitment can be recognised (with `option_static_remotekey` it
    pays our payment basepoint, whatever the commitment). `remote_htlcs(n)` reads the
    revocation log: the HTLCs of the peer's commitment number n (None: not recorded).
    """

    keys: ChannelKeys
    commitment_type: CommitmentType
    funding_outpoint: OutPoint
    funding_sat: int
    data: ChannelData | None
    remote_htlcs: Callable[[int], tuple[CommittedHtlc, ...] | None]

    @property
    def anchors(self) -> bool:
        return self.commitment_type.anchors


class CloseKind(enum.Enum):
    MUTUAL = "mutual"  # a cooperative closing transaction
    LOCAL = "local"  # our latest commitment
    REMOTE = "remote"  # the peer's current commitment
    REMOTE_NEXT = "remote_next"  # the peer's next commitment (signed, previous not revoked)
    REVOKED = "revoked"  # a commitment the peer revoked: everything is ours to take
    REMOTE_UNKNOWN = "remote_unknown"  # newer than we know (lost state) or restored channel


class Role(enum.Enum):
    TO_LOCAL = "to_local"  # our delayed balance on our commitment
    TO_REMOTE = "to_remote"  # our balance on the peer's commitment
    PENALTY_TO_LOCAL = "penalty_to_local"  # the cheater's balance on a revoked commitment
    HTLC = "htlc"
    ANCHOR_OURS = "anchor_ours"
    ANCHOR_THEIRS = "anchor_theirs"
    THEIRS = "theirs"  # the peer's balance: nothing for us
    UNKNOWN = "unknown"  # e.g. the outputs of a mutual close (ours pays our wallet)


@dataclass(frozen=True, slots=True)
class OutputRole:
    index: int
    role: Role
    value: int
    witness_script: bytes | None = None
    htlc: CommittedHtlc | None = None


@dataclass(frozen=True)
class Close:
    kind: CloseKind
    tx: Transaction
    number: int | None = None  # the commitment number
    keys: CommitmentKeys | None = None  # the commitment's keys, from its owner's side
    revocation_secret: bytes | None = None  # REVOKED: the secret of its revocationpubkey
    htlcs: tuple[CommittedHtlc, ...] = ()  # committed HTLCs, trimmed ones included
    outputs: tuple[OutputRole, ...] = ()
    to_self_delay: int = 0  # the delay on the commitment owner's outputs

    @property
    def ours(self) -> bool:
        return self.kind is CloseKind.LOCAL

    def htlc_outputs(self) -> dict[int, CommittedHtlc]:
        return {o.index: o.htlc for o in self.outputs if o.htlc is not None}


def classify(facts: ChannelFacts, tx: Transaction) -> Close:
    """What `tx` (which spends the funding output) is."""
    d = facts.data
    if d is None or d.remote_basepoints is None or d.remote is None:
        return _restored(facts, tx)
    keys = facts.keys
    ours_bp, theirs_bp = keys.basepoints, d.remote_basepoints
    opener, acceptor = (ours_bp, theirs_bp) if d.is_funder else (theirs_bp, ours_bp)
    number = commitment_number_from_tx(tx, obscuring_factor(opener.payment_basepoint,
                                                            acceptor.payment_basepoint))
    if number is None:
        return Close(CloseKind.MUTUAL, tx)
    if d.local_commit_sig and number == d.local_commitment_number \
            and local_commitment(d, keys).txid == tx.txid:
        point = keys.per_commitment_point(number)
        view = compute_view(d, Side.LOCAL, Which.CURRENT)
        htlcs = tuple(CommittedHtlc(h.owner is Side.LOCAL, h.htlc_id, h.amount_msat,
                                    h.payment_hash, h.cltv_expiry) for h in view.htlcs)
        ckeys = CommitmentKeys.derive(ours_bp, theirs_bp, point)
        return _map(facts, CloseKind.LOCAL, tx, number, ckeys, None, htlcs, True,
                    d.remote.to_self_delay)
    kind, remote_point, secret = _remote_kind(d, number)
    if kind is CloseKind.REMOTE_UNKNOWN or remote_point is None:
        return _restored(facts, tx, number)
    ckeys = CommitmentKeys.derive(theirs_bp, ours_bp, remote_point)
    htlcs = facts.remote_htlcs(number) or ()
    revocation = keys.revocation_secret(secret) if secret is not None else None
    return _map(facts, kind, tx, number, ckeys, revocation, htlcs, False, d.local.to_self_delay)


def _remote_kind(d: ChannelData, number: int) -> tuple[CloseKind, bytes | None, bytes | None]:
    """(kind, per-commitment point, per-commitment secret if revoked) of the peer's
    commitment `number`."""
    latest = d.remote_commitment_number
    if number == latest:
        kind = CloseKind.REMOTE_NEXT if d.awaiting_revocation else CloseKind.REMOTE
        return kind, d.remote_current_point, None
    if number == latest - 1 and d.awaiting_revocation and d.remote_prev_point:
        return CloseKind.REMOTE, d.remote_prev_point, None
    if number < latest:
        try:
            secret = d.remote_secrets.commitment_secret(number)
        except ShachainError:
            return CloseKind.REMOTE_UNKNOWN, None, None
        return CloseKind.REVOKED, per_commitment_point(secret), secret
    return CloseKind.REMOTE_UNKNOWN, None, None


def _restored(facts: ChannelFacts, tx: Transaction, number: int | None = None) -> Close:
    """A spend we can only search for our `to_remote` output in."""
    payment = facts.keys.basepoints.payment_basepoint
    spk = to_remote_script_pubkey(payment, facts.anchors)
    wscript = to_remote_anchor_script(payment) if facts.anchors else None
    outputs = tuple(OutputRole(i, Role.TO_REMOTE, o.value, wscript)
                    for i, o in enumerate(tx.outputs) if o.script_pubkey == spk)
    if not outputs and number is None:
        return Close(CloseKind.MUTUAL, tx)
    return Close(CloseKind.REMOTE_UNKNOWN, tx, number, outputs=outputs)


def _map(facts: ChannelFacts, kind: CloseKind, tx: Transaction, number: int,
         ckeys: CommitmentKeys, revocation: bytes | None, htlcs: tuple[CommittedHtlc, ...],
         ours: bool, delay: int) -> Close:
    """Recognise every output of a commitment transaction by its script."""
    anchors = facts.anchors
    candidates: dict[bytes, list[tuple[Role, bytes | None, CommittedHtlc | None]]] = {}

    def add(role: Role, wscript: bytes | None, spk: bytes | None = None,
            htlc: CommittedHtlc | None = None) -> None:
        key = spk if spk is not None else p2wsh(wscript or b"")
        candidates.setdefault(key, []).append((role, wscript, htlc))

    local_script = to_local_script(ckeys.revocation_pubkey, delay, ckeys.local_delayed_pubkey)
    if ours:
        add(Role.TO_LOCAL, local_script)
        remote_spk = to_remote_script_pubkey(ckeys.remote_payment_pubkey, anchors)
        add(Role.THEIRS, None, remote_spk)
    else:
        add(Role.PENALTY_TO_LOCAL if revocation else Role.THEIRS, local_script)
        remote_w = to_remote_anchor_script(ckeys.remote_payment_pubkey) if anchors else None
        add(Role.TO_REMOTE, remote_w, to_remote_script_pubkey(ckeys.remote_payment_pubkey, anchors))
    if anchors:
        add(Role.ANCHOR_OURS if ours else Role.ANCHOR_THEIRS, anchor_script(ckeys.local_funding_pubkey))
        add(Role.ANCHOR_THEIRS if ours else Role.ANCHOR_OURS, anchor_script(ckeys.remote_funding_pubkey))
    for h in htlcs:
        offered_by_owner = h.offered_by_us == ours
        if offered_by_owner:
            script = offered_htlc_script(ckeys.revocation_pubkey, ckeys.local_htlc_pubkey,
                                         ckeys.remote_htlc_pubkey, h.payment_hash, anchors)
        else:
            script = received_htlc_script(ckeys.revocation_pubkey, ckeys.local_htlc_pubkey,
                                          ckeys.remote_htlc_pubkey, h.payment_hash,
                                          h.cltv_expiry, anchors)
        add(Role.HTLC, script, htlc=h)
    outputs = []
    for i, o in enumerate(tx.outputs):
        options = candidates.get(o.script_pubkey)
        if not options:
            outputs.append(OutputRole(i, Role.UNKNOWN, o.value))
            continue
        # identical HTLC outputs (same hash, expiry and amount) are interchangeable
        pick = next((k for k, (_r, _w, h) in enumerate(options)
                     if h is None or h.amount_msat // 1000 == o.value), 0)
        role, wscript, htlc = options.pop(pick)
        outputs.append(OutputRole(i, role, o.value, wscript, htlc))
    return Close(kind, tx, number, ckeys, revocation, htlcs, tuple(outputs), delay)
