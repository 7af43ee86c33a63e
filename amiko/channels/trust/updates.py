"""Applying a proposal (a batch of one side's changes) to a co-signed state.

`apply_changes` is pure: it returns the next state or raises `Violation` and changes
nothing. The proposer runs it to build the state it proposes, the receiver runs it again
(with its own chain height for deadlines) before it signs anything: both must arrive at
the same bytes, or nothing is signed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from amiko.channels.interface import ONION_PACKET_SIZE
from amiko.channels.trust.changes import (
    AddHtlc,
    Change,
    CloseChannel,
    ExpireHtlc,
    FailHtlc,
    FailMalformedHtlc,
    SettleHtlc,
)
from amiko.channels.trust.state import (
    MAX_HTLCS_PER_SIDE,
    StateError,
    TrustHtlc,
    TrustState,
    check_state,
)
from amiko.crypto.hashes import sha256
from amiko.wire.primitives import MAX_MSAT

__all__ = ["BADONION", "EXPIRY_TOLERANCE_BLOCKS", "MAX_FAIL_REASON", "Violation", "apply_changes"]

BADONION = 0x8000
# The receiver of an `expire` accepts it once its own tip is this close to the deadline:
# the two nodes' chain tips may differ by a few blocks.
EXPIRY_TOLERANCE_BLOCKS = 6
MAX_FAIL_REASON = 32_768


class Violation(Exception):
    """A proposal breaks a rule; nothing is signed."""


def apply_changes(state: TrustState, proposer: int, changes: Sequence[Change], *,
                  height: int | None = None) -> TrustState:
    """The state after `proposer`'s `changes` on `state` (number + 1).

    `height`: the receiver's chain tip, to judge `expire` changes (None: the proposer
    building its own proposal, which judged deadlines already).
    """
    if proposer not in (1, 2):
        raise Violation("proposer must be 1 or 2")
    other = 3 - proposer
    if state.final:
        raise Violation("the channel is closed: no update after the final state")
    if not changes:
        raise Violation("empty update")
    closing = any(isinstance(c, CloseChannel) for c in changes)
    if closing and (len(changes) != 1 or state.htlcs):
        raise Violation("close must come alone, with no HTLC pending")
    base = {h.key: h for h in state.htlcs}
    htlcs = dict(base)
    balance = {1: state.balance_1, 2: state.balance_2}
    next_id = {1: state.next_htlc_id_1, 2: state.next_htlc_id_2}
    removed: set[tuple[int, int]] = set()

    def take(key: tuple[int, int], what: str) -> TrustHtlc:
        h = base.get(key)
        if h is None or key in removed:
            raise Violation(f"{what}: no pending HTLC {key[1]} offered by node_{key[0]}")
        removed.add(key)
        del htlcs[key]
        return h

    for c in changes:
        if isinstance(c, AddHtlc):
            # BOLT #2 (receiving update_add_htlc): if `amount_msat` is equal to 0 ... MUST
            # fail the channel; the id must not repeat (ours: ids strictly increase).
            if c.htlc_id < next_id[proposer] or c.htlc_id >= (1 << 64) - 1:
                raise Violation(f"add: HTLC id {c.htlc_id} does not increase")
            if not 0 < c.amount_msat <= MAX_MSAT:
                raise Violation(f"add: amount {c.amount_msat} out of range")
            if len(c.payment_hash) != 32 or len(c.onion) != ONION_PACKET_SIZE:
                raise Violation("add: bad payment hash or onion length")
            if not 0 <= c.cltv_expiry < 1 << 32:
                raise Violation("add: bad cltv_expiry")
            next_id[proposer] = c.htlc_id + 1
            balance[proposer] -= c.amount_msat
            htlcs[(proposer, c.htlc_id)] = TrustHtlc(proposer, c.htlc_id, c.amount_msat, c.payment_hash,
                                                     c.cltv_expiry)
        elif isinstance(c, SettleHtlc):
            h = take((other, c.htlc_id), "settle")
            # BOLT #2: if the `payment_preimage` value in `update_fulfill_htlc` doesn't
            # SHA256 hash to the corresponding HTLC `payment_hash`: MUST fail the channel.
            if sha256(c.preimage) != h.payment_hash:
                raise Violation(f"settle: preimage does not match HTLC {c.htlc_id}")
            balance[proposer] += h.amount_msat
        elif isinstance(c, FailHtlc | FailMalformedHtlc):
            if isinstance(c, FailMalformedHtlc) and not c.failure_code & BADONION:
                # BOLT #2: if the `BADONION` bit in `failure_code` is not set for
                # `update_fail_malformed_htlc`: MUST fail the channel.
                raise Violation("fail_malformed without the BADONION bit")
            if isinstance(c, FailHtlc) and len(c.reason) > MAX_FAIL_REASON:
                raise Violation("fail reason too long")
            h = take((other, c.htlc_id), "fail")
            balance[other] += h.amount_msat
        elif isinstance(c, ExpireHtlc):
            h = take((proposer, c.htlc_id), "expire")
            if height is not None and height + EXPIRY_TOLERANCE_BLOCKS < h.cltv_expiry:
                raise Violation(f"expire: HTLC {c.htlc_id} runs until block {h.cltv_expiry}, "
                                f"we are at {height}")
            balance[proposer] += h.amount_msat
        elif not isinstance(c, CloseChannel):
            raise Violation(f"unknown change {c!r}")
    if len([k for k in htlcs if k[0] == proposer]) > MAX_HTLCS_PER_SIDE:
        raise Violation("too many HTLCs pending")
    new = replace(state, number=state.number + 1, balance_1=balance[1], balance_2=balance[2],
                  next_htlc_id_1=next_id[1], next_htlc_id_2=next_id[2],
                  htlcs=tuple(sorted(htlcs.values(), key=lambda h: h.key)), final=closing)
    try:
        check_state(new)
    except StateError as e:
        # Only an add can push a balance past the credit the other side extends.
        raise Violation(f"the update breaks the channel's rules: {e}") from None
    return new
