"""Inbox placement tests: the email goes to a seed list of simulated mailbox providers, and each
one's verdict (inbox, spam, missing) follows from the score's factors, the email and --seed."""
from __future__ import annotations

from typing import Iterator

import httpx
import pytest
from deliverability_helpers import (
    MAGIC,
    PLACEMENT,
    advance,
    delivered_people,
    ok,
    reset,
    send,
)
from domain_helpers import add_domain, publish, verified_domain, verify
from helpers import assert_problem

PROVIDERS = ["gmail", "outlook", "yahoo", "aol", "apple", "proton", "gmx", "zoho"]
EMAIL = {"subject": "Spring sale", "html": "<p>20% off this week</p>", "text": "20% off this week",
         "from_email": "Shop <news@shop.example>"}


@pytest.fixture
def api(own_sandbox) -> Iterator[httpx.Client]:
    with own_sandbox.client() as client:
        reset(client)
        yield client


def run_test(api: httpx.Client, **fields) -> dict:
    return ok(api.post(PLACEMENT, json={**EMAIL, **fields}), 201)


def by_provider(test: dict) -> dict[str, dict]:
    return {r["provider"]: r for r in test["results"]}


def test_a_placement_test_reports_every_provider_with_reasons_and_is_stored(api):
    test = run_test(api)
    assert [r["provider"] for r in test["results"]] == PROVIDERS
    for result in test["results"]:
        assert result["placement"] in ("inbox", "spam", "missing")
        assert result["reasons"] and all(r["text"] for r in result["reasons"])
        assert result["seed_address"].startswith(result["provider"] + "-")
    summary = test["summary"]
    assert summary["inbox"] + summary["spam"] + summary["missing"] == len(PROVIDERS)
    assert test["domain"] == "shop.example" and test["subject"] == "Spring sale"
    assert ok(api.get(f"{PLACEMENT}{test['id']}/")) == test
    listed = ok(api.get(PLACEMENT))
    assert listed["count"] == 1 and listed["results"][0]["id"] == test["id"]


def test_the_seed_email_lands_in_the_inbox_but_is_not_counted_as_sending(api):
    test = run_test(api, providers=["gmail", "apple"])
    email = ok(api.get(f"/api/v1/emails/{test['email_id']}/"))
    assert sorted(email["to"]) == sorted(r["seed_address"] for r in test["results"])
    assert email["metadata"]["placement_test_id"] == test["id"]
    assert ok(api.get(f"/api/v1/emails/{test['email_id']}/events/"))["count"] == 0
    assert ok(api.get("/api/v1/analytics/dashboard/"))["totals"]["sent"] == 0
    assert ok(api.get("/api/v1/accounts/organization/"))["usage"]["emails"] == 0  # no quota charged


def test_the_same_email_with_the_same_seed_gets_the_same_verdicts(api, launch):
    first, again = run_test(api), run_test(api)
    assert first["id"] != again["id"]
    assert first["results"] != again["results"]  # seed addresses are the test's own
    strip = [lambda t: [{k: v for k, v in r.items() if k != "seed_address"} for r in t["results"]]][0]
    assert strip(first) == strip(again)
    other = launch("--seed", "99")
    with other.client() as other_api:
        seeded = ok(other_api.post(PLACEMENT, json=EMAIL), 201)
    assert seeded["seed"] == 99
    noise = [lambda t: [next(r["effect"] for r in p["reasons"] if r["factor"] == "filtering")
                        for p in t["results"]]][0]
    assert noise(seeded) != noise(first)  # each provider's own filtering is fixed by the seed


def test_a_bad_complaint_rate_sends_mail_to_spam_and_says_why(api):
    verified_domain(api, "shop.example")
    clean = by_provider(run_test(api))
    assert all(r["placement"] == "inbox" for r in clean.values()), clean
    send(api, delivered_people(4) + [f"spam@{MAGIC}"], from_email="news@shop.example")
    advance(api, 3600)
    noisy = by_provider(run_test(api))
    for name in PROVIDERS:
        assert noisy[name]["placement"] in ("spam", "missing")
        reason = next(r for r in noisy[name]["reasons"] if r["factor"] == "complaint_rate")
        assert reason["effect"] > 0 and "reported as spam" in reason["text"]
    assert noisy["gmail"]["penalty"] > noisy["apple"]["penalty"]  # Gmail is stricter


def test_unauthenticated_mail_is_refused_by_the_big_providers_and_filtered_by_the_others(api):
    results = by_provider(run_test(api, from_email="news@unknown.example"))
    for name in ("gmail", "outlook", "yahoo", "aol"):
        assert results[name]["placement"] == "missing"
        assert "neither SPF nor DKIM" in results[name]["reasons"][0]["text"]
    for name in ("apple", "proton", "gmx", "zoho"):
        assert results[name]["placement"] in ("spam", "missing")
        assert any(r["factor"] == "authentication" and r["effect"] for r in results[name]["reasons"])
    # Publishing the records and verifying lets the same email through.
    domain = add_domain(api, "unknown.example")
    publish(api, domain)
    verify(api, domain)
    results = by_provider(run_test(api, from_email="news@unknown.example"))
    assert all(r["placement"] == "inbox" for r in results.values()), results


def test_marketing_mail_without_one_click_unsubscribe_is_penalised_most_by_bulk_rule_providers(api):
    with_one_click = by_provider(run_test(api, category="marketing"))
    assert not any(r["factor"] == "unsubscribe" for p in with_one_click.values() for r in p["reasons"])
    without = by_provider(run_test(api, category="marketing",
                                   headers={"List-Unsubscribe": "<mailto:leave@shop.example>"}))
    gmail = next(r for r in without["gmail"]["reasons"] if r["factor"] == "unsubscribe")
    apple = next(r for r in without["apple"]["reasons"] if r["factor"] == "unsubscribe")
    assert gmail["effect"] > apple["effect"] and "requires" in gmail["text"]


def test_a_placement_test_replays_for_the_same_idempotency_key(api):
    headers = {"Idempotency-Key": "placement-1"}
    first = ok(api.post(PLACEMENT, json=EMAIL, headers=headers), 201)
    again = ok(api.post(PLACEMENT, json=EMAIL, headers=headers), 201)
    assert again == first and ok(api.get(PLACEMENT))["count"] == 1
    assert_problem(api.post(PLACEMENT, json={**EMAIL, "subject": "Other"}, headers=headers), 409)


@pytest.mark.parametrize("body, field", [
    ({**EMAIL, "to": ["someone@example.com"]}, "to"),
    ({**EMAIL, "simulate": ["opened"]}, "simulate"),
    ({**EMAIL, "providers": ["hotmail"]}, "providers[0]"),
    ({**EMAIL, "providers": []}, "providers"),
    ({"html": "<p>x</p>"}, "subject"),
    ({"subject": "x"}, "html"),
    ({**EMAIL, "from_email": "not an address"}, "from_email"),
])
def test_bad_placement_requests_are_400_and_store_nothing(api, body, field):
    problem = assert_problem(api.post(PLACEMENT, json=body), 400)
    assert field in problem["errors"], problem
    assert ok(api.get(PLACEMENT))["count"] == 0
    assert ok(api.get("/api/v1/emails/"))["count"] == 0


def test_unknown_tests_and_templates_are_404(api):
    assert_problem(api.get(f"{PLACEMENT}00000000-0000-4000-8000-000000000000/"), 404)
    problem = assert_problem(api.post(PLACEMENT, json={"template_id": "00000000-0000-4000-8000-000000000000"}), 404)
    assert "template_id" in problem.get("errors", {})
    assert_problem(api.post(PLACEMENT, content=b"{not json", headers={"Content-Type": "application/json"}), 400)


def test_placement_tests_need_the_write_scope_and_reading_needs_the_read_scope(api, own_sandbox):
    keys = "/api/v1/accounts/api-keys/"
    reader = ok(api.post(keys, json={"name": "reader", "scopes": ["deliverability:read"]}), 201)["key"]
    other = ok(api.post(keys, json={"name": "other", "scopes": ["emails:read"]}), 201)["key"]
    with own_sandbox.client(api_key=reader) as client:
        assert client.get(PLACEMENT).status_code == 200
        assert client.get("/api/v1/deliverability/score/").status_code == 200
        problem = assert_problem(client.post(PLACEMENT, json=EMAIL), 403)
        assert "deliverability:write" in problem["detail"]
    with own_sandbox.client(api_key=other) as client:
        assert "deliverability:read" in assert_problem(client.get("/api/v1/deliverability/score/"), 403)["detail"]


def test_a_reset_deletes_placement_tests(api):
    test = run_test(api)
    reset(api)
    assert ok(api.get(PLACEMENT))["count"] == 0
    assert_problem(api.get(f"{PLACEMENT}{test['id']}/"), 404)
