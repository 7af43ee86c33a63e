"""On-chain enforcement through the `amiko` command, with node processes: `closechannel
--force`, `listclosed`, `listsweeps`, `backup` — and the money where BOLT 5 puts it."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.test_channel_kill9 import channel_of, network, wait_until  # noqa: F401

OTHER = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


def total_sat(node) -> int:
    return int(node.rpc("listfunds")["balance"]["total_sat"])


def amiko(node, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "amiko", "--dir", str(node.dir), *args],
                         capture_output=True, timeout=60, check=True)
    return json.loads(out.stdout)


def test_force_close_sweeps_and_views(network, tmp_path):  # noqa: F811
    a, b = network
    a.start()
    b.start()
    a.rpc("mine", [101])
    a.rpc("mine", {"blocks": 100, "to": OTHER})  # every coinbase of A's is mature
    a.rpc("connect", [f"{b.id}@127.0.0.1:{b.port}"])
    a.rpc("openchannel", {"id": b.id, "amount": 1_000_000, "push_msat": 400_000_000})
    a.rpc("mine", {"blocks": 3, "to": OTHER})
    wait_until(lambda: channel_of(a)["state"] == "normal" and channel_of(b)["state"] == "normal",
               what="channel ready")
    a_before, b_before = total_sat(a), total_sat(b)
    assert b_before == 0
    backup = amiko(b, "backup", str(tmp_path / "b.scb"))
    assert backup["channels"] == 1

    channel_id = channel_of(a)["channel_id"]
    forced = amiko(a, "closechannel", channel_id, "--force")
    assert forced["commitment_txid"] and forced["state"] == "failed"
    a.rpc("mine", {"blocks": 1, "to": OTHER})
    closed_b = wait_until(lambda: b.rpc("listclosed")["channels"], what="B sees the close")
    assert closed_b[0]["close_kind"] == "remote"
    assert closed_b[0]["closing_txid"] == forced["commitment_txid"]
    wait_until(lambda: b.rpc("listsweeps")["sweeps"], what="B sweeps its to_remote")
    a.rpc("mine", {"blocks": 1, "to": OTHER})
    wait_until(lambda: [s for s in b.rpc("listsweeps")["sweeps"] if s["status"] == "confirmed"],
               what="B's sweep confirmed")
    (b_sweep,) = b.rpc("listsweeps")["sweeps"]
    assert b_sweep["amount_sat"] == 400_000
    wait_until(lambda: total_sat(b) == 400_000 - b_sweep["fee_sat"], what="B's wallet")

    # A waits for its to_self_delay (144 blocks by default) before its sweep is valid
    (closed_a,) = a.rpc("listclosed")["channels"]
    assert closed_a["close_kind"] == "local"
    to_local = next(o for o in closed_a["outputs"] if o["description"] == "to_local")
    assert to_local["status"] == "pending" and to_local["height"] > closed_a["closing_height"]
    # the tip is closing_height + 1; the sweep is valid in the block after to_local["height"]
    a.rpc("mine", {"blocks": to_local["height"] - closed_a["closing_height"] - 2, "to": OTHER})
    assert not a.rpc("listsweeps")["sweeps"]  # not valid yet: nothing broadcast early
    a.rpc("mine", {"blocks": 1, "to": OTHER})
    wait_until(lambda: a.rpc("listsweeps")["sweeps"], what="A sweeps its to_local")
    a.rpc("mine", {"blocks": 1, "to": OTHER})
    wait_until(lambda: [s for s in a.rpc("listsweeps")["sweeps"] if s["status"] == "confirmed"],
               what="A's sweep confirmed")
    (a_sweep,) = [s for s in a.rpc("listsweeps")["sweeps"] if s["status"] == "confirmed"]
    assert a_sweep["amount_sat"] == to_local["amount_sat"]
    wait_until(lambda: total_sat(a) == a_before + to_local["amount_sat"] - a_sweep["fee_sat"], what="A's wallet")
    # the commitment fee and the anchors are the funder's: everything else is accounted for
    commitment_outputs = sum(o["amount_sat"] for o in closed_a["outputs"])
    assert to_local["amount_sat"] + 400_000 + 2 * 330 == commitment_outputs
    a.rpc("mine", {"blocks": 100, "to": OTHER})
    wait_until(lambda: a.rpc("listclosed")["channels"][0]["closed"]
               and b.rpc("listclosed")["channels"][0]["closed"], what="both closed")
    assert channel_of(a)["state"] == "closed"
    a.stop()
    b.stop()
