"""A workflow in words (automation/describe.py): every trigger, step and history outcome reads
as a sentence, steps counted from 1, names looked up and a missing one said to be deleted."""
from __future__ import annotations

import pytest

from gclap_sandbox.automation.describe import duration_words, history_words, step_words, trigger_words

NAMES = {("template", "t1"): "Welcome", ("list", "l1"): "VIP"}


@pytest.mark.parametrize("seconds, words", [
    (172800, "2 days"), (5400, "1 hour 30 minutes"), (60, "1 minute"), (0, "no time"), (694861, "1 week 1 day 1 hour 1 minute 1 second"),
])
def test_durations_read_in_units(seconds, words):
    assert duration_words(seconds) == words


@pytest.mark.parametrize("trigger, words", [
    ({"type": "contact_created"}, "When a contact is created"),
    ({"type": "added_to_list", "list_id": "l1"}, "When a contact is added to the list 'VIP'"),
    ({"type": "email_event", "event": "email.clicked", "tag": "news"}, "When an email is clicked (tagged 'news')"),
    ({"type": "date_attribute", "attribute": "birthday", "yearly": True}, "Every year, on the date in 'birthday'"),
    ({"type": "date_attribute", "attribute": "renews", "offset": "-3d"}, "3 days before the date in 'renews'"),
    ({"type": "custom_event", "event": "signed_up"}, "When the event 'signed_up' is posted"),
    ({"type": "manual"}, "When contacts are enrolled by hand"),
])
def test_every_trigger_reads_as_a_sentence(trigger, words):
    assert trigger_words(trigger, NAMES) == words


@pytest.mark.parametrize("step, words", [
    ({"type": "send_email", "template_id": "t1"}, "Send template 'Welcome'"),
    ({"type": "send_email", "template_id": "gone"}, "Send template (deleted template gone)"),
    ({"type": "wait", "duration": "2d"}, "Wait 2 days"),
    ({"type": "wait", "duration": 90}, "Wait 1 minute 30 seconds"),
    ({"type": "wait", "until": "2030-01-31T09:00:00Z"}, "Wait until 2030-01-31 09:00 UTC"),
    ({"type": "wait", "until_attribute": "renews", "offset": "-1d"}, "Wait until 1 day before the date in 'renews'"),
    ({"type": "condition", "email_step": 0, "email_event": "opened", "yes": "exit", "no": 4},
     "If the email from step 1 was opened → exit, else → step 5"),
    ({"type": "condition", "attribute": "plan", "value": "pro", "yes": 2, "no": "exit"},
     "If 'plan' is 'pro' → step 3, else → exit"),
    ({"type": "condition", "attribute": "plan", "operator": "not_exists", "yes": 2, "no": 3},
     "If 'plan' is not set → step 3, else → step 4"),
    ({"type": "add_to_list", "list_id": "l1"}, "Add to the list 'VIP'"),
    ({"type": "remove_from_list", "list_id": "l1"}, "Remove from the list 'VIP'"),
    ({"type": "update_attribute", "attribute": "plan", "value": "pro"}, "Set 'plan' to 'pro'"),
    ({"type": "update_attribute", "attribute": "plan", "value": None}, "Remove the attribute 'plan'"),
    ({"type": "call_url", "url": "https://crm.example/x"}, "Call https://crm.example/x (a signed POST)"),
    ({"type": "exit"}, "Exit"),
])
def test_every_step_reads_as_an_instruction(step, words):
    assert step_words(step, NAMES) == words


@pytest.mark.parametrize("entry, later, words", [
    ({"outcome": "sent", "type": "send_email", "subject": "Hi", "to": "a@x.example"}, False, "Sent 'Hi' to a@x.example"),
    ({"outcome": "waiting", "type": "wait", "until": "2030-01-31T09:00:00+00:00"}, False,
     "Waiting until 2030-01-31 09:00 UTC"),
    ({"outcome": "waiting", "type": "wait", "until": "2030-01-31T09:00:00+00:00"}, True,
     "Waited until 2030-01-31 09:00 UTC"),
    ({"outcome": "no", "type": "condition", "next": 3}, False, "The condition was false → step 4"),
    ({"outcome": "yes", "type": "condition", "next": "exit"}, False, "The condition was true → exit"),
    ({"outcome": "done", "type": "add_to_list", "list_id": "l1"}, False, "Added to the list 'VIP'"),
    ({"outcome": "done", "type": "update_attribute", "attribute": "a", "value": None}, False, "Removed the attribute 'a'"),
    ({"outcome": "called", "type": "call_url", "url": "https://h.example", "status": 200}, False,
     "Called https://h.example: HTTP 200"),
    ({"outcome": "failed_call", "type": "call_url", "url": "https://h.example", "error": "ConnectError: refused"},
     False, "The call to https://h.example failed: ConnectError: refused"),
    ({"outcome": "exited", "type": "exit", "reason": "unsubscribed"}, False, "Left the workflow: unsubscribed"),
    ({"outcome": "exited", "type": "exit"}, False, "Reached the exit"),
    ({"outcome": "skipped", "type": "send_email", "reason": "the contact is unsubscribed"}, False,
     "Skipped: the contact is unsubscribed"),
    ({"outcome": "failed", "type": "send_email", "error": "NotFound: gone"}, False, "Failed: NotFound: gone"),
])
def test_every_history_outcome_says_what_happened(entry, later, words):
    assert history_words(entry, NAMES, later=later) == words
