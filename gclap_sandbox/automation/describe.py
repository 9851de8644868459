"""A workflow in words, for people: its trigger, each step, and what each step of a run did (pure).

Steps are numbered from 1 here (people count from one); the API's indices start at 0, so a
branch to index 3 reads "step 4". `names` maps ("template" | "list", id) to a name, for the
rows a workflow refers to (`overview.referenced_names`); an id it lacks reads as deleted.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from gclap_sandbox.automation.decisions import offset_seconds
from gclap_sandbox.automation.definition import EXIT, parse_time

Names = dict[tuple[str, str], str]

_UNITS = (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))
_OPERATORS = {"equals": "is", "not_equals": "is not", "contains": "contains"}


def duration_words(seconds: float) -> str:
    """172800 -> '2 days'; 5400 -> '1 hour 30 minutes'; 0 -> 'no time'."""
    left, parts = round(abs(seconds)), []
    for unit, size in _UNITS:
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts) or "no time"


def _offset_words(offset: Any) -> str:
    """'' for none; ' 3 days before' / ' 2 hours after' otherwise."""
    seconds = offset_seconds(offset)
    if not seconds:
        return ""
    return f" {duration_words(seconds)} {'before' if seconds < 0 else 'after'}"


def time_words(value: datetime | str | None, seconds: bool = False) -> str:
    """An ISO time as people read it on the sandbox clock: '2030-01-31 09:00 UTC'."""
    moment = parse_time(value) if isinstance(value, str) else value
    if moment is None:
        return str(value or "")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC")


def _named(names: Names, kind: str, row_id: str) -> str:
    name = names.get((kind, row_id))
    return f"'{name}'" if name is not None else f"(deleted {kind} {row_id})"


def _target(value: Any) -> str:
    return "exit" if value == EXIT else f"step {int(value) + 1}"


def trigger_words(trigger: dict[str, Any], names: Names) -> str:
    kind = trigger.get("type")
    if kind == "contact_created":
        return "When a contact is created"
    if kind == "added_to_list":
        return f"When a contact is added to the list {_named(names, 'list', trigger.get('list_id', ''))}"
    if kind == "email_event":
        words = f"When an email is {str(trigger.get('event', '')).removeprefix('email.')}"
        if trigger.get("tag"):
            words += f" (tagged '{trigger['tag']}')"
        if trigger.get("campaign_id"):
            words += f" (campaign {trigger['campaign_id']})"
        return words
    if kind == "date_attribute":
        offset = _offset_words(trigger.get("offset")).strip()
        when = f"{offset or 'on'} the date in '{trigger.get('attribute')}'"
        return f"Every year, {when}" if trigger.get("yearly") else when[0].upper() + when[1:]
    if kind == "custom_event":
        return f"When the event '{trigger.get('event')}' is posted"
    if kind == "manual":
        return "When contacts are enrolled by hand"
    return str(kind)


def enrolment_words(trigger: dict[str, Any], names: Names) -> str:
    """What enrolled one run, from the trigger data the run keeps: "the event 'signed_up'"."""
    kind = trigger.get("type")
    if kind == "contact_created":
        return "the contact's creation"
    if kind == "added_to_list":
        return f"being added to the list {_named(names, 'list', trigger.get('list_id', ''))}"
    if kind == "email_event":
        return f"an {trigger.get('event')} event"
    if kind == "date_attribute":
        return f"its date in '{trigger.get('attribute')}' ({trigger.get('date')})"
    if kind == "custom_event":
        return f"the event '{trigger.get('event')}'"
    if kind == "manual":
        return "hand"
    return str(kind)


def _condition_words(step: dict[str, Any]) -> str:
    if step.get("email_step") is not None:
        test = f"the email from step {int(step['email_step']) + 1} was {step.get('email_event')}"
    else:
        operator, attribute = step.get("operator", "equals"), step.get("attribute")
        if operator == "exists":
            test = f"'{attribute}' is set"
        elif operator == "not_exists":
            test = f"'{attribute}' is not set"
        else:
            test = f"'{attribute}' {_OPERATORS.get(operator, operator)} '{step.get('value')}'"
    return f"If {test} → {_target(step.get('yes'))}, else → {_target(step.get('no'))}"


def step_words(step: dict[str, Any], names: Names) -> str:
    kind = step.get("type")
    if kind == "send_email":
        words = f"Send template {_named(names, 'template', step.get('template_id', ''))}"
        if step.get("tags"):
            words += f" tagged {', '.join(step['tags'])}"
        if step.get("simulate"):
            words += f" (simulating {', '.join(step['simulate'])})"
        return words
    if kind == "wait":
        if step.get("duration") is not None:
            return f"Wait {duration_words(offset_seconds(step['duration']))}"
        if step.get("until") is not None:
            return f"Wait until {time_words(step['until'])}"
        offset = _offset_words(step.get("offset"))
        return f"Wait until{offset} the date in '{step.get('until_attribute')}'"
    if kind == "condition":
        return _condition_words(step)
    if kind == "add_to_list":
        return f"Add to the list {_named(names, 'list', step.get('list_id', ''))}"
    if kind == "remove_from_list":
        return f"Remove from the list {_named(names, 'list', step.get('list_id', ''))}"
    if kind == "update_attribute":
        if step.get("value") is None:
            return f"Remove the attribute '{step.get('attribute')}'"
        return f"Set '{step.get('attribute')}' to '{step.get('value')}'"
    if kind == "call_url":
        return f"Call {step.get('url')} (a signed POST)"
    if kind == "exit":
        return "Exit"
    return str(kind)


def history_words(entry: dict[str, Any], names: Names, later: bool = False) -> str:
    """What one step of a run did, e.g. "Sent 'Welcome' to ana@example.com"; `later` when
    the run has gone on since (a wait it was in is over)."""
    outcome, kind = entry.get("outcome"), entry.get("type")
    if outcome == "sent":
        return f"Sent '{entry.get('subject') or '(no subject)'}' to {entry.get('to')}"
    if outcome == "waiting" and not later:
        return f"Waiting until {time_words(entry.get('until'))}"
    if outcome in ("waiting", "waited"):
        return f"Waited until {time_words(entry.get('until'))}"
    if outcome in ("yes", "no"):
        return f"The condition was {'true' if outcome == 'yes' else 'false'} → {_target(entry.get('next'))}"
    if outcome == "done" and kind in ("add_to_list", "remove_from_list"):
        verb = "Added to" if kind == "add_to_list" else "Removed from"
        return f"{verb} the list {_named(names, 'list', entry.get('list_id', ''))}"
    if outcome == "done" and kind == "update_attribute":
        if entry.get("value") is None:
            return f"Removed the attribute '{entry.get('attribute')}'"
        return f"Set '{entry.get('attribute')}' to '{entry.get('value')}'"
    if outcome == "called":
        return f"Called {entry.get('url')}: HTTP {entry.get('status')}"
    if outcome == "failed_call":
        why = f"HTTP {entry['status']}" if entry.get("status") is not None else entry.get("error")
        return f"The call to {entry.get('url')} failed: {why}"
    if outcome == "exited":
        return f"Left the workflow: {entry['reason']}" if entry.get("reason") else "Reached the exit"
    if outcome == "skipped":
        return f"Skipped: {entry.get('reason')}"
    if outcome == "failed":
        return f"Failed: {entry.get('error')}"
    return f"{kind}: {outcome}"
