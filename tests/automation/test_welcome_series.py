"""A welcome series end to end: custom event -> email 1 -> wait 2 days -> if email 1 was not
opened, email 2; driven by the sandbox clock."""
from __future__ import annotations

import pytest
from helpers_automation import DAY, advance, emails_to, post_event, runs, template, workflow


@pytest.fixture
def api(own_sandbox):
    with own_sandbox.client() as client:
        yield client


def _welcome_series(api, unique: str) -> dict:
    first = template(api, f"Welcome {unique}")
    second = template(api, f"Did you see? {unique}")
    return workflow(api, {"type": "custom_event", "event": f"signed_up_{unique}"}, [
        {"type": "send_email", "template_id": first},
        {"type": "wait", "duration": "2d"},
        {"type": "condition", "email_step": 0, "email_event": "opened", "yes": "exit", "no": 3},
        {"type": "send_email", "template_id": second},
    ])


def test_the_reminder_goes_when_the_welcome_email_was_not_opened(api, unique):
    flow = _welcome_series(api, unique)
    address = f"new-{unique}@example.com"
    started = post_event(api, f"signed_up_{unique}", address)
    assert [r["enrolled"] for r in started["runs"]] == [True]

    assert [e["subject"] for e in emails_to(api, address)] == [f"Welcome {unique}"]
    advance(api, DAY)
    assert len(emails_to(api, address)) == 1  # still waiting
    advance(api, DAY + 60)
    assert sorted(e["subject"] for e in emails_to(api, address)) == sorted([f"Welcome {unique}",
                                                                            f"Did you see? {unique}"])
    (run,) = runs(api, flow["id"])
    assert run["status"] == "completed"
    assert [(h["step"], h["outcome"]) for h in run["history"]] == [(0, "sent"), (1, "waiting"), (2, "no"),
                                                                   (3, "sent")]


def test_the_reminder_does_not_go_when_the_welcome_email_was_opened(api, unique):
    flow = _welcome_series(api, unique)
    address = f"reader-{unique}@example.com"
    post_event(api, f"signed_up_{unique}", address)
    (welcome,) = emails_to(api, address)
    opened = api.post(f"/api/v1/emails/{welcome['id']}/simulate/", json={"event": "opened"})
    assert opened.status_code < 300, opened.text

    advance(api, 2 * DAY + 60)
    assert [e["subject"] for e in emails_to(api, address)] == [f"Welcome {unique}"]
    (run,) = runs(api, flow["id"])
    assert run["status"] == "completed"
    assert run["history"][-1]["outcome"] == "yes"
