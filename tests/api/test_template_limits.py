"""Template rendering limits through the routes people use: saving, previewing, sending and
the UI editor; and a runaway render never stalls HTTP, SMTP or the database."""
from __future__ import annotations

import http.client
import json
import smtplib
import threading
from typing import Callable
from urllib.parse import urlsplit

import httpx
import pytest
from helpers import emails_to
from ui_helpers import csrf_token

NESTED = "{% for a in range(100000) %}{% for b in range(400) %}x{% endfor %}{% endfor %}"
BY_VARIABLE = "{% for a in range(n) %}{% for b in range(n) %}.{% endfor %}{% endfor %}"
# Doubles its work per level: with `depth` around 60 it would run for centuries.
EXPONENTIAL = "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(depth) }}"
LOOPS = "Over the `loop_iterations` limit: at most 100,000 loop iterations (all loops together) per part."


def _assert_too_expensive(response: httpx.Response, field: str, limit: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/template-too-expensive") and problem["limit"] == limit
    assert problem["errors"][field][0].startswith(f"Over the `{limit}` limit")


@pytest.fixture
def ui(sandbox):
    with httpx.Client(base_url=sandbox.http_url, timeout=120) as client:
        client.headers["X-CSRF-Token"] = csrf_token(client)
        yield client


def test_a_template_too_expensive_by_itself_is_refused_at_save_and_nothing_changes(api, unique):
    name = f"nested {unique}"
    created = api.post("/api/v1/templates/", json={"name": name, "subject": "s", "html": NESTED})
    _assert_too_expensive(created, "html", "loop_iterations")
    assert created.json()["errors"] == {"html": [LOOPS]}
    listed = api.get("/api/v1/templates/", params={"page_size": 500}).json()["results"]
    assert name not in [t["name"] for t in listed]

    fine = api.post("/api/v1/templates/", json={"name": name, "subject": "s", "text": "ok"}).json()
    changed = api.patch(f"/api/v1/templates/{fine['id']}/", json={"text": NESTED, "subject": "new"})
    _assert_too_expensive(changed, "text", "loop_iterations")
    kept = api.get(f"/api/v1/templates/{fine['id']}/").json()
    assert (kept["subject"], kept["text"]) == ("s", "ok")


def test_a_template_too_expensive_for_its_variables_is_refused_at_render_and_send(api, unique):
    template = api.post("/api/v1/templates/", json={"name": f"by variable {unique}", "subject": "n={{ n }}",
                                                    "text": BY_VARIABLE}).json()
    assert "id" in template, template  # saved: without variables it costs nothing
    render = f"/api/v1/templates/{template['id']}/render/"
    _assert_too_expensive(api.post(render, json={"variables": {"n": 400}}), "text", "loop_iterations")
    assert api.post(render, json={"variables": {"n": 3}}).json()["text"] == "........."

    address = f"budget-{unique}@example.com"
    refused = api.post("/api/v1/emails/send/", json={"to": address, "template_id": template["id"],
                                                     "variables": {"n": 400}})
    _assert_too_expensive(refused, "text", "loop_iterations")
    assert emails_to(api, address) == []
    sent = api.post("/api/v1/emails/send/", json={"to": address, "template_id": template["id"],
                                                  "variables": {"n": 2}})
    assert sent.status_code == 202 and sent.json()["subject"] == "n=2"


def test_the_ui_editor_shows_a_limit_as_a_preview_problem_and_refuses_to_save(ui, unique):
    preview = ui.post("/ui/api/templates/preview", json={"subject": "s", "html": "<p>hi</p>", "text": NESTED})
    assert preview.status_code == 200
    assert preview.json() == {"ok": False, "errors": [f"text: {LOOPS}"]}
    saved = ui.post("/ui/api/templates", json={"name": f"ui {unique}", "subject": "s", "html": NESTED})
    _assert_too_expensive(saved, "html", "loop_iterations")


def _answers_while_slow_request(sandbox, api, path: str, body: dict, headers: dict[str, str]
                                ) -> tuple[int, dict, dict[str, int]]:
    """Send a slow request, and only once it is on its way ask the sandbox, over and over, for
    /healthz, an SMTP NOOP and a database read; count those answered before the slow
    request's own answer arrived. Returns (its status, its JSON, the counts)."""
    url = urlsplit(sandbox.http_url)
    slow = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
    slow.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json", **headers})
    outcome: list[tuple[int, dict]] = []
    finished = threading.Event()

    def wait_for_answer() -> None:
        try:
            response = slow.getresponse()
            outcome.append((response.status, json.loads(response.read())))
        finally:
            finished.set()

    answered = {"healthz": 0, "smtp noop": 0, "database read": 0}
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        checks: dict[str, Callable[[], bool]] = {
            "healthz": lambda: api.get("/healthz").status_code == 200,
            "smtp noop": lambda: smtp.noop()[0] == 250,
            "database read": lambda: api.get("/api/v1/emails/", params={"page_size": 1}).status_code == 200,
        }
        waiter = threading.Thread(target=wait_for_answer, daemon=True)
        waiter.start()
        for _ in range(100_000):  # ends with the slow request; the join below is the deadline
            if finished.is_set():
                break
            for name, check in checks.items():
                assert check(), name
                if not finished.is_set():
                    answered[name] += 1
        waiter.join(timeout=300)
    slow.close()
    assert outcome, "the slow request got no answer"
    return outcome[0][0], outcome[0][1], answered


def test_sending_with_a_runaway_template_never_stalls_http_smtp_or_the_database(sandbox, api, unique):
    template = api.post("/api/v1/templates/", json={"name": f"runaway {unique}", "subject": "s",
                                                    "html": EXPONENTIAL}).json()
    address = f"runaway-{unique}@example.com"
    status, problem, answered = _answers_while_slow_request(
        sandbox, api, "/api/v1/emails/send/",
        {"to": address, "template_id": template["id"], "variables": {"depth": 64}},
        {"Authorization": f"Bearer {sandbox.api_key}"})
    assert status == 400 and problem["limit"] == "render_time", problem
    assert emails_to(api, address) == []
    # Answered over and over while the render ran (when it ran on the loop, none was).
    assert min(answered.values()) >= 3, answered


def test_a_runaway_ui_preview_never_stalls_http_smtp_or_the_database(sandbox, api, ui):
    status, preview, answered = _answers_while_slow_request(
        sandbox, api, "/ui/api/templates/preview",
        {"subject": "s", "html": EXPONENTIAL, "variables": {"depth": 64}},
        {"X-CSRF-Token": ui.headers["X-CSRF-Token"]})
    assert status == 200 and preview["errors"] == [
        "html: Over the `render_time` limit: rendering one part may take at most 2 seconds."]
    assert min(answered.values()) >= 3, answered
