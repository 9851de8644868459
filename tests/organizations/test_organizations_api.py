"""POST/GET/DELETE /api/v1/sandbox/organizations/: the sandbox admin makes and drops organizations."""
from __future__ import annotations

import sqlite3
import uuid

import pytest
from organization_helpers import ORGANIZATIONS, fill, new_organization, ok

from helpers import assert_problem


@pytest.fixture(scope="module")
def admin(own_sandbox):
    with own_sandbox.client() as client:
        yield client


def test_creating_an_organization_returns_it_with_a_first_key_that_works(admin, own_sandbox):
    created, key = new_organization(admin, "Checkout team", plan="pro")
    assert created["name"] == "Checkout team" and created["plan"] == "pro" and not created["is_default"]
    assert created["api_key"]["key"].startswith("gclap_test_") and "sandbox:admin" not in created["api_key"]["scopes"]
    with own_sandbox.client(key) as team:
        organization = ok(team.get("/api/v1/accounts/organization/"))
    assert (organization["id"], organization["plan"]) == (created["id"], "pro")
    assert organization["limits"]["requests_per_minute"] == 1000


def test_the_first_key_secret_is_shown_once(admin):
    created, _ = new_organization(admin, "Once")
    assert "key" not in ok(admin.get(f"{ORGANIZATIONS}{created['id']}/"))
    assert all("api_key" not in org for org in ok(admin.get(ORGANIZATIONS))["results"])


@pytest.mark.parametrize("body, field", [
    ({"name": "No plan like it", "plan": "platinum"}, "plan"),
    ({"name": "", "plan": "free"}, "name"),
    ({"plan": "free"}, "name"),
    ({"name": "x" * 201}, "name"),
])
def test_a_bad_plan_or_name_is_a_400_naming_the_field_and_creates_nothing(admin, body, field):
    before = ok(admin.get(ORGANIZATIONS))["count"]
    problem = assert_problem(admin.post(ORGANIZATIONS, json=body), 400)
    assert field in problem["errors"]
    assert ok(admin.get(ORGANIZATIONS))["count"] == before


def test_the_list_starts_with_the_default_organization_and_get_reads_one(admin):
    created, _ = new_organization(admin, "Listed")
    listed = ok(admin.get(ORGANIZATIONS, params={"page_size": 500}))["results"]
    assert listed[0]["is_default"] and created["id"] in [org["id"] for org in listed]
    assert ok(admin.get(f"{ORGANIZATIONS}{created['id']}/"))["name"] == "Listed"
    assert_problem(admin.get(f"{ORGANIZATIONS}{uuid.uuid4()}/"), 404)


def test_only_keys_of_the_default_organization_hold_the_admin_scope(admin, own_sandbox):
    _, key = new_organization(admin, "Not an admin")
    with own_sandbox.client(key) as team:
        problem = assert_problem(team.post(ORGANIZATIONS, json={"name": "Sneaky"}), 403)
        assert problem["missing_scope"] == "sandbox:admin"
        refused = assert_problem(team.post("/api/v1/accounts/api-keys/", json={
            "name": "wants admin", "scopes": ["sandbox:admin"]}), 400)
        assert "scopes" in refused["errors"]
        every_scope = ok(team.post("/api/v1/accounts/api-keys/", json={"name": "all scopes"}), 201)
    assert "sandbox:admin" not in every_scope["scopes"]
    with own_sandbox.client(every_scope["key"]) as team:
        assert_problem(team.get(ORGANIZATIONS), 403)
    narrow = ok(admin.post("/api/v1/accounts/api-keys/", json={"name": "ops", "scopes": ["sandbox:admin"]}), 201)
    with own_sandbox.client(narrow["key"]) as ops:
        assert ok(ops.get(ORGANIZATIONS))["count"] >= 1
        assert_problem(ops.get("/api/v1/emails/"), 403)


def test_the_default_organization_cannot_be_deleted(admin):
    default = ok(admin.get(ORGANIZATIONS))["results"][0]
    problem = assert_problem(admin.delete(f"{ORGANIZATIONS}{default['id']}/"), 409)
    assert problem["type"].endswith("/default-organization")
    assert ok(admin.get("/api/v1/accounts/organization/"))["id"] == default["id"]


@pytest.mark.parametrize("path", [ORGANIZATIONS, f"{ORGANIZATIONS}not-a-uuid/", f"{ORGANIZATIONS}%20/"])
def test_a_delete_without_an_organization_id_deletes_nothing(admin, path):
    before = ok(admin.get(ORGANIZATIONS))["count"]
    assert admin.delete(path).status_code in (404, 405)
    assert ok(admin.get(ORGANIZATIONS))["count"] == before


def test_deleting_an_organization_leaves_no_row_of_it_and_nothing_of_the_others_goes(launch, tmp_path):
    path = tmp_path / "sandbox.db"
    running = launch(db=str(path))
    marker = "gone" + uuid.uuid4().hex[:8]
    with running.client() as admin:
        kept = ok(admin.post("/api/v1/emails/send/", json={
            "to": ["kept@example.com"], "subject": "Kept", "text": "kept", "from_email": "a@example.com"}), 202)
        created, key = new_organization(admin, "Short-lived")
        with running.client(key) as doomed:
            ids = fill(doomed, marker)
        deleted = ok(admin.delete(f"{ORGANIZATIONS}{created['id']}/"))["deleted"]
        assert deleted["organization"] == 1 and deleted["api_key"] == 2 and deleted["email"] >= 2
        assert min(deleted[table] for table in ("contact", "template", "webhook_endpoint", "campaign",
                                                 "workflow", "alert_config", "scheduled_report", "event")) >= 1
        with running.client(key) as doomed:
            assert_problem(doomed.get("/api/v1/emails/"), 401)
        assert_problem(admin.get(f"{ORGANIZATIONS}{created['id']}/"), 404)
        assert ok(admin.get(f"/api/v1/emails/{kept['id']}/"))["subject"] == "Kept"
        ok(admin.post("/api/v1/sandbox/clock/advance/", json={"seconds": 30 * 86400}))
        leftovers = rows_naming(path, [marker, created["id"], *ids.values()])
    assert leftovers == []
    assert "Traceback" not in running.log()


def rows_naming(path, needles: list[str]) -> list[str]:
    """`table: row` for every row of every table of the database file that holds one of `needles`
    (a search index is read as its rows, not as its internal segments, which keep old terms until merged)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        schema = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
        indexes = [name for name, sql in schema if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
        tables = [name for name, _ in schema if not any(name.startswith(f"{index}_") for index in indexes)]
        found = []
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                text = " ".join(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                                for value in row)
                if any(needle in text for needle in needles):
                    found.append(f"{table}: {text[:200]}")
        return found
    finally:
        connection.close()
