"""The checks route refuses what it cannot answer with problem+json, and never shows another's mail."""
from __future__ import annotations

import uuid

import httpx
import pytest
from checks_helpers import send_api
from helpers import assert_problem


def test_an_unknown_email_id_is_a_404_problem(api):
    missing = uuid.uuid4()
    problem = assert_problem(api.get(f"/api/v1/emails/{missing}/checks/"), 404)
    assert str(missing) in problem["detail"]


def test_an_id_that_is_not_a_uuid_is_a_404_problem(api):
    assert_problem(api.get("/api/v1/emails/not-an-id/checks/"), 404)


@pytest.mark.parametrize("params", [{"verbose": "1"}, {"link_check": "online"}])
def test_an_unknown_query_parameter_is_a_400_naming_it(api, unique, params):
    email = send_api(api, to=f"q-{unique}@example.com", subject="x", text="x")
    problem = assert_problem(api.get(f"/api/v1/emails/{email['id']}/checks/", params=params), 400)
    assert set(problem["errors"]) == set(params)


def test_a_key_without_emails_read_is_refused_with_403(api, sandbox, unique):
    email = send_api(api, to=f"scope-{unique}@example.com", subject="x", text="x")
    created = api.post("/api/v1/accounts/api-keys/", json={"name": f"send-only-{unique}", "scopes": ["emails:send"]})
    assert created.status_code == 201, created.text
    with httpx.Client(base_url=sandbox.http_url, headers={"Authorization": f"Bearer {created.json()['key']}"}) as c:
        problem = assert_problem(c.get(f"/api/v1/emails/{email['id']}/checks/"), 403)
    assert "emails:read" in problem["detail"]


def test_no_key_is_a_401(sandbox, api, unique):
    email = send_api(api, to=f"anon-{unique}@example.com", subject="x", text="x")
    assert_problem(httpx.get(f"{sandbox.http_url}/api/v1/emails/{email['id']}/checks/"), 401)


def test_a_deleted_email_has_no_checks_any_more(api, unique):
    email = send_api(api, to=f"gone-{unique}@example.com", subject="x", text="x")
    assert api.get(f"/api/v1/emails/{email['id']}/checks/").status_code == 200
    assert api.delete(f"/api/v1/emails/{email['id']}/").status_code == 204
    assert_problem(api.get(f"/api/v1/emails/{email['id']}/checks/"), 404)
