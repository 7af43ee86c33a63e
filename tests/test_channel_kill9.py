"""Kill -9 at every point of the update cycle: nothing lost, nothing doubled.

Two node processes and a dev chain process share one channel: a Lightning channel (20
points) or a trust channel (12 points). For each point
(a message type, before or after it leaves, on either node) the node is restarted with
AMIKO_DEV_CRASH set, payments run both ways (some fail on purpose) until it dies there,
it is restarted normally, and once every HTLC has resolved the test checks that each
payment ended exactly once on both sides and that the balances moved by exactly the
payments that completed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from amiko.rpc.client import RPC_FILE, call
from amiko.rpc.errors import RpcError

MESSAGES = {
    "lightning": ["update_add_htlc", "commitment_signed", "revoke_and_ack", "update_fulfill_htlc",
                  "update_fail_htlc"],
    "trust": ["trust_update", "trust_sign", "trust_ack"],
}
CAPACITY_MSAT = 2_000_000_000
TRUST_LIMIT_MSAT = 1_000_000_000


def points(kind: str) -> list[tuple[str, str]]:
    return [(node, f"{phase}:{msg}") for msg in MESSAGES[kind] for phase in ("send", "sent") for node in "AB"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(fn, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = fn()
        except RpcError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached in {timeout} s")
        time.sleep(0.1)


class Proc:
    def __init__(self, name: str, base: Path, url: str, port: int) -> None:
        self.name, self.dir, self.url, self.port = name, base / name, url, port
        self.proc: subprocess.Popen[bytes] | None = None
        self.id = ""
        self.extra: tuple[str, ...] = ()

    def start(self, crash: str | None = None, extra: tuple[str, ...] = ()) -> None:
        rpc = self.dir / RPC_FILE
        if rpc.exists():
            rpc.unlink()
        env = dict(os.environ)
        env.pop("AMIKO_DEV_CRASH", None)
        if crash:
            env["AMIKO_DEV_CRASH"] = crash
        self.dir.mkdir(parents=True, exist_ok=True)
        log = open(self.dir / "stderr.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "amiko", "--dir", str(self.dir), "node", "--listen",
             f"127.0.0.1:{self.port}", "--bitcoind", self.url, "--log-level", "INFO", *self.extra, *extra],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
        wait_until(lambda: rpc.exists() and self.rpc("getinfo"), what=f"{self.name} started")
        self.id = self.rpc("getinfo")["id"]

    def rpc(self, method, params=None, timeout=30.0):
        return call(str(self.dir), method, params, timeout=timeout)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            try:
                self.rpc("stop")
                self.proc.wait(10)
            except (RpcError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def network(tmp_path):
    chain_dir = tmp_path / "chain"
    chain_dir.mkdir()
    log = open(chain_dir / "log", "ab")
    chain = subprocess.Popen([sys.executable, "-m", "amiko", "--dir", str(chain_dir), "devchain",
                              "--rpc-port", str(free_port())], stdout=log, stderr=log)
    url_file = chain_dir / "devchain" / "rpc_url"
    wait_until(url_file.exists, what="dev chain")
    url = url_file.read_text().strip()
    a = Proc("A", tmp_path, url, free_port())
    b = Proc("B", tmp_path, url, free_port())
    try:
        yield a, b
    finally:
        for p in (a, b):
            if p.proc is not None and p.alive():
                p.proc.send_signal(signal.SIGKILL)
        chain.send_signal(signal.SIGTERM)
        chain.wait(10)


def channel_of(node: Proc) -> dict:
    (ch,) = node.rpc("listchannels")["channels"]
    return ch


def settled(a: Proc, b: Proc) -> bool:
    ca, cb = channel_of(a), channel_of(b)
    pending = [p for n in (a, b) for p in n.rpc("listpays")["pays"] if p["status"] == "pending"]
    return (ca["state"] == cb["state"] == "normal" and ca["peer_connected"] and cb["peer_connected"]
            and ca["htlcs_in_flight"] == 0 and cb["htlcs_in_flight"] == 0 and not pending)


@pytest.mark.parametrize("kind", ["lightning", "trust"])
def test_kill9_at_every_point_of_the_update_cycle(network, kind):
    a, b = network
    a.start()
    b.start()
    a.rpc("connect", [f"{b.id}@127.0.0.1:{b.port}"])
    if kind == "lightning":
        a.rpc("mine", [101])
        a.rpc("openchannel", {"id": b.id, "amount": CAPACITY_MSAT // 1000, "push_msat": CAPACITY_MSAT // 2})
        a.rpc("mine", [3])
        start_b = CAPACITY_MSAT // 2
    else:
        a.rpc("mine", [1])  # the chain tip is the clock of HTLC deadlines
        b.rpc("trustaccept", [a.id, TRUST_LIMIT_MSAT])
        a.rpc("opentrust", {"id": b.id, "limit_msat": TRUST_LIMIT_MSAT, "request_msat": TRUST_LIMIT_MSAT})
        start_b = 0
    wait_until(lambda: channel_of(a)["state"] == "normal" and channel_of(b)["state"] == "normal",
               what="channel ready")
    all_points = points(kind)
    invoices: dict[str, tuple[Proc, Proc, int, bool]] = {}  # label -> payer, payee, msat, meant to succeed
    seq = 0
    crashed = 0
    missed: list[str] = []
    for target_name, point in all_points:
        target = a if target_name == "A" else b
        target.stop()
        target.start(crash=f"{point}:1")
        wait_until(lambda: settled(a, b), what=f"reconnected before {point}")
        batch = []
        for i in range(6):
            seq += 1
            payer, payee = (a, b) if i % 2 == 0 else (b, a)
            amount = 10_000_000 + seq * 1_000
            label = f"k{seq}"
            succeed = i not in (2, 3)
            inv = payee.rpc("invoice", [amount, label])
            if not succeed:
                payee.rpc("cancelinvoice", [inv["payment_hash"]])
            invoices[label] = (payer, payee, amount, succeed)
            batch.append((payer, inv["bolt11"]))
        threads = []
        for payer, bolt11 in batch:  # every invoice exists before anything can crash

            def pay(payer=payer, bolt11=bolt11):
                try:
                    payer.rpc("pay", [bolt11], timeout=60)
                except (RpcError, OSError):
                    pass

            t = threading.Thread(target=pay, daemon=True)
            t.start()
            threads.append(t)
        deadline = time.monotonic() + 20
        while target.alive() and time.monotonic() < deadline and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        grace = time.monotonic() + 1.0  # a crash "after sent" comes a moment after the send
        while target.alive() and time.monotonic() < grace:
            time.sleep(0.05)
        if not target.alive():
            crashed += 1
        else:
            missed.append(f"{target_name} {point}")
            target.stop()
        target.start()
        try:
            wait_until(lambda: settled(a, b), timeout=60, what=f"everything resolved after {point}")
        except AssertionError:
            for n in (a, b):
                print(n.name, json.dumps(n.rpc("listchannels"), indent=1))
                print(n.name, [p for p in n.rpc("listpays")["pays"] if p["status"] == "pending"])
            raise
        for t in threads:
            t.join(30)

    # every payment ended exactly once, and the same way on both sides
    pays = {p["payment_hash"]: p for n in (a, b) for p in n.rpc("listpays")["pays"]}
    moved = 0  # msat from A to B
    for label, (payer, payee, amount, succeed) in invoices.items():
        (inv,) = payee.rpc("listinvoices", [label])["invoices"]
        pay = pays.get(inv["payment_hash"])
        if inv["status"] == "paid":
            assert succeed, label
            assert pay is not None and pay["status"] == "complete", (label, pay)
            moved += amount if payer is a else -amount
        else:
            assert pay is None or pay["status"] == "failed", (label, pay)
    ca, cb = channel_of(a), channel_of(b)
    assert ca["local_msat"] + cb["local_msat"] == (CAPACITY_MSAT if kind == "lightning" else 0)
    assert cb["local_msat"] == start_b + moved
    paid = sum(1 for (_p, _q, _a, s) in invoices.values() if s)
    assert sum(1 for p in pays.values() if p["status"] == "complete") >= paid // 2
    assert crashed >= len(all_points) - 2, \
        f"only {crashed} of {len(all_points)} crash points were reached; missed {missed}"
    a.stop()
    b.stop()
    print(json.dumps({"points": len(all_points), "crashed": crashed, "payments": len(invoices)}))
