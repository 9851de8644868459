"""SMTP AUTH files mail under the key's organization, and a reset with an organization's key
empties that organization only."""
from __future__ import annotations

import smtplib
import uuid

import pytest
from organization_helpers import fill, new_organization, ok

from helpers import simple_message


@pytest.fixture(scope="module")
def organizations(own_sandbox):
    """(admin client, A's client, B's client) on the module's sandbox."""
    with own_sandbox.client() as admin:
        _, key_a = new_organization(admin, "SMTP A")
        _, key_b = new_organization(admin, "SMTP B")
        with own_sandbox.client(key_a) as a, own_sandbox.client(key_b) as b:
            yield admin, a, b, key_b


def subjects(client, address):
    return [email["subject"] for email in ok(client.get("/api/v1/emails/", params={"to": address}))["results"]]


def test_mail_sent_by_smtp_with_an_organizations_key_lands_only_in_its_inbox(own_sandbox, organizations):
    admin, a, b, key_b = organizations
    address = f"smtp-{uuid.uuid4().hex[:8]}@example.com"
    with smtplib.SMTP(own_sandbox.smtp_host, own_sandbox.smtp_port, timeout=30) as smtp:
        smtp.login("apikey", key_b)
        smtp.send_message(simple_message("For B only", to=address))
    assert subjects(b, address) == ["For B only"]
    assert subjects(a, address) == [] and subjects(admin, address) == []


def test_mail_sent_by_smtp_without_auth_lands_in_the_default_organization(own_sandbox, organizations):
    admin, a, b, _ = organizations
    address = f"anon-{uuid.uuid4().hex[:8]}@example.com"
    with smtplib.SMTP(own_sandbox.smtp_host, own_sandbox.smtp_port, timeout=30) as smtp:
        smtp.send_message(simple_message("No AUTH", to=address))
    assert subjects(admin, address) == ["No AUTH"]
    assert subjects(a, address) == [] and subjects(b, address) == []


def everything(client):
    """What a user would look at to see whether an organization was emptied."""
    return {path: ok(client.get(path))["count"] for path in (
        "/api/v1/emails/", "/api/v1/contacts/", "/api/v1/events/", "/api/v1/templates/",
        "/api/v1/webhooks/endpoints/", "/api/v1/campaigns/", "/api/v1/accounts/api-keys/")}


def test_a_reset_with_an_organizations_key_touches_no_other_organization(own_sandbox, organizations):
    admin, a, b, _ = organizations
    fill(a, "resa" + uuid.uuid4().hex[:6])
    fill(b, "resb" + uuid.uuid4().hex[:6])
    ok(admin.post("/api/v1/emails/send/", json={"to": ["admin@example.com"], "subject": "Admin's",
                                               "text": "x", "from_email": "a@example.com"}), 202)
    for client in (admin, a):  # each organization's simulated events happen on its own clock
        ok(client.post("/api/v1/sandbox/clock/advance/", json={"seconds": 3600}))
    before_a, before_admin = everything(a), everything(admin)
    offset = ok(admin.get("/api/v1/sandbox/clock/"))["offset_seconds"]

    reset = ok(b.post("/api/v1/sandbox/reset/"))

    assert reset["scope"] == "data" and reset["deleted"]["email"] >= 2
    after_b = everything(b)
    assert after_b["/api/v1/emails/"] == after_b["/api/v1/contacts/"] == after_b["/api/v1/events/"] == 0
    assert after_b["/api/v1/templates/"] == 1 and after_b["/api/v1/accounts/api-keys/"] == 2  # config stays
    assert everything(a) == before_a and everything(admin) == before_admin
    assert ok(admin.get("/api/v1/sandbox/clock/"))["offset_seconds"] >= offset  # the default organization's clock stays


def test_a_full_reset_with_an_organizations_key_drops_its_configuration_but_not_its_keys(
        own_sandbox, organizations):
    admin, a, b, _ = organizations
    fill(b, "full" + uuid.uuid4().hex[:6])
    before_a = everything(a)
    reset = ok(b.post("/api/v1/sandbox/reset/", json={"all": True}))
    assert reset["scope"] == "all" and "api_key" not in reset
    after_b = everything(b)
    assert after_b["/api/v1/templates/"] == after_b["/api/v1/webhooks/endpoints/"] == 0
    assert after_b["/api/v1/accounts/api-keys/"] >= 2  # the key that asked still works
    assert everything(a) == before_a
