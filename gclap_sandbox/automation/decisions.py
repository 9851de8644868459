"""What a step decides, from what it is given (pure): where a condition branches, when a wait
ends, whether a date attribute falls due today, whether a contact may (re-)enter a workflow."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from gclap_sandbox.automation.definition import EXIT, parse_time
from gclap_sandbox.events.timeline import parse_duration


def offset_seconds(value: Any) -> float:
    """A checked signed duration (`-1d`, `12h`, 3600) in seconds."""
    if value is None:
        return 0.0
    if isinstance(value, (int, float)):
        return float(value)
    text = value.strip()
    return -parse_duration(text[1:]) if text.startswith("-") else parse_duration(text)


def attribute_matches(attributes: dict[str, Any], step: dict[str, Any]) -> bool:
    name, operator, expected = step["attribute"], step.get("operator", "equals"), step.get("value")
    present = name in attributes and attributes[name] is not None
    value = attributes.get(name)
    if operator == "exists":
        return present
    if operator == "not_exists":
        return not present
    if operator == "contains":
        return present and str(expected) in (value if isinstance(value, list) else str(value))
    same = value == expected or (present and str(value) == str(expected))
    return same if operator == "equals" else not same


def email_outcome(event_types: set[str], outcome: str) -> bool:
    """Did the email see this outcome? A click implies the email was opened."""
    if outcome == "opened":
        return bool(event_types & {"email.opened", "email.clicked"})
    return f"email.{outcome}" in event_types


def branch(step: dict[str, Any], answer: bool) -> int | None:
    """The next step index for a condition's answer; None ends the run."""
    target = step["yes"] if answer else step["no"]
    return None if target == EXIT else int(target)


def wait_until(step: dict[str, Any], now: datetime, attributes: dict[str, Any]) -> datetime | None:
    """When a wait step ends; None when it waits on a date attribute the contact lacks."""
    if step.get("duration") is not None:
        return now + timedelta(seconds=offset_seconds(step["duration"]))
    if step.get("until") is not None:
        return parse_time(step["until"])
    moment = parse_time(str(attributes.get(step["until_attribute"]) or ""))
    return None if moment is None else moment + timedelta(seconds=offset_seconds(step.get("offset")))


def date_trigger_due(value: Any, offset: float, yearly: bool, today: date) -> bool:
    """Does a date attribute (shifted by `offset`) fall on `today`? A yearly one (a birthday)
    matches its month and day in any year, 29 February on 28 February in other years."""
    moment = parse_time(str(value or ""))
    if moment is None:
        return False
    if not yearly:
        return (moment + timedelta(seconds=offset)).date() == today
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            anniversary = moment.replace(year=year)
        except ValueError:  # 29 February in a year without one
            anniversary = moment.replace(year=year, day=28)
        if (anniversary + timedelta(seconds=offset)).date() == today:
            return True
    return False


def may_enter(reentry: str, previous_statuses: list[str], live: tuple[str, ...]) -> bool:
    """`once`: a contact runs through a workflow one time; `after_finish`: again, once its
    previous run has finished."""
    if not previous_statuses:
        return True
    if reentry == "once":
        return False
    return not any(status in live for status in previous_statuses)
