"""/api/v1/events/ and /api/v1/emails/{id}/events/: the delivery events, filtered and paged."""
from __future__ import annotations

import re
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.pagination import (
    PAGE_FIELDS,
    envelope,
    envelope_schema,
    offset_limit,
)
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.events import record as events
from gclap_sandbox.events.waiters import (
    MAX_WAIT_SECONDS,
    WAIT_DESCRIPTION,
    hold_until_found,
)
from gclap_sandbox.inbox import queries as inbox
from gclap_sandbox.schema import DateTime, Errors, Number, Obj, Str, Uuid

bp = Blueprint("events", url_prefix=API_PREFIX, strict_slashes=False)

EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "type": {"type": "string", "enum": list(events.EVENT_TYPES)},
        "email_id": {"type": "string", "format": "uuid"},
        "recipient": {"type": ["string", "null"]},
        "occurred_at": {"type": "string", "format": "date-time"},
        "data": {"type": "object"},
    },
}
_TYPES_HELP = "One event type or a comma-separated list: " + ", ".join(events.EVENT_TYPES) + "."


class EventTypes(Str):
    """`email.opened` or `email.opened, email.clicked`: known types, comma-separated (spaces and
    empty items ignored); cleaned to the list of types."""

    _TYPE = "|".join(re.escape(name) for name in events.EVENT_TYPES)

    def __init__(self) -> None:
        super().__init__(max_length=500, description=_TYPES_HELP,
                         pattern=rf"(?:[ \t]*,)*[ \t]*(?:{self._TYPE})[ \t]*(?:,[ \t]*(?:(?:{self._TYPE})[ \t]*)?)*")

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, str) or len(value) > 500:
            return super().clean(value, path, errors)  # says what is wrong with the value as a whole
        wanted = [t.strip(" \t") for t in value.split(",") if t.strip(" \t")]
        unknown = [t for t in wanted if t not in events.EVENT_TYPES]
        if unknown or not wanted:
            errors.setdefault(path, []).append(f"Unknown event type(s): {', '.join(unknown) or '(none)'}. "
                                               + _TYPES_HELP)
        return wanted


_FILTERS = {
    "type": EventTypes(),
    "recipient": Str(max_length=320, description="Only events of this recipient address."),
    "since": DateTime(description="Only events at or after this time."),
    "before": DateTime(description="Only events before this time."),
}
LIST_QUERY = Obj({**PAGE_FIELDS, **_FILTERS, "email": Uuid(description="Only events of this email."),
                  "campaign": Uuid(description="Only events of the email sent for this campaign."),
                  "wait": Number(minimum=0, maximum=MAX_WAIT_SECONDS, from_string=True,
                                 description=WAIT_DESCRIPTION)},
)
EMAIL_EVENTS_QUERY = Obj({**PAGE_FIELDS, **_FILTERS})


@endpoint(bp, "GET", "/events/", scope="events:read", summary="List delivery events",
          description="Newest first. With `wait`, an empty result is held until a matching event is "
          "recorded. " + " ".join(f"`{k}`: {v}" for k, v in events.EVENT_TYPES.items()),
          query=LIST_QUERY,
          responses={200: {"description": "A page of events.", "schema": envelope_schema(EVENT_SCHEMA)}})
async def list_events(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    query, organization_id = request.ctx.query, request.ctx.principal.organization_id
    offset, limit = offset_limit(query)

    async def fetch() -> tuple[int, list[dict[str, Any]]]:
        return await ctx.db.run(events.list_events, organization_id, query, offset, limit)

    count, rows = await hold_until_found(ctx.waiters, "events", organization_id, query.get("wait") or 0, fetch)
    return json_response(envelope(request, count, rows))


def _email_events(organization_id: str, email_id: str, filters: dict[str, Any], offset: int, limit: int
                  ) -> tuple[int, list[dict[str, Any]]]:
    inbox.get_email(organization_id, email_id)  # 404 for an unknown email
    return events.list_events(organization_id, {**filters, "email": email_id}, offset, limit, oldest_first=True)


@endpoint(bp, "GET", "/emails/<email_id:uuid>/events/", scope="events:read",
          summary="The events of one email", description="Oldest first.", query=EMAIL_EVENTS_QUERY,
          responses={200: {"description": "A page of events.", "schema": envelope_schema(EVENT_SCHEMA)},
                     404: {}})
async def email_events(request: Request, email_id: Any) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await ctx.db.run(_email_events, request.ctx.principal.organization_id, str(email_id),
                                   request.ctx.query, offset, limit)
    return json_response(envelope(request, count, rows))
