"""Segment rules: validate them, and compile them to one SQL condition on Contact (pure).

A rule tree is either a group, `{"all": [...]}` / `{"any": [...]}`, or a condition,
`{"field": "attributes.plan", "op": "eq", "value": "pro"}`. Engagement conditions need no
field: `{"op": "opened_within_days", "value": 30}`, `{"op": "never_opened"}`.

`validate_rules()` returns `{rule path: [messages]}` (empty when valid), so a 400 names the
bad rule, e.g. `rules.all[1].any[0].op`. `compile_rules()` turns a valid tree into a peewee
expression, so a segment is evaluated by SQLite and never by loading every contact. Neither
touches the database.
"""
from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import peewee
from peewee import fn

from gclap_sandbox.models.contacts import CONTACT_STATUSES, Contact, ContactListMember
from gclap_sandbox.storage import engine

Errors = dict[str, list[str]]

MAX_DEPTH = 8
MAX_CONDITIONS = 200
ATTRIBUTE_KEY = re.compile(r"^[A-Za-z0-9_\-]{1,100}$")
# SQLite binds integers as 64-bit; a larger Python int raises OverflowError at query time.
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1

TEXT_FIELDS = ("email", "first_name", "last_name", "status")
DATE_FIELDS = ("created_at", "updated_at", "last_opened_at", "last_clicked_at")
FIELD_OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "contains", "starts_with", "ends_with",
             "exists", "in", "within_days")
ENGAGEMENT_OPS = ("opened_within_days", "clicked_within_days", "never_opened")
OPERATORS = FIELD_OPS + ENGAGEMENT_OPS
_COMPARISONS = {"gt": "__gt__", "gte": "__ge__", "lt": "__lt__", "lte": "__le__"}
_TEXT_OPS = ("contains", "starts_with", "ends_with")


# --- validation ---------------------------------------------------------------------------

def validate_rules(rules: Any, path: str = "rules") -> Errors:
    errors: Errors = {}
    counter = [0]
    _check_node(rules, path, 0, errors, counter)
    if counter[0] > MAX_CONDITIONS:
        errors.setdefault(path, []).append(f"At most {MAX_CONDITIONS} conditions in all.")
    return errors


def _add(errors: Errors, path: str, message: str) -> None:
    errors.setdefault(path, []).append(message)


def _check_node(node: Any, path: str, depth: int, errors: Errors, counter: list[int]) -> None:
    if not isinstance(node, dict):
        _add(errors, path, "A rule must be an object: a group ({\"all\": [...]} or {\"any\": [...]}) "
                           "or a condition ({\"field\", \"op\", \"value\"}).")
        return
    groups = [key for key in ("all", "any") if key in node]
    if groups:
        if len(node) != 1:
            _add(errors, path, "A group has exactly one key, `all` or `any`.")
            return
        key = groups[0]
        children = node[key]
        if depth >= MAX_DEPTH:
            _add(errors, path, f"Groups may nest at most {MAX_DEPTH} deep.")
            return
        if not isinstance(children, list) or not children:
            _add(errors, f"{path}.{key}", "Must be a non-empty list of rules.")
            return
        for i, child in enumerate(children):
            _check_node(child, f"{path}.{key}[{i}]", depth + 1, errors, counter)
        return
    counter[0] += 1
    _check_condition(node, path, errors)


def _check_condition(node: dict[str, Any], path: str, errors: Errors) -> None:
    for key in node:
        if key not in ("field", "op", "value"):
            _add(errors, f"{path}.{key}", "Unknown key; a condition has `field`, `op` and `value`.")
    op = node.get("op")
    if op not in OPERATORS:
        _add(errors, f"{path}.op", f"Must be one of: {', '.join(OPERATORS)}.")
        return
    value = node.get("value")
    if op in ENGAGEMENT_OPS:
        if "field" in node:
            _add(errors, f"{path}.field", f"`{op}` takes no field.")
        if op == "never_opened":
            if "value" in node:
                _add(errors, f"{path}.value", "`never_opened` takes no value.")
        elif not _is_days(value):
            _add(errors, f"{path}.value", "Must be a whole number of days, 0 or more.")
        return
    field = node.get("field")
    kind = field_kind(field)
    if kind is None:
        _add(errors, f"{path}.field", "Must be one of: " + ", ".join(
            (*TEXT_FIELDS, *DATE_FIELDS, "list")) + ", or attributes.<key> (letters, digits, _ and -).")
        return
    problem = _value_problem(kind, op, value, "value" in node)
    if problem:
        _add(errors, f"{path}.{problem[0]}", problem[1])


def field_kind(field: Any) -> str | None:
    """`text`, `status`, `date`, `list` or `attribute`, or None when not a known field."""
    if not isinstance(field, str):
        return None
    if field == "status":
        return "status"
    if field in TEXT_FIELDS:
        return "text"
    if field in DATE_FIELDS:
        return "date"
    if field == "list":
        return "list"
    if field.startswith("attributes.") and ATTRIBUTE_KEY.match(field[len("attributes."):]):
        return "attribute"
    return None


def _value_problem(kind: str, op: str, value: Any, present: bool) -> tuple[str, str] | None:
    """(`op` or `value`, what is wrong) for this combination, or None when it is fine."""
    if kind == "list" and op not in ("eq", "ne", "in"):
        return "op", "Not an operator for `list`; use eq, ne or in."
    if kind == "date" and op in _TEXT_OPS:
        return "op", "Not an operator for dates; use eq, ne, gt, gte, lt, lte, exists or within_days."
    if op == "within_days" and kind != "date":
        return "op", "`within_days` applies to date fields only."
    if op == "exists":
        return None if (not present or isinstance(value, bool)) else ("value", "Must be true or false.")
    if not present:
        return "value", f"`{op}` needs a value."
    if op == "within_days":
        return None if _is_days(value) else ("value", "Must be a whole number of days, 0 or more.")
    if op == "in":
        if not isinstance(value, list) or not value or len(value) > 1000:
            return "value", "Must be a non-empty list of at most 1000 values."
        problems = [_scalar_problem(kind, v) for v in value]
        message = next((p for p in problems if p), None)
        return ("value", message) if message else None
    if op in _TEXT_OPS and not isinstance(value, str):
        return "value", "Must be a string."
    message = _scalar_problem(kind, value)
    return ("value", message) if message else None


def _scalar_problem(kind: str, value: Any) -> str | None:
    if kind == "date":
        return None if parse_date(value) is not None else "Must be an ISO 8601 date-time."
    if kind == "status":
        return None if value in CONTACT_STATUSES else f"Must be one of: {', '.join(CONTACT_STATUSES)}."
    if kind in ("text", "list"):
        return None if isinstance(value, str) else "Must be a string."
    if isinstance(value, (str, int, float, bool)) and value is not None:
        return number_problem(value)
    return "Must be a string, number or boolean."


def number_problem(value: Any) -> str | None:
    """Why a JSON number cannot be stored in or compared by SQLite, or None (also for non-numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        return f"Integers must fit in 64 bits ({INT64_MIN} to {INT64_MAX})."
    if isinstance(value, float) and not math.isfinite(value):
        return "Must be a finite number."
    return None


def _is_days(value: Any) -> bool:
    # A whole number, as JSON Schema's "integer" means it: 30.0 counts.
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return whole and not isinstance(value, bool) and 0 <= value <= 36500


def parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


# --- compilation --------------------------------------------------------------------------

def compile_rules(rules: dict[str, Any], now: datetime) -> peewee.Expression:
    """A validated rule tree -> one boolean SQL expression over Contact."""
    if "all" in rules or "any" in rules:
        key = "all" if "all" in rules else "any"
        parts = [compile_rules(child, now) for child in rules[key]]
        combined = parts[0]
        for part in parts[1:]:
            combined = (combined & part) if key == "all" else (combined | part)
        return peewee.NodeList((peewee.SQL("("), combined, peewee.SQL(")")), glue="")
    return _condition(rules, now)


def _condition(rule: dict[str, Any], now: datetime) -> peewee.Expression:
    op = rule["op"]
    if op == "opened_within_days":
        return Contact.last_opened_at >= now - timedelta(days=rule["value"])
    if op == "clicked_within_days":
        return Contact.last_clicked_at >= now - timedelta(days=rule["value"])
    if op == "never_opened":
        return Contact.last_opened_at.is_null()
    field = rule["field"]
    kind = field_kind(field)
    value = rule.get("value")
    if kind == "list":
        return _list_condition(op, value)
    column = _column(field)
    attribute = field.startswith("attributes.")
    if op == "exists":
        present = column.is_null(False) if kind in ("date", "attribute") else (column != "")
        return present if value is not False else ~present
    if kind == "date":
        if op == "within_days":
            return column >= now - timedelta(days=value)
        value = [parse_date(v) for v in value] if op == "in" else parse_date(value)
    elif field == "email":
        value = [v.lower() for v in value] if op == "in" else value.lower()
    if attribute and op in ("eq", "ne", "in"):
        operand = engine.current().json_operand
        value = [operand(v) for v in value] if op == "in" else operand(value)
    if op == "eq":
        return column == value
    if op == "ne":  # a contact without the field is "not equal" too
        return column.is_null() | (column != value)
    if op == "in":
        return column.in_(value)
    if op in _COMPARISONS and attribute:
        return engine.current().json_compare(Contact.attributes, field[len("attributes."):], op, rule["value"])
    if op in _COMPARISONS:
        return getattr(column, _COMPARISONS[op])(value)
    if attribute:
        column = engine.current().json_text(Contact.attributes, field[len("attributes."):])
    return _text_match(column, op, value)


def _column(field: str) -> Any:
    if field.startswith("attributes."):
        # JSON numbers compare as numbers (the engine's json_value, with its json_operand values).
        return engine.current().json_value(Contact.attributes, field[len("attributes."):])
    return getattr(Contact, field)


def _list_condition(op: str, value: Any) -> peewee.Expression:
    ids = [v.lower() for v in value] if op == "in" else [value.lower()]
    members = ContactListMember.select(ContactListMember.contact).where(
        ContactListMember.contact_list.in_(ids))
    return Contact.id.not_in(members) if op == "ne" else Contact.id.in_(members)


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like(column: Any, pattern: str) -> peewee.Expression:
    """Case-insensitive LIKE with `\\` as the escape character (portable SQL)."""
    return peewee.NodeList((fn.lower(column), peewee.SQL("LIKE"), pattern.lower(),
                            peewee.SQL("ESCAPE '\\'")), parens=True)


def _text_match(column: Any, op: str, value: str) -> peewee.Expression:
    term = escape_like(value)
    pattern = {"contains": f"%{term}%", "starts_with": f"{term}%", "ends_with": f"%{term}"}[op]
    return like(column, pattern)
