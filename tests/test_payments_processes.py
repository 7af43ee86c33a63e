"""Payments between node processes over TCP on one dev chain.

Topology: a line A-B-C-D-E, and a second path B-F-D, so B..D is a diamond. Channels are
public: every node routes by gossip alone. The test pays between random pairs, pays B->D
more than one path can carry (multi-part), makes middle hops fail (a fee raised behind the
payer's back, a delta raised, the next peer offline) and checks that the payer is told why
and succeeds on the other path; at the end nothing is pending and the msat over all
channels plus fees are conserved."""

from __future__ import annotations

import random
import time

import pytest

from amiko.rpc.errors import RpcError
from tests.test_channel_kill9 import Proc, free_port, network, wait_until  # noqa: F401

pytestmark = pytest.mark.slow

EDGES = [("A", "B"), ("B", "C"), ("C", "D"), ("D", "E"), ("B", "F"), ("F", "D")]


@pytest.fixture
def six(network, tmp_path):  # noqa: F811
    a, b = network
    url = a.url
    others = {n: Proc(n, tmp_path, url, free_port()) for n in "CDEF"}
    nodes = {"A": a, "B": b, **others}
    yield nodes
    for p in others.values():
        if p.proc is not None and p.alive():
            p.proc.kill()


def graph_complete(node: Proc) -> bool:
    chans = node.rpc("listchannels", {"all": True})["channels"]
    return len(chans) == len(EDGES) and all(c["node1_policy"] and c["node2_policy"] for c in chans)


def own_total(nodes) -> int:
    return sum(c["local_msat"] for n in nodes.values() for c in n.rpc("listchannels")["channels"])


def pay(payer: Proc, payee: Proc, msat: int, label: str) -> dict:
    inv = payee.rpc("invoice", [msat, label])
    return payer.rpc("pay", [inv["bolt11"]], timeout=90)


def test_line_and_diamond_in_processes(six):
    nodes = six
    for n in nodes.values():
        n.extra = ("--gossip-interval", "0.5")
        n.start()
    a = nodes["A"]
    for n in nodes.values():
        a.rpc("mine", {"blocks": 2, "to": n.rpc("newaddr")["address"]})  # a coin per channel it opens
    height = a.rpc("mine", [100])["blockheight"]
    for n in nodes.values():
        wait_until(lambda n=n: n.rpc("getinfo")["chain"]["blockheight"] >= height, what=f"{n.name} synced")
    for x, y in EDGES:
        nx, ny = nodes[x], nodes[y]
        nx.rpc("connect", [f"{ny.id}@127.0.0.1:{ny.port}"])
        nx.rpc("openchannel", {"id": ny.id, "amount": 1_000_000, "push_msat": 300_000_000})
    a.rpc("mine", [6])
    for n in nodes.values():
        wait_until(lambda n=n: graph_complete(n), timeout=60, what=f"{n.name}'s graph")
    before = own_total(nodes)

    # random pairs
    rng = random.Random(11)
    names = list(nodes)
    for i in range(10):
        src, dst = rng.sample(names, 2)
        r = pay(nodes[src], nodes[dst], rng.randrange(1_000, 100_000_000), f"r{i}")
        assert r["status"] == "complete", (src, dst, r)

    # more than one path from B to D can carry: split over C and F
    r = pay(nodes["B"], nodes["D"], 1_100_000_000, "mpp")  # more than any one channel holds
    assert r["status"] == "complete" and r["parts"] >= 2, r

    # middle hops that fail behind the payer's back (their new policy is not gossiped yet);
    # the payer learns why and goes the other way
    def set_policy(name: str, **change) -> None:
        hop = nodes[name]
        (to_d,) = [c for c in hop.rpc("listchannels")["channels"] if c["peer_id"] == nodes["D"].id]
        hop.rpc("setchannel", {"channel": to_d["channel_id"], **change})

    # (1) C raises its fee: A's graph still has the old one, so C refuses (fee_insufficient)
    # and A goes through F
    set_policy("C", base=5_000_000)
    for j in range(3):
        r = pay(nodes["A"], nodes["E"], 5_000_000, f"fee{j}")
        assert r["status"] == "complete", r
    # (2) C's new fee reaches everyone; then F raises its delta and A, still routing by the
    # old one, hits incorrect_cltv_expiry at F and pays through the expensive C instead
    wait_until(lambda: any(p and p["fee_base_msat"] == 5_000_000 for c in a.rpc("listchannels", {"all": True})["channels"]
                           for p in (c["node1_policy"], c["node2_policy"])), what="C's new fee gossiped")
    set_policy("F", cltv_delta=500)
    r = pay(nodes["A"], nodes["E"], 5_000_000, "delta")
    assert r["status"] == "complete", r
    set_policy("F", cltv_delta=40)
    set_policy("C", base=1000)

    # the next peer offline: C goes away; B fails the part, A pays through F
    nodes["C"].stop()
    for j in range(3):
        r = pay(nodes["A"], nodes["D"], 3_000_000, f"offline{j}")
        assert r["status"] == "complete", r
    nodes["C"].start()
    for n in nodes.values():
        wait_until(lambda n=n: all(c["peer_connected"] for c in n.rpc("listchannels")["channels"]),
                   timeout=60, what=f"{n.name} reconnected")
        wait_until(lambda n=n: all(c["htlcs_in_flight"] == 0 for c in n.rpc("listchannels")["channels"]),
                   timeout=60, what=f"{n.name}: nothing in flight")
        assert not [p for p in n.rpc("listpays")["pays"] if p["status"] == "pending"]
    assert own_total(nodes) == before  # fees move between nodes; nothing is lost
    earned = sum(f["fee_msat"] for n in nodes.values() for f in n.rpc("listforwards")["forwards"]
                 if f["status"] == "settled")
    paid = sum(p["fee_msat"] for n in nodes.values() for p in n.rpc("listpays")["pays"]
               if p["status"] == "complete")
    assert earned == paid > 0
    # D walks the payments it received in the order they came, each once, none missed
    d = nodes["D"]
    received = {i["label"] for i in d.rpc("listinvoices")["invoices"] if i["status"] == "paid"}
    walked, last = [], 0
    for _ in received:
        inv = d.rpc("waitanyinvoice", {"lastpay_index": last, "timeout": 5})
        assert inv["pay_index"] > last and inv["status"] == "paid", inv
        walked.append(inv["label"])
        last = inv["pay_index"]
    assert sorted(walked) == sorted(received) and {"mpp", "offline0"} <= received
    with pytest.raises(RpcError, match="no invoice paid after"):
        d.rpc("waitanyinvoice", {"lastpay_index": last, "timeout": 0})
    for n in nodes.values():
        n.stop()
    time.sleep(0.1)
