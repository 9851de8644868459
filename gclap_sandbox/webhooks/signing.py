"""Standard Webhooks signing (https://www.standardwebhooks.com/). Pure functions.

A secret is `whsec_` + base64 of random bytes; the HMAC key is those bytes. A signature is
`v1,` + base64(HMAC-SHA256(key, f"{webhook_id}.{timestamp}.{body}")); several signatures
(one per live secret, e.g. during a rotation) go in one header separated by spaces.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Iterable

from gclap_sandbox import __version__

SECRET_PREFIX = "whsec_"
USER_AGENT = f"gclap-sandbox-webhooks/{__version__} (+https://gclap-sandbox.dev/webhooks)"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def new_message_id() -> str:
    return "msg_" + secrets.token_hex(16)


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    digest = hmac.new(_key(secret), f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(secrets_: Iterable[str], message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """Every header a delivery is posted with."""
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, message_id, timestamp, body) for s in secrets_),
    }
