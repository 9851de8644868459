"""Due jobs of a kind with a batch handler run together, with the same effects as one by one:
consecutive jobs of one kind and one organization form a batch, in due order; a batch that fails
is rolled back and its jobs run one by one, so only the failing job is retried."""
from __future__ import annotations

from datetime import timedelta

import pytest

from gclap_sandbox import clock
from gclap_sandbox.events import jobs
from gclap_sandbox.models import Job
from gclap_sandbox.storage.database import current, open_in_this_thread


@pytest.fixture
def noted(monkeypatch: pytest.MonkeyPatch):
    """An in-memory database with a `batched` kind (one by one and in batches) and a `single` one;
    what ran is noted as ("one"|"batch", [n, ...], organization read from the clock)."""
    monkeypatch.setattr(jobs, "TIME_SLICE", 3600.0)  # the slice is real time: keep it out of the count
    connection = open_in_this_thread(":memory:")
    ran: list[tuple[str, list[int], str | None]] = []

    def one(payload, job):
        if payload.get("fail"):
            raise RuntimeError("refused")
        ran.append(("one", [payload["n"]], clock.organization()))

    def batch(group):
        # A write of the batch's own (rolled back with it if it fails): a job for later.
        jobs.schedule("single", {"n": 100 + group[0].payload["n"]}, at=clock.now() + timedelta(days=1))
        if any(job.payload.get("fail") for job in group):
            raise RuntimeError("refused")
        ran.append(("batch", [job.payload["n"] for job in group], clock.organization()))

    current().bus.handle_jobs("batched", one, batch=batch)
    current().bus.handle_jobs("single", lambda payload, job: ran.append(("one", [payload["n"]], clock.organization())))
    yield ran
    connection.close()


def schedule(kind: str, n: int, at, organization: str | None = None, **extra) -> None:
    with clock.for_organization(organization):
        jobs.schedule(kind, {"n": n, **extra}, at=at)


def test_consecutive_jobs_of_one_kind_and_organization_run_as_one_batch_in_due_order(noted):
    now = clock.now()
    for n in range(5):
        schedule("batched", n, now - timedelta(seconds=50 - n))
    schedule("single", 5, now - timedelta(seconds=44))
    for n in (6, 7):
        schedule("batched", n, now - timedelta(seconds=50 - n))
    schedule("batched", 8, now + timedelta(hours=1))  # not due
    assert jobs.run_due_batch(now, jobs.BATCH)[:2] == (8, False)
    assert noted == [("batch", [0, 1, 2, 3, 4], None), ("one", [5], None), ("batch", [6, 7], None)]
    assert sorted(job.payload["n"] for job in Job.select()) == [8, 100, 106]


def test_a_lone_job_of_a_batched_kind_runs_through_its_one_by_one_handler(noted):
    now = clock.now()
    schedule("batched", 1, now - timedelta(seconds=5))
    assert jobs.run_due_batch(now, jobs.BATCH)[:2] == (1, False)
    assert noted == [("one", [1], None)]


def test_a_failed_batch_is_rolled_back_and_only_its_failing_job_is_retried(noted):
    now = clock.now()
    for n in range(4):
        schedule("batched", n, now - timedelta(seconds=10 - n), fail=(n == 2))
    assert jobs.run_due_batch(now, jobs.BATCH)[:2] == (3, False)
    assert noted == [("one", [0], None), ("one", [1], None), ("one", [3], None)]
    (retried,) = Job.select()  # the batch's own write went with it
    assert (retried.payload["n"], retried.attempts, retried.last_error) == (2, 1, "RuntimeError: refused")
    assert retried.run_at > now


def test_each_batch_reads_its_own_organizations_clock(noted):
    now = clock.now()
    schedule("batched", 0, now - timedelta(seconds=9), "org-a")
    schedule("batched", 1, now - timedelta(seconds=8), "org-a")
    schedule("batched", 2, now - timedelta(seconds=7), "org-b")
    schedule("batched", 3, now - timedelta(seconds=6), "org-b")
    assert jobs.run_due_batch(now, jobs.BATCH)[:2] == (4, False)
    assert noted == [("batch", [0, 1], "org-a"), ("batch", [2, 3], "org-b")]


def test_a_batch_says_whether_its_jobs_ran_more_than_catch_up_late(noted):
    """The worker keeps pace with a busy intake once jobs run late (events/jobs.CATCH_UP)."""
    now = clock.now()
    schedule("single", 1, now - jobs.CATCH_UP - timedelta(seconds=1))
    assert jobs.run_due_batch(None, jobs.BATCH) == (1, False, True)
    schedule("single", 2, now - timedelta(seconds=1))
    assert jobs.run_due_batch(None, jobs.BATCH) == (1, False, False)
    assert jobs.run_due_batch(None, jobs.BATCH) == (0, False, False)  # nothing due: not behind
