"""Contacts follow the lifecycle of email sent to them: status, engagement and their events."""
from __future__ import annotations


def _contact(api, email: str) -> dict:
    response = api.post("/api/v1/contacts/", json={"email": email})
    assert response.status_code == 201, response.text
    return response.json()


def _send_and_settle(api, to: str) -> None:
    assert api.post("/api/v1/emails/send/", json={"to": to, "subject": "hi", "text": "hi"}).status_code == 202
    assert api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 86400}).status_code == 200


def test_hard_bounce_marks_the_contact_bounced_and_lists_its_events(launch, unique):
    own = launch()
    with own.client() as api:
        contact = _contact(api, f"bounced+{unique}@simulator.gclap.test")
        _send_and_settle(api, contact["email"])
        after = api.get(f"/api/v1/contacts/{contact['id']}/").json()
        assert after["status"] == "bounced"
        events = api.get(f"/api/v1/contacts/{contact['id']}/events/").json()
        types = [e["type"] for e in events["results"]]
        assert "email.bounced" in types and "email.sent" in types
        assert all(e["recipient"] == contact["email"] for e in events["results"])


def test_open_and_click_set_engagement_times(launch, unique):
    own = launch()
    with own.client() as api:
        contact = _contact(api, f"clicked+{unique}@simulator.gclap.test")
        _send_and_settle(api, contact["email"])
        after = api.get(f"/api/v1/contacts/{contact['id']}/").json()
        assert after["status"] == "subscribed"
        assert after["last_opened_at"] and after["last_clicked_at"]


def test_soft_bounce_leaves_the_contact_subscribed(launch, unique):
    own = launch()
    with own.client() as api:
        contact = _contact(api, f"softbounce+{unique}@simulator.gclap.test")
        _send_and_settle(api, contact["email"])
        assert api.get(f"/api/v1/contacts/{contact['id']}/").json()["status"] == "subscribed"
