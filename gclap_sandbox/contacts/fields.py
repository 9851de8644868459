"""A contact's fields as every door validates them (API, web UI, import): the address
normalised as contacts store it, custom fields whose values segments can compare in SQL, and
the body of a create or a change."""
from __future__ import annotations

from typing import Any

from gclap_sandbox.contacts.segments import ATTRIBUTE_KEY, INT64_MAX, INT64_MIN, number_problem
from gclap_sandbox.contacts.store import normalize_email
from gclap_sandbox.schema import Errors, Field, ListOf, Obj, Str, Uuid

MAX_ATTRIBUTES = 100
MAX_VALUE_DEPTH = 20
_VALUE_REF = {"$ref": "#/components/schemas/AttributeValue"}
# A JSON number SQLite can compare: integers within 64 bits, any other (finite) number.
NUMBER_SCHEMAS = [{"type": "integer", "minimum": INT64_MIN, "maximum": INT64_MAX},
                  {"type": "number", "not": {"type": "integer"}}]
# Events set bounced / complained; by hand a contact is (re-)subscribed or unsubscribed.
SETTABLE_STATUSES = ["subscribed", "unsubscribed"]


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


def contact_fields(required_email: bool) -> dict[str, Any]:
    return {
        "email": ContactEmail(required=required_email, description="Normalised; unique in the organization."),
        "first_name": Str(max_length=200, nullable=True),
        "last_name": Str(max_length=200, nullable=True),
        "attributes": Attributes(description="Custom fields. On PATCH, given keys are merged and a null "
                                             "value removes the key."),
        "lists": ListOf(Uuid(), max_items=1000, description="Ids of the lists the contact belongs to "
                                                            "(on PATCH: replaces its memberships)."),
        "status": Str(choices=SETTABLE_STATUSES, description="Re-subscribe or unsubscribe explicitly."),
    }


CREATE_BODY = Obj(contact_fields(required_email=True))
UPDATE_BODY = Obj(contact_fields(required_email=False))
