"""BOLT 5, the revoked commitment: B keeps a copy of its commitment transaction (and of its
HTLC transactions) at a state with HTLCs in both directions, the channel moves on, then B
publishes the old commitment. In one variant B also gets its HTLC transactions mined
before A can react (the commitment and them mined without A seeing the blocks in between).

A must end up with the whole channel: every output of the revoked commitment but the two
anchors (nobody sweeps them), the outputs of B's HTLC transactions taken by the second-stage
penalty. B gets nothing from the channel: its wallet only loses the fees it paid for its
HTLC transactions.
"""

from __future__ import annotations

import asyncio

import pytest

from amiko.bitcoin.address import address_to_script
from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.bolt.signatures import sign_input
from amiko.channels.interface import ChannelState
from amiko.payments.bolt11 import decode_invoice
from tests.async_wait import wait_for
from tests.onchain_net import (
    ANCHOR_SAT,
    BURN,
    Net,
    confirmed_sweep_fees,
    quiet,
    sweeps_text,
    wallet_coins,
)

FUNDING_SAT = 1_000_000
PUSH_MSAT = 400_000_000
CHEAT_FEERATE = 1_000  # sat/kw, for the fee inputs of B's HTLC transactions (with anchors)
TYPES = {"anchors": CommitmentType.ANCHORS, "static_remotekey": CommitmentType.STATIC_REMOTEKEY}
VARIANTS = ["commitment", "with_htlc_txs"]


@pytest.mark.parametrize("ctype", list(TYPES), ids=list(TYPES))
@pytest.mark.parametrize("variant", VARIANTS)
def test_revoked_commitment(tmp_path, variant, ctype):
    asyncio.run(_revoked(str(tmp_path), variant == "with_htlc_txs", TYPES[ctype]))


async def _revoked(tmp: str, with_htlc_txs: bool, ctype: CommitmentType) -> None:
    net = Net(tmp)
    await net.start()
    try:
        await _scenario(net, with_htlc_txs, ctype)
    finally:
        await net.stop()


def _cheater_htlc_txs(b, driver, number: int, saved, preimages: dict[bytes, bytes],
                      anchors: bool) -> tuple[list, int]:
    """B's HTLC transactions of its commitment `number`, signed as B would have: with
    anchors they pay no fee of their own, so B adds wallet inputs and signs again.
    Returns them and what B's wallet pays for them."""
    keys = driver.core._keys
    secret = keys.htlc_secret(keys.per_commitment_point(number))
    out, paid = [], 0
    for htx, remote_sig, local_sig in saved:
        preimage = preimages[htx.payment_hash] if htx.is_success else None
        if not anchors:
            out.append(htx.signed_tx(remote_sig, local_sig, preimage))
            continue
        tx = b.wallet.add_fee_inputs(htx.tx, [htx.amount_sat], CHEAT_FEERATE, extra_weight=400,
                                     reserve_for="cheat")
        sig = sign_input(tx, 0, htx.htlc_script, htx.amount_sat, secret)
        tx = tx.with_witness(0, htx.witness(remote_sig, sig, preimage))
        out.append(b.wallet.sign(tx))
        wallet_in = sum(b.wallet.db.utxo(i.prevout).amount_sat for i in tx.inputs[1:])
        assert wallet_in > 0
        paid += wallet_in - sum(o.value for o in tx.outputs[1:])
    return out, paid


async def _scenario(net: Net, with_htlc_txs: bool, ctype: CommitmentType) -> None:
    a, b = net.a, net.b
    ours, theirs = await net.open(FUNDING_SAT, PUSH_MSAT, ctype)

    # a state with HTLCs both ways (and a trimmed one): B keeps its commitment of it
    h_ab = await net.hold_payment(a, b, 50_000, "a-to-b")
    h_ba = await net.hold_payment(b, a, 40_000, "b-to-a")
    h_dust = await net.hold_payment(a, b, 300, "a-to-b-dust")
    await quiet(3, ours, theirs)
    number = theirs.core.data.local_commitment_number
    old_tx = theirs.core.latest_commitment_tx()
    saved = theirs.core.latest_htlc_txs()
    assert old_tx is not None and len(saved) == 2
    expiry = max(h.cltv_expiry for h in theirs.core.data.htlcs.values())

    # the channel moves on: the HTLCs resolve off chain, one more payment
    assert b.payee.settle_hold(h_ab.preimage)
    a.payee.cancel(h_ba.payment_hash)
    b.payee.cancel(h_dust.payment_hash)
    assert (await h_ab.task).status == "complete"
    assert (await h_ba.task).status == "failed"
    assert (await h_dust.task).status == "failed"
    inv = b.invoices.create(25_000_000, "after")
    assert (await a.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=30)).status == "complete"
    await quiet(0, ours, theirs)
    assert theirs.core.data.local_commitment_number > number + 1  # the saved state is revoked

    if with_htlc_txs:
        await net.mine_to(expiry)  # B's HTLC-timeout is valid in the next block
    start = {n: wallet_coins(n) for n in (a, b)}
    cheat, cheat_fees = _cheater_htlc_txs(b, theirs, number, saved, {h_ab.payment_hash: h_ab.preimage},
                                          ctype.anchors) if with_htlc_txs else ([], 0)

    # B publishes its revoked commitment
    if with_htlc_txs:
        # The commitment and its HTLC transactions go into blocks with nothing in between
        # (no await): neither node sees the commitment before the HTLC transactions are in.
        chain = a.chain.devchain.chain
        spk = address_to_script(BURN, a.network)
        if ctype.anchors:  # `1 OP_CHECKSEQUENCEVERIFY`: a block after the commitment
            chain.generate_block(spk, [old_tx])
            chain.generate_block(spk, cheat)
        else:
            chain.generate_block(spk, [old_tx, *cheat])
        await net.sync()
        await asyncio.sleep(0.2)
    else:
        await b.chain.backend.broadcast(old_tx)
        await net.mine(1)
    await wait_for(lambda: a.onchain.list_closed(), what="A sees the close")
    [closed] = a.onchain.list_closed()
    assert closed["close_kind"] == "revoked"
    assert closed["closing_txid"] == old_tx.txid_hex

    mined = 0
    while mined < 80 and not (a.onchain.list_closed()[0]["closed"] and not any(
            s["status"] == "broadcast" for n in (a, b) for s in n.onchain.list_sweeps())):
        await net.mine(1)
        mined += 1
    [closed] = a.onchain.list_closed()
    assert closed["closed"], closed
    assert ours.status().state is ChannelState.CLOSED
    assert [s for s in a.onchain.list_sweeps() if s["status"] == "broadcast"] == []

    # A: everything but the anchors; of B's HTLC transactions, what their outputs hold
    anchors = 2 * ANCHOR_SAT if ctype.anchors else 0
    lost_to_htlc_tx_fees = 0
    if with_htlc_txs:
        for tx in cheat:
            spent = old_tx.outputs[tx.inputs[0].prevout.index].value
            lost_to_htlc_tx_fees += spent - tx.outputs[0].value  # zero with anchors
        if ctype.anchors:
            assert lost_to_htlc_tx_fees == 0
    expected_a = sum(o.value for o in old_tx.outputs) - anchors - lost_to_htlc_tx_fees
    gain_a = wallet_coins(a) - start[a]
    fees_a = confirmed_sweep_fees(a)
    assert gain_a + fees_a == expected_a, f"{gain_a=} {fees_a=} {expected_a=}; sweeps:\n{sweeps_text(a)}"

    # B: nothing from the channel; only the fees of its HTLC transactions' wallet inputs
    assert wallet_coins(b) - start[b] == -cheat_fees
    assert confirmed_sweep_fees(b) == 0

    for n in (a, b):
        balance = n.wallet.balance()
        assert (balance.unconfirmed_sat, balance.reserved_sat, balance.immature_sat) == (0, 0, 0), balance
