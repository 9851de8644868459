"""CSV import of contacts: parse and check the whole file first (pure), then apply it in one go.

A file that cannot be read as CSV (wrong encoding, broken quoting, no `email` column,
duplicate column names) is refused with `BrokenFile` before anything is written. A bad row
(invalid or duplicate email, unknown status) is skipped and reported by its line number
while the good rows are imported. Applying runs as one transaction on the DB thread, and
publishes what the API publishes for one contact (`contacts_created`, `contact_added_to_list`),
once for all the rows, so workflows enrol imported contacts as they do API-created ones.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.contacts.segments import ATTRIBUTE_KEY
from gclap_sandbox.contacts.store import add_to_lists, normalize_email
from gclap_sandbox.models import Contact
from gclap_sandbox.models.contacts import CONTACT_STATUSES
from gclap_sandbox.models.fields import new_id
from gclap_sandbox.storage import bulk
from gclap_sandbox.storage.database import current

FIELD_COLUMNS = ("email", "first_name", "last_name", "status")
ALIASES = {"e_mail": "email", "email_address": "email", "firstname": "first_name",
           "lastname": "last_name", "surname": "last_name"}
# Columns an export writes that are not imported (they belong to the sandbox).
READ_ONLY_COLUMNS = ("id", "lists", "created_at", "updated_at", "last_opened_at", "last_clicked_at")
MAX_REPORTED_ERRORS = 1000
_BATCH = 500
_SEPARATORS = re.compile(r"[\s\-]+")
_NUMBER = re.compile(r"^-?(0|[1-9]\d{0,14})(\.\d+)?$")


class BrokenFile(Exception):
    """The file as a whole cannot be imported; nothing is changed."""


@dataclass
class ImportRow:
    line: int
    email: str
    fields: dict[str, str]  # non-blank first_name / last_name / status
    attributes: dict[str, Any]


@dataclass
class ParsedImport:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def decode(data: bytes, encoding: str = "utf-8") -> str:
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise BrokenFile(
            f"The file is not valid {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start}). "
            "Save it as UTF-8, or name its encoding with `encoding` (e.g. latin-1).") from None
    if "\x00" in text:
        raise BrokenFile("The file contains NUL characters: not CSV text in this encoding "
                         "(UTF-16? name it with `encoding`).")
    return text


Column = tuple[str, str] | None  # ("field" | "attribute", key), None for an ignored column


def column_for(header: str) -> Column:
    """`First Name` -> ("field", "first_name"); `Plan` or `attributes.status` -> an attribute."""
    name = header.strip().lstrip("\ufeff").strip()
    if name.lower().startswith("attributes."):
        return "attribute", name[len("attributes."):]
    key = _SEPARATORS.sub("_", name.lower())
    key = ALIASES.get(key, key)
    if key in READ_ONLY_COLUMNS:
        return None
    return ("field", key) if key in FIELD_COLUMNS else ("attribute", key)


def parse_csv(text: str) -> ParsedImport:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = list(_records(reader))
    except csv.Error as exc:
        raise BrokenFile(f"Line {reader.line_num}: not valid CSV ({exc}).") from None
    if not records:
        raise BrokenFile("The file is empty; it needs a header row with an `email` column.")
    columns = _columns(records[0][1])
    email_index = columns.index(("field", "email"))
    parsed = ParsedImport()
    first_seen: dict[str, int] = {}
    for line, cells in records[1:]:
        problem, row = _row(cells, columns, email_index)
        if row is not None and row.email in first_seen:
            problem = f"Duplicate email {row.email} (first on line {first_seen[row.email]})."
        if problem or row is None:
            email_cell = cells[email_index].strip() if email_index < len(cells) else ""
            parsed.errors.append({"row": line, "email": email_cell, "reason": problem})
            continue
        row.line = line
        first_seen[row.email] = line
        parsed.rows.append(row)
    return parsed


def _records(reader: Any) -> Any:
    """(line the record starts on, cells) for each non-blank record."""
    start = 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield start, cells
        start = reader.line_num + 1


def _columns(header: list[str]) -> list[Column]:
    """Each column's meaning; raises BrokenFile for a header that cannot be used."""
    columns: list[Column] = []
    for number, name in enumerate(header, start=1):
        if not name.strip():
            raise BrokenFile(f"Column {number} of the header row has no name.")
        column = column_for(name)
        if column is not None and column in columns:
            raise BrokenFile(f"Column {name.strip()!r} appears twice in the header row.")
        if column is not None and column[0] == "attribute" and not ATTRIBUTE_KEY.match(column[1]):
            raise BrokenFile(f"Column {name.strip()!r}: names are letters, digits, spaces, `_` or `-`.")
        columns.append(column)
    if ("field", "email") not in columns:
        raise BrokenFile("The header row has no `email` column.")
    return columns


def _row(cells: list[str], columns: list[Column], email_index: int) -> tuple[str, None] | tuple[None, ImportRow]:
    if len(cells) > len(columns):
        return f"{len(cells)} fields, but the header has {len(columns)}.", None
    raw_email = cells[email_index].strip() if email_index < len(cells) else ""
    if not raw_email:
        return "No email address.", None
    email = normalize_email(raw_email)
    if email is None:
        return f"Not a valid email address: {raw_email!r}.", None
    fields: dict[str, str] = {}
    attributes: dict[str, Any] = {}
    for column, value in zip(columns, cells):
        value = value.strip()
        if column is None or column == ("field", "email") or not value:
            continue  # a blank cell leaves the contact's value as it is
        kind, key = column
        if kind == "field":
            fields[key] = value
        else:
            attributes[key] = typed_value(value)
    if fields.get("status", "subscribed") not in CONTACT_STATUSES:
        return f"Unknown status {fields['status']!r}; use one of: {', '.join(CONTACT_STATUSES)}.", None
    for name in ("first_name", "last_name"):
        if len(fields.get(name, "")) > 200:
            return f"{name} is longer than 200 characters.", None
    return None, ImportRow(line=0, email=email, fields=fields, attributes=attributes)


def typed_value(value: str) -> Any:
    """Numbers that read back the same become JSON numbers (so segments compare numerically)."""
    if _NUMBER.match(value):
        return float(value) if "." in value else int(value)
    return value


_UPDATE_COLUMNS = ("first_name", "last_name", "status", "attributes", "updated_at")


def apply_import(organization_id: str, parsed: ParsedImport, list_id: str | None, dry_run: bool
                 ) -> dict[str, Any]:
    """Create or update each good row's contact (DB thread, one transaction)."""
    existing = _existing(organization_id, [row.email for row in parsed.rows])
    now = clock.now()
    new_rows: list[dict[str, Any]] = []
    changed_rows: list[tuple[Any, ...]] = []
    touched: list[str] = []
    for row in parsed.rows:
        contact = existing.get(row.email)
        if contact is None:
            contact_id = new_id()
            new_rows.append({"id": contact_id, "organization": organization_id, "email": row.email,
                             "first_name": row.fields.get("first_name", ""),
                             "last_name": row.fields.get("last_name", ""),
                             "status": row.fields.get("status", "subscribed"),
                             "attributes": row.attributes, "created_at": now, "updated_at": now})
        else:
            contact_id = contact.id
            merged = {name: row.fields.get(name, getattr(contact, name)) for name in _UPDATE_COLUMNS[:3]}
            changed_rows.append((merged["first_name"], merged["last_name"], merged["status"],
                                 {**contact.attributes, **row.attributes}, now, contact_id))
        touched.append(contact_id)
    if not dry_run:
        bulk.insert_rows(Contact, new_rows)
        bulk.update_rows(Contact, _UPDATE_COLUMNS, changed_rows)
        # As the API does for one contact: subscribers (automation) hear of the new ones, then
        # of the new list memberships, in this transaction, once per import.
        if new_rows:
            current().bus.contacts_created.publish(organization_id, [row["id"] for row in new_rows])
        if list_id:
            add_to_lists(touched, [list_id])
    return {
        "dry_run": dry_run,
        "created": len(new_rows),
        "updated": len(changed_rows),
        "skipped": len(parsed.errors),
        "errors": parsed.errors[:MAX_REPORTED_ERRORS],
        "errors_truncated": len(parsed.errors) > MAX_REPORTED_ERRORS,
        "list": list_id,
    }


def _existing(organization_id: str, emails: list[str]) -> dict[str, Contact]:
    found: dict[str, Contact] = {}
    for start in range(0, len(emails), _BATCH):
        for contact in Contact.select().where((Contact.organization == organization_id)
                                              & Contact.email.in_(emails[start:start + _BATCH])):
            found[contact.email] = contact
    return found
