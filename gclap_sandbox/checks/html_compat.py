"""HTML compatibility: the features an HTML body uses that major email clients do not support.

Support comes from the caniemail.com data shipped in `checks/data/caniemail.json` (MIT,
Rémi Parmentier; rebuilt by scripts/refresh_caniemail.py). For each client family, the newest
test result of each of its platforms counts. A feature is *supported* by a family when every
tested platform supports it, *unsupported* when none does, *partial* otherwise. A family's
score is the share of the features used that it supports (partial counts half; features it was
never tested on are left out); the overall score is the mean over the major families.
"""
from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from gclap_sandbox.checks.html_scan import scan

# The client families scored, in the order shown (caniemail's family keys).
MAJOR_FAMILIES = ("gmail", "outlook", "apple-mail", "yahoo", "aol", "samsung-email", "thunderbird",
                  "protonmail", "fastmail")
PASS_SCORE, WARN_SCORE = 90, 75  # overall score from which the verdict is pass / warn (else fail)
MAX_LINES = 20  # lines listed per feature (the count says how many there are)
SUPPORTED, PARTIAL, UNSUPPORTED, UNKNOWN = "supported", "partial", "unsupported", "unknown"


@functools.cache
def caniemail() -> dict[str, Any]:
    """The shipped caniemail data (read once; never changed)."""
    text = resources.files("gclap_sandbox.checks").joinpath("data/caniemail.json").read_text(encoding="utf-8")
    document = json.loads(text)
    document["by_slug"] = {feature["slug"]: feature for feature in document["features"]}
    document["slugs"] = frozenset(document["by_slug"])
    return document


def _status(result: str) -> str:
    return {"y": SUPPORTED, "a": PARTIAL, "n": UNSUPPORTED}.get(result[:1], UNKNOWN)


def family_support(feature: dict[str, Any], family: str) -> tuple[str, dict[str, list[str]], list[str]]:
    """(overall status, platforms by status, note numbers) of one feature in one client family."""
    platforms: dict[str, list[str]] = {}
    notes: list[str] = []
    for platform, result in (feature["support"].get(family) or {}).items():
        platforms.setdefault(_status(result), []).append(platform)
        notes.extend(word[1:] for word in result.split() if word.startswith("#"))
    known = {status for status in platforms if status != UNKNOWN}
    if not known:
        status = UNKNOWN
    elif known == {SUPPORTED}:
        status = SUPPORTED
    elif known == {UNSUPPORTED}:
        status = UNSUPPORTED
    else:
        status = PARTIAL
    return status, platforms, notes


def check_html(html: str | None) -> dict[str, Any]:
    """The compatibility report of one HTML body (a body-less email scores 100)."""
    data = caniemail()
    uses = scan(html, data["slugs"]) if html else {}
    tallies = {family: {SUPPORTED: 0, PARTIAL: 0, UNSUPPORTED: 0, UNKNOWN: 0} for family in MAJOR_FAMILIES}
    issues = []
    for slug, lines in uses.items():
        feature = data["by_slug"][slug]
        unsupported: dict[str, list[str]] = {}
        partial: dict[str, list[str]] = {}
        note_numbers: set[str] = set()
        for family in MAJOR_FAMILIES:
            status, platforms, notes = family_support(feature, family)
            tallies[family][status] += 1
            if status in (UNSUPPORTED, PARTIAL):
                note_numbers.update(notes)
                if platforms.get(UNSUPPORTED):
                    unsupported[family] = platforms[UNSUPPORTED]
                if platforms.get(PARTIAL):
                    partial[family] = platforms[PARTIAL]
        if unsupported or partial:
            issues.append({
                "feature": slug, "title": feature["title"], "category": feature["category"],
                "url": feature["url"], "line": lines[0], "lines": lines[:MAX_LINES], "count": len(lines),
                "unsupported": unsupported, "partial": partial,
                "notes": [feature["notes"][n] for n in sorted(note_numbers, key=_number) if n in feature["notes"]],
            })
    issues.sort(key=lambda issue: (issue["line"], issue["feature"]))
    clients = [_client(family, data["families"].get(family, family), tallies[family]) for family in MAJOR_FAMILIES]
    score = round(sum(c["score"] for c in clients) / len(clients)) if clients else 100
    return {
        "verdict": "pass" if score >= PASS_SCORE else "warn" if score >= WARN_SCORE else "fail",
        "score": score,
        "has_html": html is not None,
        "features_used": len(uses),
        "clients": clients,
        "issues": issues,
        "data": {"source": data["source"], "licence": data["licence"], "newest_test": data["newest_test"]},
    }


def _client(family: str, name: str, tally: dict[str, int]) -> dict[str, Any]:
    judged = tally[SUPPORTED] + tally[PARTIAL] + tally[UNSUPPORTED]
    score = round(100 * (tally[SUPPORTED] + tally[PARTIAL] / 2) / judged) if judged else 100
    return {"family": family, "name": name, "score": score, **tally}


def _number(note: str) -> int:
    return int(note) if note.isdigit() else 0
