"""The score's history: one point per day of the sandbox clock, snapshotted by a durable nightly
job, so it fills in when the clock jumps and is still there after a restart."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterator

import httpx
import pytest
from deliverability_helpers import (
    DAY,
    HISTORY,
    MAGIC,
    advance,
    delivered_people,
    ok,
    reset,
    send,
)
from helpers import assert_problem
from sandbox_process import start_sandbox


@pytest.fixture
def api(own_sandbox) -> Iterator[httpx.Client]:
    with own_sandbox.client() as client:
        reset(client)
        yield client


def history(api: httpx.Client, **params) -> list[dict]:
    return ok(api.get(HISTORY, params=params))["points"]


def sandbox_today(api: httpx.Client) -> date:
    return date.fromisoformat(ok(api.get("/api/v1/sandbox/clock/"))["now"][:10])


def test_today_is_the_live_point_and_earlier_days_without_snapshots_are_null(api):
    send(api, delivered_people(5))
    points = history(api, days=7)
    assert len(points) == 7
    assert points[-1]["live"] is True and points[-1]["date"] == sandbox_today(api).isoformat()
    assert points[-1]["score"] is not None
    assert all(p["score"] is None and p["live"] is False for p in points[:-1])


def test_advancing_the_clock_a_month_leaves_one_snapshot_per_day_that_ended(api):
    send(api, delivered_people(9) + [f"spam@{MAGIC}"])
    start = sandbox_today(api)
    advance(api, 31 * DAY)
    points = history(api, days=32)
    by_day = {p["date"]: p for p in points}
    first = by_day[start.isoformat()]
    assert first["score"] is not None and first["factors"]["complaint_rate"]["status"] == "poor"
    # Every day from the first send on has its point, each judged as that day ended; by the end
    # of the 31st day the mail is more than 30 days old and there is nothing left to judge.
    for offset in range(30):
        assert by_day[(start + timedelta(days=offset)).isoformat()]["score"] is not None
    assert by_day[(start + timedelta(days=30)).isoformat()]["score"] is None
    # Once the complaint is more than 7 days old only the 30-day window holds it; still poor.
    assert by_day[(start + timedelta(days=10)).isoformat()]["factors"]["complaint_rate"]["value"] == 0.1
    today = points[-1]  # the complaint is more than 30 days old: nothing delivered since
    assert today["live"] and today["factors"]["complaint_rate"]["status"] == "not_measured"


def test_a_domain_has_its_own_history(api):
    send(api, delivered_people(4), from_email="a@one.example")
    send(api, [f"spam@{MAGIC}"], from_email="b@two.example")
    advance(api, 2 * DAY)
    one = history(api, days=3, domain="one.example")
    two = history(api, days=3, domain="two.example")
    assert one[0]["factors"]["complaint_rate"]["status"] == "good"
    assert two[0]["factors"]["complaint_rate"]["status"] == "poor"
    assert history(api, days=3, domain="nobody.example")[-1]["score"] is None


def test_the_history_and_its_nightly_job_survive_a_restart(tmp_path):
    path = str(tmp_path / "sandbox.db")
    first = start_sandbox(db=path)
    try:
        with first.client() as api:
            send(api, delivered_people(3))
            advance(api, 2 * DAY)
            before = [p for p in history(api, days=3) if not p["live"]]
    finally:
        first.stop()
    assert all(p["score"] is not None for p in before)
    again = start_sandbox(db=path)
    try:
        with again.client() as api:
            assert [p for p in history(api, days=3) if not p["live"]] == before
            advance(api, DAY)  # the job scheduled before the restart still runs
            assert all(p["score"] is not None for p in history(api, days=4)[:-1])
    finally:
        again.stop()


def test_a_reset_forgets_the_history_and_the_next_mail_starts_it_again(api):
    send(api, delivered_people(2))
    advance(api, DAY)
    assert history(api, days=2)[0]["score"] is not None
    reset(api)
    assert history(api, days=2)[0]["score"] is None
    send(api, delivered_people(2))
    advance(api, DAY)
    assert history(api, days=2)[0]["score"] is not None


@pytest.mark.parametrize("query, field", [
    ("days=0", "days"), ("days=91", "days"), ("days=abc", "days"), ("days=", "days"),
    ("domain=", "domain"), ("colour=red", "colour"),
])
def test_bad_history_queries_are_400_naming_the_parameter(api, query, field):
    problem = assert_problem(api.get(f"{HISTORY}?{query}"), 400)
    assert field in problem["errors"]


def test_snapshots_stop_a_month_after_the_last_mail_and_start_again_with_the_next(api):
    send(api, delivered_people(2))
    jumped = ok(api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 400 * DAY}))
    assert jumped["jobs_run"] <= 2 + 32  # two deliveries, then a month of nightly snapshots, not 400
    assert all(p["score"] is None for p in history(api, days=90)[:-1])
    send(api, delivered_people(2, "again"))
    advance(api, 2 * DAY)
    points = history(api, days=3)
    assert points[0]["score"] is not None and points[1]["score"] is not None
