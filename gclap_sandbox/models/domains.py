"""Sending domains (configuration) and the sandbox's own DNS zone (data: every reset empties it)."""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.accounts import Organization
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.fields import IdField, JSONField, UtcDateTimeField

DOMAIN_STATUSES = ("pending", "verified", "failed")


class SendingDomain(BaseModel):
    """A domain an organization sends from, with its DKIM key pair and its last check."""

    reset_scope = "config"

    id = IdField()
    organization = peewee.ForeignKeyField(Organization, backref="sending_domains", on_delete="CASCADE")
    name = peewee.CharField(max_length=253)  # lower-case A-labels, no final dot
    dkim_selector = peewee.CharField(max_length=63)
    # PKCS#1 PEM; read only by domains/signing.py, never serialized.
    dkim_private_key = peewee.TextField()
    dkim_public_key = peewee.TextField()  # base64 SubjectPublicKeyInfo: the p= of the DKIM record
    # pending (never checked), verified (every required record passed at the last check), failed.
    status = peewee.CharField(max_length=16, default="pending")
    # purpose -> {"status", "found", "detail", ...} from the last check (domains/verification.py)
    results = JSONField(default=dict)
    created_at = UtcDateTimeField(default=clock.now)
    checked_at = UtcDateTimeField(null=True)
    verified_at = UtcDateTimeField(null=True)

    class Meta:
        indexes = ((("organization", "name"), True),)


class DnsRecord(BaseModel):
    """One record of the sandbox's own DNS zone (`PUT /api/v1/sandbox/dns/`), the default resolver."""

    reset_scope = "data"

    id = peewee.AutoField()  # keeps the order records were given in
    name = peewee.CharField(max_length=253, index=True)  # lower case, no final dot
    type = peewee.CharField(max_length=8)  # TXT or CNAME
    value = peewee.TextField()
