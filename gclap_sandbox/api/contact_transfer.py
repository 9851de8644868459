"""/api/v1/contacts/import/ and /export/: contacts in and out as CSV."""
from __future__ import annotations

import asyncio
import codecs
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.contacts import LIST_QUERY
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint, start_stream
from gclap_sandbox.contacts import csv_import as contact_import
from gclap_sandbox.contacts import export as contact_export
from gclap_sandbox.errors import BadRequest, ValidationFailed
from gclap_sandbox.models import ContactList
from gclap_sandbox.schema import Bool, Obj, Str, Uuid
from gclap_sandbox.state_errors import unknown_reference

bp = Blueprint("contact_transfer", url_prefix=API_PREFIX, strict_slashes=False)

EXPORT_BATCH = 1000
CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/octet-stream")
IMPORT_OPTIONS = Obj({
    "list": Uuid(description="Also add every imported contact (created or updated) to this list."),
    "dry_run": Bool(from_string=True, default=False, description="Check and count; change nothing."),
    "encoding": Str(max_length=40, description="The file's text encoding (default UTF-8; a BOM is fine)."),
})
IMPORT_RESULT: dict[str, Any] = {"type": "object", "properties": {
    "dry_run": {"type": "boolean"}, "created": {"type": "integer"}, "updated": {"type": "integer"},
    "skipped": {"type": "integer"},
    "errors": {"type": "array", "description": "Skipped rows: line number, email cell and reason.",
               "items": {"type": "object", "properties": {
                   "row": {"type": "integer"}, "email": {"type": "string"}, "reason": {"type": "string"}}}},
    "errors_truncated": {"type": "boolean"},
    "list": {"type": ["string", "null"], "format": "uuid"}}}
_CSV_SCHEMA = {"type": "string", "description": "CSV with a header row; `email` is required; "
                                                "first_name, last_name and status are fields; other "
                                                "columns become attributes."}
IMPORT_BODY_DOC = {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "additionalProperties": False,
                                       "properties": {"file": {"type": "string", "format": "binary"},
                                                      **IMPORT_OPTIONS.json_schema()["properties"]}}},
    "text/csv": {"schema": _CSV_SCHEMA},
}


def _org(request: Request) -> str:
    return request.ctx.principal.organization_id


def _upload(request: Request) -> tuple[bytes, dict[str, Any], str | None]:
    """(file bytes, options from form fields, charset named by the upload) of an import request."""
    content_type = (request.content_type or "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        uploads = request.files.getlist("file") if request.files else None
        if not uploads:
            raise ValidationFailed({"file": ["Attach the CSV as the multipart field `file`."]})
        form = {k: v[-1] for k, v in (request.form or {}).items()}
        given = IMPORT_OPTIONS.validate(form)
        return uploads[0].body, {k: v for k, v in given.items() if k in form}, None
    if content_type in CSV_TYPES:
        charset = request.headers.get("content-type", "").partition("charset=")[2].strip().strip('"') or None
        return request.body, {}, charset
    raise BadRequest("Send the CSV as multipart/form-data (field `file`) or as a text/csv body.",
                     slug="unsupported-content-type")


@endpoint(bp, "POST", "/contacts/import/", scope="contacts:write", summary="Import contacts from CSV",
          description="Creates new contacts and updates existing ones (matched by email; blank cells "
                      "change nothing). Bad rows are skipped and reported; a file that cannot be read "
                      "changes nothing. Options go in the query string or as form fields.",
          query=IMPORT_OPTIONS, body_doc=IMPORT_BODY_DOC,
          responses={200: {"description": "What was (or, with dry_run, would be) done.",
                           "schema": IMPORT_RESULT},
                     404: {"description": "`list` names no list (`unknown-reference`)."}})
async def import_contacts(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    data, form_options, charset = _upload(request)
    options = {**request.ctx.query, **form_options}
    encoding = options.get("encoding") or charset or "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValidationFailed({"encoding": [f"Unknown encoding {encoding!r}."]}) from None
    if not data:
        raise ValidationFailed({"file": ["The file is empty; it needs a header row with an `email` column."]})
    try:  # parsing is CPU work: keep it off both the loop and the DB thread
        parsed = await asyncio.get_running_loop().run_in_executor(
            None, lambda: contact_import.parse_csv(contact_import.decode(data, encoding)))
    except contact_import.BrokenFile as exc:
        raise ValidationFailed({"file": [str(exc)]}, detail=f"The file cannot be imported: {exc}") from None
    result = await ctx.db.run(_import, _org(request), parsed, options.get("list"), options["dry_run"])
    return json_response(result)


def _import(organization_id: str, parsed: contact_import.ParsedImport, list_id: str | None,
            dry_run: bool) -> dict[str, Any]:
    if list_id and not ContactList.get_or_none((ContactList.id == list_id)
                                               & (ContactList.organization == organization_id)):
        raise unknown_reference({"list": [f"No list with id {list_id}."]})
    return contact_import.apply_import(organization_id, parsed, list_id, dry_run)


EXPORT_QUERY = Obj({name: f for name, f in LIST_QUERY.fields.items() if name not in ("page", "page_size")})


@endpoint(bp, "GET", "/contacts/export/", scope="contacts:read", summary="Export contacts as CSV",
          description="Streamed, oldest first; takes the same filters as the contact list. "
                      "Attribute columns follow the contact's own fields.",
          query=EXPORT_QUERY, responses={200: {"description": "The CSV.", "content_type": "text/csv"},
                                         404: {"description": "`segment` names no segment (`unknown-reference`)."}})
async def export_contacts(request: Request) -> None:
    db, org, filters = request.app.ctx.sandbox.db, _org(request), request.ctx.query
    keys = await db.run(contact_export.attribute_keys, org)
    # The first batch runs before the response starts, so a bad filter still gets a 400.
    chunk, cursor = await db.run(contact_export.export_batch, org, filters, keys, None, EXPORT_BATCH)
    response = await start_stream(request, content_type="text/csv; charset=utf-8",
                                  headers={"Content-Disposition": 'attachment; filename="contacts.csv"'})
    await response.send(contact_export.to_csv([contact_export.header(keys)]) + chunk)
    while cursor is not None:
        chunk, cursor = await db.run(contact_export.export_batch, org, filters, keys, cursor, EXPORT_BATCH)
        if chunk:
            await response.send(chunk)
    await response.eof()
