"""The JSON Schema of a segment's rule tree, built from the constants `segments.py` checks with.

`SegmentRule` is a group (`{"all": [...]}` / `{"any": [...]}`) or a condition; each condition
schema pairs a field kind with the operators it takes and the value they need, so a client
generator (or a fuzzer) knows exactly which trees the API accepts. What JSON Schema cannot
count (nesting depth, conditions in all) is said in the description.
"""
from __future__ import annotations

from typing import Any

from gclap_sandbox.contacts import segments
from gclap_sandbox.contacts.fields import NUMBER_SCHEMAS
from gclap_sandbox.models.contacts import CONTACT_STATUSES

RULE_REF = {"$ref": "#/components/schemas/SegmentRule"}
_COMPARE = ["eq", "ne", "gt", "gte", "lt", "lte"]
_TEXT = ["contains", "starts_with", "ends_with"]
_DAYS = {"type": "integer", "minimum": 0, "maximum": 36500}
_STRING: dict[str, Any] = {"type": "string"}
_DATE = {"type": "string", "format": "date-time"}
_ATTRIBUTE_VALUE = {"anyOf": [{"type": "string"}, {"type": "boolean"}, *NUMBER_SCHEMAS]}


def _condition(field: dict[str, Any] | None, ops: list[str], value: dict[str, Any] | None,
               value_required: bool = True) -> dict[str, Any]:
    properties: dict[str, Any] = {"op": {"enum": ops}}
    required = ["op"]
    if field is not None:
        properties["field"] = field
        required.insert(0, "field")
    if value is not None:
        properties["value"] = value
        if value_required:
            required.append("value")
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": False}


def _field_conditions(field: dict[str, Any], scalar: dict[str, Any], *, text_ops: bool,
                      exists: bool = True, within_days: bool = False) -> list[dict[str, Any]]:
    found = [_condition(field, _COMPARE + (_TEXT if text_ops else []), scalar),
             _condition(field, ["in"], {"type": "array", "minItems": 1, "maxItems": 1000, "items": scalar})]
    if exists:
        found.append(_condition(field, ["exists"], {"type": "boolean"}, value_required=False))
    if within_days:
        found.append(_condition(field, ["within_days"], _DAYS))
    return found


def _list_conditions() -> list[dict[str, Any]]:
    field = {"const": "list"}
    return [_condition(field, ["eq", "ne"], _STRING),
            _condition(field, ["in"], {"type": "array", "minItems": 1, "maxItems": 1000, "items": _STRING})]


def _group(key: str) -> dict[str, Any]:
    return {"type": "object", "required": [key], "additionalProperties": False,
            "properties": {key: {"type": "array", "minItems": 1, "items": RULE_REF}}}


def segment_rule_schemas() -> dict[str, dict[str, Any]]:
    """`components.schemas` entries: SegmentRule (recursive), SegmentGroup, SegmentCondition."""
    text_fields = [name for name in segments.TEXT_FIELDS if name != "status"]
    attribute = {"type": "string", "pattern": r"^attributes\.[A-Za-z0-9_\-]{1,100}$"}
    status = {"enum": list(CONTACT_STATUSES)}
    conditions = [
        _condition(None, ["opened_within_days", "clicked_within_days"], _DAYS),
        _condition(None, ["never_opened"], None),
        *_field_conditions({"enum": text_fields}, _STRING, text_ops=True),
        *_field_conditions({"const": "status"}, status, text_ops=True),
        *_field_conditions({"enum": list(segments.DATE_FIELDS)}, _DATE, text_ops=False, within_days=True),
        *_list_conditions(),
        *_field_conditions(attribute, _ATTRIBUTE_VALUE, text_ops=False),
        _condition(attribute, _TEXT, _STRING),
    ]
    return {
        "SegmentRule": {
            "description": f"A group or a condition. Groups nest at most {segments.MAX_DEPTH} deep, with at "
                           f"most {segments.MAX_CONDITIONS} conditions in all.",
            "anyOf": [{"$ref": "#/components/schemas/SegmentGroup"},
                      {"$ref": "#/components/schemas/SegmentCondition"}]},
        "SegmentGroup": {"description": "Every rule (`all`) or any rule (`any`) of a non-empty list.",
                         "oneOf": [_group("all"), _group("any")]},
        "SegmentCondition": {
            "description": "A field, an operator for that kind of field, and the value it needs. "
                           "Engagement operators (opened_within_days, clicked_within_days, never_opened) "
                           "take no field.",
            "anyOf": conditions},
    }
