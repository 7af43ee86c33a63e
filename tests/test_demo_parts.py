"""Parts of `amiko demo` checked on their own: the progress display on a terminal and in
a log, and a node whose process has gone being reported at once, not waited for."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

import pytest

from amiko.cli.demo import DemoNode, Progress, Tally, wait
from amiko.cli.main import main
from amiko.rpc.client import NodeNotRunning


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(progress: Progress, count: int) -> None:
    t = Tally()
    for i in range(count):
        t.done, t.succeeded, t.refused, t.fees = i + 1, i + 1 - (i + 1) // 8, (i + 1) // 8, 1000 * (i + 1)
        progress.show(t)


def test_in_a_log_a_line_every_ten_payments_and_after_the_last() -> None:
    out = io.StringIO()
    run(Progress(23, out), 23)
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert [line.split()[1] for line in lines] == ["10/23", "20/23", "23/23"]
    assert lines[-1].startswith("  payments 23/23  succeeded 21 (0 in several parts)  refused on purpose 2  ")
    assert lines[-1].endswith("  fees 23000 msat")


def test_on_a_terminal_one_line_rewritten_then_ended() -> None:
    out = Terminal()
    run(Progress(5, out), 5)
    text = out.getvalue()
    assert text.count("\r") == 5 and text.count("\n") == 1 and text.endswith(" msat\n")
    assert text.rsplit("\r", 1)[1].startswith("  payments 5/5  ")


def test_a_node_whose_process_exited_is_reported_not_waited_for(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    proc.wait()
    node = DemoNode("B", str(tmp_path / "B"), proc=proc)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"B exited \(code 3\); see .*B/amiko.log"):
        wait(lambda: node.rpc("getinfo"), timeout=30, what="B")
    assert time.monotonic() - start < 5


def test_a_node_still_starting_is_waited_for(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        node = DemoNode("C", str(tmp_path / "C"), proc=proc)
        with pytest.raises(NodeNotRunning):
            node.rpc("getinfo")
        with pytest.raises(RuntimeError, match="C: not reached in 0 s"):
            wait(lambda: node.rpc("getinfo"), timeout=0.3, what="C")
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("argv, says", [
    (["--network", "bitcoin", "demo"], "runs on its own dev chain"),
    (["demo", "--nodes", "2"], "3 to 26 nodes"),
    (["demo", "--nodes", "27"], "3 to 26 nodes"),
    (["demo", "--payments", "-1"], "cannot be negative"),
])
def test_what_the_demo_cannot_do_is_refused_before_anything_starts(
        argv: list[str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--dir", str(tmp_path / "d"), *argv]) == 2
    assert says in capsys.readouterr().err
    assert not (tmp_path / "d").exists()
