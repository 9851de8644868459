"""The release request's body, shared by the API (api/email_release.py) and the email page."""
from __future__ import annotations

from gclap_sandbox.schema import Address, ListOf, Obj

RELEASE_BODY = Obj({
    "to": ListOf(Address(), one_or_many=True, min_items=1, max_items=1000,
                 description="Relay to these addresses instead of the email's own recipients."),
})
