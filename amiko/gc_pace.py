"""The pace of Python's cyclic garbage collector in a node.

A payment allocates thousands of short-lived containers (messages, dataclasses, views of
a commitment) and almost none of them form cycles: reference counting frees them. With
the interpreter's default thresholds (700, 10, 10) the collector still walks the young
generation every few hundred allocations, a few times per payment, and the older ones
often enough to stall a busy node for tens of milliseconds. A node paces it slower while
it runs (`NodeConfig.gc_thresholds`): measured over one channel with 100 payers, 4% more
payments per second (every one of four pairs of runs taken in turn); memory grows by the
cycles that wait longer (a few megabytes at most).

The thresholds are the process's: a node sets them when it starts and puts back the
previous ones when it stops, unless something else changed them meanwhile (another node
in the same process, or the application embedding it).
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 20, 50)


class GcPace:
    def __init__(self, thresholds: tuple[int, int, int]) -> None:
        if thresholds[0] <= 0:
            raise ValueError("the young generation's threshold must be positive (0 turns the collector off)")
        self.thresholds = thresholds
        self._previous: tuple[int, int, int] | None = None

    def apply(self) -> None:
        self._previous = gc.get_threshold()
        gc.set_threshold(*self.thresholds)

    def restore(self) -> None:
        if self._previous is not None and gc.get_threshold() == self.thresholds:
            gc.set_threshold(*self._previous)
        self._previous = None
