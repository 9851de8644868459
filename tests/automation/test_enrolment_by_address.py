"""Contacts enrol however they arrive: a CSV import enrols new contacts and new list members as
the API does, and an email event enrols its recipient by address, making a contact of an
address that is none yet (as a custom event does)."""
from __future__ import annotations

import pytest
from helpers_automation import BASE, advance, emails_to, runs, template, workflow

from gclap_sandbox.pipeline.simulate import MAGIC_DOMAIN


@pytest.fixture
def api(own_sandbox):
    with own_sandbox.client() as client:
        yield client


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def _contacts_with(api, address: str) -> list[dict]:
    return _ok(api.get("/api/v1/contacts/", params={"search": address}))["results"]


def _pause(api, *flows: dict) -> None:
    """Later tests in this module's sandbox make contacts and send mail of their own."""
    for flow in flows:
        _ok(api.patch(f"{BASE}{flow['id']}/", json={"status": "paused"}))


def test_a_csv_import_enrols_new_contacts_and_new_list_members_as_api_created_ones(api, unique):
    newsletter = _ok(api.post("/api/v1/contacts/lists/", json={"name": f"News {unique}"}), 201)["id"]
    known = f"known-{unique}@example.com"
    _ok(api.post("/api/v1/contacts/", json={"email": known}), 201)  # before the workflows exist
    welcome = workflow(api, {"type": "contact_created"},
                       [{"type": "send_email", "template_id": template(api, f"Welcome {unique}")}])
    joined = workflow(api, {"type": "added_to_list", "list_id": newsletter},
                      [{"type": "send_email", "template_id": template(api, f"Joined {unique}")}])
    try:
        new = f"new-{unique}@example.com"
        result = _ok(api.post("/api/v1/contacts/import/", params={"list": newsletter},
                              content=f"email,first_name\n{new},Nia\n{known},Kim\n",
                              headers={"Content-Type": "text/csv"}))
        assert (result["created"], result["updated"]) == (1, 1)
        advance(api, 1)  # the runs take their steps before the clock's advance answers

        assert [r["contact_email"] for r in runs(api, welcome["id"])] == [new]
        assert sorted(r["contact_email"] for r in runs(api, joined["id"])) == sorted([new, known])
        assert all(r["status"] == "completed" for r in runs(api, welcome["id"]) + runs(api, joined["id"]))
        assert sorted(e["subject"] for e in emails_to(api, new)) == [f"Joined {unique}", f"Welcome {unique}"]
        assert [e["subject"] for e in emails_to(api, known)] == [f"Joined {unique}"]

        # Importing the same file again makes nobody new and no new member: nobody enrols again.
        _ok(api.post("/api/v1/contacts/import/", params={"list": newsletter},
                     content=f"email\n{new}\n{known}\n", headers={"Content-Type": "text/csv"}))
        advance(api, 1)
        assert len(runs(api, welcome["id"])) == 1 and len(runs(api, joined["id"])) == 2
    finally:
        _pause(api, welcome, joined)


def test_a_dry_run_import_enrols_nobody(api, unique):
    welcome = workflow(api, {"type": "contact_created"},
                       [{"type": "update_attribute", "attribute": "welcomed", "value": True}])
    try:
        result = _ok(api.post("/api/v1/contacts/import/", params={"dry_run": "true"},
                              content=f"email\ndry-{unique}@example.com\n", headers={"Content-Type": "text/csv"}))
        assert result["created"] == 1 and result["dry_run"] is True
        advance(api, 1)
        assert runs(api, welcome["id"]) == [] and _contacts_with(api, f"dry-{unique}@example.com") == []
    finally:
        _pause(api, welcome)


def test_an_email_event_for_an_address_that_is_no_contact_makes_it_one_and_enrols_it(api, unique):
    tag = f"promo-{unique}"
    thanks = workflow(api, {"type": "email_event", "event": "email.opened", "tag": tag},
                      [{"type": "send_email", "template_id": template(api, f"Thanks for reading {unique}")}])
    try:
        reader, other = f"reader-{unique}@example.com", f"other-{unique}@example.com"
        for address, tags in ((reader, [tag]), (other, ["something else"])):
            _ok(api.post("/api/v1/emails/send/", json={"to": address, "subject": "Promo", "text": "Hi",
                                                       "tags": tags, "simulate": ["opened"]}), 202)
        advance(api, 3600)  # delivered, opened, and the run's email sent

        (contact,) = _contacts_with(api, reader)
        assert contact["status"] == "subscribed" and contact["last_opened_at"]
        (run,) = runs(api, thanks["id"])
        assert (run["contact_id"], run["status"]) == (contact["id"], "completed")
        assert run["trigger"]["event"] == "email.opened"
        assert f"Thanks for reading {unique}" in [e["subject"] for e in emails_to(api, reader)]
        assert _contacts_with(api, other) == []  # no workflow wanted that one: no contact made
    finally:
        _pause(api, thanks)


def test_a_new_address_that_bounced_becomes_a_bounced_contact_and_is_not_emailed(api, unique):
    follow_up = workflow(api, {"type": "email_event", "event": "email.bounced"},
                         [{"type": "update_attribute", "attribute": "needs_check", "value": True},
                          {"type": "send_email", "template_id": template(api, f"Sorry {unique}")}])
    try:
        address = f"bounced+{unique}@{MAGIC_DOMAIN}"
        _ok(api.post("/api/v1/emails/send/", json={"to": address, "subject": "Hi", "text": "x"}), 202)
        advance(api, 3600)

        (contact,) = _contacts_with(api, address)
        assert contact["status"] == "bounced" and contact["attributes"] == {"needs_check": True}
        (run,) = runs(api, follow_up["id"])
        assert run["status"] == "completed"
        assert [(h["type"], h["outcome"]) for h in run["history"]] == [("update_attribute", "done"),
                                                                       ("send_email", "skipped")]
        assert [e["subject"] for e in emails_to(api, address)] == ["Hi"]
    finally:
        _pause(api, follow_up)
