"""Each organization has its own sandbox clock: advancing it with one organization's key moves
that organization's time and runs its due work, and no one else's."""
from __future__ import annotations

import time
import uuid

import pytest
from lifecycle_helpers import MAGIC, advance, send, timeline
from organization_helpers import new_organization, ok

DAY = 86400


@pytest.fixture()
def two_organizations(own_sandbox):
    """(A's client, B's client): two fresh organizations of the module's sandbox."""
    with own_sandbox.client() as admin:
        _, key_a = new_organization(admin, "Clock A " + uuid.uuid4().hex[:6])
        _, key_b = new_organization(admin, "Clock B " + uuid.uuid4().hex[:6])
    with own_sandbox.client(key_a) as a, own_sandbox.client(key_b) as b:
        yield a, b


def opened(api, email_id):
    return ("email.opened", f"opened@{MAGIC}") in timeline(api, email_id)


def test_advancing_one_organizations_clock_leaves_the_others_scheduled_events_scheduled(two_organizations):
    a, b = two_organizations
    mail_a = send(a, f"opened@{MAGIC}", subject="A's")["id"]
    mail_b = send(b, f"opened@{MAGIC}", subject="B's")["id"]

    moved = advance(a, seconds=DAY)

    assert moved["offset_seconds"] == DAY and opened(a, mail_a)
    clock_b = ok(b.get("/api/v1/sandbox/clock/"))
    assert clock_b["offset_seconds"] == 0 and clock_b["pending_jobs"] >= 1
    assert not opened(b, mail_b)

    assert advance(b, seconds=DAY)["jobs_run"] >= 1
    assert opened(b, mail_b)


def test_an_organizations_clock_reads_its_own_time_in_every_timestamp(two_organizations):
    a, b = two_organizations
    advance(a, seconds=30 * DAY)
    now_a, now_b = ok(a.get("/api/v1/sandbox/clock/"))["now"], ok(b.get("/api/v1/sandbox/clock/"))["now"]
    created_a = send(a, "someone@example.com")["created_at"]
    created_b = send(b, "someone@example.com")["created_at"]
    assert created_a >= now_a > created_b >= now_b  # ISO 8601 UTC text sorts as time does


def test_a_reset_of_the_clock_moves_only_the_callers_organization_back(two_organizations):
    a, b = two_organizations
    advance(a, seconds=DAY)
    advance(b, seconds=2 * DAY)
    reset = ok(a.post("/api/v1/sandbox/clock/reset/"))
    assert reset["offset_seconds"] == 0
    assert ok(b.get("/api/v1/sandbox/clock/"))["offset_seconds"] == 2 * DAY


def test_a_campaign_of_an_organization_ahead_of_real_time_is_sent_on_its_clock(two_organizations):
    a, _ = two_organizations
    advance(a, seconds=DAY)
    people = [ok(a.post("/api/v1/contacts/", json={"email": f"reader{n}@example.com"}), 201) for n in range(3)]
    members = ok(a.post("/api/v1/contacts/lists/", json={"name": "Readers"}), 201)["id"]
    ok(a.post(f"/api/v1/contacts/lists/{members}/members/", json={"contact_ids": [p["id"] for p in people]}))
    created = ok(a.post("/api/v1/campaigns/", json={"name": "Ahead", "subject": "Hello", "text": "Hi",
                                                    "audience": {"lists": [members]}}), 201)
    ok(a.post(f"/api/v1/campaigns/{created['id']}/send/", json={}))
    deadline = time.monotonic() + 30  # the background runner sends it, without a clock move
    while ok(a.get(f"/api/v1/campaigns/{created['id']}/"))["status"] != "sent":
        assert time.monotonic() < deadline, "the campaign was not sent within 30 s"
        time.sleep(0.05)
    sent = ok(a.get("/api/v1/emails/", params={"campaign": created["id"]}))["results"]
    now_a = ok(a.get("/api/v1/sandbox/clock/"))["now"]
    assert len(sent) == 3 and all(email["created_at"] <= now_a for email in sent)
    assert min(email["created_at"] for email in sent) > ok(a.get("/api/v1/sandbox/clock/"))["real_now"]
