"""What the send path's storage shortcuts must keep: due jobs run in order when read page by page,
and JSON text is the standard library's wherever orjson would write something else."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from gclap_sandbox import clock, json_text
from gclap_sandbox.events import jobs
from gclap_sandbox.models import Job
from gclap_sandbox.storage.database import current, open_in_this_thread


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch):
    """An in-memory database whose `test` jobs note their payload's `n` when they run."""
    monkeypatch.setattr(jobs, "TIME_SLICE", 3600.0)  # the slice is real time: keep it out of the count
    connection = open_in_this_thread(":memory:")
    noted: list[int] = []
    current().bus.handle_jobs("test", lambda payload, job: noted.append(payload["n"]))
    yield noted
    connection.close()


def test_due_jobs_run_earliest_first_across_pages_and_later_ones_wait(ran):
    now = clock.now()
    # Scheduled out of order, with several sharing a due time, over more than two pages.
    for n in reversed(range(40)):
        jobs.schedule("test", {"n": n}, at=now - timedelta(seconds=100 - n // 3))
    jobs.schedule("test", {"n": 99}, at=now + timedelta(hours=1))
    assert jobs.run_due_batch(now, jobs.BATCH)[:2] == (40, False)
    # By due time, then by when each was scheduled (the later n, the earlier scheduled).
    assert ran == sorted(range(40), key=lambda n: (n // 3, -n))
    assert [job.payload["n"] for job in Job.select()] == [99]


def test_a_batch_stops_at_its_size_and_says_more_may_be_due(ran):
    now = clock.now()
    for n in range(20):
        jobs.schedule("test", {"n": n}, at=now - timedelta(seconds=20 - n))
    assert jobs.run_due_batch(now, 17)[:2] == (17, True)
    assert ran == list(range(17))
    assert jobs.run_due_batch(now, 17)[:2] == (3, False)
    assert ran == list(range(20))


@pytest.mark.parametrize("value", [
    {"to": ["ana@example.com"], "subject": "Grüße 😀", "n": 3, "ok": True, "none": None},
    {"tags": [], "metadata": {"nested": {"list": [1, 2.5, "x"]}}},
    "line\nbreak \"quoted\" \\ </script> \u2028",
    [0, -1, 2**63 - 1, -2**63],
])
def test_json_text_is_the_standard_librarys_compact_text(value):
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert json_text.dumps(value) == expected
    assert json_text.dumps_bytes(value) == expected.encode()


def test_floats_read_back_exactly_whatever_the_exponent_style():
    # orjson versions write an exponent as 1.5e300 or 1.5e+300: both read back as the same float.
    values = [0.1, 2.5, 1.5e300, 1e-7, -0.0, 123456.789]
    assert json.loads(json_text.dumps(values)) == values
    assert json.loads(json_text.dumps_bytes(values)) == values


@pytest.mark.parametrize("value", [{"big": 10**30}, {1: "integer key"}, [-(2**64)]])
def test_what_orjson_refuses_is_written_by_the_standard_library(value):
    assert json_text.dumps(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert json.loads(json_text.dumps_bytes(value)) == json.loads(json.dumps(value))
