"""End to end: send (REST and SMTP) -> clock advance -> events -> statuses, suppression, bounce reports."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Iterator

import httpx
import pytest
from lifecycle_helpers import (
    MAGIC,
    advance,
    assert_problem,
    events_of,
    send,
    statuses,
    timeline,
)
from long_poll import long_poll
from sandbox_process import RunningSandbox


@pytest.fixture
def box(own_sandbox: RunningSandbox) -> RunningSandbox:
    return own_sandbox  # these tests move the clock


@pytest.fixture
def api(box: RunningSandbox) -> Iterator[httpx.Client]:
    with box.client() as client:
        yield client


def test_send_records_sent_then_the_clock_brings_the_outcomes(api: httpx.Client, unique: str) -> None:
    clicked, bounced = f"clicked+{unique}@{MAGIC}", f"bounced+{unique}@{MAGIC}"
    email = send(api, [clicked, bounced], html="<p><a href='https://shop.example/sale'>Sale</a></p>")
    assert timeline(api, email["id"]) == [("email.sent", clicked), ("email.sent", bounced)]
    assert statuses(api, email["id"]) == ("sent", {clicked: "sent", bounced: "sent"})

    moved = advance(api, seconds=3600)
    assert moved["jobs_run"] >= 4
    events = events_of(api, email["id"])
    assert [(e["type"], e["recipient"]) for e in events] == [
        ("email.sent", clicked), ("email.sent", bounced), ("email.delivered", clicked),
        ("email.bounced", bounced), ("email.opened", clicked), ("email.clicked", clicked)]
    times = [e["occurred_at"] for e in events]
    assert times == sorted(times)
    bounce = events[3]["data"]
    assert (bounce["bounce_type"], bounce["smtp_code"]) == ("hard", 550)
    assert "5.1.1" in bounce["reason"]
    assert events[5]["data"]["url"] == "https://shop.example/sale"
    assert events[4]["data"]["unique"] is True
    assert statuses(api, email["id"]) == ("bounced", {clicked: "clicked", bounced: "bounced"})


def test_hard_bounce_suppresses_the_address_and_returns_a_report(api: httpx.Client, unique: str) -> None:
    bounced = f"bounced+{unique}@{MAGIC}"
    sender = f"sender-{unique}@shop.example"
    first = send(api, bounced, from_email=sender, subject=f"Welcome {unique}")
    advance(api, seconds=60)
    listed = api.get("/api/v1/suppressions/", params={"email": bounced}).json()
    assert [(s["email"], s["reason"], s["email_id"]) for s in listed["results"]] == [
        (bounced, "hard_bounce", first["id"])]

    reports = api.get("/api/v1/emails/", params={"to": sender}).json()["results"]
    assert len(reports) == 1 and reports[0]["subject"] == "Undelivered Mail Returned to Sender"
    raw = api.get(f"/api/v1/emails/{reports[0]['id']}/raw/").text
    assert 'multipart/report; report-type="delivery-status"' in raw
    assert f"Final-Recipient: rfc822; {bounced}" in raw
    assert f"Subject: Welcome {unique}" in raw
    assert timeline(api, reports[0]["id"]) == []  # the sandbox's own mail has no lifecycle

    again = send(api, bounced)
    assert timeline(api, again["id"]) == [("email.suppressed", bounced)]
    assert events_of(api, again["id"])[0]["data"] == {"reason": "hard_bounce"}
    assert statuses(api, again["id"]) == ("suppressed", {bounced: "suppressed"})
    advance(api, seconds=3600)
    assert timeline(api, again["id"]) == [("email.suppressed", bounced)]

    assert api.delete("/api/v1/suppressions/", params={"email": bounced}).json() == {"deleted": 1}
    assert api.get("/api/v1/suppressions/", params={"email": bounced}).json()["count"] == 0
    assert_problem(api.delete("/api/v1/suppressions/", params={"email": bounced}), 404)


def test_spam_and_unsubscribe_suppress_too(api: httpx.Client, unique: str) -> None:
    spam, unsub = f"spam+{unique}@{MAGIC}", f"unsubscribed+{unique}@{MAGIC}"
    email = send(api, [spam, unsub])
    advance(api, seconds=600)
    assert timeline(api, email["id"]) == [
        ("email.sent", spam), ("email.sent", unsub), ("email.delivered", spam), ("email.delivered", unsub),
        ("email.opened", unsub), ("email.unsubscribed", unsub), ("email.spam", spam)]
    reasons = {s["email"]: s["reason"] for s in api.get("/api/v1/suppressions/", params={"page_size": 500}).json()["results"]}
    assert reasons[spam] == "spam_complaint" and reasons[unsub] == "unsubscribe"
    assert statuses(api, email["id"])[1] == {spam: "spam", unsub: "unsubscribed"}


def test_soft_bounce_deferred_and_suppressed_magic_addresses(api: httpx.Client, unique: str) -> None:
    soft, deferred, suppressed = (f"softbounce+{unique}@{MAGIC}", f"deferred+{unique}@{MAGIC}",
                                  f"suppressed+{unique}@{MAGIC}")
    email = send(api, [soft, deferred, suppressed])
    assert timeline(api, email["id"]) == [("email.sent", soft), ("email.sent", deferred),
                                          ("email.suppressed", suppressed)]
    advance(api, seconds=10)
    assert statuses(api, email["id"])[1] == {soft: "bounced", deferred: "deferred", suppressed: "suppressed"}
    advance(api, seconds=15 * 60)
    events = events_of(api, email["id"])
    assert [(e["type"], e["recipient"]) for e in events][3:] == [
        ("email.deferred", deferred), ("email.bounced", soft), ("email.delivered", deferred)]
    assert events[4]["data"]["bounce_type"] == "soft"
    assert api.get("/api/v1/suppressions/", params={"email": soft}).json()["count"] == 0  # soft: not suppressed
    assert statuses(api, email["id"])[1] == {soft: "bounced", deferred: "delivered", suppressed: "suppressed"}


def test_smtp_mail_follows_the_same_rules_as_the_api(box: RunningSandbox, api: httpx.Client, unique: str) -> None:
    to = f"ana-{unique}@example.com"
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "app@shop.example", to, f"smtp {unique}"
    msg["X-Gclap-Simulate"] = "opened, clicked"
    msg.set_content("Hello")
    msg.add_alternative("<p><a href='https://shop.example/x'>x</a></p>", subtype="html")
    with smtplib.SMTP(box.smtp_host, box.smtp_port) as smtp:
        smtp.send_message(msg)
    via_api = send(api, f"bob-{unique}@example.com", simulate=["opened", "clicked"],
                   html="<p><a href='https://shop.example/x'>x</a></p>")
    via_smtp = api.get("/api/v1/emails/", params={"search": f"smtp {unique}"}).json()["results"][0]
    advance(api, seconds=300)
    kinds = ["email.sent", "email.delivered", "email.opened", "email.clicked"]
    assert [t for t, _ in timeline(api, via_smtp["id"])] == kinds
    assert [t for t, _ in timeline(api, via_api["id"])] == kinds
    assert events_of(api, via_smtp["id"])[3]["data"]["url"] == "https://shop.example/x"


def test_delivery_happens_by_itself_in_real_time(box: RunningSandbox, api: httpx.Client, unique: str) -> None:
    email = send(api, f"plain-{unique}@example.com")
    # No advance: the worker runs the due job by itself. The held request answers when it does.
    with long_poll(box, "/api/v1/events/", email=email["id"], type="email.delivered", wait=120) as waiting:
        delivered = waiting.result()
    assert [e["recipient"] for e in delivered["results"]] == [f"plain-{unique}@example.com"]
    assert [t for t, _ in timeline(api, email["id"])] == ["email.sent", "email.delivered"]
    assert statuses(api, email["id"])[0] == "delivered"


def test_simulate_by_hand(api: httpx.Client, unique: str) -> None:
    a, b = f"a-{unique}@example.com", f"b-{unique}@example.com"
    email = send(api, [a, b], html="<p><a href='https://shop.example/first'>x</a></p>")
    response = api.post(f"/api/v1/emails/{email['id']}/simulate/", json={"event": "opened", "recipient": b})
    assert response.status_code == 201, response.text
    [opened] = response.json()["events"]
    assert (opened["type"], opened["recipient"], opened["data"]["unique"]) == ("email.opened", b, True)
    again = api.post(f"/api/v1/emails/{email['id']}/simulate/", json={"event": "email.opened", "recipient": b})
    assert again.json()["events"][0]["data"]["unique"] is False
    clicked = api.post(f"/api/v1/emails/{email['id']}/simulate/",
                       json={"event": "clicked", "url": "https://shop.example/other"}).json()["events"]
    assert [(e["recipient"], e["data"]["url"]) for e in clicked] == [
        (a, "https://shop.example/other"), (b, "https://shop.example/other")]
    api.post(f"/api/v1/emails/{email['id']}/simulate/", json={"event": "bounced", "recipient": a})
    assert statuses(api, email["id"])[1] == {a: "bounced", b: "clicked"}
    assert api.get("/api/v1/suppressions/", params={"email": a}).json()["results"][0]["reason"] == "hard_bounce"


def test_simulate_rejects_bad_input(api: httpx.Client, unique: str) -> None:
    email = send(api, f"c-{unique}@example.com")
    url = f"/api/v1/emails/{email['id']}/simulate/"
    assert_problem(api.post(url, json={"event": "exploded"}), 400, "event")
    assert_problem(api.post(url, json={}), 400, "event")
    assert_problem(api.post(url, json={"event": "opened", "recipient": "not-an-address"}), 400, "recipient")
    # Well-formed but not one of this email's recipients: it names nothing here.
    assert_problem(api.post(url, json={"event": "opened", "recipient": "stranger@example.com"}), 404, "recipient")
    assert_problem(api.post(url, json={"event": "opened", "url": "https://x.example/"}), 400, "url")
    assert_problem(api.post(url, json={"event": "clicked", "url": "javascript:alert(1)"}), 400, "url")
    assert_problem(api.post(url, json={"event": "opened", "extra": 1}), 400, "extra")
    assert_problem(api.post("/api/v1/emails/00000000-0000-0000-0000-000000000000/simulate/",
                            json={"event": "opened"}), 404)
    # Nothing was simulated: the email has only its own lifecycle (the delivery, one sandbox
    # second after the send, may already have come on a slow machine).
    lifecycle = [("email.sent", f"c-{unique}@example.com"), ("email.delivered", f"c-{unique}@example.com")]
    assert timeline(api, email["id"]) in (lifecycle[:1], lifecycle)


def test_send_rejects_unknown_simulate_labels(api: httpx.Client, unique: str) -> None:
    before = api.get("/api/v1/emails/").json()["count"]
    response = api.post("/api/v1/emails/send/", json={"to": f"d-{unique}@example.com", "subject": "x", "text": "x",
                                                      "simulate": ["opened", "teleported"], "track_opens": "maybe",
                                                      "category": "spammy"})
    assert_problem(response, 400, "simulate[1]", "track_opens", "category")
    assert api.get("/api/v1/emails/").json()["count"] == before


def test_events_list_filters_and_pages(api: httpx.Client, unique: str) -> None:
    a = f"e1-{unique}@example.com"
    email = send(api, [a, f"e2-{unique}@example.com"], simulate=["opened"])
    advance(api, seconds=120)
    page = api.get("/api/v1/events/", params={"email": email["id"], "page_size": 2}).json()
    assert page["count"] == 6 and len(page["results"]) == 2 and page["previous"] is None
    second = httpx.get(page["next"], headers=api.headers).json()
    third = httpx.get(second["next"], headers=api.headers).json()
    assert third["next"] is None
    newest_first = page["results"] + second["results"] + third["results"]
    assert [e["occurred_at"] for e in newest_first] == sorted((e["occurred_at"] for e in newest_first), reverse=True)
    only = api.get("/api/v1/events/", params={"email": email["id"], "type": "email.opened,email.sent",
                                              "recipient": a.upper()}).json()["results"]
    assert sorted(e["type"] for e in only) == ["email.opened", "email.sent"]
    opened_at = next(e["occurred_at"] for e in only if e["type"] == "email.opened")
    since = api.get("/api/v1/events/", params={"email": email["id"], "since": opened_at}).json()["results"]
    assert {e["type"] for e in since} == {"email.opened"}
    before = api.get("/api/v1/events/", params={"email": email["id"], "before": opened_at}).json()["results"]
    assert {e["type"] for e in before} == {"email.sent", "email.delivered"}
    filtered = api.get(f"/api/v1/emails/{email['id']}/events/", params={"type": "email.delivered"}).json()
    assert filtered["count"] == 2


def test_events_routes_reject_bad_input(api: httpx.Client) -> None:
    assert_problem(api.get("/api/v1/events/", params={"type": "email.exploded"}), 400, "type")
    assert_problem(api.get("/api/v1/events/", params={"email": "nope"}), 400, "email")
    assert_problem(api.get("/api/v1/events/", params={"since": "yesterday"}), 400, "since")
    assert_problem(api.get("/api/v1/events/", params={"page_size": "0"}), 400, "page_size")
    assert_problem(api.get("/api/v1/events/", params={"colour": "red"}), 400, "colour")
    assert_problem(api.get("/api/v1/emails/00000000-0000-0000-0000-000000000000/events/"), 404)
    assert api.get("/api/v1/events/", headers={"Authorization": ""}).status_code == 401


def test_suppressions_reject_bad_input(api: httpx.Client) -> None:
    assert_problem(api.get("/api/v1/suppressions/", params={"reason": "boredom"}), 400, "reason")
    assert_problem(api.get("/api/v1/suppressions/", params={"email": "not an address"}), 400, "email")
    assert_problem(api.delete("/api/v1/suppressions/", params={"email": "bad"}), 400, "email")
