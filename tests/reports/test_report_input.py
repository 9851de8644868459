"""Scheduled reports refuse bad input field by field (problem+json naming the field, nothing
stored), need `analytics:write` to change anything, and honour Idempotency-Key."""
from __future__ import annotations

import uuid
from typing import Any, Iterator

import httpx
import pytest
from lifecycle_helpers import assert_problem
from report_helpers import REPORTS, ok, schedule_report
from sandbox_process import RunningSandbox

DAILY = {"frequency": "daily", "time": "09:00", "timezone": "Europe/Paris"}
GOOD: dict[str, Any] = {"name": "Numbers", "schedule": DAILY, "recipients": ["finance@shop.example"]}


@pytest.fixture
def api(own_sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with own_sandbox.client() as client:
        yield client


def _count(api: httpx.Client) -> int:
    return ok(api.get(REPORTS))["count"]


@pytest.mark.parametrize("change, field", [
    ({"name": None}, "name"), ({"name": ""}, "name"), ({"name": "x" * 201}, "name"), ({"name": "a\nb"}, "name"),
    ({"schedule": None}, "schedule"), ({"schedule": "daily"}, "schedule"),
    ({"schedule": {"frequency": "hourly", "time": "09:00"}}, "schedule.frequency"),
    ({"schedule": {"frequency": "daily"}}, "schedule.time"),
    ({"schedule": {"frequency": "daily", "time": "9:00"}}, "schedule.time"),
    ({"schedule": {"frequency": "daily", "time": "24:00"}}, "schedule.time"),
    ({"schedule": {"frequency": "daily", "time": "09:00", "weekday": "monday"}}, "schedule.weekday"),
    ({"schedule": {"frequency": "daily", "time": "09:00", "timezone": "Mars/Olympus"}}, "schedule.timezone"),
    ({"schedule": {"frequency": "daily", "time": "09:00", "timezone": "Europe"}}, "schedule.timezone"),
    ({"schedule": {"frequency": "daily", "time": "09:00", "timezone": "../../etc/passwd"}}, "schedule.timezone"),
    ({"schedule": {"frequency": "daily", "time": "09:00", "timezone": ""}}, "schedule.timezone"),
    ({"schedule": {"frequency": "weekly", "time": "09:00"}}, "schedule.weekday"),
    ({"schedule": {"frequency": "weekly", "weekday": "mon", "time": "09:00"}}, "schedule.weekday"),
    ({"schedule": {"frequency": "monthly", "time": "09:00"}}, "schedule.day"),
    ({"schedule": {"frequency": "monthly", "day": 0, "time": "09:00"}}, "schedule.day"),
    ({"schedule": {"frequency": "monthly", "day": 32, "time": "09:00"}}, "schedule.day"),
    ({"schedule": {"frequency": "cron"}}, "schedule.cron"),
    ({"schedule": {"frequency": "cron", "cron": "61 * * * *"}}, "schedule.cron"),
    ({"schedule": {"frequency": "cron", "cron": "every monday"}}, "schedule.cron"),
    ({"schedule": {"frequency": "cron", "cron": "*/5 * * * *"}}, "schedule.cron"),  # more than hourly
    ({"schedule": {"frequency": "cron", "cron": "0 9 30 2 *"}}, "schedule.cron"),  # 30 February: never
    ({"schedule": {"frequency": "cron", "cron": "0 9 * * 1", "time": "09:00"}}, "schedule.time"),
    ({"recipients": None}, "recipients"), ({"recipients": []}, "recipients"),
    ({"recipients": ["not an address"]}, "recipients[0]"),
    ({"recipients": [f"r{i}@shop.example" for i in range(51)]}, "recipients"),
    ({"sections": []}, "sections"), ({"sections": ["weather"]}, "sections[0]"),
    ({"period": "fortnight"}, "period"), ({"formats": []}, "formats"), ({"formats": ["pdf"]}, "formats[0]"),
    ({"enabled": "yes"}, "enabled"), ({"colour": "blue"}, "colour"),
])
def test_a_bad_field_is_a_problem_naming_it_and_stores_nothing(api, change, field):
    before = _count(api)
    body = {**GOOD, **change}
    if None in change.values():
        body = {k: v for k, v in body.items() if k not in change}  # left out: required
    problem = assert_problem(api.post(REPORTS, json=body), 400)
    assert field in problem["errors"], problem
    assert _count(api) == before


def test_bad_changes_are_problems_and_change_nothing(api):
    report = schedule_report(api, **GOOD)
    path = f"{REPORTS}{report['id']}/"
    assert_problem(api.patch(path, json={}), 400)
    assert_problem(api.patch(path, json={"recipients": []}), 400, "recipients")
    assert_problem(api.patch(path, json={"name": None}), 400, "name")
    assert_problem(api.patch(path, json={"schedule": {"frequency": "weekly", "time": "09:00"}}), 400, "schedule.weekday")
    assert ok(api.get(path)) == report
    missing = f"{REPORTS}{uuid.uuid4()}/"
    for response in (api.get(missing), api.patch(missing, json={"name": "x"}), api.delete(missing),
                     api.post(missing + "run-now/"), api.get(missing + "runs/")):
        assert response.status_code == 404 and response.headers["content-type"].startswith("application/problem+json")
    assert api.get(f"{REPORTS}not-a-uuid/").status_code == 404
    assert_problem(api.get(REPORTS, params={"page": "0"}), 400, "page")
    assert_problem(api.get(REPORTS, params={"page_size": ""}), 400, "page_size")


def test_changes_need_analytics_write_and_reading_needs_analytics_read(api, own_sandbox):
    report = schedule_report(api, **GOOD)
    reader = ok(api.post("/api/v1/accounts/api-keys/", json={"name": "Reader", "scopes": ["analytics:read"]}), 201)
    with own_sandbox.client(reader["key"]) as read_only:
        assert ok(read_only.get(f"{REPORTS}{report['id']}/"))["id"] == report["id"]
        ok(read_only.get(f"{REPORTS}{report['id']}/runs/"))
        for response in (read_only.post(REPORTS, json=GOOD), read_only.patch(f"{REPORTS}{report['id']}/", json={"name": "x"}),
                         read_only.delete(f"{REPORTS}{report['id']}/"), read_only.post(f"{REPORTS}{report['id']}/run-now/")):
            problem = assert_problem(response, 403)
            assert "analytics:write" in problem["detail"]
    scopes = {item["name"]: item["description"] for item in ok(api.get("/api/v1/accounts/scopes/"))["results"]}
    assert scopes["analytics:write"] == ("Create, change and delete alert configs and scheduled reports; "
                                         "send tests and run reports now.")


def test_the_same_idempotency_key_creates_one_report(api):
    before = _count(api)
    key = {"Idempotency-Key": f"report-{uuid.uuid4()}"}
    first = ok(api.post(REPORTS, json=GOOD, headers=key), 201)
    again = ok(api.post(REPORTS, json=GOOD, headers=key), 201)
    assert first["id"] == again["id"] and _count(api) == before + 1
    assert api.post(REPORTS, json={**GOOD, "name": "Other"}, headers=key).status_code == 409
