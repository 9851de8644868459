"""The inbox's actions on many emails at once: mark read (or unread) and delete.

A request names its scope: a search (`q`, the text typed in the inbox) or, explicitly, the
whole inbox (`all: true`). The server parses the search again and acts on every email it
matches, on every page, never just on the rows shown. A blank search, or one with mistakes,
is refused: it would otherwise match every email. `expected` carries the number the
confirmation showed; when the matches have changed since, nothing is done and the 409 says
the new number (`count`), so what the user agreed to is what happens.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gclap_sandbox.errors import Conflict, ValidationFailed
from gclap_sandbox.inbox.listing import matching
from gclap_sandbox.inbox.search import SearchQuery, parse_search
from gclap_sandbox.models import Email
from gclap_sandbox.schema import Bool, Errors, Field, Int, Str

SCOPE_FIELDS: dict[str, Field] = {
    "q": Str(description="Act on every email this inbox search matches (all pages)."),
    "all": Bool(default=False, description="Act on the whole inbox (needed when there is no search)."),
    "expected": Int(minimum=0, description="How many emails the confirmation named; 409 when that changed."),
}


def check_scope(data: dict[str, Any], errors: Errors, *alternatives: str) -> None:
    """Exactly one of the `alternatives` (e.g. `ids`), `q` or `all: true`; a blank `q` never widens."""
    named = [n for n in (*alternatives, "q") if data.get(n) is not None] + (["all"] if data.get("all") else [])
    if len(named) != 1:
        options = ", ".join(f"`{n}`" for n in (*alternatives, "q")) + " or `all: true`"
        errors.setdefault(named[-1] if named else "q", []).append(f"Give exactly one of {options}.")
        return
    if named == ["q"]:
        search = parse_search(data["q"])
        if search.errors:
            errors["q"] = list(search.errors)
        elif search.empty:
            errors["q"] = ["A search without terms matches every email; send `all: true` to act on the "
                           "whole inbox."]
    if data.get("expected") is not None and named[0] not in ("q", "all"):
        errors["expected"] = ["Goes with `q` or `all: true`."]


@dataclass(frozen=True)
class Scope:
    """Which emails a bulk action touches: a search's matches, or (text None) the whole inbox."""

    text: str | None
    search: SearchQuery

    @classmethod
    def of(cls, body: dict[str, Any]) -> "Scope":
        """From a body `check_scope` has passed."""
        if body.get("all"):
            return cls(None, SearchQuery())
        search = parse_search(body["q"])
        if search.errors or search.empty:  # check_scope refuses these first; this is the last guard
            raise ValidationFailed({"q": list(search.errors) or ["The search has no terms."]})
        return cls(body["q"], search)

    def describe(self) -> str:
        return f"matching {self.text.strip()}" if self.text is not None else "in the inbox"


def _check_expected(count: int, expected: int | None, kind: str, scope: Scope, undone: str) -> None:
    """`kind` qualifies the emails counted ("unread"); `undone` says what did not happen."""
    if expected is not None and count != expected:
        noun = " ".join(filter(None, [kind, "email" if count == 1 else "emails"]))
        raise Conflict(f"Since you confirmed, the count changed: now {count:,} {noun} {scope.describe()}, "
                       f"not {expected:,}. Nothing was {undone}; confirm again.",
                       slug="results-changed", count=count)


def mark_read(organization_id: str, scope: Scope, is_read: bool, expected: int | None) -> int:
    """Mark the scope's emails read (or unread); returns how many changed (DB thread)."""
    targets = matching(organization_id, scope.search).where(Email.is_read != is_read)
    _check_expected(targets.count(), expected, "read" if not is_read else "unread", scope,
                    "marked read" if is_read else "marked unread")
    return Email.update(is_read=is_read).where(Email.id.in_(targets.select(Email.id))).execute()


def delete(organization_id: str, scope: Scope, expected: int | None) -> int:
    """Delete the scope's emails; returns how many went (DB thread). Children go by cascade."""
    targets = matching(organization_id, scope.search)
    _check_expected(targets.count(), expected, "", scope, "deleted")
    return Email.delete().where(Email.id.in_(targets.select(Email.id))).execute()
