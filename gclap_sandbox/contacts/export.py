"""CSV export of contacts, in batches so the API can stream it (DB thread).

Columns: the contact's own fields, then one column per attribute key in use (found by the
database's JSON functions, never by loading contacts). An attribute whose name clashes with a
field is written as `attributes.<key>`; the import reads both forms back.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any

import peewee

from gclap_sandbox import clock
from gclap_sandbox.contacts.store import filtered, list_ids_by_contact
from gclap_sandbox.models import Contact
from gclap_sandbox.storage import engine

FIELD_COLUMNS = ["id", "email", "first_name", "last_name", "status", "lists", "created_at",
                 "updated_at", "last_opened_at", "last_clicked_at"]
Cursor = tuple[Any, str] | None  # (created_at, id) of the last row sent


def attribute_keys(organization_id: str) -> list[str]:
    each, key = engine.current().json_keys(Contact.attributes)
    rows = (Contact.select(key).from_(Contact, each)
            .where(Contact.organization == organization_id).distinct().tuples())
    return sorted(key for (key,) in rows)


def header(keys: list[str]) -> list[str]:
    return FIELD_COLUMNS + [f"attributes.{k}" if k in FIELD_COLUMNS else k for k in keys]


def to_csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return "" if value is None else value
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list, bool)) else value


def export_batch(organization_id: str, filters: dict[str, Any], keys: list[str], after: Cursor,
                 limit: int) -> tuple[str, Cursor]:
    """The next `limit` matching contacts (oldest first) as CSV text, and the cursor after them."""
    query = filtered(organization_id, filters)
    if after is not None:
        created_at, last_id = after
        # A row-value comparison lets SQLite seek the (organization, created_at) index.
        query = query.where(peewee.Tuple(Contact.created_at, Contact.id)
                            > peewee.Tuple(Contact.created_at.db_value(created_at), last_id))
    contacts = list(query.order_by(Contact.created_at, Contact.id).limit(limit))
    if not contacts:
        return "", None
    lists = list_ids_by_contact(c.id for c in contacts)
    rows = [[c.id, c.email, c.first_name, c.last_name, c.status, ";".join(lists[c.id]),
             clock.iso(c.created_at), clock.iso(c.updated_at), clock.iso(c.last_opened_at) or "",
             clock.iso(c.last_clicked_at) or "", *(_cell(c.attributes.get(k)) for k in keys)]
            for c in contacts]
    last = contacts[-1]
    return to_csv(rows), (last.created_at, last.id)
