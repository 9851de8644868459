"""Mail acknowledged but not yet filed: the received bytes and envelope, durable before the `250`.

The SMTP server writes a row here in the same group commit that lets it answer, and the
capture pipeline files it (parse, store, lifecycle) moments later in batches, deleting the
row in the same transaction. Rows left by a killed process are filed at the next start.
"""
from __future__ import annotations

import peewee

from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.fields import JSONField, UtcDateTimeField


class ReceivedMail(BaseModel):
    id = peewee.CharField(max_length=36, primary_key=True)  # the id the email is filed under
    raw = peewee.BlobField()  # exactly as received
    envelope = JSONField()  # the rest of the `Incoming` (pipeline/incoming.py `to_record`)
    received_at = UtcDateTimeField()
