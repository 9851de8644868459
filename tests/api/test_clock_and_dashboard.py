"""The sandbox clock (durable, runs due jobs in order), the realistic profile, the dashboard, the CLI."""
from __future__ import annotations

import os
import tempfile
from datetime import datetime, timedelta

import httpx
from click.testing import CliRunner
from lifecycle_helpers import MAGIC, advance, assert_problem, events_of, send, timeline

from gclap_sandbox.cli.commands import main


def _now(api: httpx.Client) -> datetime:
    return datetime.fromisoformat(api.get("/api/v1/sandbox/clock/").json()["now"].replace("Z", "+00:00"))


def test_clock_advance_to_and_reset(launch) -> None:
    box = launch()
    with box.client() as api:
        start = api.get("/api/v1/sandbox/clock/").json()
        assert abs(start["offset_seconds"]) < 1 and start["pending_jobs"] == 0
        moved = advance(api, seconds=3 * 86400)
        assert 3 * 86400 - 1 <= moved["offset_seconds"] < 3 * 86400 + 5
        target = _now(api) + timedelta(days=1)
        moved = advance(api, to=target.isoformat())
        assert abs(datetime.fromisoformat(moved["now"].replace("Z", "+00:00")) - target) < timedelta(seconds=1)
        assert_problem(api.post("/api/v1/sandbox/clock/advance/", json={}), 400, "seconds", "to")
        assert_problem(api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 1, "to": target.isoformat()}), 400, "to")
        assert_problem(api.post("/api/v1/sandbox/clock/advance/", json={"seconds": -5}), 400, "seconds")
        assert_problem(api.post("/api/v1/sandbox/clock/advance/", json={"seconds": "soon"}), 400, "seconds")
        # Valid in itself, but behind the sandbox's now: a conflict with the clock, not a bad request.
        assert_problem(api.post("/api/v1/sandbox/clock/advance/", json={"to": "2001-01-01T00:00:00Z"}), 409, "to")
        reset = api.post("/api/v1/sandbox/clock/reset/").json()
        assert abs(reset["offset_seconds"]) < 1


def test_jobs_and_the_clock_offset_survive_a_restart(launch) -> None:
    db = os.path.join(tempfile.mkdtemp(prefix="gclap-clock-"), "sandbox.sqlite3")
    first = launch(db=db, timeout=30)
    with first.client() as api:
        email = send(api, f"unsubscribed@{MAGIC}")
        advance(api, seconds=3600 * 24)
        email2 = send(api, f"opened@{MAGIC}", simulate=["spam"])
        # delivered is due within a second; opened and spam are minutes away
        assert api.get("/api/v1/sandbox/clock/").json()["pending_jobs"] >= 2
    first.stop()
    second = launch(db=db, env={"GCLAP_SANDBOX_API_KEY": first.api_key})
    with second.client() as api:
        clock = api.get("/api/v1/sandbox/clock/").json()
        assert clock["offset_seconds"] >= 3600 * 24 - 1 and clock["pending_jobs"] >= 2
        advance(api, seconds=600)
        assert [t for t, _ in timeline(api, email2["id"])] == [
            "email.sent", "email.delivered", "email.opened", "email.spam"]
        assert [t for t, _ in timeline(api, email["id"])][-1] == "email.unsubscribed"


def test_realistic_profile_repeats_for_the_same_seed(launch) -> None:
    def run(seed: str) -> list[list[tuple[str, float]]]:
        box = launch("--simulate", "realistic", "--seed", seed)
        with box.client() as api:
            ids = [send(api, f"user{i}@example.com")["id"] for i in range(40)]
            advance(api, seconds=3 * 86400)
            runs = []
            for email_id in ids:
                events = events_of(api, email_id)
                sent = datetime.fromisoformat(events[0]["occurred_at"].replace("Z", "+00:00"))
                runs.append([(e["type"], round((datetime.fromisoformat(e["occurred_at"].replace("Z", "+00:00"))
                                                - sent).total_seconds(), 2)) for e in events])
        box.stop()
        return runs

    first, again, other = run("7"), run("7"), run("8")
    # Same kinds of events, at the same delays (to the millisecond the API shows).
    assert [[t for t, _ in e] for e in first] == [[t for t, _ in e] for e in again]
    assert all(abs(a - b) <= 0.0011 for x, y in zip(first, again) for (_, a), (_, b) in zip(x, y))
    assert first != other
    kinds = {t for events in first for t, _ in events}
    assert {"email.delivered", "email.opened"} <= kinds


def test_dashboard_figures_match_a_known_mix(launch, unique: str) -> None:
    box = launch()
    with box.client() as api:
        mix = {"delivered": 4, "opened": 2, "clicked": 1, "bounced": 1, "softbounce": 1, "spam": 1,
               "unsubscribed": 1, "suppressed": 1}
        emails = {label: [send(api, f"{label}+{i}@{MAGIC}")["id"] for i in range(count)] for label, count in mix.items()}
        advance(api, seconds=3600)
        # A second open of an already opened email: counted, not unique.
        api.post(f"/api/v1/emails/{emails['opened'][0]}/simulate/", json={"event": "opened"})
        board = api.get("/api/v1/analytics/dashboard/").json()
        assert board["period"]["days"] == 30 and len(board["series"]) == 30
        assert board["totals"] == {
            "sent": 11, "delivered": 9, "deferred": 0, "bounced": 2, "hard_bounced": 1, "soft_bounced": 1,
            "opened": 5, "unique_opened": 4, "clicked": 1, "unique_clicked": 1, "unsubscribed": 1, "spam": 1,
            "suppressed": 1}
        assert board["rates"] == {"delivery_rate": round(9 / 11, 4), "bounce_rate": round(2 / 11, 4),
                                  "open_rate": round(4 / 9, 4), "click_rate": round(1 / 9, 4),
                                  "click_to_open_rate": 0.25, "unsubscribe_rate": round(1 / 9, 4),
                                  "spam_rate": round(1 / 9, 4)}
        today = board["series"][-1]
        assert today["date"] == board["period"]["end"][:10]
        per_day = {key: sum(day[key] for day in board["series"]) for key in ("sent", "delivered", "opened", "bounced")}
        assert per_day == {"sent": 11, "delivered": 9, "opened": 5, "bounced": 2}
        # Forty days later, all of it has left a 30-day window.
        advance(api, seconds=40 * 86400)
        assert api.get("/api/v1/analytics/dashboard/", params={"days": 30}).json()["totals"]["sent"] == 0
        assert api.get("/api/v1/analytics/dashboard/", params={"days": 45}).json()["totals"]["sent"] == 11
        assert_problem(api.get("/api/v1/analytics/dashboard/", params={"days": "0"}), 400, "days")
        assert_problem(api.get("/api/v1/analytics/dashboard/", params={"days": "lots"}), 400, "days")


def test_cli_trigger_and_clock_advance(launch, unique: str) -> None:
    box = launch()
    env = {"GCLAP_SANDBOX_URL": box.http_url, "GCLAP_SANDBOX_API_KEY": box.api_key}
    with box.client() as api:
        email = send(api, f"cli-{unique}@example.com", html="<a href='https://shop.example/'>x</a>")
        runner = CliRunner()
        result = runner.invoke(main, ["trigger", "clicked", "--email", email["id"], "--link", "https://shop.example/y"], env=env)
        assert result.exit_code == 0, result.output
        assert '"email.clicked"' in result.output
        assert events_of(api, email["id"])[-1]["data"]["url"] == "https://shop.example/y"
        result = runner.invoke(main, ["clock", "advance", "3d"], env=env)
        assert result.exit_code == 0, result.output
        assert api.get("/api/v1/sandbox/clock/").json()["offset_seconds"] >= 3 * 86400 - 1
        bad = runner.invoke(main, ["trigger", "exploded", "--email", email["id"]], env=env)
        assert bad.exit_code == 2 and "400" in bad.output and "event" in bad.output
        refused = runner.invoke(main, ["clock", "advance", "--to", "2000-01-01T00:00:00Z"], env=env)
        assert refused.exit_code == 2 and "409" in refused.output and "before" in refused.output, refused.output
        unreachable = runner.invoke(main, ["clock", "show"], env={**env, "GCLAP_SANDBOX_URL": "http://127.0.0.1:9"})
        assert unreachable.exit_code == 2 and "Could not reach the sandbox" in unreachable.output
        assert runner.invoke(main, ["clock", "advance", "soon"], env=env).exit_code == 2
        assert runner.invoke(main, ["clock", "reset"], env=env).exit_code == 0
