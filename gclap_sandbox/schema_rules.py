"""Rules between the fields of one object, each checked and documented from one declaration.

    Obj({...}, rules=[OneOf("seconds", "to")])

A rule reads which fields the client *gave* (present, not null, and for a list not empty)
and names every field it concerns in the 400's `errors`. `json_schema(obj)` states the same
rule in JSON Schema 2020-12, so the OpenAPI document says what the validator enforces.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gclap_sandbox.schema import Obj


class Sent:
    """The object as the client sent it, and which of its fields count as given."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def given(self, name: str) -> bool:
        value = self.raw.get(name)
        return value is not None and value != []

    def value(self, name: str) -> Any:
        return self.raw.get(name)


def _names(names: tuple[str, ...], joiner: str = "or") -> str:
    quoted = [f"`{name}`" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" {joiner} " + quoted[-1]


class Rule:
    """One cross-field rule: `problems` for the validator, `json_schema` and `summary` for the document."""

    message = ""  # what a 400 says
    summary = ""  # what the document says

    def problems(self, sent: Sent) -> dict[str, str]:
        """{field name ("" for the object itself): message} when the rule is broken, else {}."""
        raise NotImplementedError

    def json_schema(self, obj: Obj) -> dict[str, Any]:
        raise NotImplementedError


class Required(Rule):
    """Every one of these fields must be given (used inside `Unless`)."""

    def __init__(self, *names: str, message: str = "This field is required.") -> None:
        self.names, self.message = names, message
        self.summary = f"{_names(names, 'and')} required."

    def problems(self, sent: Sent) -> dict[str, str]:
        return {name: self.message for name in self.names if not sent.given(name)}

    def json_schema(self, obj: Obj) -> dict[str, Any]:
        return _all_of([obj.given_schema(name) for name in self.names])


class AnyOf(Rule):
    """At least one of these fields must be given."""

    def __init__(self, *names: str, message: str = "") -> None:
        self.names = names
        self.message = message or f"Give {_names(names)} (or more than one)."
        self.summary = f"At least one of {_names(names)}."

    def problems(self, sent: Sent) -> dict[str, str]:
        return {} if any(sent.given(name) for name in self.names) else {name: self.message for name in self.names}

    def json_schema(self, obj: Obj) -> dict[str, Any]:
        return {"anyOf": [obj.given_schema(name) for name in self.names]}


class OneOf(Rule):
    """Exactly one of these fields must be given."""

    def __init__(self, *names: str, message: str = "") -> None:
        self.names = names
        self.message = message or f"Give exactly one of {_names(names)}."
        self.summary = f"Exactly one of {_names(names)}."

    def problems(self, sent: Sent) -> dict[str, str]:
        if sum(sent.given(name) for name in self.names) == 1:
            return {}
        return {name: self.message for name in self.names}

    def json_schema(self, obj: Obj) -> dict[str, Any]:
        return {"oneOf": [obj.given_schema(name) for name in self.names]}


class Requires(Rule):
    """A field that only makes sense with another: `variables` needs `template_id`."""

    def __init__(self, name: str, needs: str, message: str = "") -> None:
        self.name, self.needs = name, needs
        self.message = message or f"Only used with `{needs}`."
        self.summary = f"`{name}` only with `{needs}`."

    def problems(self, sent: Sent) -> dict[str, str]:
        return {self.name: self.message} if sent.given(self.name) and not sent.given(self.needs) else {}

    def json_schema(self, obj: Obj) -> dict[str, Any]:
        given, needed = obj.given_schema(self.name), obj.given_schema(self.needs)
        if given == {"required": [self.name]} and needed == {"required": [self.needs]}:
            return {"dependentRequired": {self.name: [self.needs]}}
        return {"if": given, "then": needed}


class OnlyWhen(Rule):
    """A field allowed only when another has one of some values: `url` only for a click."""

    def __init__(self, name: str, other: str, values: list[Any], message: str) -> None:
        self.name, self.other, self.values, self.message = name, other, values, message
        self.summary = f"`{name}` only when `{other}` is {_names(tuple(map(str, values)))}."

    def problems(self, sent: Sent) -> dict[str, str]:
        if sent.given(self.name) and sent.value(self.other) not in self.values:
            return {self.name: self.message}
        return {}

    def json_schema(self, obj: Obj) -> dict[str, Any]:
        return {"if": obj.given_schema(self.name),
                "then": {"required": [self.other], "properties": {self.other: {"enum": list(self.values)}}}}


class Unless(Rule):
    """Rules that apply only when a field is not given: with `template_id`, no `subject` needed."""

    def __init__(self, name: str, *rules: Rule) -> None:
        self.name, self.rules = name, rules
        self.message = " ".join(rule.message for rule in rules)
        self.summary = f"Unless `{name}` is given: " + " ".join(rule.summary for rule in rules)

    def problems(self, sent: Sent) -> dict[str, str]:
        if sent.given(self.name):
            return {}
        found: dict[str, str] = {}
        for rule in self.rules:
            found.update(rule.problems(sent))
        return found

    def json_schema(self, obj: Obj) -> dict[str, Any]:
        return {"if": obj.given_schema(self.name), "else": _all_of([rule.json_schema(obj) for rule in self.rules])}


class NotEmpty(Rule):
    """At least one field (a PATCH that changes nothing is a mistake)."""

    def __init__(self, message: str = "Give at least one field.") -> None:
        self.message = message
        self.summary = "At least one field."

    def problems(self, sent: Sent) -> dict[str, str]:
        return {} if sent.raw else {"": self.message}

    def json_schema(self, obj: Obj) -> dict[str, Any]:
        return {"minProperties": 1}


class Excludes(Rule):
    """Two ways of saying one thing, never both: a `period` or a `from`/`to` range."""

    def __init__(self, name: str, other: str, message: str = "") -> None:
        self.name, self.other = name, other
        self.message = message or f"Give `{name}` or `{other}`, not both."
        self.summary = f"Not both `{name}` and `{other}`."

    def problems(self, sent: Sent) -> dict[str, str]:
        both = sent.given(self.name) and sent.given(self.other)
        return {self.name: self.message, self.other: self.message} if both else {}

    def json_schema(self, obj: Obj) -> dict[str, Any]:
        return {"not": _all_of([obj.given_schema(self.name), obj.given_schema(self.other)])}


def _all_of(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    return schemas[0] if len(schemas) == 1 else {"allOf": schemas}
