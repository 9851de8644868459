"""Declarative request schemas: one definition validates input and documents it (JSON Schema).

`Obj({...}).validate(data)` returns the cleaned value or raises `ValidationFailed` naming
every bad field (dotted paths, e.g. `attachments[0].content`). `.json_schema()` gives the
OpenAPI 3.1 schema of the same definition, so the docs cannot drift from the checks.

Rules between an object's fields ("exactly one of `seconds` or `to`", "`subject` unless
`template_id`") are `Rule` objects in `Obj(..., rules=[...])`: each checks the input and
states itself in JSON Schema 2020-12 (`oneOf`, `anyOf`, `dependentRequired`, `if`/`else`,
`minProperties`). `extra_check` is left for what JSON Schema cannot say (and the field's
description then says it in words).
"""
from __future__ import annotations

import binascii
import re
from datetime import datetime, timezone
from email.utils import getaddresses
from typing import Any, Callable, Sequence

from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.mail.addresses import normalize_address, unsafe_character
from gclap_sandbox.schema_rules import Rule, Sent

Errors = dict[str, list[str]]
MISSING: Any = object()

# One character Python's str.strip() keeps, for a JSON Schema pattern ("not blank"); spelled
# out, as ECMA-262's \s is not Python's idea of whitespace.
NOT_BLANK = "[^\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"

# What `Str(single_line=True)` allows, as a JSON Schema pattern.
SINGLE_LINE_PATTERN = r"^[^\r\n\x00]*$"

class Field:
    json_type: str | None = None

    def __init__(self, *, required: bool = False, nullable: bool = False,
                 default: Any = MISSING, description: str = "") -> None:
        self.required = required
        self.nullable = nullable
        self.default = default
        self.description = description

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if value is None:
            if self.nullable:
                return None
            _add(errors, path, "May not be null.")
            return None
        return self.clean(value, path, errors)

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        return value

    def json_schema(self) -> dict[str, Any]:
        schema = self.own_schema()
        if self.nullable and "type" in schema:
            schema["type"] = [schema["type"], "null"]
            if "enum" in schema:  # else the enum would still refuse the null the type allows
                schema["enum"] = [*schema["enum"], None]
        if self.description:
            schema["description"] = self.description
        if self.default is not MISSING and not callable(self.default):
            schema["default"] = self.default
        return schema

    def own_schema(self) -> dict[str, Any]:
        return {"type": self.json_type} if self.json_type else {}

    def components(self) -> dict[str, dict[str, Any]]:
        """Named schemas this one refers to with `$ref` (for the document's `components.schemas`)."""
        return {}


def _add(errors: Errors, path: str, message: str) -> None:
    errors.setdefault(path or "body", []).append(message)


class Str(Field):
    json_type = "string"

    def __init__(self, *, min_length: int = 0, max_length: int | None = None,
                 choices: list[str] | None = None, pattern: str | None = None,
                 pattern_hint: str = "", single_line: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.min_length, self.max_length, self.choices = min_length, max_length, choices
        # ASCII: `\w` and `\d` then mean what they mean in the document's ECMA-262 regexes.
        self.pattern = re.compile(pattern, re.ASCII) if pattern else None
        self.pattern_hint, self.single_line = pattern_hint, single_line

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, str):
            _add(errors, path, "Must be a string.")
            return None
        if len(value) < self.min_length:
            _add(errors, path, "May not be blank." if self.min_length == 1
                 else f"Must be at least {self.min_length} characters.")
        if self.max_length is not None and len(value) > self.max_length:
            _add(errors, path, f"Must be at most {self.max_length} characters.")
        if self.choices is not None and value not in self.choices:
            _add(errors, path, f"Must be one of: {', '.join(self.choices)}.")
        if self.single_line and any(ch in value for ch in "\r\n\0"):
            _add(errors, path, "May not contain line breaks or NUL characters.")
        elif self.pattern is not None and not self.pattern.fullmatch(value):
            _add(errors, path, self.pattern_hint or f"Must match {self.pattern.pattern}.")
        return value

    def own_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        if self.min_length:
            schema["minLength"] = self.min_length
        if self.max_length is not None:
            schema["maxLength"] = self.max_length
        if self.choices is not None:
            schema["enum"] = list(self.choices)
        # JSON Schema's `pattern` searches; the check matches the whole value: anchor it.
        patterns = [f"^(?:{self.pattern.pattern})$"] if self.pattern is not None else []
        if self.single_line:
            patterns.append(SINGLE_LINE_PATTERN)
        if patterns:
            schema["pattern"] = patterns[0]
        if len(patterns) > 1:
            schema["allOf"] = [{"pattern": extra} for extra in patterns[1:]]
        return schema


class Int(Field):
    json_type = "integer"
    _kind = "an integer"

    def __init__(self, *, minimum: int | None = None, maximum: int | None = None,
                 from_string: bool = False, choices: list[int] | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.minimum, self.maximum, self.from_string = minimum, maximum, from_string
        self.choices = choices

    def _convert(self, text: str) -> Any:
        return int(text)

    def _accepts(self, value: Any) -> bool:
        # JSON Schema's "integer" is any number with a zero fraction: 5.0 is an integer too.
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())

    def _normal(self, value: Any) -> Any:
        return int(value)

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        if self.from_string and isinstance(value, str):
            try:
                value = self._convert(value.strip())
            except ValueError:
                _add(errors, path, f"Must be {self._kind}.")
                return None
        if isinstance(value, bool) or not self._accepts(value):
            _add(errors, path, f"Must be {self._kind}.")
            return None
        if value != value or value in (float("inf"), float("-inf")):  # NaN and infinities
            _add(errors, path, f"Must be {self._kind}.")
            return None
        if self.minimum is not None and value < self.minimum:
            _add(errors, path, f"Must be at least {self.minimum}.")
        if self.maximum is not None and value > self.maximum:
            _add(errors, path, f"Must be at most {self.maximum}.")
        if self.choices is not None and value not in self.choices:
            _add(errors, path, f"Must be one of: {', '.join(map(str, self.choices))}.")
        return self._normal(value)

    def own_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": self.json_type}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.choices is not None:
            schema["enum"] = list(self.choices)
        return schema


class Number(Int):
    json_type = "number"
    _kind = "a number"

    def _convert(self, text: str) -> Any:
        return float(text)

    def _accepts(self, value: Any) -> bool:
        return isinstance(value, (int, float))

    def _normal(self, value: Any) -> Any:
        return value


class Bool(Field):
    json_type = "boolean"

    def __init__(self, *, from_string: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.from_string = from_string

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        if self.from_string and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
        if not isinstance(value, bool):
            _add(errors, path, "Must be a boolean.")
            return None
        return value


class DateTime(Field):
    json_type = "string"

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, str):
            _add(errors, path, "Must be an ISO 8601 date-time string.")
            return None
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            _add(errors, path, "Must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z.")
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        try:
            return parsed.astimezone(timezone.utc)
        except OverflowError:  # e.g. 9999-12-31T23:00:00-05:00 is past year 9999 in UTC
            _add(errors, path, "Out of the supported range of dates.")
            return None

    def own_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date-time"}


class Uuid(Str):
    _RE = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, str) or not self._RE.match(value.strip()):
            _add(errors, path, "Must be a UUID.")
            return None
        return value.strip().lower()

    def own_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "uuid"}


class Address(Field):
    """An email address, optionally with a display name: `a@b.c` or `Ana <a@b.c>`."""

    json_type = "string"

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, str):
            _add(errors, path, "Must be an email address string.")
            return None
        trimmed = value.strip()  # surrounding whitespace is trimmed, as ever
        if normalize_address(trimmed) is not None:
            return trimmed
        # Not an address: say why.
        unsafe = unsafe_character(trimmed)
        if unsafe is not None:
            _add(errors, path, unsafe)
        elif len(getaddresses([value])) > 1:
            _add(errors, path, "One address per item: give several addresses as a JSON list.")
        else:
            _add(errors, path, f"Not a valid email address: {value!r}.")
        return None

    def own_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "email"}


_B64_SPACE = "[ \\t\\r\\n]*"  # line breaks and spaces between symbols are ignored (MIME wraps base64)
_B64_SYMBOL = f"[A-Za-z0-9+/]{_B64_SPACE}"
_NO_SPACE = str.maketrans("", "", " \t\r\n")


class Base64(Field):
    """Standard base64 with its `=` padding, as the document's pattern spells it out."""

    json_type = "string"
    PATTERN = (f"^{_B64_SPACE}(?:(?:{_B64_SYMBOL}){{4}})*"
               f"(?:(?:{_B64_SYMBOL}){{2}}={_B64_SPACE}={_B64_SPACE}|(?:{_B64_SYMBOL}){{3}}={_B64_SPACE})?$")

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, str):
            _add(errors, path, "Must be a base64 string.")
            return None
        compact = value.translate(_NO_SPACE)
        # The strict decoder still lets `AAAA=` and `AAAA====` through; PATTERN does not.
        if len(compact) % 4 or len(compact) - len(compact.rstrip("=")) > 2 or not compact.isascii():
            _add(errors, path, "Not valid base64.")
            return None
        try:
            return binascii.a2b_base64(compact.encode("ascii"), strict_mode=True)
        except binascii.Error:
            _add(errors, path, "Not valid base64.")
            return None

    def own_schema(self) -> dict[str, Any]:
        return {"type": "string", "contentEncoding": "base64", "pattern": self.PATTERN}


class ListOf(Field):
    json_type = "array"

    def __init__(self, item: Field, *, min_items: int = 0, max_items: int | None = None,
                 one_or_many: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.item, self.min_items, self.max_items = item, min_items, max_items
        self.one_or_many = one_or_many

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        if self.one_or_many and not isinstance(value, list):
            value = [value]
        if not isinstance(value, list):
            _add(errors, path, "Must be a list.")
            return None
        if len(value) < self.min_items:
            _add(errors, path, "May not be empty." if self.min_items == 1
                 else f"Must have at least {self.min_items} items.")
        if self.max_items is not None and len(value) > self.max_items:
            _add(errors, path, f"Must have at most {self.max_items} items.")
            return None
        return [self.item.check(v, f"{path}[{i}]", errors) for i, v in enumerate(value)]

    def own_schema(self) -> dict[str, Any]:
        array: dict[str, Any] = {"type": "array", "items": self.item.json_schema()}
        if self.min_items:
            array["minItems"] = self.min_items
        if self.max_items is not None:
            array["maxItems"] = self.max_items
        if self.one_or_many:
            return {"oneOf": [self.item.json_schema(), array]}
        return array

    def components(self) -> dict[str, dict[str, Any]]:
        return self.item.components()


class MapOf(Field):
    """An object with free-form keys, e.g. custom headers or metadata."""

    json_type = "object"

    def __init__(self, value: Field | None = None, *, keys: Str | None = None, max_items: int | None = None,
                 **kw: Any) -> None:
        super().__init__(**kw)
        self.value, self.keys, self.max_items = value, keys, max_items

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, dict):
            _add(errors, path, "Must be an object.")
            return None
        if self.max_items is not None and len(value) > self.max_items:
            _add(errors, path, f"Must have at most {self.max_items} keys.")
        if self.keys is not None:
            for key in value:
                self.keys.check(key, f"{path}.{key}", errors)
        if self.value is None:
            return value
        return {k: self.value.check(v, f"{path}.{k}", errors) for k, v in value.items()}

    def own_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object"}
        if self.max_items is not None:
            schema["maxProperties"] = self.max_items
        if self.keys is not None:
            schema["propertyNames"] = self.keys.json_schema()
        if self.value is not None:
            schema["additionalProperties"] = self.value.json_schema()
        return schema

    def components(self) -> dict[str, dict[str, Any]]:
        return self.value.components() if self.value is not None else {}


class Obj(Field):
    json_type = "object"

    def __init__(self, fields: dict[str, Field], *, rules: Sequence[Rule] = (),
                 extra_check: Callable[[dict, Errors], None] | None = None,
                 allow_unknown: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.fields, self.extra_check, self.allow_unknown = fields, extra_check, allow_unknown
        self.rules = tuple(rules)

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, dict):
            _add(errors, path, "Must be a JSON object.")
            return None
        prefix = f"{path}." if path else ""
        cleaned: dict[str, Any] = {}
        for name, field in self.fields.items():
            if name in value:
                cleaned[name] = field.check(value[name], prefix + name, errors)
            elif field.required:
                _add(errors, prefix + name, "This field is required.")
            elif field.default is not MISSING:
                cleaned[name] = field.default() if callable(field.default) else field.default
        if not self.allow_unknown:
            for name in value:
                if name not in self.fields:
                    _add(errors, prefix + name, "Unknown field.")
        sent = Sent(value)
        for rule in self.rules:
            for name, message in rule.problems(sent).items():
                _add(errors, prefix + name if name else path, message)
        if self.extra_check and not errors:
            self.extra_check(cleaned, errors)
        return cleaned

    def validate(self, value: Any) -> dict[str, Any]:
        return self._validated(value, {})

    def validate_query(self, args: dict[str, str]) -> dict[str, Any]:
        """Validate query-string parameters; an empty (or blank) value is an error naming the
        parameter, never "no filter": `DELETE ...?to=$UNSET` must not widen to everything."""
        blank = {name for name, value in args.items() if not value.strip()}
        errors: Errors = {name: ["May not be empty; leave the parameter out instead."] for name in blank}
        return self._validated({k: v for k, v in args.items() if k not in blank}, errors)

    def _validated(self, value: Any, errors: Errors) -> dict[str, Any]:
        cleaned = self.check(value, "", errors)
        if errors:
            raise ValidationFailed(errors)
        return cleaned

    def accepts_empty(self) -> bool:
        """Whether `{}` passes: then a request may leave this body out altogether."""
        errors: Errors = {}
        self.clean({}, "", errors)
        return not errors

    def given_schema(self, name: str) -> dict[str, Any]:
        """JSON Schema for "the client gave `name`": present, not null, a list not empty."""
        field = self.fields[name]
        value: dict[str, Any] = {}
        if field.nullable:
            value["not"] = {"type": "null"}
        if isinstance(field, ListOf):
            value["minItems"] = 1
        return {"required": [name], **({"properties": {name: value}} if value else {})}

    def own_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {name: f.json_schema() for name, f in self.fields.items()},
        }
        required = [name for name, f in self.fields.items() if f.required]
        if required:
            schema["required"] = required
        if not self.allow_unknown:
            schema["additionalProperties"] = False
        if self.rules:  # each rule a subschema of its own, described by its message
            schema["allOf"] = [{"description": rule.summary, **rule.json_schema(self)} for rule in self.rules]
        return schema

    def components(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for field in self.fields.values():
            found.update(field.components())
        return found


class Either(Field):
    """A value that one of several fields accepts (`2d` or 3600; a step index or "exit"):
    the first that accepts it cleans it. JSON Schema: `anyOf` of their schemas."""

    def __init__(self, *choices: Field, message: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.choices, self.message = choices, message

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        for choice in self.choices:
            found: Errors = {}
            cleaned = choice.check(value, path, found)
            if not found:
                return cleaned
        _add(errors, path, self.message)
        return None

    def own_schema(self) -> dict[str, Any]:
        choices = [choice.json_schema() for choice in self.choices]
        return {"anyOf": choices + ([{"type": "null"}] if self.nullable else [])}

    def components(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for choice in self.choices:
            found.update(choice.components())
        return found


class TaggedUnion(Field):
    """An object whose shape depends on one field, its tag: `{"type": "wait", "duration": "2d"}`.

    `TaggedUnion("type", {"wait": Obj({...}), "exit": Obj({})})` checks the tag, then the rest
    with that tag's Obj (unknown fields refused); JSON Schema: `oneOf` of one object per tag, its
    tag a `const`. With `name`, that schema is stated once in `components.schemas` and referred to.
    """

    json_type = "object"

    def __init__(self, tag: str, shapes: dict[str, Obj], *, name: str = "", **kw: Any) -> None:
        super().__init__(**kw)
        self.tag, self.name = tag, name
        # Each shape gets the tag as a required field of its own, accepting that tag alone.
        self.shapes = {kind: Obj({tag: Str(required=True, choices=[kind]), **shape.fields}, rules=shape.rules,
                                 extra_check=shape.extra_check, description=shape.description)
                       for kind, shape in shapes.items()}

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, dict):
            _add(errors, path, f"Must be an object with a `{self.tag}`.")
            return None
        kind = value.get(self.tag)
        if not isinstance(kind, str) or kind not in self.shapes:
            _add(errors, f"{path}.{self.tag}" if path else self.tag, f"Must be one of: {', '.join(self.shapes)}.")
            return None
        return self.shapes[kind].clean(value, path, errors)

    def union_schema(self) -> dict[str, Any]:
        variants = []
        for kind, shape in self.shapes.items():
            variant = shape.json_schema()
            variant["properties"][self.tag] = {"const": kind}
            variants.append(variant)
        return {"oneOf": variants}

    def own_schema(self) -> dict[str, Any]:
        schema = {"$ref": f"#/components/schemas/{self.name}"} if self.name else self.union_schema()
        return {"anyOf": [schema, {"type": "null"}]} if self.nullable else schema

    def components(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {self.name: self.union_schema()} if self.name else {}
        for shape in self.shapes.values():
            found.update(shape.components())
        return found
