"""Commitments: what each side's commitment transaction holds, and the
`commitment_signed` / `revoke_and_ack` exchange that moves updates into them.

A *view* is one side's commitment transaction as the HTLC states describe it:

- `Which.CURRENT`: the latest commitment of that side (the one signed last);
- `Which.NEXT`: the one the next `commitment_signed` for that side will sign (our
  commitment: the peer's next `commitment_signed`; theirs: our `sign_pending`);
- `Which.PROJECTED`: every update known so far applied, pending or not (used to check
  that an update we send will still fit once everything settles).

Balances in a view are "to_local / to_remote before fees": the funding amount is split
between our balance, the peer's and the HTLCs in the commitment; BOLT 3 takes the fee
(and anchors) from the funder's balance when building the transaction.
"""

from __future__ import annotations

import enum
from bisect import insort
from dataclasses import replace
from itertools import compress
from operator import attrgetter, is_, is_not

from amiko.channels.bolt.commitment import (
    Commitment,
    CommitmentError,
    CommitmentHtlc,
    CommitmentSpec,
    build_commitment,
    obscuring_factor,
)
from amiko.channels.bolt.data import ChannelData
from amiko.channels.bolt.errors import FailChannel, WarnAndDisconnect
from amiko.channels.bolt.fees import HtlcDirection, funder_commitment_cost, htlc_trim_threshold_sat
from amiko.channels.bolt.htlc_txs import HtlcTx, build_htlc_txs
from amiko.channels.bolt.htlcs import Event, Htlc, HtlcState, RemovalKind, Side, advance, flags
from amiko.channels.bolt.keys import ChannelKeys, CommitmentKeys
from amiko.channels.bolt.outputs import HtlcFailed, HtlcIncoming, Outputs
from amiko.channels.bolt.scripts import funding_script
from amiko.channels.bolt.shachain import ShachainError
from amiko.channels.interface import FailureReason, IncomingHtlc
from amiko.crypto.keys import is_valid_pubkey, is_valid_secret, pubkey_of
from amiko.crypto.parallel import sign_all, verify_all
from amiko.wire.messages import (
    CommitmentSigned,
    CommitmentSignedTlvs,
    RevokeAndAck,
)
from amiko.wire.types import ChannelId, Msat, Sat

__all__ = [
    "View",
    "Which",
    "build_view_commitment",
    "commit_fee_msat",
    "compute_view",
    "full_view",
    "funding_script_of",
    "has_changes_for",
    "local_commitment",
    "local_htlc_txs",
    "receive_commitment_signed",
    "receive_revoke_and_ack",
    "remote_commitment",
    "revoke_message",
    "sign_remote_commitment",
    "unchanged",
    "untrimmed_count",
    "view_stats",
]


class Which(enum.Enum):
    CURRENT = "current"
    NEXT = "next"
    PROJECTED = "projected"

    __hash__ = object.__hash__  # members are singletons (Enum's hash runs Python code)


class View:
    """One side's commitment transaction as the HTLC states describe it (immutable).

    `htlcs` are in the order BOLT 3 lists them in the commitment (the owner's offered ones
    first, each side's by id); a view made from an unordered collection sorts it when
    first asked."""

    __slots__ = ("_acc", "_htlcs", "_unsorted", "feerate_per_kw", "local_msat", "memo", "owner",
                 "remote_msat")

    def __init__(self, owner: Side, local_msat: int, remote_msat: int, htlcs: tuple[Htlc, ...],
                 feerate_per_kw: int, *, ordered: bool = True) -> None:
        self.owner = owner  # whose commitment transaction
        self.local_msat = local_msat  # our balance (not counting HTLCs, before fees)
        self.remote_msat = remote_msat  # the peer's
        self.feerate_per_kw = feerate_per_kw
        self._htlcs: tuple[Htlc, ...] | None = htlcs if ordered else None
        self._unsorted = htlcs
        self._acc: _Acc | None = None  # the running totals it was made from (see view_stats)
        # what is derived from the above, computed once (see `offered`, `view_stats`)
        self.memo: dict[object, tuple[int, int]] = {}

    @property
    def htlcs(self) -> tuple[Htlc, ...]:
        """The HTLCs in the commitment."""
        if self._htlcs is None:
            owner = self.owner
            mine = sorted([h for h in self._unsorted if h.owner is owner], key=_BY_ID)
            theirs = sorted([h for h in self._unsorted if h.owner is not owner], key=_BY_ID)
            self._htlcs = tuple(mine + theirs)
        return self._htlcs

    def _key(self) -> tuple[object, ...]:
        return (self.owner, self.local_msat, self.remote_msat, self.htlcs, self.feerate_per_kw)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, View) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"View(owner={self.owner}, local_msat={self.local_msat}, remote_msat={self.remote_msat}, "
                f"htlcs={self.htlcs!r}, feerate_per_kw={self.feerate_per_kw})")

    def balance(self, side: Side) -> int:
        return self.local_msat if side is Side.LOCAL else self.remote_msat

    def htlcs_of(self, owner: Side) -> list[Htlc]:
        return [h for h in self.htlcs if h.owner is owner]

    def offered(self, owner: Side) -> tuple[int, int]:
        """(how many, total msat) of the HTLCs `owner` offered in this commitment."""
        found = self.memo.get(owner)
        if found is None:
            amounts = [h.amount_msat for h in self._unsorted if h.owner is owner]
            found = self.memo[owner] = (len(amounts), sum(amounts))
        return found


def funding_script_of(d: ChannelData) -> bytes:
    """The witness script of the funding output."""
    assert d.remote_basepoints is not None
    return funding_script(d.local_funding_pubkey, d.remote_basepoints.funding_pubkey)


def _sign_event(owner: Side) -> Event:
    """The event that puts pending updates into `owner`'s commitment."""
    return Event.SEND_COMMIT if owner is Side.REMOTE else Event.RECV_COMMIT


def _view_table(owner: Side, which: Which) -> dict[HtlcState, tuple[bool, bool]]:
    """For every state: (is the update added, is its removal in) `owner`'s commitment as
    `which` describes it (PROJECTED: every addition counts)."""
    event = _sign_event(owner)
    table = {}
    for state in HtlcState:
        f = flags(state if which is Which.CURRENT else advance(state, event))
        added = f.added_local if owner is Side.LOCAL else f.added_remote
        removed = f.removed_local if owner is Side.LOCAL else f.removed_remote
        table[state] = (added or which is Which.PROJECTED, removed)
    return table


_VIEW_TABLES = {(owner, which): _view_table(owner, which) for owner in Side for which in Which}
_BY_ID = attrgetter("htlc_id")


class _Acc:
    """The running totals of one view (owner, which) over a set of HTLC records: what the
    HTLCs take from and give to each balance, the HTLCs in the commitment, and their
    counts, sums and (for one pair of trim thresholds) untrimmed count and dust exposure.
    Adding or taking away one record costs the same whatever the number of HTLCs."""

    __slots__ = ("count", "dl", "dr", "exposure", "kept", "owner", "table", "thresholds",
                 "total", "untrimmed", "view", "view_key")

    def __init__(self, owner: Side, which: Which, htlcs: tuple[Htlc, ...]) -> None:
        self.owner = owner
        self.table = _VIEW_TABLES[(owner, which)]
        self.dl = 0  # what the HTLCs change in our balance
        self.dr = 0  # ... in the peer's
        self.kept: dict[int, Htlc] = {}  # id -> HTLC in the commitment
        self.count = {Side.LOCAL: 0, Side.REMOTE: 0}  # of kept HTLCs, by who offered them
        self.total = {Side.LOCAL: 0, Side.REMOTE: 0}
        self.thresholds: tuple[int, int] | None = None  # (offered, received) trim thresholds, sat
        self.untrimmed = 0
        self.exposure = 0
        self.view: View | None = None  # the view made from these totals (until they change)
        self.view_key: tuple[object, ...] | None = None
        for h in htlcs:
            self.add(h, 1)

    def add(self, h: Htlc, sign: int) -> None:
        """Count `h` in (sign 1) or out (sign -1)."""
        added, removed = self.table[h.state]
        if not added:
            return
        self.view = None
        amount = sign * h.amount_msat
        ours = h.owner is Side.LOCAL
        if ours:  # the amount leaves the offerer's balance ...
            self.dl -= amount
        else:
            self.dr -= amount
        if not removed:  # ... into an HTLC output
            if sign > 0:
                self.kept[id(h)] = h
            else:
                del self.kept[id(h)]
            self.count[h.owner] += sign
            self.total[h.owner] += amount
            if self.thresholds is not None:
                thr = self.thresholds[0] if h.owner is self.owner else self.thresholds[1]
                if h.amount_msat // 1000 < thr:
                    self.exposure += amount
                else:
                    self.untrimmed += sign
        elif h.removal is not None and h.removal.kind is RemovalKind.FULFILL:
            # fulfilled: the amount goes to the node that received the HTLC
            if ours:
                self.dr += amount
            else:
                self.dl += amount
        elif ours:  # failed: back to the offerer
            self.dl += amount
        else:
            self.dr += amount

    def stats(self, thresholds: tuple[int, int]) -> tuple[int, int]:
        """(untrimmed HTLCs, dust exposure) with these trim thresholds."""
        if thresholds != self.thresholds:
            self.thresholds = thresholds
            self.untrimmed = self.exposure = 0
            owner = self.owner
            for h in self.kept.values():
                if h.amount_msat // 1000 < (thresholds[0] if h.owner is owner else thresholds[1]):
                    self.exposure += h.amount_msat
                else:
                    self.untrimmed += 1
        return self.untrimmed, self.exposure


class _Views:
    """The views of one channel's data, kept up to date with its HTLC table: the table is
    compared with the last one position by position (records are immutable, so a changed
    HTLC is a new object), and only the records that came or went are counted."""

    __slots__ = ("accs", "fixed", "htlcs")

    def __init__(self) -> None:
        self.htlcs: tuple[Htlc, ...] = ()  # the table the totals count (it pins its records)
        self.accs: dict[tuple[Side, Which], _Acc] = {}
        # inside `unchanged`: (that data's HTLC table, `htlcs` then), not compared again
        self.fixed: tuple[object, tuple[Htlc, ...]] | None = None

    def acc(self, d: ChannelData, owner: Side, which: Which) -> _Acc:
        fixed = self.fixed
        if fixed is None or d.htlcs is not fixed[0] or self.htlcs is not fixed[1]:
            htlcs = tuple(d.htlcs.values())
            old = self.htlcs
            if len(htlcs) != len(old) or not all(map(is_, htlcs, old)):
                self._sync(htlcs)
        else:
            htlcs = self.htlcs
        acc = self.accs.get((owner, which))
        if acc is None:
            acc = self.accs[(owner, which)] = _Acc(owner, which, htlcs)
        return acc

    def _sync(self, htlcs: tuple[Htlc, ...]) -> None:
        old = self.htlcs
        common = min(len(old), len(htlcs))
        changed = list(compress(range(common), map(is_not, htlcs, old)))
        if len(changed) + abs(len(htlcs) - len(old)) > 8 + len(htlcs) // 4:
            self.accs.clear()  # many changes (a commitment event): count again when asked
        else:
            gone = [old[i] for i in changed] + list(old[common:])
            came = [htlcs[i] for i in changed] + list(htlcs[common:])
            for acc in self.accs.values():
                for h in gone:
                    acc.add(h, -1)
                for h in came:
                    acc.add(h, 1)
        self.htlcs = htlcs


def _views(d: ChannelData) -> _Views:
    views = d.memo.get("views")
    if not isinstance(views, _Views):
        views = d.memo["views"] = _Views()
    return views


class _Unchanged:
    __slots__ = ("outer", "views")

    def __init__(self, d: ChannelData) -> None:
        views = self.views = _views(d)
        self.outer = views.fixed
        if self.outer is not None and self.outer[0] is d.htlcs:
            return  # inside an `unchanged` of the same data: compared already
        views.fixed = None
        views.acc(d, Side.LOCAL, Which.CURRENT)  # up to date now
        views.fixed = (d.htlcs, views.htlcs)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        self.views.fixed = self.outer


def unchanged(d: ChannelData) -> _Unchanged:
    """For a computation that asks for several views of `d` and changes nothing in it
    (e.g. a status, or the checks of an offer): its HTLC table is compared with the one the
    views count only once (`with unchanged(d): ...`)."""
    return _Unchanged(d)


def compute_view(d: ChannelData, owner: Side, which: Which,
                 extra: tuple[Htlc, ...] = (), feerate: int | None = None) -> View:
    """`owner`'s commitment as `which` describes it; `extra` HTLCs are added to it (for
    checking an HTLC before it exists) and `feerate` overrides its feerate.

    The channel data's memo keeps the running totals of the views asked for (`_Views`), so
    a view after one update costs what that update changed, not what the channel holds."""
    acc = _views(d).acc(d, owner, which)
    key = (d.base_local_msat, d.base_remote_msat, d.base_feerate, tuple(d.fee_updates))
    view = acc.view
    if view is None or acc.view_key != key:
        view = View(owner, d.base_local_msat + acc.dl, d.base_remote_msat + acc.dr,
                    tuple(acc.kept.values()), _feerate(d, owner, which), ordered=False)
        view.memo[Side.LOCAL] = (acc.count[Side.LOCAL], acc.total[Side.LOCAL])
        view.memo[Side.REMOTE] = (acc.count[Side.REMOTE], acc.total[Side.REMOTE])
        view._acc = acc
        acc.view, acc.view_key = view, key
    if extra:
        view = _with_extra(view, which, extra)
    if feerate is not None:
        view = View(view.owner, view.local_msat, view.remote_msat, view.htlcs, feerate)
    return view


def _feerate(d: ChannelData, owner: Side, which: Which) -> int:
    rate = d.base_feerate
    if d.fee_updates:
        event = _sign_event(owner)
        for fu in sorted(d.fee_updates, key=lambda u: u.seq):
            state = fu.state if which is Which.CURRENT else advance(fu.state, event)
            f = flags(state)
            if which is Which.PROJECTED or (f.added_local if owner is Side.LOCAL
                                            else f.added_remote):
                rate = fu.feerate_per_kw
    return rate


def full_view(d: ChannelData, owner: Side, which: Which) -> View:
    """`compute_view` the long way, every record counted (for tests of the running
    totals)."""
    acc = _Acc(owner, which, tuple(d.htlcs.values()))
    return View(owner, d.base_local_msat + acc.dl, d.base_remote_msat + acc.dr,
                tuple(acc.kept.values()), _feerate(d, owner, which), ordered=False)


def _with_extra(view: View, which: Which, extra: tuple[Htlc, ...]) -> View:
    table = _VIEW_TABLES[(view.owner, which)]
    local, remote = view.local_msat, view.remote_msat
    kept = list(view.htlcs)
    owner = view.owner

    def order(h: Htlc) -> tuple[bool, int]:
        return (h.owner is not owner, h.htlc_id)
    for h in extra:
        _, removed = table[h.state]  # an extra HTLC is always added
        if h.owner is Side.LOCAL:
            local -= h.amount_msat
        else:
            remote -= h.amount_msat
        if not removed:
            insort(kept, h, key=order)
        elif h.fulfilled:  # the amount goes to the node that received the HTLC
            if h.owner is Side.LOCAL:
                remote += h.amount_msat
            else:
                local += h.amount_msat
        elif h.owner is Side.LOCAL:  # failed: back to the offerer
            local += h.amount_msat
        else:
            remote += h.amount_msat
    return View(owner, local, remote, tuple(kept), view.feerate_per_kw)


_CHANGED_BY = {event: frozenset(state for state in HtlcState if advance(state, event) is not state)
               for event in (Event.SEND_COMMIT, Event.RECV_COMMIT)}


def has_changes_for(d: ChannelData, owner: Side) -> bool:
    """Some update would change state if `owner`'s commitment were signed now."""
    changed = _CHANGED_BY[_sign_event(owner)]
    return (any(h.state in changed for h in d.htlcs.values())
            or any(u.state in changed for u in d.fee_updates))


def _direction(owner: Side, h: Htlc) -> HtlcDirection:
    return HtlcDirection.OFFERED if h.owner is owner else HtlcDirection.RECEIVED


def view_stats(d: ChannelData, view: View) -> tuple[int, int]:
    """(how many HTLCs of `view` have an output, the total of those that are trimmed: its
    dust exposure), at the view's feerate and its owner's dust limit."""
    ctype = d.channel_type.commitment_type
    dust = d.config(view.owner).dust_limit_sat
    key = ("stats", ctype, dust)
    found = view.memo.get(key)
    if found is None:
        rate = view.feerate_per_kw
        # BOLT #3: trimmed if the amount (whole satoshis) is below the owner's dust limit
        # plus the fee of the HTLC's second-stage transaction (see `fees.is_htlc_trimmed`).
        thresholds = (htlc_trim_threshold_sat(ctype, HtlcDirection.OFFERED, rate, dust),
                      htlc_trim_threshold_sat(ctype, HtlcDirection.RECEIVED, rate, dust))
        acc = view._acc
        if acc is not None and acc.view is view:
            found = acc.stats(thresholds)
        else:
            owner = view.owner
            count = exposure = 0
            for h in view._unsorted:
                if h.amount_msat // 1000 < (thresholds[0] if h.owner is owner else thresholds[1]):
                    exposure += h.amount_msat
                else:
                    count += 1
            found = (count, exposure)
        view.memo[key] = found
    return found


def untrimmed_count(d: ChannelData, view: View) -> int:
    return view_stats(d, view)[0]


def commit_fee_msat(d: ChannelData, view: View, feerate: int | None = None,
                    extra_untrimmed: int = 0) -> int:
    """What the funder pays for `view`'s commitment (fee and anchors), in msat (HTLCs
    trimmed at the view's own feerate; `feerate` only changes the price)."""
    rate = view.feerate_per_kw if feerate is None else feerate
    n = untrimmed_count(d, view) + extra_untrimmed
    return funder_commitment_cost(d.channel_type.commitment_type, rate, n) * 1000


def commitment_htlcs(view: View) -> tuple[CommitmentHtlc, ...]:
    return tuple(CommitmentHtlc(_direction(view.owner, h), Msat(h.amount_msat), h.payment_hash,
                                h.cltv_expiry) for h in view.htlcs)


def _obscuring(d: ChannelData, keys: ChannelKeys) -> int:
    assert d.remote_basepoints is not None
    ours = keys.basepoints.payment_basepoint
    theirs = d.remote_basepoints.payment_basepoint
    return obscuring_factor(ours, theirs) if d.is_funder else obscuring_factor(theirs, ours)


def build_view_commitment(d: ChannelData, keys: ChannelKeys, view: View, number: int,
                          point: bytes) -> Commitment:
    """The commitment transaction of `view` with commitment number `number` and its
    owner's per-commitment point `point`."""
    assert d.remote_basepoints is not None and d.remote is not None
    outpoint = d.funding_outpoint
    assert outpoint is not None
    if view.owner is Side.LOCAL:
        ckeys = CommitmentKeys.derive(keys.basepoints, d.remote_basepoints, point)
        to_local, to_remote = view.local_msat, view.remote_msat
        dust, delay, funder = d.local.dust_limit_sat, d.remote.to_self_delay, d.is_funder
    else:
        ckeys = CommitmentKeys.derive(d.remote_basepoints, keys.basepoints, point)
        to_local, to_remote = view.remote_msat, view.local_msat
        dust, delay, funder = d.remote.dust_limit_sat, d.local.to_self_delay, not d.is_funder
    spec = CommitmentSpec(
        commitment_type=d.channel_type.commitment_type,
        funding_outpoint=outpoint,
        funding_sat=Sat(d.funding_sat),
        commitment_number=number,
        obscuring_factor=_obscuring(d, keys),
        owner_is_funder=funder,
        to_local_msat=Msat(to_local),
        to_remote_msat=Msat(to_remote),
        htlcs=commitment_htlcs(view),
        feerate_per_kw=view.feerate_per_kw,
        dust_limit_sat=Sat(dust),
        to_self_delay=delay,
        keys=ckeys,
    )
    try:
        return build_commitment(spec)
    except CommitmentError as exc:
        raise FailChannel(f"impossible commitment: {exc}") from None


def local_commitment(d: ChannelData, keys: ChannelKeys, which: Which = Which.CURRENT
                     ) -> Commitment:
    """Our commitment transaction (current: the one we hold the peer's signature for)."""
    number = d.local_commitment_number + (0 if which is Which.CURRENT else 1)
    view = compute_view(d, Side.LOCAL, which)
    return build_view_commitment(d, keys, view, number, keys.per_commitment_point(number))


def local_htlc_txs(d: ChannelData, keys: ChannelKeys) -> list[tuple[HtlcTx, bytes, bytes]]:
    """The HTLC transactions of our latest commitment with the peer's signature (from its
    `commitment_signed`) and ours: (transaction, remote sig, local sig), in output order.
    An HTLC-success transaction also needs the preimage in its witness."""
    commitment = local_commitment(d, keys)
    secret = keys.htlc_secret(keys.per_commitment_point(d.local_commitment_number))
    return [(tx, sig, tx.sign_as_local(secret))
            for tx, sig in zip(build_htlc_txs(commitment), d.local_htlc_sigs, strict=True)]


def remote_commitment(d: ChannelData, keys: ChannelKeys) -> Commitment:
    """The peer's latest commitment transaction (the one we signed last)."""
    view = compute_view(d, Side.REMOTE, Which.CURRENT)
    return build_view_commitment(d, keys, view, d.remote_commitment_number,
                                 d.remote_current_point)


def _commitment_signed(d: ChannelData, keys: ChannelKeys, commitment: Commitment,
                       point: bytes) -> CommitmentSigned:
    sig = commitment.sign(keys.funding_secret)
    htlc_secret = keys.htlc_secret(point)
    # BOLT #2: MUST include one `htlc_signature` for every HTLC transaction corresponding
    # to the ordering of the commitment transaction
    # (on every core: the peer waits for them, see `amiko.crypto.parallel`)
    htlc_sigs = tuple(sign_all(htlc_secret, [tx.remote_sighash for tx in build_htlc_txs(commitment)]))
    # BOLT #2: MUST set `funding_txid` to the funding transaction spent by this commitment
    # transaction.
    return CommitmentSigned(ChannelId(d.channel_id), sig, htlc_sigs,
                            CommitmentSignedTlvs(funding_txid=d.funding_txid))


def sign_remote_commitment(d: ChannelData, keys: ChannelKeys) -> CommitmentSigned | None:
    """Sign the peer's next commitment if there is anything to sign and we may: apply the
    SEND_COMMIT transition to every update and return the message (None: nothing to do).

    # BOLT #2: MUST NOT send a `commitment_signed` message that does not include any
    # updates.
    """
    if d.awaiting_revocation or not d.remote_next_point or not has_changes_for(d, Side.REMOTE):
        return None
    number = d.remote_commitment_number + 1
    point = d.remote_next_point
    view = compute_view(d, Side.REMOTE, Which.NEXT)
    msg = _commitment_signed(d, keys, build_view_commitment(d, keys, view, number, point), point)
    _apply(d, Event.SEND_COMMIT)
    d.remote_prev_point = d.remote_current_point
    d.remote_current_point = point
    d.remote_next_point = b""
    d.remote_commitment_number = number
    d.awaiting_revocation = True
    d.local_number_at_last_sign = d.local_commitment_number
    return msg


def resign_remote_commitment(d: ChannelData, keys: ChannelKeys) -> CommitmentSigned:
    """The `commitment_signed` we sent last, again (signing is deterministic, so it is the
    same message byte for byte): for retransmission after a reconnection."""
    return _commitment_signed(d, keys, remote_commitment(d, keys), d.remote_current_point)


def _apply(d: ChannelData, event: Event) -> None:
    d.htlcs = {k: h.moved(event) for k, h in d.htlcs.items()}
    d.fee_updates = [u.moved(event) for u in d.fee_updates]
    if event is Event.RECV_REVOKE:
        # Our update_add_htlc is acknowledged: it is never retransmitted again, so its onion
        # (1366 bytes) need not be stored any more.
        for k, h in d.htlcs.items():
            if h.state is HtlcState.RCVD_ADD_REVOCATION and h.onion:
                d.htlcs[k] = replace(h, onion=b"")


def _purge(d: ChannelData, out: Outputs) -> None:
    """Fold the updates whose removal (HTLCs) or addition (fees) is irrevocably committed
    into the base balances and feerate."""
    for key, h in list(d.htlcs.items()):
        if not h.state.final:
            continue
        if h.fulfilled:
            if h.owner is Side.LOCAL:
                d.base_local_msat -= h.amount_msat
                d.base_remote_msat += h.amount_msat
            else:
                d.base_remote_msat -= h.amount_msat
                d.base_local_msat += h.amount_msat
        elif h.owner is Side.LOCAL and not h.preimage:
            # our HTLC's removal is irrevocably committed: safe to fail upstream
            assert h.removal is not None
            r = h.removal
            if r.failure_code:
                reason = FailureReason(failure_code=r.failure_code,
                                       sha256_of_onion=r.sha256_of_onion)
            else:
                reason = FailureReason(onion=r.reason)
            out.emit(HtlcFailed(h.htlc_id, reason))
        del d.htlcs[key]
    finals = [u for u in d.fee_updates if u.final]
    if finals:
        last = max(finals, key=lambda u: u.seq)
        d.base_feerate = last.feerate_per_kw
        d.fee_updates = [u for u in d.fee_updates if u.seq > last.seq]


def revoke_message(d: ChannelData, keys: ChannelKeys) -> RevokeAndAck:
    """The `revoke_and_ack` revoking our previous commitment (local_commitment_number - 1).

    # BOLT #2: MUST set `per_commitment_secret` to the secret used to generate keys for the
    # previous commitment transaction. MUST set `next_per_commitment_point` to the values
    # for its next commitment transaction.
    """
    n = d.local_commitment_number
    return RevokeAndAck(ChannelId(d.channel_id), keys.per_commitment_secret(n - 1),
                        keys.per_commitment_point(n + 1))


def receive_commitment_signed(d: ChannelData, keys: ChannelKeys, msg: CommitmentSigned,
                              out: Outputs) -> None:
    """Check the peer's signatures on our next commitment, adopt it, and revoke the
    previous one (the `revoke_and_ack` goes into `out`)."""
    if not has_changes_for(d, Side.LOCAL):
        # BOLT #2: A sending node: MUST NOT send a `commitment_signed` message that does not
        # include any updates. (No receiver requirement: we treat it as the protocol
        # violation it is, without failing the channel.)
        raise WarnAndDisconnect("commitment_signed without any update")
    assert d.remote_basepoints is not None
    number = d.local_commitment_number + 1
    view = compute_view(d, Side.LOCAL, Which.NEXT)
    commitment = build_view_commitment(d, keys, view, number, keys.per_commitment_point(number))
    # BOLT #2: once all pending updates are applied: if `signature` is not valid for its
    # local commitment transaction OR non-compliant with LOW-S-standard rule: MUST send a
    # `warning` and close the connection, or send an `error` and fail the channel.
    if not commitment.verify(d.remote_basepoints.funding_pubkey, msg.signature):
        raise FailChannel(f"bad signature on commitment {number}")
    htlc_txs = build_htlc_txs(commitment)
    # BOLT #2: if `num_htlcs` is not equal to the number of HTLC outputs in the local
    # commitment transaction: MUST send a `warning` and close the connection, or send an
    # `error` and fail the channel.
    if len(msg.htlc_signature) != len(htlc_txs):
        raise FailChannel(f"{len(msg.htlc_signature)} HTLC signatures for "
                          f"{len(htlc_txs)} HTLC outputs")
    # BOLT #2: if any `htlc_signature` is not valid for the corresponding HTLC transaction
    # OR non-compliant with LOW-S-standard rule: MUST send a `warning` and close the
    # connection, or send an `error` and fail the channel.
    remote_htlc_pubkey = commitment.spec.keys.remote_htlc_pubkey
    valid = verify_all(remote_htlc_pubkey, [(tx.remote_sighash, sig)
                                            for tx, sig in zip(htlc_txs, msg.htlc_signature, strict=True)])
    if not all(valid):
        raise FailChannel(f"bad HTLC signature {valid.index(False)} on commitment {number}")
    _apply(d, Event.RECV_COMMIT)
    d.local_commitment_number = number
    d.local_commit_sig = msg.signature
    d.local_htlc_sigs = msg.htlc_signature
    # BOLT #2: Otherwise: MUST respond with a `revoke_and_ack` message.
    _apply(d, Event.SEND_REVOKE)
    _purge(d, out)
    out.send(revoke_message(d, keys))
    out.persist = True


def receive_revoke_and_ack(d: ChannelData, msg: RevokeAndAck, out: Outputs) -> None:
    """The peer revoked its previous commitment: check the secret, store it, and move the
    updates on (HTLCs irrevocably committed are reported)."""
    if not d.awaiting_revocation:
        raise FailChannel("revoke_and_ack without a commitment_signed to acknowledge")
    secret = msg.per_commitment_secret
    # BOLT #2: if `per_commitment_secret` is not a valid secret key or does not generate the
    # previous `per_commitment_point`: MUST send an `error` and fail the channel.
    if not is_valid_secret(secret) or pubkey_of(secret) != d.remote_prev_point:
        raise FailChannel("revoke_and_ack: the secret does not match the per-commitment point")
    # BOLT #2: if the `per_commitment_secret` was not generated by the protocol in BOLT #3:
    # MAY send a `warning` and close the connection, or send an `error` and fail the channel.
    try:
        d.remote_secrets = d.remote_secrets.insert_commitment_secret(
            d.remote_commitment_number - 1, secret)
    except ShachainError as exc:
        raise FailChannel(f"revoke_and_ack: {exc}") from None
    if not is_valid_pubkey(msg.next_per_commitment_point):
        raise FailChannel("revoke_and_ack: invalid next_per_commitment_point")
    before = dict(d.htlcs)
    _apply(d, Event.RECV_REVOKE)
    for key, h in d.htlcs.items():
        if h.state is HtlcState.RCVD_ADD_ACK_REVOCATION and before[key].state is not h.state:
            out.emit(HtlcIncoming(IncomingHtlc(d.channel_id, h.htlc_id, h.amount_msat,
                                               h.payment_hash, h.cltv_expiry, h.onion),
                                  h.dust_exposure_exceeded))
    _purge(d, out)
    d.remote_prev_point = b""
    d.remote_next_point = msg.next_per_commitment_point
    d.awaiting_revocation = False
    out.persist = True
