"""Full-text search on SQLite (FTS5): the index of every email's text, and how it is queried.

Everything engine-specific about search lives here, so a PostgreSQL variant (pg_trgm and a
tsvector, each with a GIN index) can sit beside this module with the same functions:
`create`, `forget_all`, `index_pending`, the lookups (`contains`, `has_words`, `sent_to`,
`tagged`) and `hits`, which runs them once and hands back a condition on the email's rowid.
SQLite keeps the rowid in every index of the table, so counting the matches of 100,000
emails reads an index, never the rows.

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

import html as html_lib
import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import peewee

from gclap_sandbox.models import Email
from gclap_sandbox.storage.connection import after_commit, current, database

FIELDS_TABLE = "email_search_fields"
BODY_TABLE = "email_search_body"
FIELDS = ("sender", "recipients", "cc", "bcc", "reply_to", "subject", "message_id")
BATCH = 500  # emails indexed per unit of work: a few tens of milliseconds on the DB thread
BODY_LIMIT = 100_000  # characters of body indexed per email (the start of a huge body is enough)
SCRATCH_TABLES = 64  # sets of rowids held at once: two searches of the most terms (search.MAX_TERMS)
TRIGRAM = 3  # shorter pieces are not in the trigram index: they are looked for row by row
# Letters and digits, as FTS5's unicode61 tokenizer splits them (`_` separates words too).
_WORD = re.compile(r"[^\W_]+")
_HTML_DROP = re.compile(r"<(style|script|head)\b.*?</\1\s*>", re.S | re.I)
_HTML_TAG = re.compile(r"<[^>]+>")


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

@dataclass(frozen=True)
class Lookup:
    """A statement selecting the rowids of the emails one search term is about."""

    sql: str
    params: tuple[Any, ...]


@dataclass(frozen=True)
class Hits:
    """The rowids some lookups found, kept in a temporary table for the unit of work.

    A page asks the same set several times (its rows, the count, the unread count): each
    statement probes the table's integer key instead of running the lookup again. The table
    is emptied when the unit of work commits, so it never holds a search's matches for long."""

    table: str
    size: int

    def condition(self) -> peewee.Expression:
        return peewee.Column(Email, "rowid").in_(peewee.SQL(f"(SELECT id FROM temp.{self.table})"))


def words(value: str) -> list[str]:
    """The words of a value, as the body index splits them."""
    return _WORD.findall(value)


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
    pattern = "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
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
    prefix = " *" if _WORD.match(value[-1]) else ""
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
    table = _scratch_table()
    size = 0
    for lookup in lookups:
        size += database.execute_sql(f"INSERT OR IGNORE INTO temp.{table} (id) {lookup.sql}",
                                     lookup.params).rowcount
    return Hits(table, size)


def unindexed(column: peewee.Field) -> peewee.Node:
    """`column` in a form SQLite will not look up through an index (`+column`): a query about a
    few hundred hits then starts from them instead of walking the whole inbox in date order."""
    return peewee.NodeList((peewee.SQL("+"), column), glue="")


def _scratch_table() -> str:
    """An empty temporary table for one set of rowids, emptied again once the unit commits."""
    cache = current().cache("search-scratch")
    number = cache["next"] = (cache.get("next", -1) + 1) % SCRATCH_TABLES
    table = f"search_hits_{number}"
    database.execute_sql(f"CREATE TEMP TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY)")
    database.execute_sql(f"DELETE FROM temp.{table}")
    after_commit(lambda: database.execute_sql(f"DELETE FROM temp.{table}"))
    return table


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
        'SELECT e.rowid, e."id", e."from_name", e."from_address", e."cc", e."bcc", e."reply_to", '
        'e."subject", e."message_id", c."text", c."html" FROM "email" AS e '
        'LEFT JOIN "email_content" AS c ON c."email_id" = e."id" '
        "WHERE e.rowid > ? ORDER BY e.rowid LIMIT ?", (after, size)).fetchall()
    if not rows:
        return 0
    recipients = _recipients_of([row[1] for row in rows])
    cursor = database.cursor()
    marks = ", ".join("?" * (len(FIELDS) + 1))
    cursor.executemany(f"INSERT INTO {FIELDS_TABLE} (rowid, {', '.join(FIELDS)}) VALUES ({marks})",
                       [_fields(row, recipients.get(row[1], "")) for row in rows])
    cursor.executemany(f"INSERT INTO {BODY_TABLE} (rowid, body) VALUES (?, ?)",
                       [(row[0], body_text(row[9], row[10])[:BODY_LIMIT]) for row in rows])
    return len(rows)


def _recipients_of(email_ids: list[str]) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    for chunk in _chunks(email_ids, 500):
        marks = ", ".join("?" * len(chunk))
        for email_id, name, address in database.execute_sql(
                f'SELECT "email_id", "name", "address" FROM "email_recipient" WHERE "email_id" IN ({marks})',
                chunk):
            found.setdefault(email_id, []).append(f"{name} <{address}>" if name else address)
    return {email_id: ", ".join(parts) for email_id, parts in found.items()}


def _fields(row: Sequence[Any], recipients: str) -> tuple[Any, ...]:
    rowid, _, from_name, from_address, cc, bcc, reply_to, subject, message_id, _, _ = row
    sender = f"{from_name} <{from_address or ''}>" if from_name else (from_address or "")
    return (rowid, sender, recipients, _joined(cc), _joined(bcc), _joined(reply_to), subject or "",
            message_id or "")


def body_text(text: str | None, html: str | None) -> str:
    """What the body says: the text part, then the words of the HTML (without its markup) that
    the text part lacks, so a word seen only in the HTML view is found too."""
    seen = html_lib.unescape(_HTML_TAG.sub(" ", _HTML_DROP.sub(" ", html))) if html else ""
    if not text:
        return seen
    if not seen:
        return text
    known = {word.lower() for word in _WORD.findall(text)}
    extra = dict.fromkeys(word for word in _WORD.findall(seen) if word.lower() not in known)
    return f"{text}\n{' '.join(extra)}" if extra else text


def _joined(stored_list: str | None) -> str:
    return ", ".join(json.loads(stored_list)) if stored_list else ""


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
