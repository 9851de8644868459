"""Full-text search of the mail: each call goes to the search index of the engine in use.

SQLite's is FTS5 (fulltext_sqlite.py), PostgreSQL's is trigram and tsvector indexes
(fulltext_postgres.py); both index the same text (fulltext_text.py) and answer the same
lookups, so inbox/matching.py reads the same on both:
- `contains(columns, value)`: any piece of a field (sender, recipients, subject...), any case;
- `has_words(value)`: the body's words one after another, the last one possibly a prefix,
  accents folded;
- `sent_to(address)`, `tagged(tag)`: exact recipient address, tag in any case;
- `hits(*lookups)`: runs them once and gives a condition on the email;
- `index_pending()`: indexes the mail captured since (capture itself writes no index);
- `create()`, `forget_all()`: the index made sure of at start, emptied at once by a reset.
"""
from __future__ import annotations

from typing import Sequence

import peewee

from gclap_sandbox.storage import engine
from gclap_sandbox.storage.fulltext_text import BATCH, Hits, Lookup, words

__all__ = ["BATCH", "Hits", "Lookup", "contains", "create", "forget_all", "has_words", "hits",
           "index_pending", "sent_to", "tagged", "unindexed", "words"]


def create() -> None:
    engine.current().fulltext.create()


def forget_all() -> None:
    engine.current().fulltext.forget_all()


def contains(columns: Sequence[str], value: str) -> Lookup:
    return engine.current().fulltext.contains(columns, value)


def has_words(value: str) -> Lookup:
    return engine.current().fulltext.has_words(value)


def sent_to(address: str) -> Lookup:
    return engine.current().fulltext.sent_to(address)


def tagged(tag: str) -> Lookup:
    return engine.current().fulltext.tagged(tag)


def hits(*lookups: Lookup) -> Hits:
    return engine.current().fulltext.hits(*lookups)


def unindexed(column: peewee.Node) -> peewee.Node:
    return engine.current().fulltext.unindexed(column)


def index_pending(limit: int | None = BATCH) -> int:
    """Index up to `limit` emails not indexed yet (None: all of them); returns how many (DB thread)."""
    return engine.current().fulltext.index_pending(limit)
