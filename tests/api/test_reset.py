"""`POST /api/v1/sandbox/reset/`: wipe captured data between tests, or everything."""
from __future__ import annotations

import peewee
import pytest
from mailing import send_smtp

from gclap_sandbox.models import (
    ApiKey,
    Email,
    EmailContent,
    EmailRecipient,
    Organization,
    SandboxSetting,
)
from gclap_sandbox.storage.database import BaseModel
from gclap_sandbox.storage.reset import deletion_order, models_to_wipe


def test_reset_wipes_captured_mail_and_keeps_the_key(launch, unique):
    sandbox = launch()
    send_smtp(sandbox, f"a-{unique}@example.com", "One")
    with sandbox.client() as api:
        response = api.post("/api/v1/sandbox/reset/")
        assert response.status_code == 200
        body = response.json()
        assert body["scope"] == "data"
        assert body["deleted"]["email"] == 1
        assert "api_key" not in body
        listing = api.get("/api/v1/emails/")  # same key still works
        assert listing.status_code == 200
        assert listing.json()["count"] == 0


def test_reset_all_recreates_the_default_organization_and_key(launch, unique):
    sandbox = launch()
    send_smtp(sandbox, f"b-{unique}@example.com", "Two")
    with sandbox.client() as api:
        body = api.post("/api/v1/sandbox/reset/", json={"all": True}).json()
        assert body["scope"] == "all"
        assert body["deleted"]["email"] == 1 and body["deleted"]["api_key"] == 1
        assert body["api_key"].startswith("gclap_test_") and body["api_key"] != sandbox.api_key
        assert api.get("/api/v1/emails/").status_code == 401  # the old key went with everything
    with sandbox.client(api_key=body["api_key"]) as api:
        assert api.get("/api/v1/emails/").json()["count"] == 0
    send_smtp(sandbox, f"b-{unique}@example.com", "After")  # SMTP files mail under the new org
    with sandbox.client(api_key=body["api_key"]) as api:
        assert [e["subject"] for e in api.get("/api/v1/emails/").json()["results"]] == ["After"]


def test_reset_all_keeps_a_fixed_api_key_working(launch):
    sandbox = launch("--api-key", "gclap_test_fixed_for_ci")
    with sandbox.client() as api:
        assert api.post("/api/v1/sandbox/reset/", json={"all": True}).json()["api_key"] == "gclap_test_fixed_for_ci"
        assert api.get("/api/v1/emails/").status_code == 200


@pytest.mark.parametrize("body", ['{"all": "please"}', '{"everything": true}', "[]", "not json"])
def test_bad_reset_body_is_a_400_and_deletes_nothing(launch, unique, body):
    sandbox = launch()
    send_smtp(sandbox, f"c-{unique}@example.com", "Keep me")
    with sandbox.client() as api:
        response = api.post("/api/v1/sandbox/reset/", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert api.get("/api/v1/emails/").json()["count"] == 1


def test_reset_needs_the_sandbox_control_scope(launch, unique):
    sandbox = launch()
    with sandbox.client() as api:
        created = api.post("/api/v1/accounts/api-keys/", json={"name": "read only", "scopes": ["emails:read"]})
        assert created.status_code == 201
        secret = created.json()["key"]
    send_smtp(sandbox, f"d-{unique}@example.com", "Keep me")
    with sandbox.client(api_key=secret) as api:
        response = api.post("/api/v1/sandbox/reset/")
        assert response.status_code == 403
        assert response.json()["missing_scope"] == "sandbox:control"
        assert api.get("/api/v1/emails/").json()["count"] == 1


def test_config_models_are_kept_by_a_data_reset():
    data_reset = models_to_wipe(everything=False)
    assert Email in data_reset and EmailRecipient in data_reset
    assert not {Organization, ApiKey, SandboxSetting} & set(data_reset)
    assert set(models_to_wipe(everything=True)) == set(BaseModel.registry)


def test_tables_are_emptied_before_the_tables_they_reference():
    order = models_to_wipe(everything=True)
    for model in order:
        for referenced in model._meta.refs.values():
            if referenced is not model:
                assert order.index(model) < order.index(referenced), (model, referenced)
    assert order.index(EmailContent) < order.index(Email) < order.index(Organization)


def test_deletion_order_handles_chains_and_self_references():
    scratch = peewee.SqliteDatabase(":memory:")

    class Base(peewee.Model):
        class Meta:
            database = scratch

    class Root(Base):
        pass

    class Middle(Base):
        root = peewee.ForeignKeyField(Root)
        parent = peewee.ForeignKeyField("self", null=True)

    class Leaf(Base):
        middle = peewee.ForeignKeyField(Middle)

    assert deletion_order([Root, Middle, Leaf]) == [Leaf, Middle, Root]
    assert deletion_order([Leaf, Root, Middle]) == [Leaf, Middle, Root]


def test_reset_is_described_in_the_openapi_document(api):
    doc = api.get("/api/v1/openapi.json").json()
    operation = doc["paths"]["/api/v1/sandbox/reset/"]["post"]
    assert operation["x-required-scope"] == "sandbox:control"
    assert operation["requestBody"]["required"] is False  # `curl -X POST` with no body works
    listing = {p["name"] for p in doc["paths"]["/api/v1/emails/"]["get"]["parameters"]}
    assert {"wait", "subject"} <= listing


def test_reset_puts_the_clock_back_to_real_time(launch):
    own = launch()
    with own.client() as api:
        assert api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 3 * 86400}).status_code == 200
        assert api.get("/api/v1/sandbox/clock/").json()["offset_seconds"] > 2.9 * 86400
        assert api.post("/api/v1/sandbox/reset/").status_code == 200
        assert api.get("/api/v1/sandbox/clock/").json()["offset_seconds"] == 0
