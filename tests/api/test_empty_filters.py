"""An empty query value is a 400 naming it, on every route; deleting everything needs `?all=true`.

A shell script with an unset variable (`?to=$RCPT`) must never wipe the inbox or the
suppression list, and a 400 deletes nothing.
"""
from __future__ import annotations

import re
import uuid

import pytest
from click.testing import CliRunner
from helpers import assert_problem, total_count

from gclap_sandbox.cli.commands import main

EMAIL_FILTERS = ["to", "from", "subject", "search", "tag", "status", "source", "since", "before"]


def _send(api, to: str, subject: str = "hello") -> dict:
    response = api.post("/api/v1/emails/send/", json={"to": to, "subject": subject, "text": "hi"})
    assert response.status_code == 202, response.text
    return response.json()


def _suppress(api, address: str) -> None:
    """Put `address` on the suppression list the way a user does: a spam complaint."""
    email = _send(api, address)
    response = api.post(f"/api/v1/emails/{email['id']}/simulate/", json={"event": "spam"})
    assert response.status_code == 201, response.text


def _suppressed(api) -> int:
    return api.get("/api/v1/suppressions/").json()["count"]


@pytest.fixture
def inbox(emptied_sandbox):
    """An emptied sandbox holding five emails, so a wrongful wipe shows."""
    with emptied_sandbox.client() as api:
        for n in range(5):
            _send(api, f"keep{n}@example.com", subject=f"mail {n}")
        yield api


@pytest.mark.parametrize("name", EMAIL_FILTERS)
def test_an_empty_filter_on_delete_is_a_400_naming_it_and_deletes_nothing(inbox, name):
    problem = assert_problem(inbox.delete(f"/api/v1/emails/?{name}="), 400)
    assert name in problem["errors"]
    assert total_count(inbox) == 5


def test_a_blank_or_valueless_filter_is_empty_too(inbox):
    for query, named in (("to=%20%20", "to"), ("to", "to"), ("subject=&to=keep0@example.com", "subject")):
        problem = assert_problem(inbox.delete(f"/api/v1/emails/?{query}"), 400)
        assert list(problem["errors"]) == [named], query
    assert total_count(inbox) == 5


def test_an_unset_shell_variable_in_a_list_query_is_a_400_too(api):
    problem = assert_problem(api.get("/api/v1/emails/?to="), 400)
    assert problem["errors"] == {"to": ["May not be empty; leave the parameter out instead."]}


def test_delete_without_any_filter_is_a_400_and_deletes_nothing(inbox):
    for url in ("/api/v1/emails/", "/api/v1/emails", "/api/v1/emails/?all=false"):
        problem = assert_problem(inbox.delete(url), 400)
        assert "all" in problem["errors"] and "all=true" in problem["detail"]
    assert total_count(inbox) == 5


def test_all_true_deletes_every_email(inbox):
    assert inbox.delete("/api/v1/emails/", params={"all": "true"}).json() == {"deleted": 5}
    assert total_count(inbox) == 0


def test_all_true_with_a_filter_is_ambiguous_and_deletes_nothing(inbox):
    problem = assert_problem(inbox.delete("/api/v1/emails/", params={"all": "true", "to": "keep1@example.com"}), 400)
    assert "all" in problem["errors"] and "to" in problem["detail"]
    assert total_count(inbox) == 5


def test_an_empty_all_is_an_empty_value_like_any_other(inbox):
    problem = assert_problem(inbox.delete("/api/v1/emails/?all="), 400)
    assert "all" in problem["errors"]
    assert total_count(inbox) == 5


def test_a_filter_still_deletes_just_what_it_matches(inbox):
    assert inbox.delete("/api/v1/emails/", params={"to": "keep3@example.com"}).json() == {"deleted": 1}
    assert total_count(inbox) == 4


def test_an_empty_email_on_the_suppression_delete_keeps_the_list(emptied_sandbox):
    with emptied_sandbox.client() as api:
        _suppress(api, "spam@simulator.gclap.test")
        _suppress(api, "spam+two@simulator.gclap.test")
        assert _suppressed(api) == 2
        for url in ("/api/v1/suppressions/?email=", "/api/v1/suppressions/"):
            assert_problem(api.delete(url), 400)
        problem = assert_problem(api.delete("/api/v1/suppressions/", params={
            "all": "true", "email": "spam@simulator.gclap.test"}), 400)
        assert "all" in problem["errors"]
        assert _suppressed(api) == 2
        removed = api.delete("/api/v1/suppressions/", params={"email": "spam@simulator.gclap.test"})
        assert removed.json() == {"deleted": 1} and _suppressed(api) == 1
        assert api.delete("/api/v1/suppressions/", params={"all": "true"}).json() == {"deleted": 1}
        assert _suppressed(api) == 0


def test_every_route_refuses_an_empty_value_for_each_of_its_query_parameters(emptied_sandbox):
    """Walks the OpenAPI document, so no route (GET included) can read `?x=` as "no filter"."""
    with emptied_sandbox.client() as api:
        _send(api, "walk@example.com")
        document = api.get("/api/v1/openapi.json").json()
        checked = 0
        for path, operations in document["paths"].items():
            url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
            for method, operation in operations.items():
                for param in operation.get("parameters", []):
                    if param["in"] != "query":
                        continue
                    response = api.request(method.upper(), url, params={param["name"]: ""})
                    problem = assert_problem(response, 400)
                    assert param["name"] in problem["errors"], (method, path, param["name"])
                    checked += 1
        assert checked > 40
        assert total_count(api) == 1  # the walk's DELETEs removed nothing


def test_the_client_and_the_cli_clear_with_the_explicit_opt_in(emptied_sandbox):
    sandbox = emptied_sandbox
    with sandbox.client() as api:
        for n in range(2):
            _send(api, f"clear{n}@example.com")
    with sandbox.sandbox_client() as client:
        assert client.clear() == 2
    with sandbox.client() as api:
        _send(api, "again@example.com")
    args = ["messages", "--url", sandbox.http_url, "--api-key", sandbox.api_key, "clear"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0 and result.stdout.strip() == "Deleted 1 email."
