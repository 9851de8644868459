"""Search words match literally: % and _ are not wildcards."""
from __future__ import annotations


def test_percent_and_underscore_match_only_themselves(api, unique):
    for subject in (f"100% off {unique}", f"100x off {unique}", f"snake_case {unique}", f"snakeXcase {unique}"):
        assert api.post("/api/v1/emails/send/", json={"to": "s@example.com", "subject": subject,
                                                      "text": "t"}).status_code == 202
    found = lambda word: sorted(e["subject"] for e in api.get(  # noqa: E731
        "/api/v1/emails/", params={"search": f"{word} {unique}"}).json()["results"])
    assert found("100%") == [f"100% off {unique}"]
    assert found("snake_case") == [f"snake_case {unique}"]
