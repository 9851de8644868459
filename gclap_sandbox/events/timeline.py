"""Moving an organization's clock: its durable offset, advance (running its due jobs in order), reset.

Each organization has its own offset (clock.py), kept in `Organization.clock_offset` so that
every process on the database reads the same times; a process takes the stored offsets at
start and whenever its peers' changes are looked for (server/peers.py).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable

from gclap_sandbox import clock
from gclap_sandbox.events import jobs
from gclap_sandbox.models import Organization

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

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


def load_offsets() -> dict[str, float]:
    """Seconds ahead of real time, per organization that is ahead (DB thread)."""
    return dict(Organization.select(Organization.id, Organization.clock_offset)
                .where(Organization.clock_offset > 0).tuples())


def load_offset(organization_id: str) -> float:
    return Organization.select(Organization.clock_offset).where(Organization.id == organization_id).scalar() or 0.0


def save_offset(organization_id: str, seconds: float) -> None:
    Organization.update(clock_offset=seconds).where(Organization.id == organization_id).execute()


def apply_offsets(sandbox_clock: clock.Clock, offsets: dict[str, float]) -> None:
    """Take the stored offsets (another process may have moved a clock)."""
    sandbox_clock.offsets = {org_id: timedelta(seconds=seconds) for org_id, seconds in offsets.items() if seconds > 0}


async def restore(ctx: AppContext) -> None:
    ctx.clock.default_organization = ctx.default_org_id
    apply_offsets(ctx.clock, await ctx.db.run(load_offsets))


def status(sandbox_clock: clock.Clock, organization_id: str | None = None) -> dict[str, Any]:
    """The organization's clock (the one in hand by default)."""
    organization_id = organization_id or clock.organization()
    return {"now": clock.iso(sandbox_clock.now(organization_id)),
            "offset_seconds": sandbox_clock.offset_of(organization_id).total_seconds(),
            "real_now": clock.iso(datetime.now(timezone.utc))}


def _mover(sandbox_clock: clock.Clock, organization_id: str) -> Callable[[datetime], None]:
    def move_to(moment: datetime) -> None:
        """Move the organization's clock forward so that its now() >= moment (never backwards)."""
        gap = moment - sandbox_clock.now(organization_id)
        if gap > timedelta(0):
            sandbox_clock.set_offset(organization_id, sandbox_clock.offset_of(organization_id) + gap)
    return move_to


async def advance_clock(ctx: AppContext, target: datetime | None = None, *, seconds: float | None = None
                        ) -> dict[str, Any]:
    """Move time forward to `target` (or by exactly `seconds`: the offset grows by that much),
    running every job (and clock runner's work) due by then in due order.

    A clock runner (`ctx.clock_runners`) has `async next_due(limit) -> datetime | None` and
    `async run_due() -> int` (do everything due now, return how much it did).
    """
    organization_id = _organization(ctx)
    move_to = _mover(ctx.clock, organization_id)
    async with ctx.clock_lock:
        # Another process on the database may have moved this clock: start from the stored offset.
        stored = await ctx.db.run(load_offset, organization_id)
        ctx.clock.set_offset(organization_id, timedelta(seconds=stored))
        if seconds is not None:
            target = ctx.clock.now(organization_id) + timedelta(seconds=seconds)
        elif target is None:
            raise ValueError("advance_clock needs a target or seconds")
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
        if seconds is not None:  # exactly that much, however long the jobs took in real time
            ctx.clock.set_offset(organization_id, max(ctx.clock.offset_of(organization_id),
                                                      timedelta(seconds=stored + seconds)))
        await ctx.db.run(save_offset, organization_id, ctx.clock.offset_of(organization_id).total_seconds())
    return {**status(ctx.clock, organization_id), "jobs_run": ran}


async def reset_clock(ctx: AppContext, organization_id: str | None = None) -> dict[str, Any]:
    """The organization's clock (the one in hand by default) back to real time; jobs keep their due times."""
    organization_id = organization_id or _organization(ctx)
    async with ctx.clock_lock:
        ctx.clock.set_offset(organization_id, timedelta(0))
        await ctx.db.run(save_offset, organization_id, 0.0)
    if ctx.jobs_worker is not None:
        ctx.jobs_worker.wake()
    return {**status(ctx.clock, organization_id), "jobs_run": 0}


async def reset_every_clock(ctx: AppContext) -> None:
    """Every organization's clock back to real time (a reset of the whole sandbox)."""
    async with ctx.clock_lock:
        await ctx.db.run(lambda: Organization.update(clock_offset=0.0).execute())
        ctx.clock.offsets = {}
        ctx.clock.default_organization = ctx.default_org_id
    if ctx.jobs_worker is not None:
        ctx.jobs_worker.wake()


def _organization(ctx: AppContext) -> str:
    """The organization whose clock moves: the one in hand (a request's), else the default one."""
    return clock.organization() or ctx.default_org_id
