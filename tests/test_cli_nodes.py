"""The `amiko` command end to end: two node processes on loopback."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest


def amiko(datadir, *args, check=True, timeout=60):
    proc = subprocess.run([sys.executable, "-m", "amiko", "--dir", str(datadir), *args],
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"amiko {' '.join(args)} failed: {proc.stdout} {proc.stderr}")
    return proc


def amiko_json(datadir, *args):
    return json.loads(amiko(datadir, *args).stdout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(fn, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


@pytest.fixture
def nodes(tmp_path):
    started = []

    def start(name, port):
        d = tmp_path / name
        out = amiko_json(d, "node", "--listen", f"127.0.0.1:{port}", "--daemon")
        assert out["started"] and out["listening"] == f"127.0.0.1:{port}"
        started.append(d)
        return d

    yield start
    for d in started:
        amiko(d, "stop", check=False)


def test_command_without_node_reports_error(tmp_path):
    proc = amiko(tmp_path / "nothing", "getinfo", check=False)
    assert proc.returncode != 0
    err = json.loads(proc.stdout)["error"]
    assert "no node is running" in err["message"] and isinstance(err["code"], int)


def test_two_processes_connect_and_reconnect(nodes, tmp_path):
    pa, pb = free_port(), free_port()
    a = nodes("a", pa)
    b = nodes("b", pb)
    info_a, info_b = amiko_json(a, "getinfo"), amiko_json(b, "getinfo")
    for info in (info_a, info_b):
        assert info["network"] == "regtest" and info["version"] and info["alias"]
    assert info_a["id"] != info_b["id"]
    assert (a / "amiko.log").exists()

    out = amiko_json(a, "connect", f"{info_b['id']}@127.0.0.1:{pb}")
    assert out["id"] == info_b["id"]
    (peer_of_a,) = amiko_json(a, "listpeers")["peers"]
    assert peer_of_a["id"] == info_b["id"] and peer_of_a["connected"]
    assert "negotiated_features" in peer_of_a and "hex" in peer_of_a["features"]
    peers_of_b = wait_until(lambda: [p for p in amiko_json(b, "listpeers")["peers"] if p["connected"]])
    assert peers_of_b[0]["id"] == info_a["id"]
    assert amiko_json(a, "getinfo")["peers"] == 1

    # bad user input gets a clear error and changes nothing
    bad = amiko(a, "connect", "nothex@127.0.0.1:1", check=False)
    assert bad.returncode != 0 and "node id" in json.loads(bad.stdout)["error"]["message"]
    refused = amiko(a, "connect", f"{info_b['id'][:-2]}00@127.0.0.1:1", check=False)
    assert refused.returncode != 0

    # stop B, start it again: A reconnects by itself
    amiko(b, "stop")
    wait_until(lambda: not amiko_json(a, "listpeers")["peers"][0]["connected"])
    nodes("b", pb)
    wait_until(lambda: amiko_json(a, "listpeers")["peers"][0]["connected"], timeout=30)
    assert amiko_json(b, "getinfo")["id"] == info_b["id"]
