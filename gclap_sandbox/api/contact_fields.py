"""Request fields shared by the contacts, lists and import routes."""
from __future__ import annotations

from typing import Any

from gclap_sandbox.api.segment_schema import (
    NUMBER_SCHEMAS,
    RULE_REF,
    segment_rule_schemas,
)
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
_VALUE_REF = {"$ref": "#/components/schemas/AttributeValue"}


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
        return {"type": "object", "maxProperties": MAX_ATTRIBUTES, "propertyNames": {"pattern": ATTRIBUTE_KEY.pattern},
                "additionalProperties": _VALUE_REF}

    def components(self) -> dict[str, dict[str, Any]]:
        return {"AttributeValue": {
            "description": f"Any JSON value, nested at most {MAX_VALUE_DEPTH} deep, whose integers fit in "
                           "64 bits (segments compare them in SQL).",
            "anyOf": [{"type": ["string", "boolean", "null"]}, *NUMBER_SCHEMAS,
                      {"type": "array", "items": _VALUE_REF}, {"type": "object", "additionalProperties": _VALUE_REF}]}}


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
        return {**RULE_REF, "description": 'A group {"all": [...]} or {"any": [...]} of rules, or a condition '
                '{"field", "op", "value"}; see the SegmentRule schema.'}

    def components(self) -> dict[str, dict[str, Any]]:
        return segment_rule_schemas()


def contact_ids_field() -> ListOf:
    return ListOf(Uuid(), max_items=MAX_BULK, description="Contact ids.")


def emails_field() -> ListOf:
    # Raw strings: an address that matches no contact is reported, not refused.
    from gclap_sandbox.schema import Str

    return ListOf(Str(max_length=320), max_items=MAX_BULK, description="Contact email addresses.")
