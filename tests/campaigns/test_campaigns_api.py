"""Campaigns driven as an integration would: contacts, a list, a template, a campaign; the sandbox
clock moves; `campaign.completed` arrives signed at a real receiver; every recipient's email and
the stats are checked through the API."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterator

import httpx
import pytest
from campaign_helpers import (
    CAMPAIGNS,
    campaign,
    contact,
    contact_list,
    emails_of,
    get,
    ok,
    send,
    template,
)
from lifecycle_helpers import MAGIC, advance
from lifecycle_helpers import send as send_email
from sandbox_process import RunningSandbox
from webhook_helpers import deliveries, subscribe, verified
from webhook_receiver import Receiver


@pytest.fixture
def api(own_sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with own_sandbox.client() as client:  # these tests move the clock
        yield client


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


def _audience_of_five(api: httpx.Client, unique: str) -> tuple[list[dict], dict]:
    """Three contacts to send to, one unsubscribed, one whose address bounced hard before."""
    ana = contact(api, f"ana-{unique}@example.com", first_name="Ana")
    ben = contact(api, f"ben-{unique}@example.com", first_name="Ben")
    clicker = contact(api, f"clicked+{unique}@{MAGIC}", first_name="Cleo")
    gone = contact(api, f"gone-{unique}@example.com", first_name="Gus", status="unsubscribed")
    bouncer = contact(api, f"bounced+{unique}@{MAGIC}", first_name="Bo")
    send_email(api, bouncer["email"])
    advance(api, seconds=60)  # the hard bounce marks the contact bounced
    audience = contact_list(api, f"Newsletter {unique}", [ana, ben, clicker, gone, bouncer])
    return [ana, ben, clicker], audience


def test_a_campaign_to_a_list_reaches_each_contact_and_fires_campaign_completed_once(api, receiver, unique):
    sendable, newsletter = _audience_of_five(api, unique)
    endpoint = subscribe(api, receiver.url(f"done-{unique}"), ["campaign.completed"])
    spring = template(api, subject="{{ contact.first_name }}, {{ discount }} off",
                      html='<p>Hi {{ contact.first_name }}</p><a href="https://shop.example/sale">Shop</a>')
    created = campaign(api, template_id=spring["id"], variables={"discount": "20%"},
                       from_email="Shop <news@shop.example>", reply_to="help@shop.example", tags=["spring"],
                       track_opens=True, track_clicks=True, audience={"lists": [newsletter["id"]]})
    assert created["status"] == "draft"

    preview = ok(api.get(f"{CAMPAIGNS}{created['id']}/audience/"))
    assert (preview["total"], preview["recipients"], preview["skipped"]) == (5, 3, 2)
    assert preview["skipped_reasons"] == {"unsubscribed": 1, "bounced": 1, "complained": 0, "suppressed": 0}

    assert send(api, created["id"])["status"] == "scheduled"
    advance(api, seconds=600)  # starts, sends, and runs the simulated outcomes

    done = get(api, created["id"])
    assert done["status"] == "sent" and done["started_at"] and done["completed_at"]
    emails = emails_of(api, created["id"])
    assert sorted(e["to"][0] for e in emails) == sorted(c["email"] for c in sendable)
    for email in emails:
        person = next(c for c in sendable if c["email"] == email["to"][0])
        assert email["subject"] == f"{person['first_name']}, 20% off"
        assert email["campaign_id"] == created["id"] and email["tags"] == ["spring"]
        delivered = api.get(f"/api/v1/emails/{email['id']}/raw/", params={"version": "delivered"}).text
        assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in delivered
        assert "/t/click/" in delivered  # links tracked for that recipient

    stats = done["stats"]
    assert (stats["recipients"], stats["skipped"], stats["sent"], stats["delivered"]) == (5, 2, 3, 3)
    assert stats["skipped_reasons"]["unsubscribed"] == 1 and stats["skipped_reasons"]["bounced"] == 1
    assert stats["clicked"] == {"unique": 1, "total": 1} and stats["opened"]["unique"] == 1
    assert stats["links"] == [{"url": "https://shop.example/sale", "unique": 1, "total": 1}]
    assert stats["open_rate"] == round(1 / 3, 4) and stats["delivery_rate"] == 1.0

    events = ok(api.get("/api/v1/events/", params={"campaign": created["id"], "page_size": 500}))["results"]
    assert {e["email_id"] for e in events} == {e["id"] for e in emails}
    clicked = [e for e in events if e["type"] == "email.clicked"]
    assert [e["recipient"] for e in clicked] == [sendable[2]["email"]]

    received = receiver.wait_for(f"done-{unique}", 1)
    body = verified(endpoint["secret"], received[0])
    assert body["type"] == "campaign.completed"
    assert body["data"]["campaign_id"] == created["id"]
    assert body["data"]["stats"]["sent"] == 3 and body["data"]["completed_at"] == done["completed_at"]
    advance(api, seconds=3600)
    assert len(deliveries(api, endpoint=endpoint["id"])) == 1  # once, however long after


def test_send_at_waits_for_the_clock_and_a_rate_per_minute_spreads_the_sending(api, unique):
    people = [contact(api, f"r{n}-{unique}@example.com") for n in range(10)]
    created = campaign(api, subject="Weekly", text="Hello {{ contact.email }}", rate_per_minute=4,
                       audience={"contact_ids": [p["id"] for p in people]})
    now = ok(api.get("/api/v1/sandbox/clock/"))["now"]
    at = datetime.fromisoformat(now.replace("Z", "+00:00")) + timedelta(hours=1)
    scheduled = send(api, created["id"], send_at=at.isoformat())
    assert scheduled["status"] == "scheduled"

    advance(api, seconds=1800)
    assert get(api, created["id"])["status"] == "scheduled" and emails_of(api, created["id"]) == []
    advance(api, seconds=1800)
    assert get(api, created["id"])["status"] == "sending"
    assert len(emails_of(api, created["id"])) == 4  # four a minute
    advance(api, seconds=60)
    assert len(emails_of(api, created["id"])) == 8
    advance(api, seconds=60)
    finished = get(api, created["id"])
    assert finished["status"] == "sent" and finished["stats"]["sent"] == 10
    assert sorted(e["to"][0] for e in emails_of(api, created["id"])) == sorted(p["email"] for p in people)


def test_a_test_send_reaches_the_given_addresses_and_is_not_part_of_the_campaign(api, unique):
    ana = contact(api, f"tester-{unique}@example.com", first_name="Tess")
    created = campaign(api, subject="Hi {{ contact.first_name or 'there' }}", text="Body",
                       audience={"contact_ids": [ana["id"]]})
    result = ok(api.post(f"{CAMPAIGNS}{created['id']}/test/",
                         json={"to": [ana["email"], f"boss-{unique}@example.com"]}), 202)
    subjects = {e["to"][0]: e["subject"] for e in result["emails"]}
    assert subjects == {ana["email"]: "Hi Tess", f"boss-{unique}@example.com": "Hi there"}
    assert all(e["campaign_id"] is None for e in result["emails"])
    after = get(api, created["id"])
    assert after["status"] == "draft" and after["stats"]["sent"] == 0
    assert emails_of(api, created["id"]) == []


def test_cancelling_stops_a_scheduled_campaign_and_only_drafts_change_or_go(api, unique):
    ana = contact(api, f"cancel-{unique}@example.com")
    created = campaign(api, subject="Later", text="x", audience={"contact_ids": [ana["id"]]})
    changed = ok(api.patch(f"{CAMPAIGNS}{created['id']}/", json={"subject": "Much later", "tags": ["t"]}))
    assert (changed["subject"], changed["tags"]) == ("Much later", ["t"])
    send(api, created["id"], send_at="2999-01-01T00:00:00Z")
    cancelled = ok(api.post(f"{CAMPAIGNS}{created['id']}/cancel/"))
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_at"]
    for response in (api.patch(f"{CAMPAIGNS}{created['id']}/", json={"name": "x"}),
                     api.delete(f"{CAMPAIGNS}{created['id']}/"),
                     api.post(f"{CAMPAIGNS}{created['id']}/send/"),
                     api.post(f"{CAMPAIGNS}{created['id']}/cancel/")):
        assert response.status_code == 409, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    draft = campaign(api, subject="Gone soon", text="x")
    assert api.delete(f"{CAMPAIGNS}{draft['id']}/").status_code == 204
    assert api.get(f"{CAMPAIGNS}{draft['id']}/").status_code == 404


def test_campaigns_are_listed_newest_first_paged_and_filtered_by_status(api, unique):
    first = campaign(api, name=f"first {unique}", subject="a", text="a")
    second = campaign(api, name=f"second {unique}", subject="b", text="b")
    drafts = ok(api.get(CAMPAIGNS, params={"status": "draft", "page_size": 500}))
    ids = [c["id"] for c in drafts["results"]]
    assert ids.index(second["id"]) < ids.index(first["id"])
    assert all(c["status"] == "draft" for c in drafts["results"])
    page = ok(api.get(CAMPAIGNS, params={"page_size": 1}))
    assert len(page["results"]) == 1 and page["next"]
    assert first["id"] not in [c["id"] for c in ok(api.get(CAMPAIGNS, params={"status": "sent"}))["results"]]


def test_an_audience_of_a_segment_and_ids_is_counted_before_anything_is_stored(api, unique):
    vip = contact(api, f"vip-{unique}@example.com", attributes={"tier": f"gold-{unique}"})
    other = contact(api, f"other-{unique}@example.com")
    segment = ok(api.post("/api/v1/contacts/segments/", json={
        "name": "gold", "rules": {"all": [{"field": "attributes.tier", "op": "eq", "value": f"gold-{unique}"}]}}), 201)
    counted = ok(api.post(f"{CAMPAIGNS}audience/", json={"segments": [segment["id"]],
                                                          "contact_ids": [vip["id"], other["id"]]}))
    assert (counted["total"], counted["recipients"]) == (2, 2)
