"""Pure pieces: address parsing, schema validation, MIME parsing."""
from __future__ import annotations

import pytest

from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.mail import headers
from gclap_sandbox.mail import message as mail
from gclap_sandbox.schema import Address, Base64, Int, ListOf, Obj, Str
from gclap_sandbox.settings import parse_addr


@pytest.mark.parametrize("value,expected", [
    ("8000", ("127.0.0.1", 8000)), ("0", ("127.0.0.1", 0)), ("0.0.0.0:1025", ("0.0.0.0", 1025)),
    ("localhost:0", ("localhost", 0)), ("[::1]:8025", ("::1", 8025)),
])
def test_parse_addr(value, expected):
    assert parse_addr(value) == expected


@pytest.mark.parametrize("value", ["", "host", "host:", ":80", "host:99999", "host:x"])
def test_parse_addr_rejects(value):
    with pytest.raises(ValueError):
        parse_addr(value)


def test_schema_collects_every_error_with_paths():
    schema = Obj({"to": ListOf(Address(), one_or_many=True, required=True),
                  "n": Int(minimum=1), "files": ListOf(Obj({"data": Base64(required=True)}))})
    with pytest.raises(ValidationFailed) as info:
        schema.validate({"to": ["ok@example.com", "nope"], "n": 0, "files": [{"data": "*"}, {}], "x": 1})
    assert set(info.value.errors) == {"to[1]", "n", "files[0].data", "files[1].data", "x"}


def test_schema_cleans_values():
    schema = Obj({"to": ListOf(Address(), one_or_many=True), "s": Str(default="d")})
    assert schema.validate({"to": "Ana <a@example.com>"}) == {"to": ["Ana <a@example.com>"], "s": "d"}


def test_json_schema_of_one_or_many():
    schema = ListOf(Address(), one_or_many=True).json_schema()
    assert schema["oneOf"][0]["format"] == "email" and schema["oneOf"][1]["type"] == "array"


@pytest.mark.parametrize("address", ["a@b.c", "Ana <ana@example.com>", "x+tag@sub.example.co", "root@localhost"])
def test_addresses_accepted(address):
    assert Address().clean(address, "a", {}) == address


@pytest.mark.parametrize("address", ["", "no-at", "a@", "@b.c", "a@b..c", "a b@c.d", "a@b.c\r\nBcc: x@y.z"])
def test_addresses_rejected(address):
    errors: dict = {}
    Address().clean(address, "a", errors)
    assert list(errors) == ["a"] and errors["a"][0]  # the field is named, with a reason


def test_parse_never_raises_on_garbage():
    for raw in (b"", b"\x00\xff" * 100, b"Content-Type: multipart/mixed\r\n\r\nno boundary"):
        _, parsed = mail.parse_message(raw)
        assert parsed.size == len(raw)


def test_snippet_from_html_drops_markup_and_styles():
    html = "<style>p{color:red}</style><p>Hello&nbsp;<b>there</b></p>"
    assert mail.make_snippet(None, html) == "Hello there"


def test_without_headers_drops_fields_and_their_folded_lines():
    raw = b"Subject: hi\r\nX-Gclap-Simulate: opened,\r\n clicked\r\nTo: a@b.c\r\n\r\nX-Gclap-Simulate: body\r\n"
    assert headers.without_headers(raw, ("X-Gclap-Simulate",)) == (
        b"Subject: hi\r\nTo: a@b.c\r\n\r\nX-Gclap-Simulate: body\r\n")
