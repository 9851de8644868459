"""The queries behind the inbox page (DB thread): search terms applied in SQL, keyset paging.

Pages are addressed by a cursor (the last row's created_at and id), never by an offset, so
page 2,000 costs what page 1 costs. Rows come newest first, ties broken by id.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import peewee

from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.inbox.matching import matching
from gclap_sandbox.inbox.queries import summary
from gclap_sandbox.inbox.search import SearchQuery, parse_date
from gclap_sandbox.models import Email
from gclap_sandbox.relay.store import annotate

PAGE_SIZE = 50
PAGE_SIZES = (25, 50, 100, 200)  # the inbox's choices of rows per page


def page_size(*asked: str | None) -> int:
    """The first of `asked` (the URL's `size`, then the remembered one) that is a choice; else 50."""
    for value in asked:
        if value and value.isdigit() and int(value) in PAGE_SIZES:
            return int(value)
    return PAGE_SIZE


# --- cursors --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    id: str

    def encode(self) -> str:
        # Microseconds matter: rows captured in the same millisecond must still be told apart.
        stamp = self.created_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return f"{stamp}~{self.id}"

    @classmethod
    def of(cls, email: Email) -> "Cursor":
        return cls(email.created_at, email.id)


def decode_cursor(value: str | None, name: str) -> Cursor | None:
    if not value:
        return None
    stamp, sep, email_id = value.partition("~")
    moment = parse_date(stamp) if sep else None
    if moment is None or not email_id or len(email_id) > 64:
        raise ValidationFailed({name: ["Not a page cursor from this inbox; start again from page 1."]})
    return Cursor(moment, email_id)


def _older_than(cursor: Cursor) -> peewee.Expression:
    # Written so SQLite can range-scan the (organization, created_at) index.
    return (Email.created_at <= cursor.created_at) & (
        (Email.created_at < cursor.created_at) | (Email.id < cursor.id))


def _newer_than(cursor: Cursor) -> peewee.Expression:
    return (Email.created_at >= cursor.created_at) & (
        (Email.created_at > cursor.created_at) | (Email.id > cursor.id))


# --- the page -------------------------------------------------------------------------------

@dataclass
class InboxPage:
    rows: list[dict[str, Any]]
    total: int  # emails matching the search
    unread: int  # unread emails in the whole inbox (the header and tab title count)
    unread_matches: int  # unread emails among the matches (what "mark read" would change)
    first: int  # 1-based position of the first row among the matches
    older: str | None = None  # cursor for the next (older) page
    newer: str | None = None  # cursor for the previous (newer) page
    top: str | None = None  # cursor of the newest row shown (live updates fetch above it)
    errors: list[str] = field(default_factory=list)


def row(email: Email) -> dict[str, Any]:
    data = summary(email)
    data["cursor"] = Cursor.of(email).encode()
    return data


def inbox_page(organization_id: str, search: SearchQuery, before: Cursor | None = None,
               after: Cursor | None = None, limit: int = PAGE_SIZE) -> InboxPage:
    """One page of matches: below `before`, above `after`, or the newest."""
    base = matching(organization_id, search)
    if after is not None:
        # Back towards newer mail: take the closest rows above, then show them newest first.
        picked = list(base.where(_newer_than(after))
                      .order_by(Email.created_at.asc(), Email.id.asc()).limit(limit))
        emails = picked[::-1]
        more_older = bool(emails)  # the `after` row itself is older
    else:
        query = base.where(_older_than(before)) if before is not None else base
        emails = list(query.order_by(Email.created_at.desc(), Email.id.desc()).limit(limit + 1))
        more_older, emails = len(emails) > limit, emails[:limit]
    above = base.where(_newer_than(Cursor.of(emails[0]))).count() if emails else 0
    total, unread_matches = match_counts(base)
    return InboxPage(
        rows=annotate([row(e) for e in emails]),  # relay state: one query for the page
        total=total,
        unread=unread_count(organization_id),
        unread_matches=unread_matches,
        first=above + 1,
        older=Cursor.of(emails[-1]).encode() if more_older else None,
        newer=Cursor.of(emails[0]).encode() if above else None,
        top=Cursor.of(emails[0]).encode() if emails else None,
        errors=list(search.errors),
    )


@dataclass
class NewRows:
    rows: list[dict[str, Any]]  # newest first
    total: int
    unread: int
    unread_matches: int


def rows_above(organization_id: str, search: SearchQuery, top: Cursor | None,
               limit: int = PAGE_SIZE) -> NewRows:
    """Mail newer than the top row (live updates), with the page's counts brought up to date."""
    base = matching(organization_id, search)
    query = base.where(_newer_than(top)) if top is not None else base
    emails = list(query.order_by(Email.created_at.desc(), Email.id.desc()).limit(limit))
    total, unread_matches = match_counts(base)
    return NewRows(annotate([row(e) for e in emails]), total, unread_count(organization_id), unread_matches)


def match_counts(query: peewee.ModelSelect) -> tuple[int, int]:
    """(emails, unread emails) among a query's matches, in one pass over them."""
    unread_one = peewee.Case(None, [(Email.is_read == False, 1)], 0)  # noqa: E712  (portable: no SUM of a boolean)
    total, unread = query.select(peewee.fn.COUNT(1), peewee.fn.SUM(unread_one)).order_by().tuples().get()
    return total, unread or 0


def unread_among(query: peewee.ModelSelect) -> int:
    return query.where(Email.is_read == False).count()  # noqa: E712


def unread_count(organization_id: str) -> int:
    return unread_among(Email.select().where(Email.organization == organization_id))


def neighbours(organization_id: str, email: Email) -> tuple[str | None, str | None]:
    """(newer id, older id) around one email in inbox order, for j/k on the email page."""
    cursor = Cursor.of(email)
    base = Email.select(Email.id).where(Email.organization == organization_id)
    newer = (base.where(_newer_than(cursor)).order_by(Email.created_at.asc(), Email.id.asc())
             .limit(1).scalar())
    older = (base.where(_older_than(cursor)).order_by(Email.created_at.desc(), Email.id.desc())
             .limit(1).scalar())
    return newer, older


def mark_read(organization_id: str, email_ids: list[str], is_read: bool = True) -> int:
    """Mark some emails read or unread; returns how many changed (`inbox_bulk` does searches)."""
    return (Email.update(is_read=is_read)
            .where((Email.organization == organization_id) & (Email.is_read != is_read) & Email.id.in_(email_ids))
            .execute())
