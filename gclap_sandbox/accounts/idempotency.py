"""`Idempotency-Key` on POST routes, per organization, for 24 hours (sandbox clock).

The same key with the same request (method, path, JSON body) replays the first successful
response, marked `Idempotent-Replayed: true`, and runs nothing again. The same key with a
different request gets 409 `idempotency-key-reused`; a duplicate that arrives while the first
is still running gets 409 `idempotency-key-in-progress` (tracked in memory on the loop, so
the check is exact). Only 2xx responses are stored: a failed request may be retried.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Awaitable, Callable

import peewee
from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox import clock
from gclap_sandbox.errors import BadRequest, Conflict
from gclap_sandbox.models import IdempotencyRecord, Organization
from gclap_sandbox.storage import bulk
from gclap_sandbox.storage import database as db

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
KEY_PATTERN = r"^[!-~]{1,255}$"  # printable ASCII, no spaces (also the OpenAPI document's pattern)
_KEY_RE = re.compile(KEY_PATTERN)


def parse_key(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not _KEY_RE.match(value):
        raise BadRequest("Idempotency-Key must be 1-255 printable ASCII characters without spaces.",
                         slug="invalid-idempotency-key")
    return value


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What "the same request" means: method, path (trailing slash ignored), canonical JSON body."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError, RecursionError):  # the route will refuse it anyway
        canonical = body
    digest = hashlib.sha256(f"{method.upper()} {path.rstrip('/')}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


async def run_once(ctx: AppContext, request: Request, organization_id: str, key: str,
                   call: Callable[[], Awaitable[HTTPResponse]]) -> HTTPResponse:
    token = (organization_id, key)
    if token in ctx.idempotency_in_flight:
        raise Conflict("A request with this Idempotency-Key is still being processed; retry once it "
                       "has finished.", slug="idempotency-key-in-progress")
    ctx.idempotency_in_flight.add(token)
    try:
        request_print = fingerprint(request.method, request.path, request.body or b"")
        with db.apart_from_intakes():  # a record need not wait for sends still being filed
            stored = await ctx.db.run(find_record, organization_id, key)
        if stored is not None:
            if stored.fingerprint != request_print:
                raise Conflict("This Idempotency-Key was already used with a different request "
                               "within the last 24 hours.", slug="idempotency-key-reused")
            return HTTPResponse(bytes(stored.body), status=stored.status, content_type=stored.content_type,
                                headers={REPLAYED_HEADER: "true"})
        response = await call()
        if 200 <= response.status < 300:
            await _remember(ctx, organization_id, key, request_print, response)
        return response
    finally:
        ctx.idempotency_in_flight.discard(token)


def find_record(organization_id: str, key: str) -> IdempotencyRecord | None:
    record = IdempotencyRecord.get_or_none((IdempotencyRecord.organization == organization_id)
                                           & (IdempotencyRecord.key == key))
    if record is not None and record.created_at <= clock.now() - RETENTION:
        record.delete_instance()
        return None
    return record


async def _remember(ctx: AppContext, organization_id: str, key: str, request_print: str,
                    response: HTTPResponse) -> None:
    """Store a completed action's response for replays. The action has happened: failing to
    remember it must not turn its answer into an error (a retry then simply runs it again)."""
    try:
        with db.apart_from_intakes():
            stored = await ctx.db.run(save_record, organization_id, key, request_print, response.status,
                                      response.content_type or "application/json", bytes(response.body or b""))
    except peewee.DatabaseError:
        log.exception("could not store the response for Idempotency-Key %r; it will not be replayed", key)
        return
    if not stored:
        log.info("Idempotency-Key %r not stored: its organization was deleted by the request itself", key)


def save_record(organization_id: str, key: str, request_print: str, status: int, content_type: str,
                body: bytes) -> bool:
    """Store the record (DB thread); False when the action deleted its own organization (a full
    reset): there is nothing left to replay under, and the caller's key is gone too."""
    if not Organization.select().where(Organization.id == organization_id).exists():
        return False
    bulk.upsert(IdempotencyRecord, [IdempotencyRecord.organization, IdempotencyRecord.key],
                organization=organization_id, key=key, fingerprint=request_print, status=status,
                content_type=content_type, body=body, created_at=clock.now())
    return True
