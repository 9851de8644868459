"""Durable jobs on the sandbox clock, and the worker that runs them when due.

A job is a row (`models.Job`): a `kind`, a JSON `payload` and `run_at` on the sandbox clock.
Jobs survive restarts; the worker picks them up again. The API, on the DB thread:

    schedule(kind, payload, *, at=None, delay=0.0) -> Job
    bus.handle_jobs(kind, handler)   # handler(payload: dict, job: Job) -> None; server/wiring.py

A handler runs on the DB thread in its own unit of work, with `clock.now()` at (or after)
the job's `run_at`. If it raises, its writes are rolled back and the job is retried with
backoff, up to MAX_ATTEMPTS. `run_due()` runs every job due by a time, earliest first;
the clock's advance uses it so a jump forward runs everything that became due, in order.
A kind may have a batch handler too (`bus.handle_jobs(kind, handler, batch=...)`): the worker
runs consecutive due jobs of that kind and organization with one call, which must have the
same effects as the handler's calls one by one (it reads what they share once); if it raises,
its writes are rolled back and the jobs run one by one.

Each job is on its organization's clock (the one in hand when it was scheduled; events/due.py):
a handler runs reading that organization's time, and an advance of one organization's clock
runs only its jobs. Several processes on one database share the jobs: taking a job and
deleting it happen in one write transaction that also locks the rows (`claims.lock_rows`), so
each job runs once.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Iterator, NamedTuple

from gclap_sandbox import clock
from gclap_sandbox.events import due as due_rules
from gclap_sandbox.models import Job
from gclap_sandbox.storage import bulk, claims, engine
from gclap_sandbox.storage import database as db
from gclap_sandbox.storage.connection import pending_callbacks
from gclap_sandbox.worker_loop import cancel_and_wait, nap

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

log = logging.getLogger("gclap_sandbox.jobs")
MAX_ATTEMPTS = 5
IDLE_WAIT = 5.0  # seconds the worker sleeps when nothing is due sooner


def schedule(kind: str, payload: dict[str, Any], *, at: datetime | None = None, delay: float = 0.0) -> Job:
    """Queue a job (DB thread, inside the caller's unit of work)."""
    row = job_row(kind, payload, at=at, delay=delay)
    cursor = bulk.insert_rows(Job, [row])
    job = _job_of({"id": engine.current().new_key(cursor), **row})
    _announce(db.current().bus)
    return job


def job_row(kind: str, payload: dict[str, Any], *, at: datetime | None = None, delay: float = 0.0) -> dict[str, Any]:
    """The row `schedule` writes, for `schedule_rows` to write with others (on the clock in hand now)."""
    if kind not in db.current().bus.job_handlers:
        raise ValueError(f"no handler for job kind {kind!r}")
    run_at = at if at is not None else clock.now() + timedelta(seconds=delay)
    return {"kind": kind, "organization_id": clock.organization(), "run_at": run_at, "payload": payload,
            "attempts": 0, "last_error": None, "created_at": clock.now()}


def schedule_rows(rows: list[dict[str, Any]]) -> None:
    """Queue the jobs of `job_row`s, in order, with one statement."""
    if rows:
        bulk.insert_rows(Job, rows)
        _announce(db.current().bus)


def _announce(bus: Any) -> None:
    if bus.jobs_scheduled:
        _announce_once(bus)


def _announce_once(bus: Any) -> None:
    """Wake the worker once the unit of work commits: once per unit, however many jobs it queued."""
    callbacks = pending_callbacks()
    marker = db.current().cache("jobs-announced")
    at = marker.get("at")
    # The mark is the list and the place of the callback in it: a failed savepoint that dropped
    # the callback (storage/connection.py) leaves the place empty or taken by another one.
    if at is not None and at[0] is callbacks and len(callbacks) > at[1] and callbacks[at[1]] is at[2]:
        return
    announce = bus.jobs_scheduled.publish
    marker["at"] = (callbacks, len(callbacks), announce)
    db.after_commit(announce)


def next_due(limit: datetime) -> tuple[int, datetime] | None:
    """(id, run_at) of the earliest job due by `limit` (of the organization in hand)."""
    job = Job.select(Job.id, Job.run_at).where(due_rules.condition(Job.run_at, Job.organization_id, limit)) \
        .order_by(Job.run_at, Job.id).first()
    return None if job is None else (job.id, job.run_at)


def next_run_at() -> datetime | None:
    """When the next job falls due, on the clock in hand (all organizations' jobs for a worker)."""
    return due_rules.earliest(Job.run_at, Job.organization_id)


def pending_count() -> int:
    """Jobs waiting (the organization in hand's, or all)."""
    query = Job.select()
    mine = due_rules.of_organization_in_hand(Job.organization_id)
    if mine is not None:
        query = query.where(mine)
    return query.count()


def run_job(job_id: int) -> bool:
    """Run one job in the current unit of work; True if its handler succeeded."""
    job = claims.lock_rows(Job.select().where(Job.id == job_id)).first()
    if job is None:  # already run by someone else
        return False
    succeeded = _run(job)
    if succeeded:
        job.delete_instance()
    return succeeded


def _run(job: Job) -> bool:
    """Call the job's handler in a savepoint; a failure reschedules it (or drops it for good)."""
    handler = db.current().bus.job_handlers.get(job.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        with db.savepoint(), clock.for_organization(job.organization_id):
            handler(job.payload, job)
    except Exception as exc:
        job.attempts += 1
        job.last_error = f"{type(exc).__name__}: {exc}"
        if job.attempts >= MAX_ATTEMPTS or handler is None:
            log.error("job %s (%s) failed for good: %s", job.id, job.kind, job.last_error)
            job.delete_instance()
        else:
            log.warning("job %s (%s) failed, retrying: %s", job.id, job.kind, job.last_error)
            with clock.for_organization(job.organization_id):
                job.run_at = clock.now() + timedelta(seconds=30 * 2 ** job.attempts)
            job.save()
        return False
    return True


async def run_due(ctx: AppContext, limit: datetime | None = None,
                  before_each: Callable[[datetime], None] | None = None) -> int:
    """Run every job due by `limit` (default: now), earliest first.

    Moving the clock (`before_each`) runs one job per unit of work, stepping the clock to each
    due time; the worker, for jobs already due, runs them in batches, a batch per unit of work
    (at most BATCH jobs, and no more once TIME_SLICE is spent).
    """
    ran = 0
    if before_each is None:
        behind = False
        while True:
            # Held back behind a busy intake at first; once jobs run CATCH_UP late, they keep pace.
            with db.keeping_pace() if behind else contextlib.nullcontext():
                succeeded, more, behind = await ctx.db.run(run_due_batch, limit, BATCH)
            ran += succeeded
            if not more:
                return ran
    while True:
        due = await ctx.db.run(next_due, limit)
        if due is None:
            return ran
        if before_each is not None:
            before_each(due[1])
        if await ctx.db.run(run_job, due[0]):
            ran += 1


BATCH = 200  # jobs the worker runs in one unit of work (each in its own savepoint) ...
TIME_SLICE = 0.02  # ... or fewer, once this much real time is spent: the DB thread serves others between
PAGE = 16  # due jobs read first: a slice that ends early has not loaded rows it never runs ...
MAX_PAGE = 64  # ... and then twice as many each time, up to this
GROUP = 16  # jobs run as one batch at most (the slice's time is looked at between batches)
# Due jobs give way to a busy intake (the database's background share) only while they run at
# most this late: behind a steady stream they would otherwise fall ever further behind, and
# every simulated outcome of the stream come later and later.
CATCH_UP = timedelta(seconds=5)


class BatchRun(NamedTuple):
    succeeded: int
    more: bool  # more jobs may be due
    behind: bool  # the last job run was due more than CATCH_UP before it ran


def run_due_batch(limit: datetime | None, max_jobs: int) -> BatchRun:
    """Run up to `max_jobs` jobs due by `limit` (None: each on its organization's clock now),
    earliest first, within TIME_SLICE.

    Consecutive jobs of one kind and organization whose kind has a batch handler run together
    (`_run_group`), which reads what they share once."""
    deadline = time.perf_counter() + TIME_SLICE
    batch_handlers = db.current().bus.job_batch_handlers
    done: list[int] = []
    ran = 0
    more = False
    last: Job | None = None
    for page in _due(limit, max_jobs):
        start = 0
        while start < len(page):
            if ran and time.perf_counter() > deadline:
                more = True
                break
            group = _group(page, start, batch_handlers)
            start += len(group)
            ran += len(group)
            done += _run_group(group, batch_handlers)
            last = group[-1]
        if more:
            break
    else:
        more = ran == max_jobs
    if done:
        Job.delete().where(Job.id.in_(done)).execute()
    return BatchRun(len(done), more, last is not None and _late(last))


def _late(job: Job) -> bool:
    """The job ran more than CATCH_UP after it was due, on its organization's clock."""
    with clock.for_organization(job.organization_id):
        return clock.now() - job.run_at > CATCH_UP


def _group(page: list[Job], start: int, batch_handlers: dict[str, Any]) -> list[Job]:
    """The jobs from `start` on that can run as one batch: the same kind (one with a batch
    handler) and the same organization; else the one job at `start`."""
    first = page[start]
    end = start + 1
    if first.kind in batch_handlers:
        last = min(len(page), start + GROUP)
        while end < last and page[end].kind == first.kind and page[end].organization_id == first.organization_id:
            end += 1
    return page[start:end]


def _run_group(group: list[Job], batch_handlers: dict[str, Any]) -> list[int]:
    """Run the jobs of a group; the ids of those that succeeded. A group runs in one savepoint;
    if it fails, it is rolled back and each job runs alone (`_run`: the failing one is retried)."""
    handler = batch_handlers.get(group[0].kind) if len(group) > 1 else None
    if handler is not None:
        try:
            with db.savepoint(), clock.for_organization(group[0].organization_id):
                handler(group)
        except Exception:
            log.debug("a batch of %s jobs failed; running them one by one", group[0].kind, exc_info=True)
        else:
            return [job.id for job in group]
    return [job.id for job in group if _run(job)]


def _due(limit: datetime | None, max_jobs: int) -> Iterator[list[Job]]:
    """Up to `max_jobs` jobs due by `limit` in (run_at, id) order, read PAGE at a time (a page
    is read once the caller is done with the one before)."""
    after: tuple[datetime, int] | None = None
    left = max_jobs
    is_due = due_rules.condition(Job.run_at, Job.organization_id, limit)
    fields = list(Job._meta.fields.values())  # every column, in the order `bulk.instance_of` reads
    page_size = PAGE
    while left > 0:
        query = claims.lock_rows(Job.select(*fields).where(is_due))
        if after is not None:  # keyset: a job rescheduled meanwhile (a retry) has moved later
            query = query.where((Job.run_at > after[0]) | ((Job.run_at == after[0]) & (Job.id > after[1])))
        size = min(page_size, left)
        page_size = min(2 * page_size, MAX_PAGE)  # a slice that runs on has more to run
        rows = db.database.execute(query.order_by(Job.run_at, Job.id).limit(size))  # raw: `instance_of` converts
        page = [bulk.instance_of(Job, row) for row in rows]
        if page:
            after = (page[-1].run_at, page[-1].id)  # before the caller runs them (a retry changes run_at)
            yield page
        if len(page) < size:
            return
        left -= len(page)


def _job_of(data: dict[str, Any]) -> Job:
    """A Job from its columns' values, without the cost of Model.__init__ (as bulk.get_or_none)."""
    job = Job.__new__(Job)
    job.__data__, job._dirty, job.__rel__ = data, set(), {}
    return job


class Worker:
    """The asyncio task that runs jobs as they fall due on the sandbox clock."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._task: asyncio.Task | None = None
        self._event = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="gclap-jobs")

    @property
    def running(self) -> bool:
        """Its task is alive (the readiness probe asks)."""
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        """Look for due jobs now (a job was scheduled, or the clock moved)."""
        self._event.set()

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def _run(self) -> None:
        while True:
            self._event.clear()
            try:
                await run_due(self.ctx)
                upcoming = await self.ctx.db.run(next_run_at)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job worker hit an error; retrying")
                upcoming = None
            await nap(self._event, upcoming, IDLE_WAIT)
