"""Request fields shared by the contacts, lists and import routes."""
from __future__ import annotations

from typing import Any

from gclap_sandbox.contacts.segments import (
    ATTRIBUTE_KEY,
    number_problem,
    validate_rules,
)
from gclap_sandbox.contacts.store import normalize_email
from gclap_sandbox.schema import Errors, Field, ListOf, Uuid

MAX_ATTRIBUTES = 100
MAX_VALUE_DEPTH = 20
MAX_BULK = 10_000


class ContactEmail(Field):
    """An email address, normalised (trimmed, lower-cased) as contacts store it."""

    json_type = "string"

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        email = normalize_email(value)
        if email is None:
            errors.setdefault(path, []).append(f"Not a valid email address: {value!r}.")
        return email

    def own_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "email"}


class Attributes(Field):
    """Custom fields: keys of letters, digits, `_` and `-`; any JSON values."""

    json_type = "object"

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, dict):
            errors.setdefault(path, []).append("Must be an object.")
            return None
        if len(value) > MAX_ATTRIBUTES:
            errors.setdefault(path, []).append(f"At most {MAX_ATTRIBUTES} attributes.")
        for key in value:
            if not ATTRIBUTE_KEY.match(key):
                errors.setdefault(f"{path}.{key}", []).append(
                    "Attribute names are 1-100 letters, digits, `_` or `-`.")
            problem = _value_problem(value[key], 1)
            if problem:
                errors.setdefault(f"{path}.{key}", []).append(problem)
        return value

    def own_schema(self) -> dict[str, Any]:
        return {"type": "object", "propertyNames": {"pattern": ATTRIBUTE_KEY.pattern}}


def _value_problem(value: Any, depth: int) -> str | None:
    """Why an attribute value cannot be stored and compared safely: segments read it in SQL."""
    if depth > MAX_VALUE_DEPTH:
        return f"Values may nest at most {MAX_VALUE_DEPTH} levels deep."
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        problem = _value_problem(child, depth + 1)
        if problem:
            return problem
    return number_problem(value)


class SegmentRules(Field):
    """A segment's rule tree, validated so a 400 names the bad rule's path."""

    json_type = "object"

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        for rule_path, messages in validate_rules(value, path or "rules").items():
            errors.setdefault(rule_path, []).extend(messages)
        return value

    def own_schema(self) -> dict[str, Any]:
        return {"type": "object", "description": (
            'A group {"all": [...]} or {"any": [...]} of rules, or a condition '
            '{"field", "op", "value"}. Fields: email, first_name, last_name, status, created_at, '
            "updated_at, last_opened_at, last_clicked_at, list, attributes.<key>. Operators: eq, ne, "
            "gt, gte, lt, lte, contains, starts_with, ends_with, exists, in, within_days; and, "
            "without a field, opened_within_days, clicked_within_days, never_opened.")}


def contact_ids_field() -> ListOf:
    return ListOf(Uuid(), max_items=MAX_BULK, description="Contact ids.")


def emails_field() -> ListOf:
    # Raw strings: an address that matches no contact is reported, not refused.
    from gclap_sandbox.schema import Str

    return ListOf(Str(max_length=320), max_items=MAX_BULK, description="Contact email addresses.")
