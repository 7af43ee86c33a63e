"""The Lightning channel between two node processes over TCP, driven through the RPC as a
user would: open a channel funded on the dev chain, 1,000 payments in both directions (20
at a time; one in five refused by its payee, so added then failed), a cooperative close,
and both wallets' on-chain balances exact to the satoshi."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from amiko.rpc.errors import RpcError
from tests.test_channel_kill9 import channel_of, network, wait_until  # noqa: F401

pytestmark = pytest.mark.slow

CAPACITY_SAT = 2_000_000
PUSH_MSAT = 1_000_000_000
OTHER = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"  # nobody's here


def total_sat(node) -> int:
    return int(node.rpc("listfunds")["balance"]["total_sat"])


def test_open_1000_payments_close_in_processes(network):  # noqa: F811
    a, b = network
    a.start()
    b.start()
    a.rpc("mine", [101])
    a.rpc("connect", [f"{b.id}@127.0.0.1:{b.port}"])
    a.rpc("openchannel", {"id": b.id, "amount": CAPACITY_SAT, "push_msat": PUSH_MSAT})
    a.rpc("mine", {"blocks": 3, "to": OTHER})
    wait_until(lambda: channel_of(a)["state"] == "normal" and channel_of(b)["state"] == "normal",
               what="channel ready")
    a_wallet_open = total_sat(a)
    assert total_sat(b) == 0

    rng = random.Random(9)
    jobs = []
    for i in range(1000):
        payer, payee = (a, b) if rng.random() < 0.5 else (b, a)
        amount = rng.randrange(1_000, 1_000_000)
        refuse = rng.random() < 0.2
        jobs.append((payer, payee, amount, refuse, f"p{i}"))
    invoices = {}
    for _payer, payee, amount, refuse, label in jobs:
        inv = payee.rpc("invoice", [amount, label])
        if refuse:
            payee.rpc("cancelinvoice", [inv["payment_hash"]])
        invoices[label] = inv["bolt11"]

    def pay(job):
        payer, _payee, _amount, _refuse, label = job
        try:
            return payer.rpc("pay", [invoices[label]], timeout=120)["status"]
        except RpcError as e:
            return "failed" if "payment failed" in e.message else f"error: {e.message}"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(pay, jobs))
    moved = 0  # msat from A to B
    for (payer, _payee, amount, refuse, label), outcome in zip(jobs, outcomes, strict=True):
        assert outcome == ("failed" if refuse else "complete"), (label, outcome)
        if not refuse:
            moved += amount if payer is a else -amount
    wait_until(lambda: channel_of(a)["htlcs_in_flight"] == 0 and channel_of(b)["htlcs_in_flight"] == 0,
               what="nothing in flight")
    a_msat, b_msat = channel_of(a)["local_msat"], channel_of(b)["local_msat"]
    assert b_msat == PUSH_MSAT + moved
    assert a_msat + b_msat == CAPACITY_SAT * 1000

    closed = a.rpc("closechannel", [channel_of(a)["channel_id"]])
    assert closed["closing_txid"]
    a.rpc("mine", {"blocks": 1, "to": OTHER})  # not to A: its wallet must show the close only
    wait_until(lambda: total_sat(b) > 0, what="B's closing output")
    closing = a.rpc("getinfo")  # the node is still serving after the close
    assert closing["id"] == a.id
    b_out = total_sat(b)
    a_out = total_sat(a) - a_wallet_open
    closing_fee = CAPACITY_SAT - a_out - b_out
    assert b_out == b_msat // 1000  # the non-funder gets its balance, rounded down
    rounding = (a_msat % 1000 + b_msat % 1000) // 1000
    assert a_out == a_msat // 1000 - (closing_fee - rounding)  # the funder pays the fee
    assert 0 < closing_fee < 10_000
    a.stop()
    b.stop()
