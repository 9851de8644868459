"""Request fields shared by the contacts, lists and import routes."""
from __future__ import annotations

from typing import Any

from gclap_sandbox.api.segment_schema import (
    RULE_REF,
    segment_rule_schemas,
)
from gclap_sandbox.contacts.segments import validate_rules
from gclap_sandbox.schema import Errors, Field, ListOf, Uuid

MAX_BULK = 10_000


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
