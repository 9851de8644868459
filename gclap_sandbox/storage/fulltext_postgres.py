"""Full-text search on PostgreSQL: the same lookups as fulltext_sqlite.py, on one table.

`email_search` holds one row per email, keyed by the email's id (deleted with it by its
foreign key): the fields (sender, recipients, Cc, Bcc, Reply-To, subject, Message-ID) as
text, each with a trigram GIN index (pg_trgm) so that ILIKE finds any piece of three
characters or more through the index, and the body's words, folded as SQLite's unicode61
folds them (fulltext_text.folded), as a `tsvector` with a GIN index: a phrase query whose last
word may be a prefix. Without the pg_trgm extension (not installed, or not allowed to create)
the same ILIKE reads the table row by row: slower, same answers.

As on SQLite, capture writes nothing here; `index_pending` adds the emails that have no row yet.
"""
from __future__ import annotations

import logging
from typing import Sequence

import peewee

from gclap_sandbox.storage.connection import database
from gclap_sandbox.storage.fulltext_text import (
    BATCH,
    FIELDS,
    SOURCE_COLUMNS,
    Hits,
    Lookup,
    body_of,
    field_values,
    folded,
    is_word_end,
    like_pattern,
    recipients_of,
    scratch_table,
    words,
)

log = logging.getLogger("gclap_sandbox.db")
TABLE = "email_search"
CONFIG = "'simple'"  # no stemming, no stop words: the words as written, lower-cased


def create() -> None:
    """The index table and its indexes (idempotent; on the DB thread at start-up)."""
    columns = ", ".join(f'"{field}" TEXT NOT NULL' for field in FIELDS)
    database.execute_sql(f'CREATE TABLE IF NOT EXISTS {TABLE} ("email_id" VARCHAR(36) PRIMARY KEY '
                         f'REFERENCES "email" ("id") ON DELETE CASCADE, {columns}, "body" TSVECTOR NOT NULL)')
    database.execute_sql(f'CREATE INDEX IF NOT EXISTS {TABLE}_body ON {TABLE} USING gin ("body")')
    database.execute_sql('CREATE INDEX IF NOT EXISTS email_tag_lower_tag ON "email_tag" (lower("tag"))')
    if _trigrams():
        for field in FIELDS:
            database.execute_sql(f'CREATE INDEX IF NOT EXISTS {TABLE}_{field} ON {TABLE} '
                                 f'USING gin ("{field}" gin_trgm_ops)')


def _trigrams() -> bool:
    """pg_trgm is there, or could be created (a trusted extension: the database's owner may)."""
    if database.execute_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone():
        return True
    try:
        with database.atomic():
            database.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except peewee.DatabaseError as exc:
        log.warning("search reads every row: the pg_trgm extension could not be created (%s)",
                    str(exc).strip().splitlines()[0])
        return False
    return True


def forget_all() -> None:
    """Empty the index at once (a reset)."""
    database.execute_sql(f"TRUNCATE {TABLE}")


# --- queries --------------------------------------------------------------------------------

def contains(columns: Sequence[str], value: str) -> Lookup:
    """Emails with `value` inside one of `columns`, in any case."""
    unknown = set(columns) - set(FIELDS)
    if unknown or not value:
        raise ValueError(f"cannot look for {value!r} in {sorted(columns)}")
    where = " OR ".join(f"\"{column}\" ILIKE %s ESCAPE '\\'" for column in columns)
    return Lookup(f'SELECT "email_id" FROM {TABLE} WHERE {where}', (like_pattern(value),) * len(columns))


def has_words(value: str) -> Lookup:
    """Emails whose body has the words of `value`, one after another; the last may be the start
    of a longer one, unless `value` ends with punctuation (as on SQLite)."""
    tokens = [folded(token) for token in words(value)]
    if not tokens:
        raise ValueError(f"no words to search for in {value!r}")
    # Tokens are letters and digits only, so the query needs no escaping.
    query = " <-> ".join(tokens) + (":*" if is_word_end(value) else "")
    return Lookup(f'SELECT "email_id" FROM {TABLE} WHERE "body" @@ to_tsquery({CONFIG}, %s)', (query,))


def sent_to(address: str) -> Lookup:
    """Emails with this recipient address (lower-cased, exact: the index on address)."""
    return Lookup('SELECT "email_id" FROM "email_recipient" WHERE "address" = %s', (address,))


def tagged(tag: str) -> Lookup:
    """Emails with this tag, in any case (`tag` lower-cased; the index on lower(tag))."""
    return Lookup('SELECT "email_id" FROM "email_tag" WHERE lower("tag") = %s', (tag,))


def hits(*lookups: Lookup) -> Hits:
    """The emails any of `lookups` finds, looked up now, once."""
    table = scratch_table("CREATE TEMP TABLE IF NOT EXISTS {table} (id VARCHAR(36) PRIMARY KEY)", "search_hits")
    size = 0
    for lookup in lookups:
        size += database.execute_sql(f"INSERT INTO {table} (id) {lookup.sql} ON CONFLICT DO NOTHING",
                                     lookup.params).rowcount
    return Hits(table, size, "id")


def unindexed(column: peewee.Node) -> peewee.Node:
    return column  # the planner weighs the hits against the date index on its own


# --- indexing -------------------------------------------------------------------------------

def index_pending(limit: int | None = BATCH) -> int:
    """Index up to `limit` emails not indexed yet (None: all of them); returns how many (DB thread)."""
    done = 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        indexed = _index_batch(size)
        done += indexed
        if indexed < size:
            break
    return done


def _index_batch(size: int) -> int:
    rows = database.execute_sql(
        f'SELECT e."id", {SOURCE_COLUMNS} FROM "email" AS e '
        'LEFT JOIN "email_content" AS c ON c."email_id" = e."id" '
        f'WHERE NOT EXISTS (SELECT 1 FROM {TABLE} AS s WHERE s."email_id" = e."id") LIMIT %s', (size,)).fetchall()
    if not rows:
        return 0
    recipients = recipients_of([row[0] for row in rows])
    marks = ", ".join(["%s"] * (len(FIELDS) + 1))
    database.cursor().executemany(
        f'INSERT INTO {TABLE} ("email_id", {", ".join(f"{chr(34)}{f}{chr(34)}" for f in FIELDS)}, "body") '
        f"VALUES ({marks}, to_tsvector({CONFIG}, %s)) ON CONFLICT DO NOTHING",
        [(row[0], *field_values(row, recipients.get(row[0], "")), _folded_words(body_of(row))) for row in rows])
    return len(rows)


def _folded_words(text: str) -> str:
    """The body's words, folded, one space apart: what the tsvector is made of."""
    return " ".join(folded(word) for word in words(text))
