"""Captured email: the listing row, its recipients, tags, attachments and raw source."""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.accounts import Organization
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.fields import IdField, JSONField, UtcDateTimeField


class Email(BaseModel):
    """What lists and filters need; bodies and source live in EmailContent."""

    id = IdField()
    # No index of its own: the indexes below lead with it (one fewer to write per email).
    organization = peewee.ForeignKeyField(Organization, backref="emails", on_delete="CASCADE", index=False)
    source = peewee.CharField(max_length=8)  # "api" or "smtp"
    message_id = peewee.CharField(max_length=998, null=True)
    from_address = peewee.CharField(max_length=320, null=True)
    from_name = peewee.CharField(max_length=320, null=True)
    envelope_from = peewee.CharField(max_length=320, null=True)
    subject = peewee.TextField(default="")
    to = JSONField(default=list)
    cc = JSONField(default=list)
    bcc = JSONField(default=list)
    reply_to = JSONField(default=list)
    tags = JSONField(default=list)
    metadata = JSONField(default=dict)
    snippet = peewee.CharField(max_length=300, default="")
    size = peewee.IntegerField(default=0)
    attachment_count = peewee.IntegerField(default=0)
    status = peewee.CharField(max_length=32, default="sent", index=True)
    is_read = peewee.BooleanField(default=False)
    # Lower-cased sender, recipients and subject: what `search` matches against.
    search_text = peewee.TextField(default="")
    created_at = UtcDateTimeField(default=clock.now, index=True)
    # The campaign this email was sent for (campaigns/sender.py); null for every other email.
    campaign_id = peewee.CharField(max_length=36, null=True, index=True)

    class Meta:
        indexes = ((("organization", "is_read"), False),  # the UI's unread count
                   # The inbox's order, and search counts read this index only (inbox/matching.py),
                   # not the wide rows.
                   (("organization", "created_at", "is_read", "attachment_count", "size", "status"), False))


class EmailContent(BaseModel):
    email = peewee.ForeignKeyField(Email, primary_key=True, backref="content_rows", on_delete="CASCADE")
    text = peewee.TextField(null=True)
    html = peewee.TextField(null=True)
    raw = peewee.BlobField()  # the bytes as received, never changed (`/raw/`)
    # What the delivered version changes (outgoing.py): the received bytes with tracking
    # applied (null when tracking changed nothing), and header fields put in front of them.
    rewritten = peewee.BlobField(null=True)
    added_headers = JSONField(null=True)


class EmailRecipient(BaseModel):
    id = peewee.AutoField()
    email = peewee.ForeignKeyField(Email, backref="recipients", on_delete="CASCADE")
    address = peewee.CharField(max_length=320, index=True)  # lower-cased
    name = peewee.CharField(max_length=320, default="")
    kind = peewee.CharField(max_length=8)  # to, cc, bcc (bcc: envelope-only over SMTP)
    status = peewee.CharField(max_length=32, default="sent")


class EmailTag(BaseModel):
    id = peewee.AutoField()
    email = peewee.ForeignKeyField(Email, backref="tag_rows", on_delete="CASCADE")
    tag = peewee.CharField(max_length=200, index=True)


class Attachment(BaseModel):
    id = IdField()
    email = peewee.ForeignKeyField(Email, backref="attachments", on_delete="CASCADE")
    position = peewee.IntegerField()  # index among the message's walked MIME parts
    filename = peewee.CharField(max_length=500, null=True)
    content_type = peewee.CharField(max_length=200)
    size = peewee.IntegerField()
    content_id = peewee.CharField(max_length=500, null=True)
    inline = peewee.BooleanField(default=False)
    description = peewee.TextField(null=True)  # Content-Description
    # What a message part carries: {"headers": [...]} or {"delivery_status": {...}} (mime_parts)
    details = JSONField(null=True)
