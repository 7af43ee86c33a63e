"""BOLT 5 end to end: a channel closed on chain (A's commitment, B's commitment, or a
mutual close), with HTLCs in flight in both directions (some trimmed as dust), each one
settled on chain by its payee or left to time out. Every transaction goes through Bitcoin
Core's engine (the dev chain); the nodes are the real ones.

For each node X, to the sat: what X's wallet gained plus the fees of X's confirmed sweeps
is X's channel balance (less the commitment fee and the anchors if X opened the channel),
plus every non-dust HTLC that X wins by BOLT 5 (its own when it times out, the peer's when
X settles it with the preimage). Dust HTLCs go to fees: nobody wins them.

Also: a node offline while its peer force-closes, restarted a few blocks later, still
sweeps what is its own; and a close under fee pressure (anchor CPFP of the commitment,
claims replaced by RBF while blocks come without them) keeps the same accounting and
leaves no replaced transaction behind in the wallets.
"""

from __future__ import annotations

import asyncio

import pytest

from amiko.bitcoin.address import address_to_script
from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.interface import ChannelState
from amiko.node import Node
from tests.async_wait import wait_for
from tests.onchain_net import (
    ANCHOR_SAT,
    BURN,
    TO_SELF_DELAY,
    Htlc,
    Net,
    bolt3_commitment_fee,
    confirmed_cpfps,
    confirmed_sweep_fees,
    find_tx,
    quiet,
    sweeps_text,
    wallet_coins,
)

FUNDING_SAT = 1_000_000
PUSH_MSAT = 400_000_000
DUST_SAT = 546  # our dust limit: HTLCs far below it are trimmed, far above are not
MAX_BLOCKS = 220  # after the close: the longest HTLC expiry is ~83 blocks away

# (payer, amount in sat, does the payee settle it on chain after the close?)
HTLC_SETS = {
    "none": [],
    "one": [("a", 60_000, True)],
    "several": [("a", 50_000, True), ("a", 40_000, False), ("b", 30_000, True), ("b", 20_000, False),
                ("a", 300, True), ("b", 300, False), ("b", 200, True)],
}
CASES = [(closer, hset) for closer in ("a", "b") for hset in HTLC_SETS] + [("mutual", "none")]
TYPES = {"anchors": CommitmentType.ANCHORS, "static_remotekey": CommitmentType.STATIC_REMOTEKEY}


@pytest.mark.parametrize("ctype", list(TYPES), ids=list(TYPES))
@pytest.mark.parametrize(("closer", "hset"), CASES, ids=[f"{c}-{h}" for c, h in CASES])
def test_close_on_chain(tmp_path, closer, hset, ctype):
    asyncio.run(_close_on_chain(str(tmp_path), closer, HTLC_SETS[hset], TYPES[ctype]))


async def _close_on_chain(tmp: str, closer: str, spec, ctype: CommitmentType) -> None:
    net = Net(tmp)
    await net.start()
    try:
        await _scenario(net, closer, spec, ctype)
    finally:
        await net.stop()


async def _scenario(net: Net, closer: str, spec, ctype: CommitmentType) -> None:
    a, b = net.a, net.b
    ours, theirs = await net.open(FUNDING_SAT, PUSH_MSAT, ctype)
    driver = {a: ours, b: theirs}
    by_name = {"a": a, "b": b}
    htlcs = []
    for i, (payer, amount, settle) in enumerate(spec):
        x = by_name[payer]
        y = b if x is a else a
        htlcs.append(await net.hold_payment(x, y, amount, f"htlc{i}", settle))
    await quiet(len(htlcs), ours, theirs)

    # the balances just before the close
    local_sat = {n: driver[n].status().local_msat // 1000 for n in (a, b)}
    in_flight = sum(h.amount_sat for h in htlcs)
    assert ours.status().local_msat + theirs.status().local_msat + in_flight * 1000 == FUNDING_SAT * 1000
    start = {n: wallet_coins(n) for n in (a, b)}
    assert all(n.wallet.balance().unconfirmed_sat == 0 for n in (a, b))

    if closer == "mutual":
        txid = await a.close_channel(ours)
        expected_kind = {a: "mutual", b: "mutual"}
    else:
        x = by_name[closer]
        txid = await x.force_close(driver[x])
        expected_kind = {x: "local", (b if x is a else a): "remote"}
    assert txid is not None
    await net.in_mempool(txid)
    await net.mine(1)
    for n in (a, b):
        await wait_for(lambda n=n: n.onchain.list_closed(), what="the close seen on chain")
        [closed] = n.onchain.list_closed()
        assert closed["closing_txid"] == txid, "the closer's transaction is the one confirmed"
        assert closed["close_kind"] == expected_kind[n]

    # the payees decide, on chain now
    for h in htlcs:
        if h.settle:
            assert h.payee.payee.settle_hold(h.preimage)
    await asyncio.sleep(0.3)  # the claims that follow are broadcast

    mined = await _mine_until_resolved(net, a, b, htlcs)
    for n in (a, b):
        [closed] = n.onchain.list_closed()
        assert closed["closed"], f"not resolved after {mined} blocks: {closed}"
        assert [s for s in n.onchain.list_sweeps() if s["status"] == "broadcast"] == []
        assert driver[n].status().state is ChannelState.CLOSED

    # payments: complete when settled on chain, failed when timed out or trimmed
    for h in htlcs:
        assert h.task.done()
        want = "complete" if h.settle and h.amount_sat >= DUST_SAT else "failed"
        assert h.payer.payer.result(h.payment_hash).status == want, (h.amount_sat, h.settle)

    # the accounting, to the sat
    close_tx = find_tx(a, txid)
    dust_sat = sum(h.amount_sat for h in htlcs if h.amount_sat < DUST_SAT)
    untrimmed = sum(1 for h in htlcs if h.amount_sat >= DUST_SAT)
    outputs_sat = sum(o.value for o in close_tx.outputs)
    if closer == "mutual":
        fee = FUNDING_SAT - outputs_sat
        anchors = 0
    else:
        anchors = 2 * ANCHOR_SAT if ctype.anchors else 0
        assert len(close_tx.outputs) == 2 + untrimmed + (2 if ctype.anchors else 0)
        fee = FUNDING_SAT - outputs_sat - dust_sat  # the trimmed HTLCs went to fees as well
        assert fee == bolt3_commitment_fee(ours, untrimmed)
    for n in (a, b):
        expected = local_sat[n]
        if driver[n].core.is_funder:
            expected -= fee + anchors
        expected += ANCHOR_SAT * confirmed_cpfps(n)  # an anchor spent by our CPFP is ours again
        for h in htlcs:
            if h.amount_sat >= DUST_SAT and (h.payee if h.settle else h.payer) is n:
                expected += h.amount_sat
        gain = wallet_coins(n) - start[n]
        fees = confirmed_sweep_fees(n)
        assert gain + fees == expected, f"{'AB'[n is b]}: {gain=} {fees=} {expected=}; sweeps:\n{sweeps_text(n)}"
        if closer == "mutual":
            assert fees == 0
        # everything settled in the wallet: nothing left pending or locked
        balance = n.wallet.balance()
        assert (balance.unconfirmed_sat, balance.reserved_sat, balance.immature_sat) == (0, 0, 0), balance


OFFLINE_BLOCKS = 5  # blocks B misses: fewer than TO_SELF_DELAY (A's to_local still waits)


@pytest.mark.parametrize("ctype", list(TYPES), ids=list(TYPES))
@pytest.mark.parametrize("settle", [False, True], ids=["timeouts", "settle-after-restart"])
def test_offline_peer_restarts_and_sweeps(tmp_path, ctype, settle):
    """B is off while A force-closes; B comes back a few blocks later (before A's delay
    ends) as a new process on its data directory, learns of the close from the blocks it
    missed, sweeps its balance and takes back its own HTLC once it times out (and lets A
    take back A's). With `settle`, B also holds an HTLC of A's that it settles after the
    restart: it claims it on chain with the preimage."""
    asyncio.run(_offline(str(tmp_path), TYPES[ctype], settle))


async def _offline(tmp: str, ctype: CommitmentType, settle: bool) -> None:
    net = Net(tmp)
    await net.start()
    try:
        await _offline_scenario(net, ctype, settle)
    finally:
        await net.stop()


async def _offline_scenario(net: Net, ctype: CommitmentType, settle: bool) -> None:
    a, b = net.a, net.b
    ours, theirs = await net.open(FUNDING_SAT, PUSH_MSAT, ctype)
    timed_out_b = await net.hold_payment(b, a, 40_000, "b-to-a timed out")
    timed_out_a = await net.hold_payment(a, b, 30_000, "a-to-b timed out")
    htlcs = [timed_out_b, timed_out_a]
    if settle:
        settled_by_b = await net.hold_payment(a, b, 50_000, "a-to-b settled", settle=True)
        htlcs.append(settled_by_b)
    await quiet(len(htlcs), ours, theirs)
    local_sat = {"a": ours.status().local_msat // 1000, "b": theirs.status().local_msat // 1000}
    start = {"a": wallet_coins(a), "b": wallet_coins(b)}

    await net.stop_b()
    txid = await a.force_close(ours)
    await net.in_mempool(txid)
    await net.mine(1)
    [closed] = a.onchain.list_closed()
    assert (closed["closing_txid"], closed["close_kind"]) == (txid, "local")
    close_height = closed["closing_height"]
    await net.mine(OFFLINE_BLOCKS)

    b = await net.restart_b()
    await wait_for(lambda: b.onchain.list_closed(), what="B sees the close after its restart")
    [closed_b] = b.onchain.list_closed()
    assert (closed_b["closing_txid"], closed_b["close_kind"]) == (txid, "remote")
    theirs = b.channels.by_channel_id(ours.channel_id)
    if settle:
        # the restarted payee holds the HTLC again (as it did before) and settles it now
        await wait_for(lambda: settled_by_b.payment_hash in b.payee.sets,
                       what="the held HTLC held again after the restart")
        assert b.payee.settle_hold(settled_by_b.preimage)
    await asyncio.sleep(0.3)
    await net.mine(1)
    to_remote = [s for s in b.onchain.list_sweeps() if "to_remote" in s["kind"]]
    assert to_remote and to_remote[-1]["status"] == "confirmed"
    assert to_remote[-1]["confirmed_height"] < close_height + TO_SELF_DELAY

    def done() -> bool:
        return (all(c["closed"] for n in (a, b) for c in n.onchain.list_closed())
                and all(b.payer.result(h.payment_hash).status != "pending" if h.payer is not a else h.task.done()
                        for h in htlcs))
    mined = 0
    while mined < MAX_BLOCKS and not done():
        await net.mine(1)
        mined += 1
    for n in (a, b):
        [c] = n.onchain.list_closed()
        assert c["closed"], c
        assert [s for s in n.onchain.list_sweeps() if s["status"] == "broadcast"] == []
    assert theirs.status().state is ChannelState.CLOSED
    assert b.payer.result(timed_out_b.payment_hash).status == "failed"
    assert a.payer.result(timed_out_a.payment_hash).status == "failed"
    if settle:
        assert a.payer.result(settled_by_b.payment_hash).status == "complete"

    close_tx = find_tx(a, txid)
    fee = FUNDING_SAT - sum(o.value for o in close_tx.outputs)
    assert fee == bolt3_commitment_fee(ours, len(htlcs))
    anchors = 2 * ANCHOR_SAT if ctype.anchors else 0
    expected = {"a": local_sat["a"] - fee - anchors + timed_out_a.amount_sat + ANCHOR_SAT * confirmed_cpfps(a),
                "b": local_sat["b"] + timed_out_b.amount_sat + (settled_by_b.amount_sat if settle else 0)}
    for name, n in (("a", a), ("b", b)):
        gain = wallet_coins(n) - start[name]
        fees = confirmed_sweep_fees(n)
        assert gain + fees == expected[name], f"{name}: {gain=} {fees=}; sweeps:\n{sweeps_text(n)}"
        balance = n.wallet.balance()
        assert (balance.unconfirmed_sat, balance.reserved_sat, balance.immature_sat) == (0, 0, 0), balance


@pytest.mark.parametrize("ctype", list(TYPES), ids=list(TYPES))
def test_fee_pressure_bumps_and_replacements(tmp_path, ctype):
    """Fees rise just as A force-closes, and blocks come that hold none of the close's
    transactions: A's commitment (paying the old feerate) gets an anchor CPFP child, and
    the HTLC claims with a deadline are replaced (RBF) at every such block. In the end the
    accounting still holds to the sat, and no replaced transaction is left behind in either
    wallet (no phantom unconfirmed coin, no coin kept reserved)."""
    asyncio.run(_fee_pressure(str(tmp_path), TYPES[ctype]))


async def _fee_pressure(tmp: str, ctype: CommitmentType) -> None:
    net = Net(tmp)
    await net.start()
    try:
        await _fee_pressure_scenario(net, ctype)
    finally:
        await net.stop()


async def _mine_until_resolved(net: Net, a: Node, b: Node, htlcs: list[Htlc]) -> int:
    """Mine until both closes are resolved, every payment is over and no sweep waits (at
    most MAX_BLOCKS); returns how many blocks that took."""
    def done() -> bool:
        return (all(c["closed"] for n in (a, b) for c in n.onchain.list_closed())
                and all(h.task.done() for h in htlcs)
                and not any(s["status"] == "broadcast" for n in (a, b) for s in n.onchain.list_sweeps()))
    mined = 0
    while not done() and mined < MAX_BLOCKS:
        await net.mine(1)
        mined += 1
    return mined


async def _empty_blocks(net: Net, n: int) -> None:
    """Blocks with no transaction from the mempool: what is broadcast waits."""
    chain = net.a.chain.devchain.chain
    spk = address_to_script(BURN, net.a.network)
    for _ in range(n):
        chain.generate_block(spk, [])
        await net.sync()
        await asyncio.sleep(0.3)


async def _fee_pressure_scenario(net: Net, ctype: CommitmentType) -> None:
    a, b = net.a, net.b
    ours, theirs = await net.open(FUNDING_SAT, PUSH_MSAT, ctype)
    settled_by_a = await net.hold_payment(b, a, 40_000, "b-to-a settled", settle=True)
    settled_by_b = await net.hold_payment(a, b, 30_000, "a-to-b settled", settle=True)
    timed_out = await net.hold_payment(a, b, 20_000, "a-to-b timed out")
    htlcs = [settled_by_a, settled_by_b, timed_out]
    await quiet(len(htlcs), ours, theirs)
    local_sat = {a: ours.status().local_msat // 1000, b: theirs.status().local_msat // 1000}
    start = {n: wallet_coins(n) for n in (a, b)}

    a.chain.devchain.chain.fee_estimate = 20_000  # sat/kvB: 5,000 sat/kw, 20 times the floor
    txid = await a.force_close(ours)
    await net.in_mempool(txid)
    await _empty_blocks(net, 2)
    if ctype.anchors:
        assert any(s["kind"] == "anchor cpfp" for s in a.onchain.list_sweeps()), sweeps_text(a)
    await net.mine(1)
    for n in (a, b):
        await wait_for(lambda n=n: n.onchain.list_closed(), what="the close seen on chain")
        [closed] = n.onchain.list_closed()
        assert closed["closing_txid"] == txid
    if ctype.anchors:
        assert confirmed_cpfps(a) == 1, sweeps_text(a)
    for h in (settled_by_a, settled_by_b):
        assert h.payee.payee.settle_hold(h.preimage)
    await asyncio.sleep(0.3)
    await _empty_blocks(net, 2)  # the claims with a deadline are bumped
    # (A's HTLC-success is pre-signed with its fee without anchors: only rebroadcast then)
    for n in (a, b) if ctype.anchors else (b,):
        assert any(s["status"] == "replaced" for s in n.onchain.list_sweeps()), sweeps_text(n)

    await _mine_until_resolved(net, a, b, htlcs)
    for n in (a, b):
        [closed] = n.onchain.list_closed()
        assert closed["closed"], closed
        assert [s for s in n.onchain.list_sweeps() if s["status"] == "broadcast"] == [], sweeps_text(n)
    assert a.payer.result(settled_by_b.payment_hash).status == "complete"
    assert b.payer.result(settled_by_a.payment_hash).status == "complete"
    assert a.payer.result(timed_out.payment_hash).status == "failed"

    close_tx = find_tx(a, txid)
    fee = FUNDING_SAT - sum(o.value for o in close_tx.outputs)
    assert fee == bolt3_commitment_fee(ours, len(htlcs))
    anchors = 2 * ANCHOR_SAT if ctype.anchors else 0
    expected = {a: local_sat[a] - fee - anchors + settled_by_a.amount_sat + timed_out.amount_sat,
                b: local_sat[b] + settled_by_b.amount_sat}
    for n in (a, b):
        expected[n] += ANCHOR_SAT * confirmed_cpfps(n)
        gain = wallet_coins(n) - start[n]
        fees = confirmed_sweep_fees(n)
        assert gain + fees == expected[n], f"{'AB'[n is b]}: {gain=} {fees=} {expected[n]=}; sweeps:\n{sweeps_text(n)}"
        balance = n.wallet.balance()
        assert (balance.unconfirmed_sat, balance.reserved_sat, balance.immature_sat) == (0, 0, 0), \
            f"{'AB'[n is b]}: {balance}; sweeps:\n{sweeps_text(n)}"
