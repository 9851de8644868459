"""Each cross-field rule says the same thing twice: as a check and as JSON Schema (schema_rules.py).

For every rule kind, every combination of present / absent / null / empty values is put to both
the validator and a JSON Schema 2020-12 validator of the rule's own schema; they must agree.
"""
from __future__ import annotations

import itertools

import jsonschema_rs
import pytest

from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.schema import Int, ListOf, Obj, Str
from gclap_sandbox.schema_rules import AnyOf, NotEmpty, OneOf, OnlyWhen, Required, Requires, Unless

FIELDS = {"a": Str(), "b": ListOf(Str()), "c": Str(nullable=True), "kind": Str(choices=["x", "y"]), "n": Int()}
# What each field may be in a test input: left out, or one of these values (all valid for the field).
VALUES = {"a": ["", "text"], "b": [[], ["one"]], "c": [None, "text"], "kind": ["x", "y"], "n": [0]}
RULES = {
    "required": [Required("a", "c")],
    "any of": [AnyOf("a", "b", "c")],
    "one of": [OneOf("a", "b")],
    "requires": [Requires("a", "n")],
    "requires a list": [Requires("b", "c")],
    "only when": [OnlyWhen("a", "kind", ["x"], "Only with kind x.")],
    "unless": [Unless("kind", Required("a"), AnyOf("b", "c"))],
    "not empty": [NotEmpty()],
}


def _inputs():
    names = list(VALUES)
    for chosen in itertools.product(*[[None, *range(len(VALUES[name]))] for name in names]):
        yield {name: VALUES[name][i] for name, i in zip(names, chosen) if i is not None}


def _passes(obj: Obj, body: dict) -> bool:
    try:
        obj.validate(body)
    except ValidationFailed:
        return False
    return True


@pytest.mark.parametrize("kind", list(RULES))
def test_a_rule_and_its_json_schema_accept_exactly_the_same_objects(kind):
    obj = Obj(FIELDS, rules=RULES[kind])
    schema = jsonschema_rs.validator_for(obj.json_schema())
    disagreements = [body for body in _inputs() if _passes(obj, body) != schema.is_valid(body)]
    assert disagreements == []


def test_a_broken_rule_names_every_field_it_concerns():
    obj = Obj(FIELDS, rules=[OneOf("a", "b")])
    with pytest.raises(ValidationFailed) as both:
        obj.validate({"a": "x", "b": ["y"]})
    assert both.value.errors == {"a": ["Give exactly one of `a` or `b`."], "b": ["Give exactly one of `a` or `b`."]}


def test_each_rule_is_described_in_the_document():
    schema = Obj(FIELDS, rules=[Unless("kind", Required("a"))]).json_schema()
    assert schema["allOf"][0]["description"] == "Unless `kind` is given: `a` required."
