"""Every documented route answers junk input with a clear 4xx problem, never a 500."""
from __future__ import annotations

import re
import uuid

import pytest

JUNK_BODIES = [
    b"",
    b"not json",
    b"[]",
    b'"text"',
    b"null",
    b'{"x": 1}',
    b'{"to": 5, "name": [], "url": {}, "events": "email.sent", "email": 7, "rules": "all", "seconds": "x"}',
    b'{"a": 1e999}',
    b'{"a": "\\ud800"}',
    b"[" * 5000,
    b'{"name": "' + b"x" * 100_000 + b'"}',
]
JUNK_QUERIES = [{"page": "-1"}, {"page_size": "x"}, {"unknown": "1"}, {"since": "not-a-date"}]


@pytest.fixture(scope="module")
def junk_box(own_sandbox):
    return own_sandbox


def _operations(document: dict) -> list[tuple[str, str]]:
    return [(method.upper(), path) for path, ops in document["paths"].items() for method in ops]


def _fill(path: str, known: dict[str, str]) -> str:
    """Real ids where we have them (so handlers run past the lookup), a missing one elsewhere."""
    return re.sub(r"\{([^}]+)\}", lambda m: known.get(m.group(1), str(uuid.UUID(int=1))), path)


def test_junk_never_gets_a_server_error(junk_box):
    with junk_box.client() as api:
        operations = _operations(api.get("/api/v1/openapi.json").json())
        assert len(operations) > 50
        sent = api.post("/api/v1/emails/send/", json={
            "to": "junk@example.com", "subject": "s", "html": "<a href='https://x.test'>x</a>",
            "attachments": [{"filename": "a.txt", "content": "aGk="}]}).json()
        contact = api.post("/api/v1/contacts/", json={"email": "junk-contact@example.com"}).json()
        known = {"email_id": sent["id"], "contact_id": contact["id"]}
        failures = []
        for method, path in operations:
            if path == "/api/v1/sandbox/reset/":
                continue  # wipes the keys this test uses when given {"all": true}-like junk
            url = _fill(path, known)
            attempts = [dict(content=body, headers={"Content-Type": "application/json"}) for body in JUNK_BODIES]
            attempts += [dict(params=query) for query in JUNK_QUERIES]
            for attempt in attempts:
                response = api.request(method, url, **attempt)
                if response.status_code >= 500:
                    failures.append((method, path, attempt.get("params") or attempt["content"][:40],
                                     response.status_code, response.text[:200]))
                elif response.status_code >= 400:
                    assert response.headers["content-type"].startswith("application/problem+json"), (method, path)
        assert failures == []
