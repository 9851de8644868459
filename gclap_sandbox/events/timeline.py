"""Moving the sandbox clock: durable offset, advance (running due jobs in order), reset."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable

from gclap_sandbox import clock
from gclap_sandbox.events import jobs
from gclap_sandbox.models import SandboxSetting
from gclap_sandbox.storage import bulk

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

OFFSET_SETTING = "clock_offset_seconds"
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|m|s)", re.I)
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> float:
    """`3d`, `1h30m`, `90s`, `2w` or a plain number of seconds -> seconds."""
    value = text.strip()
    try:
        return float(value)
    except ValueError:
        pass
    position, total = 0, 0.0
    for match in _DURATION.finditer(value):
        if value[position:match.start()].strip():
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
        position = match.end()
    if position == 0 or value[position:].strip():
        raise ValueError(f"not a duration: {text!r} (use e.g. 3d, 1h30m, 90s)")
    return total


def load_offset() -> float:
    row = SandboxSetting.get_or_none(SandboxSetting.key == OFFSET_SETTING)
    return float(row.value) if row is not None and row.value is not None else 0.0


def save_offset(seconds: float) -> None:
    bulk.upsert(SandboxSetting, [SandboxSetting.key], key=OFFSET_SETTING, value=seconds)


async def restore(ctx: AppContext) -> None:
    ctx.clock.offset = timedelta(seconds=await ctx.db.run(load_offset))


def status(sandbox_clock: clock.Clock) -> dict[str, Any]:
    return {"now": clock.iso(sandbox_clock.now()), "offset_seconds": sandbox_clock.offset.total_seconds(),
            "real_now": clock.iso(datetime.now(timezone.utc))}


def _mover(sandbox_clock: clock.Clock) -> Callable[[datetime], None]:
    def move_to(moment: datetime) -> None:
        """Move the clock forward so that now() >= moment (never backwards)."""
        gap = moment - sandbox_clock.now()
        if gap > timedelta(0):
            sandbox_clock.offset += gap
    return move_to


async def advance_clock(ctx: AppContext, target: datetime) -> dict[str, Any]:
    """Move time forward to `target`, running every job (and clock runner's work) due by then in due order.

    A clock runner (`ctx.clock_runners`) has `async next_due(limit) -> datetime | None` and
    `async run_due() -> int` (do everything due now, return how much it did).
    """
    move_to = _mover(ctx.clock)
    async with ctx.clock_lock:
        ran = 0
        stuck: list[Any] = []  # runners that had work due but could do none of it (no endless loop)
        while True:  # jobs and other clock runners (webhook retries), interleaved in due order
            job = await ctx.db.run(jobs.next_due, target)
            runner_due = [(due, runner) for runner in ctx.clock_runners if runner not in stuck
                          and (due := await runner.next_due(target)) is not None]
            first = min(runner_due, key=lambda pair: pair[0], default=None)
            if job is None and first is None:
                break
            if first is not None and (job is None or first[0] <= job[1]):
                move_to(first[0])
                if not await first[1].run_due() and (again := await first[1].next_due(target)) is not None \
                        and again <= first[0]:
                    stuck.append(first[1])
            else:
                ran += await jobs.run_due(ctx, job[1], before_each=move_to)
        move_to(target)
        await ctx.db.run(save_offset, ctx.clock.offset.total_seconds())
    return {**status(ctx.clock), "jobs_run": ran}


async def reset_clock(ctx: AppContext) -> dict[str, Any]:
    """Back to real time (offset zero); jobs keep their due times."""
    async with ctx.clock_lock:
        ctx.clock.offset = timedelta(0)
        await ctx.db.run(save_offset, 0.0)
    if ctx.jobs_worker is not None:
        ctx.jobs_worker.wake()
    return {**status(ctx.clock), "jobs_run": 0}
