"""Reading and deleting captured email: the queries behind the emails API (DB thread)."""
from __future__ import annotations

from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.errors import NotFound, ValidationFailed
from gclap_sandbox.inbox.matching import matching
from gclap_sandbox.inbox.search import parse_search
from gclap_sandbox.mail import message as mail
from gclap_sandbox.mail.headers import header_list
from gclap_sandbox.models import (
    Attachment,
    Email,
    EmailContent,
    EmailRecipient,
    EmailTag,
)
from gclap_sandbox.pipeline import outgoing
from gclap_sandbox.relay.store import annotate
from gclap_sandbox.storage.database import owned


def filtered(organization_id: str, filters: dict[str, Any]):
    """The list filters as one query; `search` is the inbox's search language (search.py)."""
    search = parse_search(filters.get("search") or "")
    if search.errors:
        raise ValidationFailed({"search": list(search.errors)})
    query = matching(organization_id, search)
    if filters.get("to"):
        address = mail.split_address(filters["to"])[1] or filters["to"].lower()
        query = query.where(Email.id.in_(
            EmailRecipient.select(EmailRecipient.email).where(EmailRecipient.address == address)))
    if filters.get("from"):
        query = query.where(Email.from_address ** filters["from"])
    if filters.get("status"):
        query = query.where(Email.status == filters["status"])
    if filters.get("tag"):
        query = query.where(Email.id.in_(
            EmailTag.select(EmailTag.email).where(EmailTag.tag == filters["tag"])))
    if filters.get("subject"):
        query = query.where(Email.subject.contains(filters["subject"]))  # any case, escaped
    if filters.get("source"):
        query = query.where(Email.source == filters["source"])
    if filters.get("campaign"):
        query = query.where(Email.campaign_id == filters["campaign"])
    if filters.get("since"):
        query = query.where(Email.created_at >= filters["since"])
    if filters.get("before"):
        query = query.where(Email.created_at < filters["before"])
    return query


def list_emails(organization_id: str, filters: dict[str, Any], offset: int, limit: int
                ) -> tuple[int, list[dict[str, Any]]]:
    query = filtered(organization_id, filters)
    count = query.count()
    rows = query.order_by(Email.created_at.desc(), Email.id.desc()).offset(offset).limit(limit)
    return count, annotate([summary(email) for email in rows])


def summary(email: Email) -> dict[str, Any]:
    return {
        "id": email.id,
        "status": email.status,
        "source": email.source,
        "message_id": email.message_id,
        "from_email": email.from_address,
        "from_name": email.from_name,
        "to": email.to,
        "cc": email.cc,
        "bcc": email.bcc,
        "subject": email.subject,
        "snippet": email.snippet,
        "tags": email.tags,
        "metadata": email.metadata,
        "size": email.size,
        "attachment_count": email.attachment_count,
        "is_read": email.is_read,
        "created_at": clock.iso(email.created_at),
        "campaign_id": email.campaign_id,
    }


def get_email(organization_id: str, email_id: str) -> Email:
    return owned(Email, organization_id, email_id, f"No email with id {email_id}.")


def detail(organization_id: str, email_id: str, base_url: str) -> dict[str, Any]:
    email = get_email(organization_id, email_id)
    content = EmailContent.get(EmailContent.email == email.id)
    data = summary(email)
    data.update(
        reply_to=email.reply_to,
        envelope_from=email.envelope_from,
        recipients=[
            {"email": r.address, "name": r.name, "kind": r.kind, "status": r.status}
            for r in EmailRecipient.select().where(EmailRecipient.email == email.id).order_by(EmailRecipient.id)
        ],
        headers=header_list(bytes(content.raw)),
        text=content.text,
        html=content.html,
        attachments=[
            attachment_dict(a, base_url)
            for a in Attachment.select().where(Attachment.email == email.id).order_by(Attachment.position)
        ],
        raw_url=f"{base_url}/api/v1/emails/{email.id}/raw/",
        delivered_raw_url=f"{base_url}/api/v1/emails/{email.id}/raw/?version=delivered",
    )
    annotate([data], with_jobs=True)
    return data


def attachment_dict(a: Attachment, base_url: str) -> dict[str, Any]:
    return {
        "id": a.id,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "content_id": a.content_id,
        "inline": a.inline,
        "description": a.description,
        "headers": (a.details or {}).get("headers"),
        "delivery_status": (a.details or {}).get("delivery_status"),
        "download_url": f"{base_url}/api/v1/emails/{a.email_id}/attachments/{a.id}/",
    }


def raw_source(organization_id: str, email_id: str, version: str = outgoing.RECEIVED) -> bytes:
    """The bytes as received, or the delivered version (what a recipient would get)."""
    email = get_email(organization_id, email_id)
    content = EmailContent.get(EmailContent.email == email.id)
    return outgoing.delivered_version(email, content) if version == outgoing.DELIVERED else bytes(content.raw)


def attachment_content(organization_id: str, email_id: str, attachment_id: str
                       ) -> tuple[Attachment, bytes]:
    email = get_email(organization_id, email_id)
    attachment = Attachment.get_or_none((Attachment.id == attachment_id) & (Attachment.email == email.id))
    if attachment is None:
        raise NotFound(f"Email {email_id} has no attachment {attachment_id}.")
    _, content = mail.part_content(bytes(EmailContent.get(EmailContent.email == email.id).raw),
                                   attachment.position)
    return attachment, content


def delete_email(organization_id: str, email_id: str) -> None:
    email = get_email(organization_id, email_id)
    email.delete_instance()  # children go by ON DELETE CASCADE


def delete_matching(organization_id: str, filters: dict[str, Any]) -> int:
    """Delete the organization's email that the list filters match (all of it, without filters)."""
    return Email.delete().where(Email.id.in_(filtered(organization_id, filters).select(Email.id))).execute()


def recipient_addresses(email_id: str) -> list[str]:
    """The email's recipients' addresses, in the order they were given."""
    return [r.address for r in EmailRecipient.select(EmailRecipient.address)
            .where(EmailRecipient.email == email_id).order_by(EmailRecipient.id)]


def content_of(email_id: str) -> EmailContent:
    """The stored bodies and sources of an email (look it up with `get_email` first)."""
    return EmailContent.get(EmailContent.email == email_id)


def inline_part(organization_id: str, email_id: str, content_id: str) -> tuple[Attachment, bytes]:
    """The part an HTML body refers to as `cid:content_id`, with its decoded bytes."""
    get_email(organization_id, email_id)
    attachment = (Attachment.select().where((Attachment.email == email_id)
                                            & (Attachment.content_id == content_id)).first())
    if attachment is None:
        raise NotFound(f"Email {email_id} has no inline part <{content_id}>.")
    return attachment_content(organization_id, email_id, attachment.id)
