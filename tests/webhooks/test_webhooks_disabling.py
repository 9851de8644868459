"""Disabling a failing endpoint, and nothing lost: a real sandbox posts to a real local receiver.

An endpoint is disabled only after every attempt to it has failed for a span of sandbox time
(`--webhook-disable-after`, 5 days by default), never for a short outage however many
deliveries it touches. Events raised while it is disabled are kept as `skipped` deliveries, and
a replay sends each of them once after it is re-enabled. Time passes on the sandbox clock.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime
from typing import Iterator

import httpx
import pytest
from cli_runs import invoke_cli
from lifecycle_helpers import MAGIC, advance, assert_problem, send
from older_files import as_before_versioning
from sandbox_process import RunningSandbox
from webhook_helpers import (
    ENDPOINTS,
    deliveries,
    endpoint_of,
    fail_daily,
    replay,
    subscribe,
    types_of,
    verified,
)
from webhook_receiver import Receiver

DAY = 86400


@pytest.fixture
def box(own_sandbox: RunningSandbox) -> RunningSandbox:
    return own_sandbox  # these tests move the clock


@pytest.fixture
def api(box: RunningSandbox) -> Iterator[httpx.Client]:
    with box.client() as client:
        yield client


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.mark.long(seconds=4)
def test_a_short_outage_across_many_deliveries_disables_nothing_and_every_event_arrives(api, receiver, unique):
    name = f"outage-{unique}"
    endpoint = subscribe(api, receiver.url(name), ["email.sent"])
    receiver.down(name)
    for n in range(60):  # more first attempts failing in a row than the old 50-attempt limit
        send(api, f"delivered+{unique}-{n}@{MAGIC}")
    advance(api, seconds=0)
    failing = endpoint_of(api, endpoint)
    assert failing["active"] is True and failing["failing_since"] is not None
    assert failing["consecutive_failures"] >= 60

    receiver.up(name)
    advance(api, seconds=3600)  # the retries (5 s, 5 min, ...) find the receiver back
    log = deliveries(api, endpoint=endpoint["id"])
    assert len(log) == 60 and {d["status"] for d in log} == {"succeeded"}
    accepted = receiver.wait_for_accepted(name, 60)
    assert sorted(r.headers["webhook-id"] for r in accepted) == sorted(d["webhook_id"] for d in log)
    assert all(verified(endpoint["secret"], r)["type"] == "email.sent" for r in accepted)
    healthy = endpoint_of(api, endpoint)
    assert (healthy["active"], healthy["failing_since"], healthy["consecutive_failures"]) == (True, None, 0)
    assert healthy["disabled_reason"] is None and healthy["missed_deliveries"] == 0


def test_an_endpoint_failing_for_five_days_is_disabled_and_a_replay_sends_what_it_missed(api, receiver, unique):
    name = f"dead-{unique}"
    endpoint = subscribe(api, receiver.url(name), ["*"])
    receiver.down(name)
    send(api, f"delivered+{unique}-first@{MAGIC}")
    advance(api, seconds=0)
    first_failure = endpoint_of(api, endpoint)["failing_since"]
    assert first_failure is not None

    fail_daily(api, 5, unique)  # nothing but failures for 4 days and 17 hours
    still = endpoint_of(api, endpoint)
    assert still["active"] is True and still["failing_since"] == first_failure

    advance(api, seconds=DAY)  # the next retry fails more than 5 days after the first failure
    disabled = endpoint_of(api, endpoint)
    assert disabled["active"] is False
    assert "failed for 5 days" in disabled["disabled_reason"] and "HTTP 503" in disabled["disabled_reason"]
    assert f"since {first_failure[:10]} {first_failure[11:16]} UTC" in disabled["disabled_reason"]
    assert (_time(disabled["disabled_at"]) - _time(first_failure)).total_seconds() >= 5 * DAY
    listed = [e for e in api.get(ENDPOINTS, params={"page_size": 500}).json()["results"] if e["id"] == endpoint["id"]]
    assert listed[0]["disabled_reason"] == disabled["disabled_reason"]

    # Events raised while disabled are kept as skipped deliveries; nothing is posted.
    posted_before = receiver.arrived[name]
    emails = [send(api, f"clicked+{unique}-{n}@{MAGIC}", html="<p><a href='https://shop.example/'>Shop</a></p>")
              for n in range(2)]
    advance(api, seconds=3600)  # delivered, opened, clicked follow on the clock
    skipped = deliveries(api, endpoint=endpoint["id"], status="skipped")
    assert len(skipped) == 8 and {d["skipped_reason"] for d in skipped} == {"endpoint disabled"}
    assert {d["email_id"] for d in skipped} == {e["id"] for e in emails}
    assert endpoint_of(api, endpoint)["missed_deliveries"] == 8
    assert receiver.arrived[name] == posted_before

    assert_problem(replay(api, endpoint), 409)  # re-enable first
    paused = deliveries(api, endpoint=endpoint["id"], status="pending")  # mid-schedule when disabled: they resume
    receiver.up(name)
    enabled = api.patch(f"{ENDPOINTS}{endpoint['id']}/", json={"active": True}).json()
    assert (enabled["active"], enabled["failing_since"], enabled["missed_deliveries"]) == (True, None, 8)
    answer = replay(api, endpoint)
    assert answer.status_code == 202, answer.text
    assert answer.json()["replayed"] == 8 and answer.json()["endpoint"]["missed_deliveries"] == 0
    advance(api, seconds=0)

    missed_ids = {d["webhook_id"] for d in skipped}
    arrived = [r for r in receiver.wait_for_accepted(name, len(paused) + 8) if r.headers["webhook-id"] in missed_ids]
    assert Counter(r.headers["webhook-id"] for r in arrived) == Counter(missed_ids)  # each exactly once
    per_email = defaultdict(list)
    for received in arrived:
        body = verified(enabled["secret"], received)  # signed, verified by the standard library
        per_email[body["data"]["email_id"]].append(body["type"])
    assert dict(per_email) == {e["id"]: ["email.sent", "email.delivered", "email.opened", "email.clicked"]
                               for e in emails}  # each email's events in the order they happened
    again = {d["id"]: d for d in deliveries(api, endpoint=endpoint["id"])}
    for d in skipped:
        row = again[d["id"]]
        assert (row["status"], row["attempt_count"], row["skipped_reason"]) == ("succeeded", 1, None)
        assert row["replayed_at"] is not None
    assert replay(api, endpoint).json()["replayed"] == 0  # nothing is sent twice
    advance(api, seconds=60)
    assert len([r for r in receiver.requests[name] if r.headers["webhook-id"] in missed_ids]) == 8


def test_replay_since_sends_only_what_was_missed_from_then_on(api, receiver, unique):
    name = f"paused-{unique}"
    endpoint = subscribe(api, receiver.url(name), ["email.sent"])
    assert api.patch(f"{ENDPOINTS}{endpoint['id']}/", json={"active": False}).status_code == 200
    early = send(api, f"delivered+{unique}-early@{MAGIC}")
    advance(api, seconds=3600)
    since = api.get("/api/v1/sandbox/clock/").json()["now"]
    late = send(api, f"delivered+{unique}-late@{MAGIC}")
    assert endpoint_of(api, endpoint)["missed_deliveries"] == 2
    api.patch(f"{ENDPOINTS}{endpoint['id']}/", json={"active": True})

    answer = replay(api, endpoint, since=since)
    assert answer.status_code == 202 and answer.json()["replayed"] == 1 and answer.json()["since"]
    [received] = receiver.wait_for_accepted(name, 1)
    assert json.loads(received.body)["data"]["email_id"] == late["id"]
    advance(api, seconds=0)
    assert endpoint_of(api, endpoint)["missed_deliveries"] == 1

    assert replay(api, endpoint).json()["replayed"] == 1  # the rest
    received = receiver.wait_for_accepted(name, 2)
    assert [json.loads(r.body)["data"]["email_id"] for r in received] == [late["id"], early["id"]]
    assert types_of(received) == ["email.sent", "email.sent"]


@pytest.mark.parametrize("body, field", [
    ({"since": "yesterday"}, "since"),
    ({"since": 12}, "since"),
    ({"until": "2026-01-01T00:00:00Z"}, "until"),
])
def test_replay_refuses_bad_input_and_changes_nothing(api, unique, body, field):
    endpoint = subscribe(api, f"https://hooks.example/{unique}", ["email.sent"])
    api.patch(f"{ENDPOINTS}{endpoint['id']}/", json={"active": False})
    send(api, f"delivered+{unique}@{MAGIC}")
    api.patch(f"{ENDPOINTS}{endpoint['id']}/", json={"active": True})
    assert_problem(replay(api, endpoint, **body), 400, field)
    assert endpoint_of(api, endpoint)["missed_deliveries"] == 1
    assert_problem(api.post(f"{ENDPOINTS}00000000-0000-4000-8000-000000000000/replay/", json={}), 404)


def test_a_success_clears_the_failing_streak_so_failures_days_apart_never_add_up(launch, unique):
    box = launch("--webhook-disable-after", "1d")
    receiver = Receiver()
    try:
        with box.client() as api:
            name = f"flaky-{unique}"
            endpoint = subscribe(api, receiver.url(name), ["email.sent"])
            for day in range(3):  # fails at first every day, then recovers within minutes
                receiver.plan(name, 500)
                send(api, f"delivered+{unique}-{day}@{MAGIC}")
                advance(api, seconds=0)
                assert endpoint_of(api, endpoint)["failing_since"] is not None
                advance(api, seconds=60)
                assert endpoint_of(api, endpoint)["failing_since"] is None
                advance(api, seconds=DAY)
            state = endpoint_of(api, endpoint)
            assert state["active"] is True and state["consecutive_failures"] == 0
            assert {d["status"] for d in deliveries(api, endpoint=endpoint["id"])} == {"succeeded"}
    finally:
        receiver.stop()


def test_disable_after_zero_never_disables(launch, unique):
    box = launch("--webhook-disable-after", "0")
    receiver = Receiver()
    try:
        with box.client() as api:
            name = f"never-{unique}"
            receiver.down(name)
            endpoint = subscribe(api, receiver.url(name), ["email.sent"])
            fail_daily(api, 8, unique)
            state = endpoint_of(api, endpoint)
            assert state["active"] is True and state["consecutive_failures"] > 8 * 7
    finally:
        receiver.stop()


@pytest.mark.parametrize("value, says", [
    ("50", "has no unit"),  # the old attempt count: refused, not silently read as seconds
    ("5 fortnights", "not a span of time"),
    ("-1d", "not a span of time"),
])
def test_a_disable_after_without_a_unit_is_a_usage_error_that_shows_the_form(value, says):
    result = invoke_cli("serve", "--webhook-disable-after", value)
    assert result.exit_code == 1 and "--webhook-disable-after" in result.stderr
    assert says in result.stderr and "5d" in result.stderr and "Traceback" not in result.stderr


def test_help_says_what_disable_after_means():
    result = invoke_cli("serve", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "--webhook-disable-after SPAN" in text and "default: 5d" in text
    assert "GCLAP_SANDBOX_WEBHOOK_DISABLE_AFTER" in text and "short outage never disables" in text


def test_an_older_database_gains_the_failing_and_replay_columns_and_keeps_its_endpoints(launch, tmp_path, unique):
    db = str(tmp_path / "old.sqlite3")
    first = launch(db=db)
    with first.client() as api:
        endpoint = subscribe(api, f"https://hooks.example/{unique}", ["email.sent"])
        api.patch(f"{ENDPOINTS}{endpoint['id']}/", json={"active": False})
        send(api, f"delivered+{unique}@{MAGIC}")
    assert first.stop() == 0
    as_before_versioning(db, 'DROP INDEX "webhook_delivery_endpoint_id_status"', *(  # before these columns
        f'ALTER TABLE "{table}" DROP COLUMN "{column}"' for table, column in [
            ("webhook_endpoint", "failing_since"), ("webhook_delivery", "skipped_reason"),
            ("webhook_delivery", "replayed_at")]))
    second = launch(db=db)
    with second.client() as api:
        state = endpoint_of(api, endpoint)
        assert (state["active"], state["failing_since"], state["missed_deliveries"]) == (False, None, 1)
        api.patch(f"{ENDPOINTS}{endpoint['id']}/", json={"active": True})
        assert replay(api, endpoint).json()["replayed"] == 1
