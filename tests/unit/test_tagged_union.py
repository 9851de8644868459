"""A workflow's trigger and steps are declared once (automation/definition.py): the validator and
the OpenAPI document's JSON Schema must accept exactly the same values.

Every trigger and step type is tried with each of its fields left out, and set in turn to each
value of a pool of valid and invalid values (and with an unknown field); a JSON Schema 2020-12
validator of the emitted schema must agree with the request validator every time.
"""
from __future__ import annotations

import jsonschema_rs
import pytest

from gclap_sandbox.automation import definition
from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.schema import Either, Field, Int, ListOf, Obj, Str, TaggedUnion

# A valid example of each type, the base every variation starts from.
TRIGGERS = {
    "contact_created": {},
    "added_to_list": {"list_id": "3f2b"},
    "email_event": {"event": "email.opened"},
    "date_attribute": {"attribute": "birthday"},
    "custom_event": {"event": "signed_up"},
    "manual": {},
}
STEPS = {
    "send_email": {"template_id": "t-1"},
    "wait": {"duration": "2d"},
    "condition": {"attribute": "plan", "yes": 1, "no": "exit"},
    "add_to_list": {"list_id": "l-1"},
    "remove_from_list": {"list_id": "l-1"},
    "update_attribute": {"attribute": "plan", "value": None},
    "call_url": {"url": "https://example.com/hook"},
    "exit": {},
}
# Values each field is set to in turn: some valid for it, most not (and valid for some other field).
POOL = {
    "list_id": ["x", "", "   ", "a" * 36, "a" * 37, 5, None],
    "event": ["email.clicked", "email.sent", "signed_up", "", "x" * 101, None, ["a"]],
    "tag": ["vip", " ", None, 3],
    "campaign_id": ["c", "c" * 37, None],
    "attribute": ["plan", "", "\u3000", "a" * 201, None, 1],
    "offset": ["-7d", "7d", "1h 30m", -3600, 90.5, "-", "soon", "", "2d ", None, True],
    "yearly": [True, False, None, "yes"],
    "template_id": ["t", "", "t" * 37, None, {}],
    "variables": [{}, {"a": 1}, [], None],
    "from_email": ["Ana <a@example.com>", "", None, 1],
    "tags": [[], ["a"], [""], "a", None, [1]],
    "simulate": [[], ["bounce"], [1], None],
    "category": ["marketing", "transactional", "other", None],
    "duration": ["2d", "1h30m", "1.5h", "90", 90, 0, -1, "-2d", "2 d", "soon", "", "inf", None, False],
    "until": ["2030-01-31T09:00:00Z", "2030-01-31T09:00:00+02:00", "tomorrow", "", None, 5],
    "until_attribute": ["renews_on", "", None],
    "operator": ["equals", "contains", "like", None],
    "value": [None, "x", 1, [1], {"a": None}],
    "email_step": [0, 3, -1, 1.0, 1.5, None, "0", True],
    "email_event": ["opened", "email.opened", None],
    "yes": [1, 99, 100, 0, "exit", "EXIT", 2.0, None, True, "1"],
    "no": ["exit", 5, -1, None],
    "url": ["https://x.example/a", "http://x", "ftp://x", "https://x\n/y", "", None, "h" * 2001],
    "secret": ["s3cret", "", None, 7],
    "type": ["manual", "exit", "teleport", None, 1, ["wait"]],
    "surprise": [1],
}


def _variations(examples: dict[str, dict]):
    for kind, example in examples.items():
        base = {"type": kind, **example}
        yield base
        for name in POOL:
            if name in base:
                yield {k: v for k, v in base.items() if k != name}
            for value in POOL[name]:
                yield {**base, name: value}
    yield from ("manual", None, [], 1)


def _document_validator(field: Field):
    """A JSON Schema validator of what the document says of `field` (its `$ref`s resolved)."""
    return jsonschema_rs.validator_for({**field.json_schema(), "components": {"schemas": field.components()}})


def _accepts(field: Field, value) -> bool:
    try:
        Obj({"value": field}).validate({"value": value})
    except ValidationFailed:
        return False
    return True


@pytest.mark.parametrize("field, examples", [(definition.trigger_field(), TRIGGERS), (definition.STEP, STEPS)],
                         ids=["trigger", "step"])
def test_the_validator_and_the_document_accept_exactly_the_same_triggers_and_steps(field, examples):
    schema = _document_validator(field)
    cases = list(_variations(examples))
    disagreements = [case for case in cases if _accepts(field, case) != schema.is_valid(case)]
    assert disagreements == []
    assert sum(map(schema.is_valid, cases)) > len(examples) * 4  # both accept a good many, not only refuse


def test_each_type_is_one_object_schema_with_its_type_as_a_const_and_no_other_fields():
    variants = definition.trigger_field().components()["WorkflowTrigger"]["oneOf"]
    email_event = next(v for v in variants if v["properties"]["type"] == {"const": "email_event"})
    assert email_event["required"] == ["type", "event"]
    assert email_event["additionalProperties"] is False
    assert email_event["properties"]["event"]["enum"] == list(definition.EMAIL_EVENTS)


def _errors(body: dict) -> dict[str, list[str]]:
    body_schema = Obj({"trigger": definition.trigger_field(), "steps": ListOf(definition.STEP)})
    with pytest.raises(ValidationFailed) as refused:
        body_schema.validate(body)
    return refused.value.errors


def test_a_bad_field_is_named_by_its_path_in_the_request():
    assert _errors({"trigger": {"type": "email_event", "event": "email.sent"}}) == {
        "trigger.event": ["Must be one of: " + ", ".join(definition.EMAIL_EVENTS) + "."]}
    assert list(_errors({"steps": [{"type": "exit"}, {"type": "exit"}, {"type": "send_email"}]})) == [
        "steps[2].template_id"]
    assert list(_errors({"steps": [{"type": "teleport"}]})) == ["steps[0].type"]
    assert _errors({"steps": ["wait"]}) == {"steps[0]": ["Must be an object with a `type`."]}
    assert list(_errors({"steps": [{"type": "exit", "duration": "2d"}]})) == ["steps[0].duration"]


def test_a_wait_names_each_of_its_three_ways_when_it_has_none_or_two():
    assert set(_errors({"steps": [{"type": "wait", "duration": "2d", "until": "2030-01-01T00:00:00Z"}]})) == {
        "steps[0].duration", "steps[0].until", "steps[0].until_attribute"}


def test_a_branch_must_go_forward_and_an_email_condition_must_look_back_at_a_send():
    steps = [{"type": "wait", "duration": 60},
             {"type": "condition", "email_step": 0, "email_event": "opened", "yes": 1, "no": 5}]
    errors: dict[str, list[str]] = {}
    definition.check_positions(steps, errors)
    assert errors == {"steps[1].yes": ['Must be the index of a later step (2..1) or "exit".'],
                      "steps[1].no": ['Must be the index of a later step (2..1) or "exit".'],
                      "steps[1].email_step": ["Step 0 does not send an email."]}


SHAPES = TaggedUnion("kind", {"dot": Obj({}), "box": Obj({"side": Int(required=True, minimum=1)})})


@pytest.mark.parametrize("value, valid", [
    ({"kind": "dot"}, True), ({"kind": "box", "side": 2}, True), ({"kind": "box"}, False),
    ({"kind": "dot", "side": 2}, False), ({"kind": "box", "side": 0}, False), ({"kind": "cube"}, False),
    ({}, False), ("dot", False), (None, False),
])
def test_a_tagged_union_validates_and_documents_the_same_shapes(value, valid):
    assert _accepts(SHAPES, value) is valid
    assert jsonschema_rs.validator_for(SHAPES.json_schema()).is_valid(value) is valid


EITHER = Either(Str(choices=["none"]), Int(minimum=0), message="A count or none.", nullable=True)


@pytest.mark.parametrize("value, valid", [
    ("none", True), (0, True), (3.0, True), (None, True), (-1, False), ("3", False), (True, False), ([], False)])
def test_either_accepts_what_one_of_its_choices_accepts(value, valid):
    assert _accepts(EITHER, value) is valid
    assert jsonschema_rs.validator_for(EITHER.json_schema()).is_valid(value) is valid


def test_either_keeps_the_cleaned_value_of_the_choice_that_took_it():
    assert Obj({"n": EITHER}).validate({"n": 3.0}) == {"n": 3}
    with pytest.raises(ValidationFailed) as refused:
        Obj({"n": EITHER}).validate({"n": -1})
    assert refused.value.errors == {"n": ["A count or none."]}
