"""Contacts, the lists they belong to, and saved segments (all wiped by a sandbox reset)."""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.accounts import Organization
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.fields import IdField, JSONField, UtcDateTimeField

CONTACT_STATUSES = ("subscribed", "unsubscribed", "bounced", "complained")


class Contact(BaseModel):
    reset_scope = "data"

    id = IdField()
    organization = peewee.ForeignKeyField(Organization, backref="contacts", on_delete="CASCADE")
    email = peewee.CharField(max_length=320)  # normalised: trimmed, lower-cased
    first_name = peewee.CharField(max_length=200, default="")
    last_name = peewee.CharField(max_length=200, default="")
    attributes = JSONField(default=dict)
    status = peewee.CharField(max_length=16, default="subscribed")
    # Engagement, kept current by apply_event_to_contact() as events are recorded.
    last_opened_at = UtcDateTimeField(null=True)
    last_clicked_at = UtcDateTimeField(null=True)
    created_at = UtcDateTimeField(default=clock.now)
    updated_at = UtcDateTimeField(default=clock.now)

    class Meta:
        indexes = (
            (("organization", "email"), True),
            (("organization", "created_at", "id"), False),  # newest-first pages and export keyset
        )


class ContactList(BaseModel):
    reset_scope = "data"

    id = IdField()
    organization = peewee.ForeignKeyField(Organization, backref="contact_lists", on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    description = peewee.TextField(default="")
    created_at = UtcDateTimeField(default=clock.now)
    updated_at = UtcDateTimeField(default=clock.now)


class ContactListMember(BaseModel):
    reset_scope = "data"

    contact_list = peewee.ForeignKeyField(ContactList, backref="members", on_delete="CASCADE")
    contact = peewee.ForeignKeyField(Contact, backref="memberships", on_delete="CASCADE", index=True)
    added_at = UtcDateTimeField(default=clock.now)

    class Meta:
        primary_key = peewee.CompositeKey("contact_list", "contact")


class Segment(BaseModel):
    reset_scope = "data"

    id = IdField()
    organization = peewee.ForeignKeyField(Organization, backref="segments", on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    rules = JSONField()
    created_at = UtcDateTimeField(default=clock.now)
    updated_at = UtcDateTimeField(default=clock.now)
