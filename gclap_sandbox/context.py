"""The typed state one running sandbox shares between its HTTP app, SMTP server and workers."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from gclap_sandbox.auth import KeyCache
from gclap_sandbox.db import Database
from gclap_sandbox.settings import Settings
from gclap_sandbox.waiters import Waiters


@dataclass
class AppContext:
    settings: Settings
    db: Database
    keys: KeyCache = field(default_factory=KeyCache)
    default_org_id: str = ""
    default_api_key: str = ""
    smtp_server: asyncio.AbstractServer | None = None
    http_url: str = ""
    smtp_port: int = 0
    # Callbacks run after an email is stored (live UI, waiters, ...): fn(email_summary_dict).
    email_listeners: list[Any] = field(default_factory=list)
    # Requests held by `?wait=` (long polling), woken by the listeners above.
    waiters: Waiters = field(default_factory=Waiters)

    def __post_init__(self) -> None:
        self.email_listeners.append(self.waiters.listener("emails"))
