"""Cooperative close: `shutdown` (waiting for HTLCs to clear, the script rules), the
legacy `closing_signed` negotiation and `option_simple_close`. Every closing transaction
is checked by Bitcoin Core's script interpreter."""

from __future__ import annotations

import dataclasses

import pytest

from amiko.bitcoin.script import op_return, p2pkh, p2tr
from amiko.channels.bolt.closing import ClosingOutputs
from amiko.channels.bolt.core import BoltChannel
from amiko.channels.bolt.outputs import Broadcast, CloseScriptNeeded, Disconnect
from amiko.channels.bolt.states import Phase
from amiko.channels.interface import ChannelState
from amiko.crypto.keys import pubkey_of
from amiko.link.features import Features
from amiko.wire.messages import (
    ClosingComplete,
    ClosingSig,
    ClosingSigned,
    ClosingSignedTlvs,
    Error,
    Shutdown,
    WarningMsg,
)
from amiko.wire.types import ChannelId
from tests.test_bolt2_harness import (
    FEATURES,
    SCRIPT_A,
    SCRIPT_B,
    SIMPLE_CLOSE,
    VERIFIER,
    Node,
    Pair,
    funding_output,
    incoming,
    open_channel,
    preimage_of,
    settled_ids,
    verify_broadcast,
)

TAPROOT = p2tr(pubkey_of(b"\x05" * 32)[1:])


def close(pair: Pair, node: Node | None = None, feerate: int | None = None) -> None:
    node = node or pair.a
    node.apply(node.c.shutdown(node.c.data.close_script, feerate))
    pair.flush()


def check_closed(pair: Pair) -> None:
    a, b = pair.a, pair.b
    assert a.c.state is Phase.CLOSING and b.c.state is Phase.CLOSING
    assert a.c.status().state is ChannelState.CLOSING
    for n in (a, b):
        tx = verify_broadcast(n, n.c)
        assert n.c.closing_tx == tx


def paid(tx_outputs: tuple[object, ...], script: bytes) -> int:
    return sum(o.value for o in tx_outputs if o.script_pubkey == script)  # type: ignore[attr-defined]


# -- legacy closing_signed -------------------------------------------------------------------

def test_legacy_close_converges() -> None:
    pair = open_channel(push_msat=200_000_000)
    close(pair)
    check_closed(pair)
    a, b = pair.a, pair.b
    assert a.c.closing_tx == b.c.closing_tx  # the same transaction on both sides
    tx = a.c.closing_tx
    assert tx is not None
    assert paid(tx.outputs, SCRIPT_B) == 200_000  # the non-funder pays no fee
    fee = 1_000_000 - sum(o.value for o in tx.outputs)
    assert paid(tx.outputs, SCRIPT_A) == 800_000 - fee and 0 < fee < 5_000


def test_fundee_starts_the_close() -> None:
    pair = open_channel(push_msat=200_000_000)
    close(pair, pair.b)
    check_closed(pair)


def test_shutdown_waits_for_htlcs() -> None:
    pair = open_channel(push_msat=200_000_000)
    a, b = pair.a, pair.b
    a.offer(50_000_000, 1)
    b.offer(20_000_000, 2)
    pair.flush()
    close(pair)
    assert a.c.state is Phase.SHUTDOWN and b.c.state is Phase.SHUTDOWN
    # no new HTLCs; the pending ones resolve, and fees may still change
    assert not a.c.status().can_send_msat
    a.apply(a.c.update_fee(3000))
    b.apply(b.c.settle_htlc(0, preimage_of(1)))
    pair.flush()
    assert a.c.state is Phase.SHUTDOWN
    a.apply(a.c.settle_htlc(0, preimage_of(2)))
    pair.flush()
    check_closed(pair)
    assert settled_ids(a) == [0] and settled_ids(b) == [0]
    tx = a.c.closing_tx
    assert tx is not None and paid(tx.outputs, SCRIPT_B) == 200_000 + 50_000 - 20_000


def test_shutdown_waits_for_our_unsigned_updates() -> None:
    pair = open_channel(push_msat=200_000_000)
    a = pair.a
    a.offer(50_000_000, 1)
    out = a.apply(a.c.shutdown(SCRIPT_A))
    # BOLT 2: no shutdown while updates are pending on the peer's commitment
    assert not any(isinstance(m, Shutdown) for m in out.messages)
    signed = a.sign().messages
    assert [type(m).__name__ for m in signed] == ["CommitmentSigned", "Shutdown"]


def test_shutdown_before_channel_ready() -> None:
    pair = open_channel(push_msat=200_000_000, lock_in=False)
    close(pair)
    check_closed(pair)


def test_reply_needs_a_script() -> None:
    pair = open_channel(push_msat=200_000_000)
    a, b = pair.a, pair.b
    b.c.data.close_script = b""  # B's driver never told it where to close to
    a.apply(a.c.shutdown(SCRIPT_A))
    pair.deliver(a)
    assert b.events_of(CloseScriptNeeded) and not b.outbox
    b.apply(b.c.shutdown(SCRIPT_B))
    pair.flush()
    check_closed(pair)


def test_negotiation_restarts_after_reconnection() -> None:
    pair = open_channel(push_msat=200_000_000)
    a, b = pair.a, pair.b
    a.apply(a.c.shutdown(SCRIPT_A))
    pair.deliver(a)  # shutdown
    pair.deliver(b)  # shutdown: A proposes
    a.outbox.clear()  # the closing_signed is lost
    pair.disconnect()
    pair.reconnect()
    pair.flush()
    check_closed(pair)


def test_no_fee_range_strictly_between() -> None:
    pair = open_channel(push_msat=200_000_000)
    a, b = pair.a, pair.b
    a.apply(a.c.shutdown(SCRIPT_A, 2500))
    pair.deliver(a)
    pair.deliver(b)
    (cs,) = a.outbox
    assert isinstance(cs, ClosingSigned) and cs.tlvs.fee_range is not None
    a.outbox.clear()
    # an old-style funder asks ten times B's estimate, without a fee_range
    high = cs.fee_satoshis * 10
    lc = a.c.data.legacy_closing
    assert lc is not None
    a.c.data.legacy_closing = dataclasses.replace(lc, fee_range=(1, high))
    tx = a.c.data
    from amiko.channels.bolt.closing import sign_closing
    from amiko.channels.bolt.commit import funding_script_of
    from amiko.channels.bolt.shutdown import _legacy_tx  # the transaction A would sign
    sig = sign_closing(_legacy_tx(tx, high, ours=True), funding_script_of(tx), tx.funding_sat,
                       a.keys.funding_secret)
    out = b.apply(b.c.receive(ClosingSigned(cs.channel_id, high, sig,  # type: ignore[arg-type]
                                            ClosingSignedTlvs())))
    (counter,) = out.messages
    assert isinstance(counter, ClosingSigned) and cs.fee_satoshis <= counter.fee_satoshis < high
    pair.deliver(b)  # A agrees to the counter-proposal (within its range)
    pair.flush()
    check_closed(pair)


def test_fee_ranges_without_overlap_get_a_warning() -> None:
    pair = open_channel(push_msat=200_000_000)
    a, b = pair.a, pair.b
    a.apply(a.c.shutdown(SCRIPT_A))
    pair.deliver(a)
    pair.deliver(b)
    (cs,) = a.outbox
    a.outbox.clear()
    lc = b.c.data.legacy_closing
    b.c.data.legacy_closing = None
    assert lc is None
    rng = cs.tlvs.fee_range
    assert rng is not None
    # B's own range starts at the relay floor: a range entirely below it cannot overlap
    bad = dataclasses.replace(cs, tlvs=ClosingSignedTlvs(fee_range=dataclasses.replace(
        rng, min_fee_satoshis=0, max_fee_satoshis=0)))
    out = b.apply(b.c.receive(bad))
    assert [type(m) for m in out.messages] in ([WarningMsg], [Error])


def test_bad_closing_signature_fails_the_channel() -> None:
    pair = open_channel(push_msat=200_000_000)
    a, b = pair.a, pair.b
    a.apply(a.c.shutdown(SCRIPT_A))
    pair.deliver(a)
    pair.deliver(b)
    (cs,) = a.outbox
    bad = dataclasses.replace(cs, signature=bytes(64))
    out = b.apply(b.c.receive(bad))
    assert isinstance(out.messages[0], Error) and b.c.state is Phase.FAILED


# -- option_simple_close ----------------------------------------------------------------------

def test_simple_close_both_sides() -> None:
    pair = open_channel(push_msat=200_000_000, features=SIMPLE_CLOSE)
    close(pair)
    check_closed(pair)
    a, b = pair.a, pair.b
    # each closer pays its own fee: two transactions, both valid
    txs_a = [e.tx for e in a.events_of(Broadcast)]
    txs_b = [e.tx for e in b.events_of(Broadcast)]
    assert len(txs_a) == 2 and len(txs_b) == 2
    assert {t.txid for t in txs_a} == {t.txid for t in txs_b}
    for tx in txs_a:
        assert VERIFIER.verify(tx, [funding_output(a.c)]) is None


def test_simple_close_with_nothing_on_one_side() -> None:
    pair = open_channel(push_msat=0, features=SIMPLE_CLOSE)
    close(pair, pair.b)
    check_closed(pair)
    tx = pair.b.c.closing_tx
    assert tx is not None and len(tx.outputs) == 1 and tx.outputs[0].script_pubkey == SCRIPT_A
    # B had nothing: it only signed A's transaction, A's output only
    assert len(pair.b.events_of(Broadcast)) == 1


def test_simple_close_to_op_return() -> None:
    pair = open_channel(push_msat=1_000, features=SIMPLE_CLOSE)
    b = pair.b
    b.c.data.close_script = op_return(b"nothing to see")
    close(pair)
    check_closed(pair)


def _complete(pair: Pair) -> ClosingComplete:
    a, b = pair.a, pair.b
    a.apply(a.c.shutdown(SCRIPT_A))
    pair.deliver(a)
    b.outbox.clear()  # B's shutdown and closing_complete: dropped
    pair.b.c.data.simple_closing = None
    a.apply(a.c.receive(Shutdown(ChannelId(a.c.channel_id), SCRIPT_B)))
    (cc,) = [m for m in a.outbox if isinstance(m, ClosingComplete)]
    a.outbox.clear()
    return cc


def test_closing_complete_to_an_old_script_is_ignored_with_a_warning() -> None:
    pair = open_channel(push_msat=200_000_000, features=SIMPLE_CLOSE)
    cc = _complete(pair)
    b = pair.b
    out = b.apply(b.c.receive(dataclasses.replace(cc, closee_scriptpubkey=TAPROOT)))
    assert isinstance(out.messages[0], WarningMsg)
    assert any(isinstance(e, Disconnect) for e in out.events)
    assert b.c.state is Phase.NEGOTIATING


def test_closing_complete_fee_above_the_closer_balance() -> None:
    pair = open_channel(push_msat=200_000_000, features=SIMPLE_CLOSE)
    cc = _complete(pair)
    b = pair.b
    out = b.apply(b.c.receive(dataclasses.replace(cc, fee_satoshis=900_000)))
    assert isinstance(out.messages[0], Error) and b.c.state is Phase.FAILED


def test_closing_complete_bad_signature() -> None:
    pair = open_channel(push_msat=200_000_000, features=SIMPLE_CLOSE)
    cc = _complete(pair)
    b = pair.b
    tlvs = dataclasses.replace(cc.tlvs, closer_and_closee_outputs=bytes(64))
    out = b.apply(b.c.receive(dataclasses.replace(cc, tlvs=tlvs)))
    assert isinstance(out.messages[0], Error) and b.c.state is Phase.FAILED


def test_closing_sig_must_match() -> None:
    pair = open_channel(push_msat=200_000_000, features=SIMPLE_CLOSE)
    cc = _complete(pair)
    a, b = pair.a, pair.b
    (sig,) = b.apply(b.c.receive(cc)).messages
    assert isinstance(sig, ClosingSig)
    bad = dataclasses.replace(sig, fee_satoshis=sig.fee_satoshis + 1)
    out = a.apply(a.c.receive(bad))
    assert isinstance(out.messages[0], Error)


def test_closing_sig_with_two_signatures() -> None:
    pair = open_channel(push_msat=200_000_000, features=SIMPLE_CLOSE)
    cc = _complete(pair)
    a, b = pair.a, pair.b
    (sig,) = b.apply(b.c.receive(cc)).messages
    assert isinstance(sig, ClosingSig)
    assert cc.tlvs.closer_output_only is not None
    two = dataclasses.replace(sig, tlvs=dataclasses.replace(
        sig.tlvs, closer_output_only=sig.tlvs.closer_and_closee_outputs))
    out = a.apply(a.c.receive(two))
    assert isinstance(out.messages[0], Error)
    assert ClosingOutputs.BOTH.value == 3


# -- shutdown scripts --------------------------------------------------------------------------

@pytest.mark.parametrize("script,features,ok", [
    (SCRIPT_B, FEATURES, True),  # P2WPKH
    (TAPROOT, FEATURES, True),  # anysegwit negotiated
    (TAPROOT, Features.of("option_static_remotekey", "option_anchors"), False),
    (p2pkh(pubkey_of(b"\x06" * 32)), FEATURES, False),  # not segwit
    (op_return(b"sixsix"), FEATURES, False),
    (op_return(b"sixsix"), SIMPLE_CLOSE, True),
])
def test_shutdown_script_forms(script: bytes, features: Features, ok: bool) -> None:
    pair = open_channel(push_msat=200_000_000, features=features)
    b = pair.b
    out = b.apply(b.c.receive(Shutdown(ChannelId(b.c.channel_id), script)))
    if ok:
        assert b.c.state in (Phase.SHUTDOWN, Phase.NEGOTIATING)
    else:
        assert isinstance(out.messages[0], WarningMsg) and b.c.state is Phase.NORMAL


def test_upfront_script_must_be_used() -> None:
    pair = open_channel(push_msat=200_000_000, upfront_a=SCRIPT_A)
    a, b = pair.a, pair.b
    out = b.apply(b.c.receive(Shutdown(ChannelId(b.c.channel_id), TAPROOT)))
    assert isinstance(out.messages[0], WarningMsg)
    assert any(isinstance(e, Disconnect) for e in out.events)
    # our own shutdown always uses the upfront script
    a.apply(a.c.shutdown(TAPROOT))
    assert a.c.data.local_shutdown_script == SCRIPT_A


def test_cancel_an_unfunded_opening() -> None:
    pair = open_channel(lock_in=False)
    assert pair.a.c.state is Phase.AWAIT_LOCKIN
    from tests.test_bolt2_open import make_open
    core, _ = make_open()
    out = core.shutdown(SCRIPT_A)
    assert isinstance(out.messages[0], Error) and core.state is Phase.ABORTED


def test_closing_state_survives_a_restart() -> None:
    pair = open_channel(push_msat=200_000_000)
    close(pair)
    assert pair.a.persisted is not None
    restored = BoltChannel.from_bytes(pair.a.persisted, pair.a.keys)
    assert restored.state is Phase.CLOSING and restored.closing_tx == pair.a.c.closing_tx
    assert incoming(pair.a) == []
