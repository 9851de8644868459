"""Addresses with NUL, other control characters, line separators or bidi overrides are a 400
naming the field, in every address field of the API, and nothing is stored."""
from __future__ import annotations

import pytest
from helpers import assert_problem

UNSAFE = {
    "NUL": "\u0000",
    "bell": "\u0007",
    "DEL": "\u007f",
    "C1 next-line": "\u0085",
    "line separator": "\u2028",
    "right-to-left override": "\u202e",
    "right-to-left isolate": "\u2067",
}


def _poisoned(unique: str, char: str) -> str:
    return f"a{char}b-{unique}@example.com"


def _captured(api, unique: str) -> int:
    return api.get("/api/v1/emails/", params={"search": unique}).json()["count"]


@pytest.mark.parametrize("char", UNSAFE.values(), ids=UNSAFE.keys())
@pytest.mark.parametrize("field, path", [
    ("to", "to[0]"), ("cc", "cc[0]"), ("bcc", "bcc[0]"), ("reply_to", "reply_to[0]"), ("from_email", "from_email"),
])
def test_send_refuses_the_character_in_every_address_field(api, unique, char, field, path):
    body = {"to": f"ok-{unique}@example.com", "subject": unique, "text": "hi", field: _poisoned(unique, char)}
    problem = assert_problem(api.post("/api/v1/emails/send/", json=body), 400)
    assert list(problem["errors"]) == [path]
    assert _captured(api, unique) == 0


def test_a_bidi_override_in_the_display_name_is_refused_too(api, unique):
    body = {"to": f"Ana \u202egro.live <ana-{unique}@example.com>", "subject": unique, "text": "hi"}
    problem = assert_problem(api.post("/api/v1/emails/send/", json=body), 400)
    assert "U+202E" in problem["errors"]["to[0]"][0]
    assert _captured(api, unique) == 0


def test_the_problem_says_which_character_is_wrong(api, unique):
    body = {"to": _poisoned(unique, "\u0000"), "subject": unique, "text": "hi"}
    problem = assert_problem(api.post("/api/v1/emails/send/", json=body), 400)
    assert problem["errors"] == {"to[0]": ["May not contain control characters or line breaks (U+0000)."]}


def test_plain_international_addresses_still_pass(api, unique):
    body = {"to": [f"José Núñez <jose-{unique}@example.com>", f"\u0645\u0631\u064a\u0645 <m-{unique}@example.com>"],
            "subject": unique, "text": "hi"}
    assert api.post("/api/v1/emails/send/", json=body).status_code == 202


def test_release_and_simulate_refuse_the_character(api, unique):
    email = api.post("/api/v1/emails/send/", json={"to": f"ok-{unique}@example.com", "subject": unique,
                                                    "text": "hi"}).json()
    released = api.post(f"/api/v1/emails/{email['id']}/release/", json={"to": _poisoned(unique, "\u0000")})
    assert list(assert_problem(released, 400)["errors"]) == ["to[0]"]
    simulated = api.post(f"/api/v1/emails/{email['id']}/simulate/",
                         json={"event": "opened", "recipient": _poisoned(unique, "\u202e")})
    assert list(assert_problem(simulated, 400)["errors"]) == ["recipient"]
    events = api.get(f"/api/v1/emails/{email['id']}/events/").json()["results"]
    assert [e["type"] for e in events] == ["email.sent"]


@pytest.mark.parametrize("char", ["\u0000", "\u202e"], ids=["NUL", "RLO"])
def test_contacts_refuse_the_character_on_create_and_update(api, unique, char):
    created = api.post("/api/v1/contacts/", json={"email": _poisoned(unique, char)})
    assert list(assert_problem(created, 400)["errors"]) == ["email"]
    contact = api.post("/api/v1/contacts/", json={"email": f"fine-{unique}@example.com"}).json()
    changed = api.patch(f"/api/v1/contacts/{contact['id']}/", json={"email": _poisoned(unique, char)})
    assert list(assert_problem(changed, 400)["errors"]) == ["email"]
    assert [c["email"] for c in api.get("/api/v1/contacts/", params={"search": unique}).json()["results"]] \
        == [f"fine-{unique}@example.com"]


@pytest.mark.parametrize("char", ["\u0007", "\u202e"], ids=["bell", "RLO"])
def test_an_imported_row_with_the_character_is_skipped_and_reported(api, unique, char):
    csv = f"email\r\n{_poisoned(unique, char)}\r\nok-{unique}@example.com\r\n".encode()
    imported = api.post("/api/v1/contacts/import/", content=csv, headers={"Content-Type": "text/csv"}).json()
    assert (imported["created"], imported["skipped"]) == (1, 1)
    assert [error["row"] for error in imported["errors"]] == [2]
    assert [c["email"] for c in api.get("/api/v1/contacts/", params={"search": unique}).json()["results"]] \
        == [f"ok-{unique}@example.com"]


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_the_suppression_routes_refuse_the_character(api, unique, method):
    response = api.request(method, "/api/v1/suppressions/", params={"email": _poisoned(unique, "\u0000")})
    assert list(assert_problem(response, 400)["errors"]) == ["email"]
