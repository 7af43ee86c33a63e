"""A node paces Python's garbage collector while it runs, and puts the process's pace back."""

from __future__ import annotations

import asyncio
import gc

import pytest

from amiko.gc_pace import THRESHOLDS, GcPace
from tests.test_node_peers import make_node


@pytest.fixture(autouse=True)
def _keep_thresholds():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_applied_then_restored() -> None:
    gc.set_threshold(700, 10, 10)
    pace = GcPace((5000, 7, 9))
    pace.apply()
    assert gc.get_threshold() == (5000, 7, 9)
    pace.restore()
    assert gc.get_threshold() == (700, 10, 10)


def test_not_restored_over_someone_elses_change() -> None:
    gc.set_threshold(700, 10, 10)
    pace = GcPace((5000, 7, 9))
    pace.apply()
    gc.set_threshold(123, 4, 5)  # the embedding application set its own meanwhile
    pace.restore()
    assert gc.get_threshold() == (123, 4, 5)
    pace.restore()  # (twice: nothing more)
    assert gc.get_threshold() == (123, 4, 5)


def test_a_threshold_that_would_turn_the_collector_off_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        GcPace((0, 10, 10))


def test_a_node_paces_the_collector_while_it_runs(tmp_path) -> None:
    async def main() -> None:
        gc.set_threshold(700, 10, 10)
        node = make_node(tmp_path, "a")
        await node.start()
        assert gc.get_threshold() == THRESHOLDS
        await node.stop()
        assert gc.get_threshold() == (700, 10, 10)
        other = make_node(tmp_path, "b", gc_thresholds=None)  # left to the application
        await other.start()
        assert gc.get_threshold() == (700, 10, 10)
        await other.stop()
    asyncio.run(main())
