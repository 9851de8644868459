"""A parsed search (search.py) as SQL on Email: the one place both the inbox and the API match mail.

Text, recipient and tag terms are looked up once per unit of work through the search index
(storage/fulltext.py, the engine-specific part) and become a condition on the email's rowid;
flags, dates and sizes are plain columns, all in one index, so counting the matches of
100,000 emails reads indexes, not rows. When a term finds only a few emails, the query starts
from those instead of walking the whole inbox in date order.
"""
from __future__ import annotations

import re
from datetime import datetime

import peewee

from gclap_sandbox.inbox.search import SearchQuery, Term
from gclap_sandbox.models import Email
from gclap_sandbox.storage import fulltext

_FULL_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z0-9-]{2,}$")
# Which indexed columns each text field looks in.
_COLUMNS = {"from": ("sender",), "to": ("recipients",), "cc": ("cc",), "bcc": ("bcc",),
            "reply-to": ("reply_to",), "message-id": ("message_id",), "subject": ("subject",)}
_FREE_TEXT_COLUMNS = ("sender", "recipients", "subject")
_INDEXED = {"text", "body", *_COLUMNS}
# Below this many hits, starting from them (and sorting them) beats walking the date index.
FEW_HITS = 5000


def _lookups(term: Term) -> list[fulltext.Lookup] | None:
    """The index lookups a term is, or None for a term on the email's own columns."""
    if term.field == "text":
        found = [fulltext.contains(_FREE_TEXT_COLUMNS, term.value)]
        return found + [fulltext.has_words(term.value)] if fulltext.words(term.value) else found
    if term.field == "body":
        return [fulltext.has_words(term.value)]
    if term.field == "to" and _FULL_ADDRESS.match(term.value):  # a whole address: the index on address
        return [fulltext.sent_to(term.value)]
    if term.field in _COLUMNS:
        return [fulltext.contains(_COLUMNS[term.field], term.value)]
    if term.field == "tag":
        return [fulltext.tagged(term.value)]
    return None


def _column_condition(term: Term) -> peewee.Expression:
    """A term on the email's own columns, as a condition that is never NULL (`~` is its complement)."""
    if term.field == "status":
        return Email.status == term.value
    if term.field == "is":
        return Email.is_read == (term.value == "read")
    if term.field == "has":
        return Email.attachment_count > 0
    if term.field == "larger":
        return Email.size > int(term.value)
    if term.field == "smaller":
        return Email.size < int(term.value)
    moment = datetime.fromisoformat(term.value)
    return Email.created_at < moment if term.field == "before" else Email.created_at >= moment


def matching(organization_id: str, search: SearchQuery) -> peewee.ModelSelect:
    """The organization's emails every term of `search` matches (DB thread, one unit of work).

    A search with text terms first indexes the mail not indexed yet, so what was just
    captured is found."""
    if any(term.field in _INDEXED for term in search.terms):
        fulltext.index_pending(limit=None)
    conditions: list[peewee.Expression] = []
    fewest: int | None = None
    for term in search.terms:
        lookups = _lookups(term)
        if lookups is None:
            found = _column_condition(term)
        else:
            hits = fulltext.hits(*lookups)
            found = hits.condition()
            if not term.negated:
                fewest = hits.size if fewest is None else min(fewest, hits.size)
        conditions.append(~found if term.negated else found)
    owner = Email.organization
    if fewest is not None and fewest <= FEW_HITS:
        owner = fulltext.unindexed(Email.organization)
    query = Email.select().where(owner == organization_id)
    for condition in conditions:
        query = query.where(condition)
    return query
