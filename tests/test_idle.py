"""Work done ahead in idle moments: only when the event loop has nothing else ready, and
never starving itself (two idle tasks at once both finish)."""

from __future__ import annotations

import asyncio

from amiko.payments import idle


def test_idle_work_waits_while_other_work_is_ready() -> None:
    async def main() -> list[str]:
        order: list[str] = []
        left = [3]

        def step() -> bool:
            order.append("idle")
            left[0] -= 1
            return left[0] > 0

        async def busy() -> None:
            for i in range(50):  # a task that keeps work ready, turn after turn
                order.append(f"busy{i}")
                await asyncio.sleep(0)

        task = idle.start(None, step, "test-idle")
        await busy()
        assert task is not None
        await task
        return order

    order = asyncio.run(main())
    assert order[:50] == [f"busy{i}" for i in range(50)]  # none of the idle work cut in
    assert order[50:] == ["idle"] * 3


def test_two_idle_tasks_do_not_wait_for_each_other() -> None:
    async def main() -> tuple[int, int]:
        counts = [0, 0]

        def stepper(i: int, n: int):
            def step() -> bool:
                counts[i] += 1
                return counts[i] < n
            return step

        a = idle.start(None, stepper(0, 5), "test-idle-a")
        b = idle.start(None, stepper(1, 5), "test-idle-b")
        assert a is not None and b is not None
        await asyncio.wait_for(asyncio.gather(a, b), 5)
        return counts[0], counts[1]

    assert asyncio.run(main()) == (5, 5)


def test_without_a_loop_nothing_is_started() -> None:
    assert idle.start(None, lambda: False, "test-idle") is None
