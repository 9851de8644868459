"""What a workflow is made of: its trigger and its steps, checked and normalised (pure).

Every problem is reported under the path of the bad value, e.g. `steps[2].duration`, so the
caller's 400 names the step. References to other rows (templates, lists) are checked by the
store, which knows the database (`referenced_ids`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from gclap_sandbox.events.timeline import parse_duration
from gclap_sandbox.schema import Errors

EMAIL_EVENTS = ("email.opened", "email.clicked", "email.bounced", "email.unsubscribed")
TRIGGER_TYPES = ("contact_created", "added_to_list", "email_event", "date_attribute", "custom_event", "manual")
STEP_TYPES = ("send_email", "wait", "condition", "add_to_list", "remove_from_list", "update_attribute",
              "call_url", "exit")
CONDITION_OPERATORS = ("equals", "not_equals", "exists", "not_exists", "contains")
EMAIL_OUTCOMES = ("delivered", "opened", "clicked", "bounced")
REENTRY = ("once", "after_finish")
EXIT = "exit"  # a branch target that ends the run


def _add(errors: Errors, path: str, message: str) -> None:
    errors.setdefault(path, []).append(message)


def _text(spec: dict[str, Any], name: str, path: str, errors: Errors, *, required: bool = True,
          max_length: int = 200) -> str | None:
    value = spec.get(name)
    if value is None:
        if required:
            _add(errors, f"{path}.{name}", "This field is required.")
        return None
    if not isinstance(value, str) or not value.strip():
        _add(errors, f"{path}.{name}", "Must be a non-empty string.")
        return None
    if len(value) > max_length:
        _add(errors, f"{path}.{name}", f"Must be at most {max_length} characters.")
    return value


def _known_keys(spec: dict[str, Any], allowed: set[str], path: str, errors: Errors) -> None:
    for name in spec:
        if name not in allowed:
            _add(errors, f"{path}.{name}", "Unknown field.")


def _duration(value: Any, path: str, errors: Errors, *, signed: bool = False) -> float | None:
    """`2d`, `1h30m`, a number of seconds; with `signed`, a leading `-` means before."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        negative = signed and text.startswith("-")
        try:
            seconds = parse_duration(text.lstrip("-") if negative else text)
        except ValueError:
            _add(errors, path, "Not a duration: use e.g. 2d, 12h, 1h30m or a number of seconds.")
            return None
        seconds = -seconds if negative else seconds
    else:
        _add(errors, path, "Must be a duration such as 2d or 90m.")
        return None
    if seconds < 0 and not signed:
        _add(errors, path, "May not be negative.")
        return None
    return seconds


def check_trigger(trigger: Any, errors: Errors, path: str = "trigger") -> None:
    if not isinstance(trigger, dict):
        _add(errors, path, "Must be an object with a `type`.")
        return
    kind = trigger.get("type")
    if kind not in TRIGGER_TYPES:
        _add(errors, f"{path}.type", f"Must be one of: {', '.join(TRIGGER_TYPES)}.")
        return
    allowed = {"type"}
    if kind == "added_to_list":
        allowed |= {"list_id"}
        _text(trigger, "list_id", path, errors, max_length=36)
    elif kind == "email_event":
        allowed |= {"event", "tag", "campaign_id"}
        if trigger.get("event") not in EMAIL_EVENTS:
            _add(errors, f"{path}.event", f"Must be one of: {', '.join(EMAIL_EVENTS)}.")
        _text(trigger, "tag", path, errors, required=False)
        _text(trigger, "campaign_id", path, errors, required=False, max_length=36)
    elif kind == "date_attribute":
        allowed |= {"attribute", "offset", "yearly"}
        _text(trigger, "attribute", path, errors)
        if "offset" in trigger:
            _duration(trigger["offset"], f"{path}.offset", errors, signed=True)
        if not isinstance(trigger.get("yearly", False), bool):
            _add(errors, f"{path}.yearly", "Must be true or false.")
    elif kind == "custom_event":
        allowed |= {"event"}
        _text(trigger, "event", path, errors, max_length=100)
    _known_keys(trigger, allowed, path, errors)


def _target(step: dict[str, Any], name: str, index: int, count: int, path: str, errors: Errors) -> None:
    """A branch goes forward to a later step, or to `exit`: a workflow can never loop."""
    value = step.get(name)
    if value is None:
        _add(errors, f"{path}.{name}", "A branch needs a target: a later step's index or \"exit\".")
    elif value == EXIT:
        return
    elif not isinstance(value, int) or isinstance(value, bool) or not index < value < count:
        _add(errors, f"{path}.{name}", f"Must be the index of a later step ({index + 1}..{count - 1}) or \"exit\".")


def _check_step(step: Any, index: int, count: int, errors: Errors) -> None:
    path = f"steps[{index}]"
    if not isinstance(step, dict):
        _add(errors, path, "Must be an object with a `type`.")
        return
    kind = step.get("type")
    if kind not in STEP_TYPES:
        _add(errors, f"{path}.type", f"Must be one of: {', '.join(STEP_TYPES)}.")
        return
    allowed = {"type"}
    if kind == "send_email":
        allowed |= {"template_id", "variables", "from_email", "tags", "simulate", "category"}
        _text(step, "template_id", path, errors, max_length=36)
        if not isinstance(step.get("variables", {}), dict):
            _add(errors, f"{path}.variables", "Must be an object.")
        tags = step.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
            _add(errors, f"{path}.tags", "Must be a list of non-empty strings.")
        simulate = step.get("simulate", [])
        if not isinstance(simulate, list) or not all(isinstance(s, str) for s in simulate):
            _add(errors, f"{path}.simulate", "Must be a list of outcome names.")
        if step.get("category", "marketing") not in ("marketing", "transactional"):
            _add(errors, f"{path}.category", "Must be marketing or transactional.")
        _text(step, "from_email", path, errors, required=False, max_length=320)
    elif kind == "wait":
        allowed |= {"duration", "until", "until_attribute", "offset"}
        given = [name for name in ("duration", "until", "until_attribute") if step.get(name) is not None]
        if len(given) != 1:
            _add(errors, f"{path}.duration", "A wait needs exactly one of `duration`, `until` or `until_attribute`.")
        elif given[0] == "duration":
            _duration(step["duration"], f"{path}.duration", errors)
        elif given[0] == "until":
            if parse_time(step["until"]) is None:
                _add(errors, f"{path}.until", "Must be an ISO 8601 time, e.g. 2030-01-31T09:00:00Z.")
        else:
            _text(step, "until_attribute", path, errors)
            if "offset" in step:
                _duration(step["offset"], f"{path}.offset", errors, signed=True)
    elif kind == "condition":
        allowed |= {"attribute", "operator", "value", "email_step", "email_event", "yes", "no"}
        if step.get("email_step") is not None:
            source = step["email_step"]
            if not isinstance(source, int) or isinstance(source, bool) or not 0 <= source < index:
                _add(errors, f"{path}.email_step", "Must be the index of an earlier send_email step.")
            if step.get("email_event") not in EMAIL_OUTCOMES:
                _add(errors, f"{path}.email_event", f"Must be one of: {', '.join(EMAIL_OUTCOMES)}.")
        else:
            _text(step, "attribute", path, errors)
            if step.get("operator", "equals") not in CONDITION_OPERATORS:
                _add(errors, f"{path}.operator", f"Must be one of: {', '.join(CONDITION_OPERATORS)}.")
        _target(step, "yes", index, count, path, errors)
        _target(step, "no", index, count, path, errors)
    elif kind in ("add_to_list", "remove_from_list"):
        allowed |= {"list_id"}
        _text(step, "list_id", path, errors, max_length=36)
    elif kind == "update_attribute":
        allowed |= {"attribute", "value"}
        _text(step, "attribute", path, errors)
        if "value" not in step:
            _add(errors, f"{path}.value", "This field is required (null removes the attribute).")
    elif kind == "call_url":
        allowed |= {"url", "secret"}
        url = _text(step, "url", path, errors, max_length=2000)
        if url and not url.startswith(("http://", "https://")):
            _add(errors, f"{path}.url", "Must be an http:// or https:// URL.")
    _known_keys(step, allowed, path, errors)
    if kind == "send_email" and step.get("email_step") is not None:
        _add(errors, f"{path}.email_step", "Unknown field.")


def check_steps(steps: Any, errors: Errors) -> None:
    if not isinstance(steps, list):
        _add(errors, "steps", "Must be a list of steps.")
        return
    for index, step in enumerate(steps):
        _check_step(step, index, len(steps), errors)
    for index, step in enumerate(steps):
        source = step.get("email_step") if isinstance(step, dict) and step.get("type") == "condition" else None
        if isinstance(source, int) and 0 <= source < index and steps[source].get("type") != "send_email":
            _add(errors, f"steps[{index}].email_step", f"Step {source} does not send an email.")


def referenced_ids(trigger: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """path -> (kind, id) for every template and list the workflow names (the store checks them)."""
    refs: dict[str, tuple[str, str]] = {}
    if trigger.get("type") == "added_to_list":
        refs["trigger.list_id"] = ("list", trigger["list_id"])
    for index, step in enumerate(steps):
        if step.get("template_id"):
            refs[f"steps[{index}].template_id"] = ("template", step["template_id"])
        if step.get("list_id"):
            refs[f"steps[{index}].list_id"] = ("list", step["list_id"])
    return refs


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time (a date alone is midnight UTC); None when it is not one."""
    from datetime import timezone
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
