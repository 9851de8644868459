"""The Automation pages over plain HTTP: the workflow list and a workflow's steps and runs
render from real workflows and runs, unknown ids and bad filters are error pages, and the
page's Activate/Pause call acts like the API, refusing bad input with problem+json and
changing nothing."""
from __future__ import annotations

import html
import re
import uuid
from typing import Iterator

import httpx
import pytest
from automation_ui_helpers import DAY, advance, make_workflow, sign_up, welcome_series, workflow_status
from ui_helpers import csrf_token

PROBLEM = "application/problem+json"


@pytest.fixture
def api(own_sandbox) -> Iterator[httpx.Client]:
    with own_sandbox.client() as client:
        yield client


@pytest.fixture
def ui(own_sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=own_sandbox.http_url, timeout=30, follow_redirects=False) as client:
        client.headers["X-CSRF-Token"] = csrf_token(client, "/automation")
        yield client


def _text(page: httpx.Response) -> str:
    """The page's text as a person reads it (tags dropped, entities decoded, spaces collapsed)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.text)))


def test_the_list_shows_each_workflow_with_its_trigger_in_words_steps_and_run_counts(api, ui, unique):
    flow = welcome_series(api, unique)
    sign_up(api, unique, f"ana-{unique}@example.com")
    page = ui.get("/automation")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    row = re.search(rf'<tr data-workflow-row="{flow["id"]}">(.*?)</tr>', page.text, re.S)
    assert row, page.text
    cells = _text(httpx.Response(200, text=row.group(1)))
    assert f"Welcome series {unique}" in cells
    assert f"When the event 'signed_up_{unique}' is posted" in cells
    assert "active" in cells and "Pause" in cells
    assert re.search(r"Steps: 4 Runs active: 1 finished: 0", cells), cells
    assert 'href="/automation"' in page.text and ">Automation<" in page.text  # in the navigation


def test_a_workflow_shows_its_steps_in_words_and_each_runs_history_on_the_sandbox_clock(api, ui, unique):
    flow = welcome_series(api, unique)
    address = f"bo-{unique}@example.com"
    sign_up(api, unique, address)

    waiting = _text(ui.get(f"/automation/{flow['id']}"))
    assert (f"1 Send template 'Welcome {unique}' steps[0] 2 Wait 2 days steps[1] "
            f"3 If the email from step 1 was opened → exit, else → step 4 steps[2] "
            f"4 Send template 'Reminder {unique}' steps[3]") in waiting
    assert "When the event" in waiting and "a contact runs through it once" in waiting
    assert f"{address} waiting waiting before step 3" in waiting
    assert f"Sent 'Welcome {unique} subject' to {address}" in waiting
    assert "Step 2 Waiting until" in waiting

    advance(api, 2 * DAY + 60)
    page = ui.get(f"/automation/{flow['id']}")
    done = _text(page)
    assert f"{address} completed finished" in done
    assert "The condition was false → step 4" in done and "Step 2 Waited until" in done
    assert f"Step 4 Sent 'Reminder {unique} subject' to {address}" in done
    history = re.findall(r'data-history-step="(\d+)"', page.text)
    assert history == ["1", "2", "3", "4"]
    # Each line has its time on the sandbox clock, in UTC; the reminder is two days after the welcome.
    times = re.findall(r'class="when mono" title="[^"]+">(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC<', page.text)
    assert len(times) == 4 and times[3][:10] > times[0][:10], times
    emails = api.get("/api/v1/emails/", params={"to": address}).json()["results"]
    for email in emails:
        assert f'href="/emails/{email["id"]}"' in page.text


def test_runs_are_newest_first_paged_and_filtered(api, ui, unique):
    flow = make_workflow(api, f"Tagging {unique}", {"type": "manual"},
                         [{"type": "update_attribute", "attribute": "seen", "value": "yes"}])
    addresses = [f"p{n:02d}-{unique}@example.com" for n in range(23)]
    for address in addresses:  # one at a time: each run starts after the one before
        assert api.post("/api/v1/contacts/", json={"email": address}).status_code == 201
        response = api.post(f"/api/v1/automation/{flow['id']}/enroll/", json={"emails": [address]})
        assert response.status_code == 200 and response.json()["runs"][0]["enrolled"], response.text
    page_one = ui.get(f"/automation/{flow['id']}")
    shown = re.findall(r'<h3 id="run-[^"]+" class="run-contact"><a href="/contacts/[^"]+">([^<]+)</a>', page_one.text)
    assert shown == addresses[::-1][:20]
    assert 'rel="next"' in page_one.text
    page_two = ui.get(f"/automation/{flow['id']}", params={"page": 2})
    assert re.findall(r'class="run-contact"><a href="/contacts/[^"]+">([^<]+)</a>', page_two.text) == addresses[::-1][20:]
    one = ui.get(f"/automation/{flow['id']}", params={"email": addresses[5], "status": "completed"})
    assert re.findall(r'class="run-contact"><a href="/contacts/[^"]+">([^<]+)</a>', one.text) == [addresses[5]]
    assert "Set 'seen' to 'yes'" in _text(one)
    none = ui.get(f"/automation/{flow['id']}", params={"status": "failed"})
    assert "No run matches" in none.text


@pytest.mark.parametrize("path, status, says", [
    ("/automation/00000000-0000-4000-8000-000000000000", 404, "No workflow with id"),
    ("/automation/not-a-uuid", 404, ""),
    ("/automation?page=0", 400, "page"),
    ("/automation?colour=red", 400, "colour"),
])
def test_unknown_workflows_and_bad_parameters_are_error_pages(ui, path, status, says):
    page = ui.get(path)
    assert page.status_code == status
    assert says in page.text


def test_a_bad_run_filter_is_an_error_page_naming_it(api, ui, unique):
    flow = welcome_series(api, unique)
    page = ui.get(f"/automation/{flow['id']}", params={"status": "sleeping"})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "status" in page.text and "Must be one of" in page.text


def test_pause_and_activate_act_like_the_api(api, ui, unique):
    flow = welcome_series(api, unique, status="draft")
    activated = ui.post(f"/ui/api/automation/{flow['id']}/status", json={"status": "active"})
    assert activated.status_code == 200, activated.text
    assert activated.json()["workflow"]["status"] == "active" and ">Pause<" in activated.json()["html"]
    assert workflow_status(api, flow["id"]) == "active"
    paused = ui.post(f"/ui/api/automation/{flow['id']}/status", json={"status": "paused"})
    assert paused.status_code == 200 and workflow_status(api, flow["id"]) == "paused"
    assert ">Activate<" in paused.json()["html"]


@pytest.mark.parametrize("body, field", [
    (b'{"status": "draft"}', "status"),
    (b'{"status": ""}', "status"),
    (b'{}', "status"),
    (b'{"status": "active", "name": "renamed"}', "name"),
    (b'["active"]', None),
    (b'{"status": "active"', None),
    (b'', None),
])
def test_a_bad_status_call_is_problem_json_and_changes_nothing(api, ui, unique, body, field):
    flow = welcome_series(api, unique, status="paused")
    answer = ui.post(f"/ui/api/automation/{flow['id']}/status", content=body,
                     headers={"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    problem = answer.json()
    assert problem["status"] == 400 and problem["detail"]
    if field:
        assert field in problem["errors"]
    stored = api.get(f"/api/v1/automation/{flow['id']}/").json()
    assert stored["status"] == "paused" and stored["name"] == f"Welcome series {unique}"


def test_the_status_call_needs_the_csrf_token_and_a_known_workflow(api, ui, own_sandbox, unique):
    flow = welcome_series(api, unique, status="paused")
    with httpx.Client(base_url=own_sandbox.http_url, timeout=30) as stranger:
        refused = stranger.post(f"/ui/api/automation/{flow['id']}/status", json={"status": "active"})
    assert refused.status_code == 403 and refused.headers["content-type"].startswith(PROBLEM)
    missing = ui.post(f"/ui/api/automation/{uuid.uuid4()}/status", json={"status": "active"})
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(PROBLEM)
    assert workflow_status(api, flow["id"]) == "paused"
