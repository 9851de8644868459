"""Full-text search on SQLite (FTS5): the index of every email's text, and how it is queried.

The PostgreSQL variant (fulltext_postgres.py) has the same functions; storage/fulltext.py
hands each call to the one of the engine in use. `hits` runs lookups once and hands back a
condition on the email's rowid. SQLite keeps the rowid in every index of the table, so
counting the matches of 100,000 emails reads an index, never the rows.

Two FTS5 tables hold one row per email, their rowid the email's rowid:
- `email_search_fields`: sender, recipients, Cc, Bcc, Reply-To, subject and Message-ID with
  the trigram tokenizer, so any piece of three characters or more is found in the index, in
  any case (`voice` finds "Invoice", `@shop.exa` an address);
- `email_search_body`: the body's words (unicode61, accents folded), matched from their start
  (`invo` finds "invoices", `cafe` finds "Café"): the text part, and the HTML part's words
  without its markup.

Capture writes nothing here, so the hot path pays nothing: `index_pending` adds the emails
newer than the newest indexed row, in batches (the maintenance worker calls it, and so does
every search first, so a just-captured email is found). A trigger drops an email's rows the
moment the email is deleted (by the API, a reset, retention or a cascade), so the index never
holds mail that is gone and, since rowids only grow, "newer than the newest indexed row" is
exactly the mail not indexed yet.
"""
from __future__ import annotations

from typing import Sequence

import peewee

from gclap_sandbox.storage.connection import database
from gclap_sandbox.storage.fulltext_text import (
    BATCH,
    FIELDS,
    SOURCE_COLUMNS,
    TRIGRAM,
    Hits,
    Lookup,
    body_of,
    field_values,
    is_word_end,
    like_pattern,
    recipients_of,
    scratch_table,
    words,
)

FIELDS_TABLE = "email_search_fields"
BODY_TABLE = "email_search_body"


def create() -> None:
    """The index tables and their delete trigger (idempotent; on the DB thread at start-up)."""
    database.execute_sql(f"CREATE VIRTUAL TABLE IF NOT EXISTS {FIELDS_TABLE} USING fts5("
                         f"{', '.join(FIELDS)}, tokenize = 'trigram', columnsize = 0)")
    database.execute_sql(f"CREATE VIRTUAL TABLE IF NOT EXISTS {BODY_TABLE} USING fts5("
                         "body, tokenize = 'unicode61 remove_diacritics 2', columnsize = 0)")
    database.execute_sql('CREATE INDEX IF NOT EXISTS email_tag_lower_tag ON "email_tag" (lower("tag"))')
    database.execute_sql(
        "CREATE TRIGGER IF NOT EXISTS email_search_forget AFTER DELETE ON email BEGIN "
        f"DELETE FROM {FIELDS_TABLE} WHERE rowid = old.rowid; "
        f"DELETE FROM {BODY_TABLE} WHERE rowid = old.rowid; END")


def forget_all() -> None:
    """Empty the index at once (a reset): dropping it is far cheaper than deleting row by row."""
    database.execute_sql("DROP TRIGGER IF EXISTS email_search_forget")
    database.execute_sql(f"DROP TABLE IF EXISTS {FIELDS_TABLE}")
    database.execute_sql(f"DROP TABLE IF EXISTS {BODY_TABLE}")
    create()


# --- queries --------------------------------------------------------------------------------

def contains(columns: Sequence[str], value: str) -> Lookup:
    """Emails with `value` inside one of `columns`, in any case."""
    unknown = set(columns) - set(FIELDS)
    if unknown or not value:
        raise ValueError(f"cannot look for {value!r} in {sorted(columns)}")
    if len(value) >= TRIGRAM:
        quoted = '"' + value.replace('"', '""') + '"'
        return Lookup(f"SELECT rowid FROM {FIELDS_TABLE} WHERE {FIELDS_TABLE} MATCH ?",
                      ("{%s} : %s" % (" ".join(columns), quoted),))
    # Too short for a trigram: LIKE over the (small) indexed copies of these columns.
    pattern = like_pattern(value)
    where = " OR ".join(f"{column} LIKE ? ESCAPE '\\'" for column in columns)
    return Lookup(f"SELECT rowid FROM {FIELDS_TABLE} WHERE {where}", (pattern,) * len(columns))


def has_words(value: str) -> Lookup:
    """Emails whose body has the words of `value`, one after another.

    The last word may be the start of a longer one, unless `value` ends with punctuation
    (`invo` finds "invoice"; `invo.` does not). `value` must have a word (`words(value)`).
    """
    tokens = words(value)
    if not tokens:
        raise ValueError(f"no words to search for in {value!r}")
    prefix = " *" if is_word_end(value) else ""
    # Tokens are letters and digits only, so the phrase needs no escaping.
    return Lookup(f"SELECT rowid FROM {BODY_TABLE} WHERE {BODY_TABLE} MATCH ?",
                  ('"%s"%s' % (" ".join(tokens), prefix),))


def sent_to(address: str) -> Lookup:
    """Emails with this recipient address (lower-cased, exact: the index on address)."""
    return Lookup('SELECT e.rowid FROM "email_recipient" AS r JOIN "email" AS e ON e."id" = r."email_id" '
                  'WHERE r."address" = ?', (address,))


def tagged(tag: str) -> Lookup:
    """Emails with this tag, in any case (`tag` lower-cased; the index on lower(tag))."""
    return Lookup('SELECT e.rowid FROM "email_tag" AS t JOIN "email" AS e ON e."id" = t."email_id" '
                  'WHERE lower(t."tag") = ?', (tag,))


def hits(*lookups: Lookup) -> Hits:
    """The emails any of `lookups` finds, looked up now, once."""
    table = scratch_table("CREATE TEMP TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY)", "temp.search_hits")
    size = 0
    for lookup in lookups:
        size += database.execute_sql(f"INSERT OR IGNORE INTO {table} (id) {lookup.sql}", lookup.params).rowcount
    return Hits(table, size, "rowid")


def unindexed(column: peewee.Node) -> peewee.Node:
    """`column` in a form SQLite will not look up through an index (`+column`): a query about a
    few hundred hits then starts from them instead of walking the whole inbox in date order."""
    return peewee.NodeList((peewee.SQL("+"), column), glue="")


# --- indexing -------------------------------------------------------------------------------

def newest_indexed() -> int:
    row = database.execute_sql(f"SELECT rowid FROM {FIELDS_TABLE} ORDER BY rowid DESC LIMIT 1").fetchone()
    return row[0] if row else 0


def index_pending(limit: int | None = BATCH) -> int:
    """Index up to `limit` emails not indexed yet (None: all of them); returns how many (DB thread)."""
    done = 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        indexed = _index_batch(newest_indexed(), size)
        done += indexed
        if indexed < size:
            break
    return done


def _index_batch(after: int, size: int) -> int:
    rows = database.execute_sql(
        f'SELECT e.rowid, {SOURCE_COLUMNS} FROM "email" AS e '
        'LEFT JOIN "email_content" AS c ON c."email_id" = e."id" '
        "WHERE e.rowid > ? ORDER BY e.rowid LIMIT ?", (after, size)).fetchall()
    if not rows:
        return 0
    recipients = recipients_of([row[1] for row in rows])
    cursor = database.cursor()
    marks = ", ".join("?" * (len(FIELDS) + 1))
    cursor.executemany(f"INSERT INTO {FIELDS_TABLE} (rowid, {', '.join(FIELDS)}) VALUES ({marks})",
                       [(row[0], *field_values(row, recipients.get(row[1], ""))) for row in rows])
    cursor.executemany(f"INSERT INTO {BODY_TABLE} (rowid, body) VALUES (?, ?)",
                       [(row[0], body_of(row)) for row in rows])
    return len(rows)
