"""Every campaign route refuses bad input with problem+json, names the field, and stores nothing."""
from __future__ import annotations

import uuid
from typing import Iterator

import httpx
import pytest
from campaign_helpers import CAMPAIGNS, campaign, contact, get, ok, template
from helpers import assert_problem
from sandbox_process import RunningSandbox

MISSING = str(uuid.uuid4())


@pytest.fixture
def api(own_sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with own_sandbox.client() as client:
        yield client


def _count(api: httpx.Client) -> int:
    return ok(api.get(CAMPAIGNS, params={"page_size": 1}))["count"]


@pytest.mark.parametrize("body, field", [
    ({"subject": "x", "text": "x"}, "name"),
    ({"name": "x", "text": "x"}, "subject"),
    ({"name": "x", "subject": "x"}, "html"),
    ({"name": "x", "subject": "a\nb", "text": "x"}, "subject"),
    ({"name": "x", "subject": "x", "text": "x", "audience": {"segments": ["nope"]}}, "audience.segments[0]"),
    ({"name": "x", "subject": "x", "text": "x", "audience": {"people": []}}, "audience.people"),
    ({"name": "x", "subject": "x", "text": "x", "rate_per_minute": 0}, "rate_per_minute"),
    ({"name": "x", "subject": "x", "text": "x", "from_email": "not an address"}, "from_email"),
    ({"name": "x", "subject": "{{ broken", "text": "x"}, "subject"),
    ({"name": "x", "subject": "x", "text": "x", "colour": "red"}, "colour"),
])
def test_creating_with_bad_input_is_a_400_naming_the_field_and_stores_nothing(api, body, field):
    before = _count(api)
    problem = assert_problem(api.post(CAMPAIGNS, json=body), 400)
    assert field in problem.get("errors", {}), problem
    assert _count(api) == before


@pytest.mark.parametrize("body, field", [
    ({"name": "x", "template_id": MISSING}, "template_id"),
    ({"name": "x", "subject": "x", "text": "x", "audience": {"lists": [MISSING]}}, "audience.lists[0]"),
])
def test_an_id_that_names_nothing_is_a_404_unknown_reference_and_stores_nothing(api, body, field):
    before = _count(api)
    problem = assert_problem(api.post(CAMPAIGNS, json=body), 404)
    assert problem["type"].endswith("/unknown-reference") and field in problem["errors"], problem
    assert _count(api) == before


def test_bad_changes_sends_and_tests_are_refused_and_leave_the_draft_as_it_was(api, unique):
    ana = contact(api, f"input-{unique}@example.com")
    needs_coupon = template(api, subject="Code {{ coupon }}", text="x")
    draft = campaign(api, template_id=needs_coupon["id"], audience={"contact_ids": [ana["id"]]})
    path = f"{CAMPAIGNS}{draft['id']}/"
    assert "audience.lists[0]" in assert_problem(api.patch(path, json={"audience": {"lists": [MISSING]}}),
                                                 404)["errors"]
    assert "tags" in assert_problem(api.patch(path, json={"tags": "spring"}), 400)["errors"]
    # The template needs `coupon`, which the campaign does not give: sending is refused.
    assert "variables.coupon" in assert_problem(api.post(path + "send/"), 400)["errors"]
    assert "send_at" in assert_problem(api.post(path + "send/", json={"send_at": "soon"}), 400)["errors"]
    assert "to[0]" in assert_problem(api.post(path + "test/", json={"to": ["nobody"]}), 400)["errors"]
    assert "to" in assert_problem(api.post(path + "test/", json={}), 400)["errors"]
    assert get(api, draft["id"])["status"] == "draft"
    assert get(api, draft["id"])["audience"]["contact_ids"] == [ana["id"]]

    # Clearing the template of a draft with no subject of its own would leave it with nothing to send.
    cleared = assert_problem(api.patch(path, json={"template_id": None, "subject": None}), 409)
    assert cleared["type"].endswith("/campaign-conflict") and "subject" in cleared["errors"]
    assert get(api, draft["id"])["template_id"] == needs_coupon["id"]

    empty = campaign(api, subject="x", text="x")
    # A valid request for a draft that is not ready: a conflict with its state.
    assert "audience" in assert_problem(api.post(f"{CAMPAIGNS}{empty['id']}/send/"), 409)["errors"]
    assert get(api, empty["id"])["status"] == "draft"


def test_unknown_campaigns_filters_and_audiences_are_refused(api):
    for response in (api.get(f"{CAMPAIGNS}{MISSING}/"), api.patch(f"{CAMPAIGNS}{MISSING}/", json={"name": "x"}),
                     api.delete(f"{CAMPAIGNS}{MISSING}/"), api.post(f"{CAMPAIGNS}{MISSING}/send/"),
                     api.post(f"{CAMPAIGNS}{MISSING}/cancel/"), api.get(f"{CAMPAIGNS}{MISSING}/audience/"),
                     api.get(f"{CAMPAIGNS}{MISSING}/stats/"),
                     api.post(f"{CAMPAIGNS}{MISSING}/test/", json={"to": "a@example.com"})):
        assert_problem(response, 404)
    assert "status" in assert_problem(api.get(CAMPAIGNS, params={"status": "done"}), 400)["errors"]
    assert "status" in assert_problem(api.get(CAMPAIGNS, params={"status": ""}), 400)["errors"]
    assert "campaign" in assert_problem(api.get("/api/v1/emails/", params={"campaign": "x"}), 400)["errors"]
    assert "campaign" in assert_problem(api.get("/api/v1/events/", params={"campaign": ""}), 400)["errors"]
    assert "audience.contact_ids[0]" in assert_problem(
        api.post(f"{CAMPAIGNS}audience/", json={"contact_ids": [MISSING]}), 404)["errors"]


def test_keys_need_the_campaign_scopes_and_a_reset_clears_campaigns(api, own_sandbox, unique):
    key = ok(api.post("/api/v1/accounts/api-keys/", json={"name": f"ro-{unique}", "scopes": ["campaigns:read"]}),
             201)
    with own_sandbox.client(api_key=key["key"]) as reader:
        assert reader.get(CAMPAIGNS).status_code == 200
        problem = assert_problem(reader.post(CAMPAIGNS, json={"name": "x", "subject": "x", "text": "x"}), 403)
        assert "campaigns:write" in problem["detail"]
    campaign(api, subject="x", text="x")
    ok(api.post("/api/v1/sandbox/reset/", json={}))
    assert _count(api) == 0
