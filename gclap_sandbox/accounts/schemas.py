"""Request bodies for API keys, shared by the API (api/accounts.py) and the keys page (ui/keys.py)."""
from __future__ import annotations

from gclap_sandbox.accounts.scopes import SCOPES
from gclap_sandbox.schema import DateTime, Int, ListOf, Obj, Str

MAX_GRACE_SECONDS = 30 * 24 * 3600


CREATE_KEY_BODY = Obj({
    "name": Str(required=True, min_length=1, max_length=200, description="Key name for identification."),
    "scopes": ListOf(Str(choices=list(SCOPES)), max_items=len(SCOPES),
                     description="Permission scopes (default: all, including scopes added later)."),
    "expires_at": DateTime(nullable=True, description="When the key stops working (default: never); later "
                           "than the sandbox's now (else 409 `sandbox-time-conflict`)."),
})

ROTATE_BODY = Obj({
    "grace_period_seconds": Int(minimum=0, maximum=MAX_GRACE_SECONDS, default=0,
                                description="How long the old secret keeps working (default: 0, "
                                            "it stops at once)."),
})
