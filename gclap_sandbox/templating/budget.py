"""What one render of a user's template may spend: output size, loop iterations, time.

A `Budget` is created per rendered part and made current for the thread that renders it;
the sandbox's hooks (template_sandbox.py) charge it as the template runs, so a runaway
template is stopped from inside, within its limits, instead of being abandoned to run on.
"""
from __future__ import annotations

import contextlib
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator


@dataclass(frozen=True)
class Limit:
    name: str  # the `limit` member of the problem document
    value: float
    rule: str  # what the limit allows, in a sentence fragment

    def refusal(self, field: str) -> str:
        return f"The template's {field} went over the {self.name.replace('_', ' ')} limit: {self.rule}."


OUTPUT_SIZE = Limit("output_size", 2 * 1024 * 1024,
                    "a rendered part, and any value built while rendering it, "
                    "may be at most 2,097,152 characters")
LOOP_ITERATIONS = Limit("loop_iterations", 100_000,
                        "at most 100,000 loop iterations (all loops together) per part")
RENDER_TIME = Limit("render_time", 2.0, "rendering one part may take at most 2 seconds")
NUMBER_SIZE = Limit("number_size", 10_000, "a number may have at most 10,000 bits (about 3,000 digits)")

_CHECK_CLOCK_EVERY = 16  # ticks between two looks at the clock (reading it costs a system call)


class BudgetExceeded(Exception):
    """Raised inside the render when a limit is hit; `templating` turns it into a 400."""

    def __init__(self, limit: Limit) -> None:
        super().__init__(limit.rule)
        self.limit = limit


class Budget:
    """The running account of one render; `tick` is called from the sandbox's hooks."""

    def __init__(self, seconds: float = RENDER_TIME.value, iterations: int = int(LOOP_ITERATIONS.value)) -> None:
        self.seconds = seconds
        self.iterations_left = iterations
        self.deadline = float("inf")  # set when rendering starts (`spending`)
        self._ticks = 0

    def start(self) -> None:
        # The render thread's own CPU time: waiting for the GIL or a busy machine does not count.
        self.deadline = time.thread_time() + self.seconds

    def tick(self) -> None:
        self._ticks += 1
        if self._ticks % _CHECK_CLOCK_EVERY == 0 and time.thread_time() > self.deadline:
            raise BudgetExceeded(RENDER_TIME)

    def iterate(self, count: int = 1) -> None:
        self.iterations_left -= count
        if self.iterations_left < 0:
            raise BudgetExceeded(LOOP_ITERATIONS)
        self.tick()


_CURRENT: ContextVar[Budget | None] = ContextVar("template_budget", default=None)


@contextlib.contextmanager
def spending(budget: Budget) -> Iterator[Budget]:
    """Make `budget` the one the sandbox charges while the block runs (in this thread)."""
    budget.start()
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def tick() -> None:
    budget = _CURRENT.get()
    if budget is not None:  # compiling (constant folding) runs outside any render
        budget.tick()


def iterate(count: int = 1) -> None:
    budget = _CURRENT.get()
    if budget is not None:
        budget.iterate(count)
    elif count > LOOP_ITERATIONS.value:
        raise BudgetExceeded(LOOP_ITERATIONS)


def check_size(size: int) -> None:
    """Refuse to build a value of `size` characters (or items) before building it."""
    if size > OUTPUT_SIZE.value:
        raise BudgetExceeded(OUTPUT_SIZE)


def check_bits(bits: int) -> None:
    """Refuse to compute a number of `bits` bits (products and powers) before computing it."""
    if bits > NUMBER_SIZE.value:
        raise BudgetExceeded(NUMBER_SIZE)
