"""GET /api/v1/analytics/timeseries/: the events of emails sent through the API, counted per hour
or per day of the sandbox clock, every bucket listed (quiet ones as zeros), with the span's
totals and rates; bad input is a problem naming the parameter."""
from __future__ import annotations

from datetime import timedelta

import pytest
from analytics_helpers import MIX, charted, iso, move_to, next_hour, now, parse, send_mix, series
from lifecycle_helpers import MAGIC, advance, assert_problem, events_of, send


def test_each_event_is_counted_in_the_hour_it_happened_and_quiet_hours_are_zeros(emptied_sandbox, unique):
    with emptied_sandbox.client() as api:
        ten = next_hour(api, 2)
        move_to(api, ten + timedelta(minutes=20))
        send_mix(api, unique)  # six sent: 5 delivered, 2 opened, 1 clicked, 1 bounced, 1 complaint
        move_to(api, ten + timedelta(hours=2, minutes=40))
        send_mix(api, unique, ("delivered",) * 3)
        advance(api, seconds=600)

        answer = series(api, **{"from": iso(ten), "to": iso(ten + timedelta(hours=4)), "interval": "hour"})
        period = answer["period"]
        assert (parse(period["start"]), parse(period["end"])) == (ten, ten + timedelta(hours=4))
        assert (period["interval"], period["buckets"]) == ("hour", 4)
        hours = [(parse(b["start"]) - ten) / timedelta(hours=1) for b in answer["series"]]
        assert hours == [0, 1, 2, 3]
        #        sent delivered opened clicked bounced complained
        assert [charted(b) for b in answer["series"]] == [
            (6, 5, 2, 1, 1, 1),
            (0, 0, 0, 0, 0, 0),  # a quiet hour
            (3, 3, 0, 0, 0, 0),
            (0, 0, 0, 0, 0, 0),  # not yet begun on the sandbox clock
        ]
        totals = answer["totals"]
        assert (totals["sent"], totals["delivered"], totals["bounced"], totals["spam"]) == (9, 8, 1, 1)
        assert answer["rates"]["delivery_rate"] == round(8 / 9, 4)
        assert answer["rates"]["bounce_rate"] == round(1 / 9, 4)
        assert answer["rates"]["open_rate"] == round(2 / 8, 4)
        assert answer["rates"]["spam_rate"] == round(1 / 8, 4)


def test_the_last_24_hours_end_with_the_current_hour_and_agree_with_the_explicit_range(emptied_sandbox, unique):
    with emptied_sandbox.client() as api:
        ten = next_hour(api, 2)
        move_to(api, ten + timedelta(minutes=20))
        send_mix(api, unique)
        move_to(api, ten + timedelta(hours=5, minutes=30))

        day = series(api, period="24h")
        assert day["period"]["interval"] == "hour" and len(day["series"]) == day["period"]["buckets"] == 24
        assert parse(day["series"][-1]["start"]) == ten + timedelta(hours=5)  # the hour the clock is in
        assert parse(day["series"][0]["start"]) == ten - timedelta(hours=18)
        busy = [b for b in day["series"] if b["sent"]]
        assert [(parse(b["start"]), charted(b)) for b in busy] == [(ten, (6, 5, 2, 1, 1, 1))]
        explicit = series(api, **{"from": day["series"][0]["start"], "to": day["period"]["end"]})
        assert explicit["series"] == day["series"] and explicit["totals"] == day["totals"]


def test_an_event_on_the_stroke_of_the_hour_belongs_to_the_hour_it_opens(emptied_sandbox, unique):
    with emptied_sandbox.client() as api:
        eleven = next_hour(api, 2)
        move_to(api, eleven - timedelta(seconds=1))
        email = send(api, f"delivered+edge-{unique}@{MAGIC}")["id"]  # delivered one second later
        advance(api, seconds=60)
        occurred = {e["type"]: parse(e["occurred_at"]) for e in events_of(api, email)}
        assert occurred["email.sent"] < eleven <= occurred["email.delivered"]

        both = series(api, **{"from": iso(eleven - timedelta(hours=1)), "to": iso(eleven + timedelta(hours=1))})
        assert [(b["sent"], b["delivered"]) for b in both["series"]] == [(1, 0), (0, 1)]
        # `from` counts from that instant on, `to` stops before it: each side of the stroke alone.
        before = series(api, **{"from": iso(eleven - timedelta(minutes=30)), "to": iso(eleven)})
        assert (before["totals"]["sent"], before["totals"]["delivered"]) == (1, 0)
        assert [parse(b["start"]) for b in before["series"]] == [eleven - timedelta(hours=1)]
        after = series(api, **{"from": iso(eleven), "to": iso(eleven + timedelta(minutes=30))})
        assert (after["totals"]["sent"], after["totals"]["delivered"]) == (0, 1)


def test_a_day_series_lists_every_day_of_the_period_today_last_as_the_dashboard_counts_them(emptied_sandbox, unique):
    with emptied_sandbox.client() as api:
        start = next_hour(api, 1)
        move_to(api, start)
        send_mix(api, unique)
        advance(api, seconds=3 * 86400)
        send_mix(api, unique, ("opened", "bounced"))
        advance(api, seconds=600)

        week = series(api)  # the default: the last 7 days, by day
        today = now(api).replace(hour=0, minute=0, second=0, microsecond=0)
        assert week["period"]["interval"] == "day" and len(week["series"]) == 7
        assert [parse(b["start"]) for b in week["series"]] == [today - timedelta(days=6 - n) for n in range(7)]
        figures = {parse(b["start"]).date(): charted(b) for b in week["series"] if b["sent"]}
        later = now(api).date()
        assert figures[later] == (2, 1, 1, 0, 1, 0)
        assert sum(f[0] for f in figures.values()) == len(MIX) + 2
        dashboard = api.get("/api/v1/analytics/dashboard/", params={"days": 7}).json()
        assert [{k: v for k, v in b.items() if k != "start"} for b in week["series"]] == \
            [{k: v for k, v in d.items() if k != "date"} for d in dashboard["series"]]
        assert week["rates"] == dashboard["rates"] and week["totals"] == dashboard["totals"]
        assert [parse(b["start"]) for b in series(api, period="24h", interval="day")["series"]] == [today]
        assert len(series(api, period="7d", interval="hour")["series"]) == 168


def test_a_range_of_under_two_days_is_charted_by_the_hour_and_a_longer_one_by_the_day(emptied_sandbox):
    with emptied_sandbox.client() as api:
        moment = now(api)
        assert series(api, **{"from": iso(moment - timedelta(hours=47))})["period"]["interval"] == "hour"
        assert series(api, **{"from": iso(moment - timedelta(days=3))})["period"]["interval"] == "day"
        assert series(api, period="90d")["period"]["buckets"] == 90


@pytest.mark.parametrize("query, field", [
    ({"period": "1y"}, "period"),
    ({"period": ""}, "period"),
    ({"interval": "minute"}, "interval"),
    ({"from": "yesterday"}, "from"),
    ({"from": "2026-01-01T00:00:00Z", "to": "soon"}, "to"),
    ({"to": "2026-01-01T00:00:00Z"}, "to"),
    ({"period": "7d", "from": "2026-01-01T00:00:00Z"}, "from"),
    ({"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "to"),
    ({"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "to"),
    ({"from": "2025-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z", "interval": "hour"}, "interval"),
    ({"from": "0001-01-01T00:00:00Z"}, "interval"),
    ({"days": "7"}, "days"),
], ids=["unknown-period", "empty-period", "unknown-interval", "from-not-a-date", "to-not-a-date",
        "to-without-from", "period-and-from", "to-before-from", "empty-range", "too-many-hours",
        "from-the-year-one", "unknown-parameter"])
def test_bad_input_is_a_problem_naming_the_parameter(api, query, field):
    problem = assert_problem(api.get("/api/v1/analytics/timeseries/", params=query), 400, field)
    assert problem["status"] == 400 and problem["errors"][field][0]


def test_the_openapi_document_describes_the_series_and_its_parameters(api):
    operation = api.get("/api/v1/openapi.json").json()["paths"]["/api/v1/analytics/timeseries/"]["get"]
    assert operation["x-required-scope"] == "analytics:read"
    assert {p["name"] for p in operation["parameters"]} >= {"period", "from", "to", "interval"}
