"""/api/v1/emails/: send, list, read, download and delete captured email."""
from __future__ import annotations

import re
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from gclap_sandbox.api.bulk_delete import delete_query
from gclap_sandbox.api.pagination import (
    PAGE_FIELDS,
    envelope,
    envelope_schema,
    offset_limit,
)
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.events.waiters import (
    MAX_WAIT_SECONDS,
    WAIT_DESCRIPTION,
    hold_until_found,
)
from gclap_sandbox.inbox import queries as inbox
from gclap_sandbox.inbox.arrivals import may_list
from gclap_sandbox.mail import message as mail
from gclap_sandbox.mail.filenames import content_disposition, part_name
from gclap_sandbox.pipeline import outgoing, sending, simulate
from gclap_sandbox.pipeline.incoming import Controls, Incoming
from gclap_sandbox.schema import (
    Address,
    Base64,
    Bool,
    DateTime,
    Errors,
    ListOf,
    MapOf,
    Number,
    Obj,
    Str,
    Uuid,
)
from gclap_sandbox.schema_rules import AnyOf, Required, Requires, Unless
from gclap_sandbox.settings import MAX_RECIPIENTS_CEILING
from gclap_sandbox.templating.store import fill_send_request

bp = Blueprint("emails", url_prefix=API_PREFIX, strict_slashes=False)

MAX_RECIPIENTS = MAX_RECIPIENTS_CEILING  # per list; all of them together: --max-recipients
# Headers the API sets itself; a custom `headers` entry may not override them.
RESERVED_HEADERS = ("from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id",
                    "mime-version", "content-type", "content-transfer-encoding")


def _caseless(word: str) -> str:
    """A regex, for Python and ECMA-262 alike (no shared inline flag), matching `word` (letters and
    `-`) in any case."""
    return "".join(f"[{ch.upper()}{ch.lower()}]" if ch.isalpha() else ch for ch in word)


class HeaderName(Str):
    """A custom header's name: an RFC 5322 field name (printable ASCII but `:`) the API does not set."""

    _RESERVED = re.compile("|".join(_caseless(name) for name in RESERVED_HEADERS))

    def __init__(self) -> None:
        super().__init__(pattern=r"[!-9;-~]+", pattern_hint="Not a valid header name.")

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        value = super().clean(value, path, errors)
        if isinstance(value, str) and self._RESERVED.fullmatch(value):
            errors.setdefault(path, []).append("Set by the API from its own field; use that field instead.")
        return value

    def own_schema(self) -> dict[str, Any]:
        return {**super().own_schema(), "not": {"pattern": f"^(?:{self._RESERVED.pattern})$"}}


# A header value or subject: one line (the API folds long ones itself).
ONE_LINE = r"[^\r\n]*"


def _check_recipient_count(data: dict[str, Any], limit: int) -> None:
    if sum(len(data.get(k) or []) for k in ("to", "cc", "bcc")) > limit:
        raise ValidationFailed({"to": [f"At most {limit} recipients in all (to, cc, bcc)."]})


def _addresses(description: str, required: bool = False) -> ListOf:
    return ListOf(Address(), one_or_many=True, min_items=1 if required else 0,
                  max_items=MAX_RECIPIENTS, required=required, description=description)


ATTACHMENT = Obj({
    "filename": Str(required=True, min_length=1, max_length=255, single_line=True),
    "content": Base64(required=True, description="The file's bytes, base64-encoded."),
    "content_type": Str(max_length=200, default="application/octet-stream",
                        pattern=r"[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*",
                        pattern_hint="Must be a MIME type such as `application/pdf`."),
    "content_id": Str(max_length=200, pattern=r"<?[!-;=?-~]+>?",
                      pattern_hint="Must be one token without spaces, e.g. `logo`.",
                      description="Makes it an inline image referenced as cid:<content_id>."),
})

SEND_BODY = Obj({
    "to": _addresses("Recipient address, or a list of them.", required=True),
    "subject": Str(max_length=998, pattern=ONE_LINE, pattern_hint="May not contain line breaks.",
                   description="Email subject line (required unless `template_id` is given)."),
    "html": Str(description="HTML email body."),
    "text": Str(description="Plain text email body."),
    "from_email": Address(description="Sender address, e.g. `Ana <hello@yourdomain.com>`."),
    "cc": _addresses("Cc address or list."),
    "bcc": _addresses("Bcc address or list (never shown in the headers)."),
    "reply_to": _addresses("Reply-To address or list."),
    "headers": MapOf(Str(max_length=998, pattern=ONE_LINE, pattern_hint="May not contain line breaks."),
                     keys=HeaderName(), max_items=100,
                     description="Extra MIME headers (not those the API sets from its own fields)."),
    "tags": ListOf(Str(min_length=1, max_length=200), max_items=50),
    "metadata": MapOf(max_items=100, description="Free-form JSON kept with the email and its events."),
    "attachments": ListOf(ATTACHMENT, max_items=100),
    "simulate": ListOf(Str(choices=list(simulate.LABELS)), one_or_many=True, max_items=len(simulate.LABELS),
                       description="Outcomes to simulate for every recipient, e.g. [\"opened\", \"clicked\"] "
                       "(what SMTP mail says with the X-Gclap-Simulate header)."),
    "track_opens": Bool(description="Add the open-tracking pixel (default: the organization's setting)."),
    "track_clicks": Bool(description="Rewrite links for click tracking (default: the organization's setting)."),
    "category": Str(choices=["transactional", "marketing"],
                    description="Marketing mail gets RFC 8058 List-Unsubscribe headers."),
    "template_id": Uuid(description="Render subject, html and text from this template (parts given here win)."),
    "variables": MapOf(max_items=200, description="The template's variables; `contact` is added when the "
                                                  "single `to` recipient is a contact."),
}, rules=[
    # With a template, subject and bodies come from it.
    Unless("template_id", Required("subject", message="This field is required (unless `template_id` is given)."),
           AnyOf("html", "text", message="Either `html` or `text` (or both) is required.")),
    Requires("variables", "template_id"),
])

LIST_QUERY = Obj({
    **PAGE_FIELDS,
    "search": Str(max_length=500, description="The inbox's search language: free text (sender, recipients, "
                  "subject, body) and `to:` `from:` `cc:` `bcc:` `reply-to:` `subject:` `body:` `message-id:` "
                  "`tag:` `status:` `is:` `has:attachment` `before:` `after:` `larger:` `smaller:`, "
                  "`-` to negate (see the README). A mistake is a 400 naming `search`."),
    "to": Str(max_length=320, description="Only email sent to this address (to, cc or bcc)."),
    "from": Str(max_length=320, description="Only email from this address."),
    "status": Str(max_length=32),
    "tag": Str(max_length=200),
    "source": Str(choices=["api", "smtp"]),
    "campaign": Uuid(description="Only the email sent for this campaign (one per recipient)."),
    "since": DateTime(description="Only email captured at or after this time."),
    "before": DateTime(description="Only email captured before this time."),
    "subject": Str(max_length=998, description="Only email whose subject contains this text (any case)."),
    "wait": Number(minimum=0, maximum=MAX_WAIT_SECONDS, from_string=True, description=WAIT_DESCRIPTION),
}, allow_unknown=False)

_STRINGS = {"type": "array", "items": {"type": "string"}}
EMAIL_SUMMARY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "status": {"type": "string"},
        "source": {"type": "string", "enum": ["api", "smtp"]},
        "message_id": {"type": ["string", "null"]},
        "from_email": {"type": ["string", "null"]},
        "from_name": {"type": ["string", "null"]},
        "to": _STRINGS, "cc": _STRINGS, "bcc": _STRINGS,
        "subject": {"type": "string"},
        "snippet": {"type": "string"},
        "tags": _STRINGS,
        "metadata": {"type": "object"},
        "size": {"type": "integer"},
        "attachment_count": {"type": "integer"},
        "is_read": {"type": "boolean"},
        "created_at": {"type": "string", "format": "date-time"},
        "campaign_id": {"type": ["string", "null"], "format": "uuid",
                        "description": "The campaign it was sent for (null for other email)."},
        "relay": {"type": ["object", "null"], "description": "Relay state of the latest relay job "
                  "(null when never relayed); the single email also lists every job under `jobs`.",
                  "properties": {"status": {"type": "string"}, "attempts": {"type": "integer"},
                                 "last_reply": {"type": ["object", "null"]},
                                 "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
                                 "jobs": {"type": "array", "items": {"type": "object"}}}},
    },
}
ATTACHMENT_INFO = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"}, "filename": {"type": ["string", "null"]},
        "content_type": {"type": "string"}, "size": {"type": "integer"},
        "content_id": {"type": ["string", "null"]}, "inline": {"type": "boolean"},
        "description": {"type": ["string", "null"], "description": "The part's Content-Description."},
        "headers": {"type": ["array", "null"], "description": "For message/rfc822 and text/rfc822-headers "
                    "parts: the headers of the message they carry.", "items": {"type": "object", "properties": {
                        "name": {"type": "string"}, "value": {"type": "string"}}}},
        "delivery_status": {"type": ["object", "null"], "description": "For message/delivery-status parts "
                            "(RFC 3464): the per-message fields and one object of fields per recipient.",
                            "properties": {"message": {"type": "object"},
                                           "recipients": {"type": "array", "items": {"type": "object"}}}},
        "download_url": {"type": "string", "format": "uri",
                         "description": "The content: decoded for files; for message/* parts the bytes received."},
    },
}
EMAIL_DETAIL: dict[str, Any] = {
    "type": "object",
    "properties": {
        **EMAIL_SUMMARY["properties"],
        "reply_to": _STRINGS,
        "envelope_from": {"type": ["string", "null"]},
        "recipients": {"type": "array", "items": {"type": "object", "properties": {
            "email": {"type": "string"}, "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["to", "cc", "bcc"]}, "status": {"type": "string"}}}},
        "headers": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "value": {"type": "string"}}}},
        "text": {"type": ["string", "null"]},
        "html": {"type": ["string", "null"]},
        "attachments": {"type": "array", "items": ATTACHMENT_INFO},
        "raw_url": {"type": "string", "format": "uri", "description": "The source exactly as received."},
        "delivered_raw_url": {"type": "string", "format": "uri",
                              "description": "The source as delivered (tracking, added headers)."},
    },
}
EMAIL_ID_PATH = "/<email_id:uuid>"


def _base_url(request: Request) -> str:
    return request.app.ctx.sandbox.http_url or f"{request.scheme}://{request.host}"


@endpoint(bp, "POST", "/emails/send/", scope="emails:send", summary="Send an email",
          description="Captures the email (it is never delivered unless relaying is configured).",
          body=SEND_BODY, responses={202: {"description": "Captured.", "schema": EMAIL_SUMMARY},
                                     404: {"description": "`template_id` names no template (`unknown-reference`)."}})
async def send_email(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    data = request.ctx.body
    _check_recipient_count(data, ctx.settings.max_recipients)
    if data.get("template_id"):
        data = await fill_send_request(ctx, request.ctx.principal.organization_id, data)
    message_id = mail.new_message_id()
    raw_bytes, parsed = mail.build_sent(data, message_id)
    if len(raw_bytes) > ctx.settings.max_message_size:
        field = "attachments" if data.get("attachments") else "html" if data.get("html") else "text"
        raise ValidationFailed({field: [
            f"The message is {len(raw_bytes)} bytes; the limit is {ctx.settings.max_message_size}."]})
    incoming = Incoming(
        raw=raw_bytes, source="api", organization_id=request.ctx.principal.organization_id,
        envelope_from=mail.split_address(data.get("from_email") or mail.DEFAULT_FROM)[1],
        envelope_to=[*data["to"], *(data.get("cc") or []), *(data.get("bcc") or [])],
        bcc=data.get("bcc") or [], tags=data.get("tags") or [], metadata=data.get("metadata") or {},
        api_bodies=(data.get("text"), data.get("html")), controls=Controls.from_request(data),
        parsed=parsed,  # known from the request: the capture does not parse what was just written
    )
    return json_response(await sending.send(ctx, incoming), status=202)


@endpoint(bp, "GET", "/emails/", scope="emails:read", summary="List captured email",
          description="Newest first. With `wait`, an empty result is held until matching email arrives.",
          query=LIST_QUERY,
          responses={200: {"description": "A page of email.", "schema": envelope_schema(EMAIL_SUMMARY)}})
async def list_emails(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    query, organization_id = request.ctx.query, request.ctx.principal.organization_id
    offset, limit = offset_limit(query)

    async def fetch() -> tuple[int, list[dict[str, Any]]]:
        return await ctx.db.run(inbox.list_emails, organization_id, query, offset, limit)

    count, rows = await hold_until_found(ctx.waiters, "emails", organization_id, query.get("wait") or 0, fetch,
                                         may_match=may_list(query))
    return json_response(envelope(request, count, rows))


DELETE_QUERY = delete_query({name: field for name, field in LIST_QUERY.fields.items()
                             if name not in ("page", "page_size", "wait")}, what="email")


@endpoint(bp, "DELETE", "/emails/", scope="emails:write", summary="Delete captured email",
          description="Deletes the email the filters match (the list's filters), or all of it with "
                      "`all=true`. Without either it deletes nothing and answers 400.",
          query=DELETE_QUERY,
          responses={200: {"description": "How many were deleted.",
                            "schema": {"type": "object", "properties": {"deleted": {"type": "integer"}}}},
                     400: {"description": "No filter and no `all=true`, both, an empty value or a bad filter."}})
async def delete_emails(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    filters = {name: value for name, value in request.ctx.query.items() if name != "all"}
    deleted = await ctx.db.run(inbox.delete_matching, request.ctx.principal.organization_id, filters)
    return json_response({"deleted": deleted})


@endpoint(bp, "GET", "/emails" + EMAIL_ID_PATH + "/", scope="emails:read", summary="Get one email",
          responses={200: {"description": "The email, parsed.", "schema": EMAIL_DETAIL}, 404: {}})
async def get_email(request: Request, email_id: Any) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    data = await ctx.db.run(inbox.detail, request.ctx.principal.organization_id, str(email_id),
                            _base_url(request))
    return json_response(data)


@endpoint(bp, "DELETE", "/emails" + EMAIL_ID_PATH + "/", scope="emails:write", summary="Delete one email",
          responses={204: {"description": "Deleted."}, 404: {}})
async def delete_email(request: Request, email_id: Any) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    await ctx.db.run(inbox.delete_email, request.ctx.principal.organization_id, str(email_id))
    return HTTPResponse(status=204)


RAW_QUERY = Obj({
    "version": Str(choices=list(outgoing.VERSIONS), default=outgoing.RECEIVED,
                   description="`received` (default): the bytes exactly as they arrived. `delivered`: what a "
                   "recipient would get: tracked links and open pixel, List-Unsubscribe, the Message-ID and "
                   "Date the sandbox adds when missing, without the X-Gclap-* control headers."),
}, allow_unknown=False)


@endpoint(bp, "GET", "/emails" + EMAIL_ID_PATH + "/raw/", scope="emails:read",
          summary="The email's RFC 822 source: as received, or as delivered", query=RAW_QUERY,
          responses={200: {"description": "The source.", "content_type": "message/rfc822"}, 404: {}})
async def raw_email(request: Request, email_id: Any) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    source = await ctx.db.run(inbox.raw_source, request.ctx.principal.organization_id, str(email_id),
                              request.ctx.query["version"])
    return raw(source, content_type="message/rfc822")


@endpoint(bp, "GET", "/emails" + EMAIL_ID_PATH + "/attachments/<attachment_id:uuid>/", scope="emails:read",
          summary="Download an attachment",
          responses={200: {"description": "The attachment's bytes.", "content_type": "application/octet-stream"},
                     404: {}})
async def download_attachment(request: Request, email_id: Any, attachment_id: Any) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    attachment, content = await ctx.db.run(inbox.attachment_content, request.ctx.principal.organization_id,
                                           str(email_id), str(attachment_id))
    name = part_name(attachment.filename, attachment.content_type, attachment.position)
    return raw(content, content_type=attachment.content_type,
               headers={"Content-Disposition": content_disposition(name), "X-Content-Type-Options": "nosniff"})
