"""What the search index holds, whatever the engine: the fields, the words, the body's text.

The engines' indexes (fulltext_sqlite.py, fulltext_postgres.py) split and fill text the same
way through these, so a search finds the same mail on both.
"""
from __future__ import annotations

import html as html_lib
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import peewee

from gclap_sandbox.models import Email
from gclap_sandbox.storage.connection import after_commit, current, database

FIELDS = ("sender", "recipients", "cc", "bcc", "reply_to", "subject", "message_id")
BATCH = 500  # emails indexed per unit of work: a few tens of milliseconds on the DB thread
BODY_LIMIT = 100_000  # characters of body indexed per email (the start of a huge body is enough)
SCRATCH_TABLES = 64  # sets of hits held at once: two searches of the most terms (search.MAX_TERMS)
TRIGRAM = 3  # shorter pieces are not in a trigram index: they are looked for row by row
# Letters and digits, as FTS5's unicode61 tokenizer splits them (`_` separates words too).
_WORD = re.compile(r"[^\W_]+")
_HTML_DROP = re.compile(r"<(style|script|head)\b.*?</\1\s*>", re.S | re.I)
_HTML_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Lookup:
    """A statement selecting the keys of the emails one search term is about."""

    sql: str
    params: tuple[Any, ...]


@dataclass(frozen=True)
class Hits:
    """The emails some lookups found, kept in a temporary table for the unit of work.

    A page asks the same set several times (its rows, the count, the unread count): each
    statement probes the table's key instead of running the lookup again. The table is
    emptied when the unit of work commits, so it never holds a search's matches for long."""

    table: str
    size: int
    email_key: str  # the email's column the table holds: SQLite's rowid, PostgreSQL's id

    def condition(self) -> peewee.Expression:
        return peewee.Column(Email, self.email_key).in_(peewee.SQL(f"(SELECT id FROM {self.table})"))


def words(value: str) -> list[str]:
    """The words of a value, as the body index splits them."""
    return _WORD.findall(value)


def is_word_end(value: str) -> bool:
    """True when `value` ends in a letter or digit: its last word may be the start of a longer one."""
    return bool(value) and _WORD.match(value[-1]) is not None


def folded(word: str) -> str:
    """A word as the body index compares it: lower case, accents removed (`Café` -> `cafe`)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def like_pattern(value: str) -> str:
    """`%value%` for LIKE with `\\` as the escape character."""
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def scratch_table(create: str, name: str) -> str:
    """An empty temporary table for one set of hits (`create` makes it, with `{table}` for its
    name), emptied again once the unit commits; returns `name` with its number."""
    cache = current().cache("search-scratch")
    number = cache["next"] = (cache.get("next", -1) + 1) % SCRATCH_TABLES
    table = f"{name}_{number}"
    database.execute_sql(create.format(table=table))
    database.execute_sql(f"DELETE FROM {table}")
    after_commit(lambda: database.execute_sql(f"DELETE FROM {table}"))
    return table


def recipients_of(email_ids: list[str]) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    param = database.obj.param
    for chunk in _chunks(email_ids, 500):
        marks = ", ".join([param] * len(chunk))
        for email_id, name, address in database.execute_sql(
                f'SELECT "email_id", "name", "address" FROM "email_recipient" WHERE "email_id" IN ({marks})',
                chunk):
            found.setdefault(email_id, []).append(f"{name} <{address}>" if name else address)
    return {email_id: ", ".join(parts) for email_id, parts in found.items()}


# The columns `field_values` reads, after the engine's own key column.
SOURCE_COLUMNS = ('e."id", e."from_name", e."from_address", e."cc", e."bcc", e."reply_to", '
                  'e."subject", e."message_id", c."text", c."html"')


def field_values(row: Sequence[Any], recipients: str) -> tuple[Any, ...]:
    """The indexed fields of one email, from a row of (key, *SOURCE_COLUMNS)."""
    _, _, from_name, from_address, cc, bcc, reply_to, subject, message_id, _, _ = row
    sender = f"{from_name} <{from_address or ''}>" if from_name else (from_address or "")
    return (sender, recipients, _joined(cc), _joined(bcc), _joined(reply_to), subject or "",
            message_id or "")


def body_of(row: Sequence[Any]) -> str:
    """The indexed body of one email, from a row of (key, *SOURCE_COLUMNS)."""
    return body_text(row[9], row[10])[:BODY_LIMIT]


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
    if not stored_list or stored_list == "[]":  # most mail has no Cc, Bcc or Reply-To: no JSON to read
        return ""
    return ", ".join(json.loads(stored_list))


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
