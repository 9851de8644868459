"""The inbox's actions on many emails at once: mark read or unread, tag and untag, delete.

A request names its scope: some emails by id (`ids`, the rows ticked in the inbox), a search
(`q`, the text typed in the inbox) or, explicitly, the whole inbox (`all: true`). For a search
the server parses it again and acts on every email it matches, on every page, never just on
the rows shown. An empty `ids` list, a blank search or one with mistakes is refused: none of
them may ever widen into "every email". Ids of emails that are gone (or belong to another
organization) are skipped; the answer says how many changed. `expected` carries the number
the confirmation showed for a search or the whole inbox; when the matches have changed since,
nothing is done and the 409 says the new number (`count`), so what the user agreed to is what
happens.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import peewee

from gclap_sandbox.errors import Conflict, ValidationFailed
from gclap_sandbox.inbox import tags as inbox_tags
from gclap_sandbox.inbox.matching import matching
from gclap_sandbox.inbox.search import SearchQuery, parse_search
from gclap_sandbox.models import Email
from gclap_sandbox.schema import Bool, Errors, Field, Int, ListOf, Str, Uuid

MAX_IDS = 1000  # ids in one request; more than that is a search or `all: true`
IDS_FIELD = ListOf(Uuid(), min_items=1, max_items=MAX_IDS,
                   description="Act on these emails (the selected rows). May not be empty.")
SCOPE_FIELDS: dict[str, Field] = {
    "q": Str(description="Act on every email this inbox search matches (all pages)."),
    "all": Bool(default=False, description="Act on the whole inbox (needed when there is no search)."),
    "expected": Int(minimum=0, description="How many emails the confirmation named; 409 when that changed."),
}
SELECTION_FIELDS: dict[str, Field] = {"ids": IDS_FIELD, **SCOPE_FIELDS}


def check_scope(data: dict[str, Any], errors: Errors, *alternatives: str) -> None:
    """Exactly one of the `alternatives` (e.g. `ids`), `q` or `all: true`; a blank `q` never widens."""
    named = [n for n in (*alternatives, "q") if data.get(n) is not None] + (["all"] if data.get("all") else [])
    if len(named) != 1:
        options = ", ".join(f"`{n}`" for n in (*alternatives, "q")) + " or `all: true`"
        errors.setdefault(named[-1] if named else (alternatives or ("q",))[0], []).append(
            f"Give exactly one of {options}.")
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


def check_selection(data: dict[str, Any], errors: Errors) -> None:
    check_scope(data, errors, "ids")


@dataclass(frozen=True)
class Scope:
    """Which emails a bulk action touches: some ids, a search's matches, or (neither) the whole inbox."""

    text: str | None
    search: SearchQuery
    ids: tuple[str, ...] | None = None

    @classmethod
    def of(cls, body: dict[str, Any]) -> "Scope":
        """From a body `check_scope` has passed."""
        if body.get("ids") is not None:
            if not body["ids"]:  # the schema refuses this first; this is the last guard
                raise ValidationFailed({"ids": ["May not be empty."]})
            return cls(None, SearchQuery(), tuple(str(i) for i in body["ids"]))
        if body.get("all"):
            return cls(None, SearchQuery())
        search = parse_search(body.get("q") or "")
        if search.errors or search.empty:  # check_scope refuses these first; this is the last guard
            raise ValidationFailed({"q": list(search.errors) or ["The search has no terms."]})
        return cls(body["q"], search)

    def emails(self, organization_id: str) -> peewee.ModelSelect:
        query = matching(organization_id, self.search)
        return query.where(Email.id.in_(list(self.ids))) if self.ids is not None else query

    def describe(self) -> str:
        if self.ids is not None:
            return "selected"
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
    targets = scope.emails(organization_id).where(Email.is_read != is_read)
    _check_expected(targets.count(), expected, "read" if not is_read else "unread", scope,
                    "marked read" if is_read else "marked unread")
    return Email.update(is_read=is_read).where(Email.id.in_(targets.select(Email.id))).execute()


def delete(organization_id: str, scope: Scope, expected: int | None) -> int:
    """Delete the scope's emails; returns how many went (DB thread). Children go by cascade."""
    targets = scope.emails(organization_id)
    _check_expected(targets.count(), expected, "", scope, "deleted")
    return Email.delete().where(Email.id.in_(targets.select(Email.id))).execute()


def change_tags(organization_id: str, scope: Scope, add: list[str], remove: list[str],
                expected: int | None) -> int:
    """Add and remove tags on the scope's emails; returns how many changed (DB thread)."""
    targets = scope.emails(organization_id)
    _check_expected(targets.count(), expected, "", scope, "tagged" if add else "untagged")
    return inbox_tags.change_tags(targets, add, remove)
