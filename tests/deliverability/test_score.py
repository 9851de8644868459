"""The deliverability score: factors measured from the sandbox's own mail and events over the
last 7 and 30 days of the sandbox clock, each judged against its published limit with advice."""
from __future__ import annotations

from email.message import EmailMessage
from typing import Iterator

import httpx
import pytest
from deliverability_helpers import (
    DAY,
    MAGIC,
    SCORE,
    advance,
    delivered_people,
    domain_entry,
    factor,
    reset,
    score,
    send,
)
from domain_helpers import add_domain, publish, verified_domain, verify
from helpers import assert_problem, smtp_send


@pytest.fixture
def api(own_sandbox) -> Iterator[httpx.Client]:
    with own_sandbox.client() as client:  # these tests move the clock: each starts from a reset
        reset(client)
        yield client


def test_with_no_mail_sent_nothing_is_measured_and_the_score_is_null(api):
    scored = score(api)
    assert scored["score"] is None and scored["status"] == "not_measured"
    names = [f["name"] for f in scored["factors"]]
    assert names == ["authentication", "complaint_rate", "bounce_rate", "list_hygiene", "unsubscribe", "content"]
    assert sum(f["weight"] for f in scored["factors"]) == 100
    for item in scored["factors"]:
        assert item["value"] is None and item["points"] is None and item["status"] == "not_measured"
        assert item["summary"]


def test_clean_mail_scores_well_and_each_factor_states_value_weight_threshold_and_advice(api):
    verified_domain(api, "shop.example")
    send(api, delivered_people(40), text="Hello, here is this week's news from the shop.")
    advance(api, 60)
    scored = score(api)
    complaints = factor(scored, "complaint_rate")
    assert complaints["status"] == "good" and complaints["value"] == 0.0
    assert complaints["threshold"] == {"target": 0.001, "limit": 0.003, "better": "lower",
                                       "unit": "complaints per delivered"}
    assert complaints["windows"]["7d"] == {"count": 0, "of": 40, "rate": 0.0}
    assert complaints["points"] == complaints["weight"] == 25
    assert complaints["recommendation"]
    assert factor(scored, "bounce_rate")["status"] == "good"
    assert factor(scored, "authentication")["status"] == "good"
    assert factor(scored, "content")["status"] == "good"
    assert scored["score"] == 100 and scored["status"] == "good"
    assert [d["domain"] for d in scored["domains"]] == ["shop.example"]


def test_complaints_past_the_limit_make_the_factor_poor_and_the_windows_follow_the_clock(api):
    send(api, delivered_people(9) + [f"spam@{MAGIC}"])
    advance(api, 3600)  # delivered, then the complaint 5 minutes later
    complaints = factor(score(api), "complaint_rate")
    assert complaints["status"] == "poor" and complaints["points"] == 0
    assert complaints["windows"]["7d"] == {"count": 1, "of": 10, "rate": 0.1}
    assert complaints["windows"]["30d"] == {"count": 1, "of": 10, "rate": 0.1}
    assert "0.3%" in complaints["recommendation"] and "10%" in complaints["summary"]

    advance(api, 8 * DAY)  # out of the 7-day window, still in the 30-day one
    complaints = factor(score(api), "complaint_rate")
    assert complaints["windows"]["7d"] == {"count": 0, "of": 0, "rate": None}
    assert complaints["windows"]["30d"]["rate"] == 0.1 and complaints["status"] == "poor"
    assert "last 30 days" in complaints["summary"]

    send(api, delivered_people(20, "later"))
    advance(api, 3600)
    complaints = factor(score(api), "complaint_rate")
    assert complaints["windows"]["7d"]["rate"] == 0.0 and complaints["windows"]["30d"] == {
        "count": 1, "of": 30, "rate": 0.0333}

    advance(api, 23 * DAY)  # the complaint is more than 30 days old
    complaints = factor(score(api), "complaint_rate")
    assert complaints["windows"]["30d"]["count"] == 0 and complaints["status"] == "good"


def test_hard_bounces_count_against_sent_mail_and_soft_bounces_do_not(api):
    send(api, delivered_people(18) + [f"bounced@{MAGIC}", f"softbounce@{MAGIC}"])
    advance(api, 60)
    bounces = factor(score(api), "bounce_rate")
    assert bounces["windows"]["7d"] == {"count": 1, "of": 20, "rate": 0.05}
    assert bounces["status"] == "poor" and bounces["threshold"]["limit"] == 0.05
    assert "5%" in bounces["summary"] and bounces["recommendation"]
    advance(api, 31 * DAY)
    assert factor(score(api), "bounce_rate")["status"] == "not_measured"


def test_marketing_mail_without_one_click_unsubscribe_lowers_the_factor(api, own_sandbox):
    send(api, delivered_people(2), category="marketing")  # the sandbox adds RFC 8058 headers
    unsubscribe = factor(score(api), "unsubscribe")
    assert unsubscribe["value"] == 1.0 and unsubscribe["status"] == "good"
    assert unsubscribe["detail"] == {"marketing": 1, "one_click": 1}

    # Marketing mail over SMTP with its own mailto-only List-Unsubscribe: no one-click.
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "news@shop.example", f"delivered@{MAGIC}", "Weekly deals"
    msg["X-Gclap-Category"] = "marketing"
    msg["List-Unsubscribe"] = "<mailto:leave@shop.example>"
    msg.set_content("Deals")
    smtp_send(own_sandbox, msg, "news@shop.example", [f"delivered@{MAGIC}"])
    unsubscribe = factor(score(api), "unsubscribe")
    assert unsubscribe["detail"] == {"marketing": 2, "one_click": 1}
    assert unsubscribe["value"] == 0.5 and unsubscribe["status"] == "poor"
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in unsubscribe["recommendation"]
    assert "1 did not" in unsubscribe["summary"]
    # Transactional mail is not judged here.
    send(api, delivered_people(1, "receipt"))
    assert factor(score(api), "unsubscribe")["detail"] == {"marketing": 2, "one_click": 1}


def test_mailing_addresses_that_bounced_or_complained_before_lowers_list_hygiene(api):
    send(api, delivered_people(8) + [f"bounced@{MAGIC}", f"spam@{MAGIC}"])
    advance(api, 3600)  # the bounce and the complaint put both addresses on the suppression list
    assert factor(score(api), "list_hygiene")["status"] == "good"
    send(api, delivered_people(8) + [f"bounced@{MAGIC}", f"spam@{MAGIC}"])
    hygiene = factor(score(api), "list_hygiene")
    assert hygiene["detail"] == {"suppressed": 2, "attempted": 20}
    assert hygiene["status"] == "poor" and "suppression" in hygiene["recommendation"]


def test_each_sending_domain_gets_its_own_score(api):
    send(api, delivered_people(10), from_email="news@good.example")
    send(api, delivered_people(9, "b") + [f"spam@{MAGIC}"], from_email="news@noisy.example")
    advance(api, 3600)
    scored = score(api)
    assert [d["domain"] for d in scored["domains"]] == ["good.example", "noisy.example"]
    good, noisy = domain_entry(scored, "good.example"), domain_entry(scored, "noisy.example")
    assert factor(good, "complaint_rate")["status"] == "good"
    assert factor(noisy, "complaint_rate")["status"] == "poor"
    assert good["score"] > noisy["score"]
    assert factor(scored, "complaint_rate")["windows"]["7d"] == {"count": 1, "of": 20, "rate": 0.05}


def test_breaking_the_dmarc_record_lowers_the_score_and_the_advice_names_dmarc(api):
    domain = verified_domain(api, "shop.example")
    send(api, delivered_people(10), text="Hello, here is this week's news from the shop.")
    before = score(api)
    auth = factor(before, "authentication")
    assert auth["status"] == "good" and auth["value"] == 1.0
    assert auth["domains"][0]["passes"] == {"spf": True, "dkim": True, "dmarc": True}

    publish(api, domain, change={"dmarc": "v=spf1 -all"})  # a DMARC name holding no DMARC record
    dmarc = next(r for r in verify(api, domain)["records"] if r["purpose"] == "dmarc")
    assert dmarc["status"] in ("wrong", "missing")
    after = score(api)
    auth = factor(after, "authentication")
    assert auth["domains"][0]["dmarc"] in ("wrong", "missing")
    assert auth["domains"][0]["passes"] == {"spf": True, "dkim": True, "dmarc": False}
    assert auth["status"] == "warning" and auth["value"] == 0.6667
    assert "shop.example: DMARC" in auth["summary"]
    assert "_dmarc.shop.example" in auth["recommendation"] and "DMARC" in auth["recommendation"]
    assert after["score"] < before["score"]
    assert domain_entry(after, "shop.example")["score"] == after["score"]

    publish(api, domain)  # put it right again
    verify(api, domain)
    assert score(api)["score"] == before["score"]


def test_mail_from_a_domain_that_is_not_set_up_fails_authentication_and_says_how_to_fix_it(api):
    send(api, delivered_people(3), from_email="news@nowhere.example")
    auth = factor(score(api), "authentication")
    assert auth["status"] == "poor" and auth["value"] == 0.0
    assert auth["domains"] == [{"domain": "nowhere.example", "registered": False, "recipients_30d": 3,
                                "passes": {"spf": False, "dkim": False, "dmarc": False}}]
    assert "POST /api/v1/domains/" in auth["recommendation"]
    added = add_domain(api, "nowhere.example")  # added, records not published: pending
    auth = factor(score(api), "authentication")
    assert auth["domains"][0]["registered"] and auth["domains"][0]["spf"] == "pending"
    assert "publish the SPF and DKIM records of nowhere.example" in auth["recommendation"]
    publish(api, added)
    verify(api, added)
    assert factor(score(api), "authentication")["status"] == "good"


def test_recent_mail_that_trips_the_content_checks_lowers_the_content_factor(api):
    send(api, delivered_people(1), text="Hello, here is this week's news from the shop.")
    assert factor(score(api), "content")["value"] == 1.0
    send(api, delivered_people(1, "x"), subject="FREE MONEY NOW!!!",
         html='<a href="http://bit.ly/x">https://shop.example</a><img src="http://10.0.0.1/a.png">', text=None)
    content = factor(score(api), "content")
    assert content["detail"]["checked"] == 2 and content["detail"]["passed"] == 1
    assert content["value"] == 0.5 and content["status"] == "poor"
    assert "link problem mismatched-text" in content["detail"]["problems"]
    assert "1 of 2 recent emails pass" in content["summary"] and "Checks tab" in content["recommendation"]


def test_the_score_takes_no_query_parameters_and_needs_its_scope(api, own_sandbox):
    assert "domain" in assert_problem(api.get(SCORE, params={"domain": "shop.example"}), 400)["errors"]
    assert_problem(api.request("GET", SCORE, content=b'{"x": 1}'), 400)
    key = api.post("/api/v1/accounts/api-keys/", json={"name": "no scope", "scopes": ["emails:read"]}).json()["key"]
    with own_sandbox.client(api_key=key) as client:
        assert "deliverability:read" in assert_problem(client.get(SCORE), 403)["detail"]
    with own_sandbox.client(api_key="gclap_test_not_a_key") as client:
        assert_problem(client.get(SCORE), 401)
