"""Every benchmark script runs, briefly, from a fresh clone and prints its figures with the
machine's core count. Speed is not asserted here (it is measured in `bench/`); that the
scripts keep working as the code under them changes is."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from amiko.routing.synthetic import random_graph, to_describegraph

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CORES = re.compile(r"(os\.cpu_count\(\) = |cpu_count=|cores: )\d+")


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("graph") / "describegraph.json"
    path.write_text(json.dumps(to_describegraph(random_graph(150, 450, seed=3))))
    return str(path)


@pytest.mark.parametrize(("script", "args", "figure"), [pytest.param(*p, id=p[0]) for p in [
    ("chain.py", ["50"], r"blocks/s"),
    ("noise.py", ["0.05"], r"msg/s"),
    ("onion.py", ["0.05"], r"\d+\.\d+ us"),
    ("gossip.py", ["{graph}", "--no-memory", "--store"], r"^total: 1\d{3} messages in .* of them used\); graph 450 channels"),
    ("pathfinding.py", ["{graph}", "--n", "10", "--mpp-n", "5", "--hub-n", "5"], r"median"),
    ("throughput.py", ["--payments", "20", "--payers", "1", "--hops", "1"],
     r"^1 hop\(s\),   1 payers: +\d+\.\d payments/s .* cpu +\d+\.\d ms/payment"),
    ("throughput.py", ["--payments", "20", "--payers", "4", "--hops", "1", "--spread-ms", "40"],
     r"payers start over 40 ms\n(.|\n)*^1 hop\(s\),   4 payers: +\d+\.\d payments/s"),
]])
def test_benchmark_runs_and_prints_its_figures(script: str, args: list[str], figure: str, graph_file: str) -> None:
    argv = [a.format(graph=graph_file) for a in args]
    r = subprocess.run([sys.executable, str(ROOT / "bench" / script), *argv], capture_output=True, text=True,
                       timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert CORES.search(r.stdout), r.stdout
    assert re.search(figure, r.stdout, re.M), r.stdout
