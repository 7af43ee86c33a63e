"""`amiko demo` as a user runs it: to the end with nothing lost, `--keep` leaving a network
the printed commands use and stop, and Ctrl-C stopping every process it started."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

AMIKO = [sys.executable, "-m", "amiko"]


def demo(tmp_path: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*AMIKO, "--dir", str(tmp_path / "demo"), "demo", *args], capture_output=True,
                          text=True, timeout=timeout)


def ports(output: str) -> list[int]:
    """The nodes' listening ports, as the demo prints them."""
    return [int(p) for p in re.findall(r"^  [A-Z]  [0-9a-f]{66}  127\.0\.0\.1:(\d+)$", output, re.M)]


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(cond: object, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_the_demo_runs_to_the_end_and_loses_nothing(tmp_path: Path) -> None:
    r = demo(tmp_path, "--nodes", "4", "--payments", "12")
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "lightning" in out and "trust" in out  # both channel types, in one network
    assert re.search(r"^12 payments, \d+ succeeded \(\d+ in several parts\), \d+ refused on purpose, 0 failed "
                     r"otherwise; \d+ msat in fees; 0 msat lost$", out, re.M), out
    assert re.search(r"^  gossip: every node knows every channel", out, re.M), out
    assert re.search(r"^  total\s+(\d+)\s+\1\s+\+0$", out, re.M), out
    found = ports(out)
    assert len(found) == 4
    assert wait_until(lambda: not any(listening(p) for p in found)), "nodes left running"


def test_keep_leaves_a_network_that_the_printed_commands_use_and_stop(tmp_path: Path) -> None:
    r = demo(tmp_path, "--nodes", "3", "--payments", "4", "--keep")
    out = r.stdout
    found = ports(out)
    stop_line = next((line for line in out.splitlines() if line.startswith("Stop it with: ")), None)
    try:
        assert r.returncode == 0, out + r.stderr
        assert "The network keeps running" in out and stop_line is not None
        assert all(listening(p) for p in found)
        # the first command it suggests works as printed
        suggested = next(line.strip() for line in out.splitlines() if line.strip().endswith(" listchannels"))
        argv = shlex.split(suggested)
        assert argv[0] == "amiko"
        listed = subprocess.run([*AMIKO, *argv[1:]], capture_output=True, text=True, timeout=60)
        assert listed.returncode == 0 and '"channels"' in listed.stdout, listed.stdout + listed.stderr
    finally:
        for command in (stop_line or "").removeprefix("Stop it with: ").split("; "):
            argv = shlex.split(command)
            if argv[:1] == ["amiko"]:
                subprocess.run([*AMIKO, *argv[1:]], capture_output=True, timeout=60)
            elif argv[:1] == ["kill"]:
                os.kill(int(argv[1]), signal.SIGTERM)
    assert wait_until(lambda: not any(listening(p) for p in found)), "the stop commands left nodes running"


def test_ctrl_c_stops_everything_it_started(tmp_path: Path) -> None:
    # Ctrl-C in a terminal signals the whole foreground process group: the demo and the
    # processes it started alike
    proc = subprocess.Popen([*AMIKO, "--dir", str(tmp_path / "demo"), "demo", "--nodes", "3", "--payments", "500"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    assert proc.stdout is not None
    seen = ""
    try:
        while "payments 10/" not in seen:  # not a terminal: a progress line every 10 payments
            ch = proc.stdout.read(1)
            assert ch, "the demo ended before its payments began:\n" + seen
            seen += ch
        os.killpg(proc.pid, signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130 and "interrupted" in rest, seen + rest
    assert "Traceback" not in seen + rest
    found = ports(seen)
    assert len(found) == 3
    assert wait_until(lambda: not any(listening(p) for p in found)), "nodes left running"
