"""Analytics breakdowns: the dashboard's figures by tag, campaign, recipient domain and link, as
JSON and as CSV, checked against emails sent and events simulated through the API."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any, Iterator

import httpx
import pytest
from lifecycle_helpers import advance, assert_problem, send
from report_helpers import campaign_to, ok, sandbox_now
from sandbox_process import RunningSandbox

BREAKDOWN = "/api/v1/analytics/breakdown/"
EXPORT = "/api/v1/analytics/breakdown/export.csv"


@pytest.fixture(scope="module")
def box(own_sandbox: RunningSandbox) -> Iterator[dict[str, Any]]:
    """One known mix of mail, sent once for the module: what each test reads back."""
    with own_sandbox.client() as api:
        start = sandbox_now(api)
        welcome = [send(api, f"{name}@gmail.com", tags=["welcome"], **extra)["id"] for name, extra in
                   (("ana", {}), ("ben", {"simulate": ["opened"]}), ("cy", {"simulate": ["bounced"]}))]
        promo = [send(api, f"{name}@outlook.com", tags=["welcome", "promo"], **extra)["id"] for name, extra in
                 (("dee", {"simulate": ["opened", "unsubscribed"]}), ("eve", {"simulate": ["spam"]}))]
        plain = send(api, "fay@yahoo.com")["id"]
        spring = campaign_to(api, "Spring sale", ["gil@gmail.com", "hal@gmail.com"])
        advance(api, seconds=3600)
        # Clicks by hand: two on one link from one recipient (one unique), one on another link.
        for email_id, url in ((welcome[0], "https://shop.example/a"), (welcome[0], "https://shop.example/a"),
                              (promo[0], "https://shop.example/a"), (promo[0], "https://shop.example/b")):
            ok(api.post(f"/api/v1/emails/{email_id}/simulate/", json={"event": "clicked", "url": url}), 201)
        end = sandbox_now(api)
        yield {"sandbox": own_sandbox, "campaign": spring, "plain": plain,
               "from": (start - timedelta(seconds=1)).isoformat(), "to": (end + timedelta(seconds=1)).isoformat()}


@pytest.fixture
def api(box: dict[str, Any]) -> Iterator[httpx.Client]:
    with box["sandbox"].client() as client:
        yield client


def _rows(api: httpx.Client, box: dict[str, Any], by: str) -> list[dict[str, Any]]:
    result = ok(api.get(BREAKDOWN, params={"by": by, "from": box["from"], "to": box["to"]}))
    assert result["by"] == by
    assert all(list(row) == result["columns"] for row in result["rows"])
    return result["rows"]


def _pick(row: dict[str, Any], *names: str) -> tuple:
    return tuple(row[name] for name in names)


def test_by_domain_counts_each_recipient_domain_and_adds_up_to_the_dashboard(api, box):
    rows = {row["domain"]: row for row in _rows(api, box, "domain")}
    assert set(rows) == {"gmail.com", "outlook.com", "yahoo.com"}
    gmail = rows["gmail.com"]  # ana, ben, cy and the campaign's gil and hal
    assert _pick(gmail, "sent", "delivered", "bounced", "hard_bounced", "unique_opened", "opened",
                 "clicked", "unique_clicked") == (5, 4, 1, 1, 1, 1, 2, 1)
    assert gmail["delivery_rate"] == 0.8 and gmail["bounce_rate"] == 0.2 and gmail["open_rate"] == 0.25
    outlook = rows["outlook.com"]
    assert _pick(outlook, "sent", "delivered", "unique_opened", "unsubscribed", "spam", "clicked",
                 "unique_clicked") == (2, 2, 1, 1, 1, 2, 1)
    assert outlook["spam_rate"] == 0.5 and outlook["click_to_open_rate"] == 1.0
    assert _pick(rows["yahoo.com"], "sent", "delivered", "opened") == (1, 1, 0)
    # Most sent first.
    assert [row["domain"] for row in _rows(api, box, "domain")] == ["gmail.com", "outlook.com", "yahoo.com"]
    # Two days: the mail may straddle midnight of the sandbox clock (late in the day, as in CI).
    totals = ok(api.get("/api/v1/analytics/dashboard/", params={"days": 2}))["totals"]
    for figure in ("sent", "delivered", "bounced", "opened", "clicked", "unsubscribed", "spam"):
        assert sum(row[figure] for row in rows.values()) == totals[figure], figure


def test_by_tag_counts_an_email_under_each_of_its_tags_and_untagged_mail_under_null(api, box):
    rows = {row["tag"]: row for row in _rows(api, box, "tag")}
    assert set(rows) == {"welcome", "promo", None}
    assert _pick(rows["welcome"], "sent", "delivered", "bounced", "unique_opened", "spam", "unsubscribed") == \
        (5, 4, 1, 2, 1, 1)
    assert _pick(rows["promo"], "sent", "delivered", "unique_opened", "spam", "unsubscribed") == (2, 2, 1, 1, 1)
    assert _pick(rows[None], "sent", "delivered") == (3, 3)  # yahoo's email and the campaign's two


def test_by_campaign_names_the_campaign_and_puts_other_mail_under_null(api, box):
    rows = _rows(api, box, "campaign")
    spring = next(row for row in rows if row["campaign_id"] == box["campaign"]["id"])
    assert spring["campaign_name"] == "Spring sale"
    assert _pick(spring, "sent", "delivered", "delivery_rate") == (2, 2, 1.0)
    others = next(row for row in rows if row["campaign_id"] is None)
    assert others["campaign_name"] is None and others["sent"] == 6


def test_by_link_counts_clicks_per_url_total_and_unique(api, box):
    rows = _rows(api, box, "link")
    assert rows == [{"url": "https://shop.example/a", "clicked": 3, "unique_clicked": 2},
                    {"url": "https://shop.example/b", "clicked": 1, "unique_clicked": 1}]


def test_the_csv_export_has_the_same_rows_as_the_json(api, box):
    for by in ("tag", "campaign", "domain", "link"):
        params = {"by": by, "from": box["from"], "to": box["to"]}
        result = ok(api.get(BREAKDOWN, params=params))
        response = api.get(EXPORT, params=params)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        assert f"gclap-{by}-breakdown.csv" in response.headers["content-disposition"]
        lines = list(csv.reader(io.StringIO(response.text)))
        assert lines[0] == result["columns"]
        expected = [["" if row[name] is None else str(row[name]) for name in result["columns"]]
                    for row in result["rows"]]
        assert lines[1:] == expected


def test_a_period_after_the_events_has_no_rows(api, box):
    later = (datetime.fromisoformat(box["to"]) + timedelta(days=1)).isoformat()
    assert ok(api.get(BREAKDOWN, params={"by": "domain", "from": box["to"], "to": later}))["rows"] == []


@pytest.mark.parametrize("params, field", [
    ({}, "by"), ({"by": "country"}, "by"), ({"by": ""}, "by"), ({"by": "tag", "from": ""}, "from"),
    ({"by": "tag", "from": "yesterday"}, "from"), ({"by": "tag", "to": "2026-13-01"}, "to"),
    ({"by": "tag", "from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "from"),
    ({"by": "tag", "from": "2024-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "from"),
    ({"by": "tag", "group": "x"}, "group"),
])
def test_bad_breakdown_queries_are_problems_naming_the_parameter(api, params, field):
    for route in (BREAKDOWN, EXPORT):
        assert_problem(api.get(route, params=params), 400, field)
