"""One email: its page (HTML in a sandboxed frame, text, source, parts) and its downloads."""
from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from sanic import Request
from sanic.response import HTTPResponse, raw
from sanic.response import html as html_response

from gclap_sandbox.domains.authentication import email_authentication
from gclap_sandbox.errors import (
    NotFound,
    ValidationFailed,
)
from gclap_sandbox.checks.service import checks_for_email, verdicts_for
from gclap_sandbox.inbox import listing as inbox_page
from gclap_sandbox.inbox import queries as inbox
from gclap_sandbox.mail.decoded import decode_parts
from gclap_sandbox.mail.filenames import content_disposition, part_name
from gclap_sandbox.pipeline import outgoing
from gclap_sandbox.ui.base import (
    EmailPanel,
    bp,
    db_run,
    organization_of,
    page,
    render,
    sandbox_of,
    site_of,
)
from gclap_sandbox.ui.email_view import (
    EMAIL_CSP,
    FRAME_SANDBOX,
    PDF_CSP,
    PREVIEW_CSP,
    as_text,
    cid_path,
    frame_document,
    preview_kind,
)

SOURCE_PREVIEW_LIMIT = 512 * 1024  # bytes of source shown inline; the rest is a download
# What the email page calls a part sent without a name or description.
PART_LABELS = {"message/rfc822": "Attached message", "message/global": "Attached message",
               "message/delivery-status": "Delivery status", "message/global-delivery-status": "Delivery status",
               "text/rfc822-headers": "Message headers", "message/global-headers": "Message headers"}


def _source_view(source: bytes) -> dict[str, Any]:
    return {"text": source[:SOURCE_PREVIEW_LIMIT].decode("utf-8", "replace"),
            "truncated": len(source) > SOURCE_PREVIEW_LIMIT}


def _email_page_data(org: str, email_id: str, panels: tuple[EmailPanel, ...]) -> dict[str, Any]:
    email = inbox.get_email(org, email_id)
    was_unread = not email.is_read
    if was_unread:
        inbox_page.mark_read(org, [email_id])
    data = inbox.detail(org, email_id, "")
    newer, older = inbox_page.neighbours(org, email)
    content = inbox.content_of(email_id)
    received, delivered = bytes(content.raw), outgoing.delivered_version(email, content)
    for part in data["attachments"]:
        part["label"] = part["filename"] or part["description"] or PART_LABELS.get(part["content_type"], "attachment")
        part["preview"] = preview_kind(part["content_type"])
    decoded, skipped = decode_parts(received)
    return {
        "email": data,
        "newer": newer,
        "older": older,
        # Every link and image with what the link checks say of it (checks/links.py).
        "links": checks_for_email(email_id)["links"],
        "decoded": {"parts": decoded, "skipped": skipped},
        # The source as received, and what delivery changed (None when nothing).
        "source": _source_view(received),
        "delivered_source": None if delivered == received else _source_view(delivered),
        "message_parts": [a for a in data["attachments"] if a["headers"] is not None
                          or a["delivery_status"] is not None],
        "panels": [(panel.template, panel.load(org, email_id)) for panel in panels],
        "checks": verdicts_for([email_id])[email_id],
        "unread": inbox_page.unread_count(org),
    }


@page("/emails/<email_id:uuid>", name="email")
async def email_view(request: Request, email_id: Any) -> HTTPResponse:
    sandbox = sandbox_of(request)
    data = await db_run(request, _email_page_data, organization_of(request), str(email_id),
                        site_of(request).email_panels)
    authentication = await email_authentication(sandbox, organization_of(request), str(email_id))
    return render(request, "email.html", frame_sandbox=FRAME_SANDBOX, authentication=authentication,
                  relay_configured=sandbox.relay is not None, **data)


def _recipients_panel(org: str, email_id: str) -> dict[str, Any]:
    return {"recipients": inbox.detail(org, email_id, "")["recipients"]}


EMAIL_PANELS = (EmailPanel("panels/recipients.html", _recipients_panel, live=True),)


def _email_headers() -> dict[str, str]:
    return {"Content-Security-Policy": EMAIL_CSP, "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _html_body(org: str, email_id: str) -> str:
    inbox.get_email(org, email_id)
    return inbox.content_of(email_id).html or ""


@bp.get("/ui/emails/<email_id:uuid>/html", name="email_html")
async def email_html(request: Request, email_id: Any) -> HTTPResponse:
    """The email's HTML for the sandboxed frame, under a CSP that forbids every script."""
    body = await db_run(request, _html_body, organization_of(request), str(email_id))
    document = frame_document(body, lambda cid: cid_path(str(email_id), cid))
    return html_response(document, headers=_email_headers())


@bp.get("/ui/emails/<email_id:uuid>/cid/<content_id:path>", name="email_cid")
async def email_cid(request: Request, email_id: Any, content_id: str) -> HTTPResponse:
    attachment, content = await db_run(request, inbox.inline_part, organization_of(request),
                                       str(email_id), unquote(content_id).strip("<>"))
    return raw(content, content_type=attachment.content_type, headers=_email_headers())


@bp.get("/ui/emails/<email_id:uuid>/attachments/<attachment_id:uuid>", name="email_attachment")
async def email_attachment(request: Request, email_id: Any, attachment_id: Any) -> HTTPResponse:
    attachment, content = await db_run(request, inbox.attachment_content, organization_of(request),
                                       str(email_id), str(attachment_id))
    name = part_name(attachment.filename, attachment.content_type, attachment.position)
    return raw(content, content_type=attachment.content_type, headers={
        **_email_headers(), "Content-Disposition": content_disposition(name)})


@bp.get("/ui/emails/<email_id:uuid>/attachments/<attachment_id:uuid>/preview", name="email_attachment_preview")
async def email_attachment_preview(request: Request, email_id: Any, attachment_id: Any) -> HTTPResponse:
    """An attachment for the page's preview frame: an image or PDF as itself, anything textual
    (HTML and SVG included) as plain text, so nothing in it ever runs; 404 for other types."""
    attachment, content = await db_run(request, inbox.attachment_content, organization_of(request),
                                       str(email_id), str(attachment_id))
    kind = preview_kind(attachment.content_type)
    if kind is None:
        raise NotFound(f"No preview for {attachment.content_type}: download the attachment instead.",
                       slug="no-preview")
    name = part_name(attachment.filename, attachment.content_type, attachment.position)
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
               "Content-Security-Policy": PDF_CSP if kind == "pdf" else PREVIEW_CSP,
               "Content-Disposition": content_disposition(name, "inline")}
    if kind == "text":
        content, charset = as_text(content)
        return raw(content, content_type=f"text/plain; charset={charset}", headers=headers)
    return raw(content, content_type=attachment.content_type, headers=headers)


@bp.get("/ui/emails/<email_id:uuid>/raw", name="email_raw")
async def email_raw(request: Request, email_id: Any) -> HTTPResponse:
    """The source as received, or with `?version=delivered` as a recipient would get it."""
    version = request.args.get("version", outgoing.RECEIVED)
    if version not in outgoing.VERSIONS:
        raise ValidationFailed({"version": [f"Must be one of: {', '.join(outgoing.VERSIONS)}."]})
    source = await db_run(request, inbox.raw_source, organization_of(request), str(email_id), version)
    suffix = "" if version == outgoing.RECEIVED else f"-{version}"
    return raw(source, content_type="message/rfc822", headers={
        **_email_headers(), "Content-Disposition": content_disposition(f"{email_id}{suffix}.eml")})
