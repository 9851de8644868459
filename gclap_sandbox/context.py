"""The typed state one running sandbox shares between its HTTP app, SMTP server and workers."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from gclap_sandbox.auth import KeyCache
from gclap_sandbox.chaos import ChaosState
from gclap_sandbox.db import Database
from gclap_sandbox.delivery import DeliveryOptions
from gclap_sandbox.hosts import HostPolicy
from gclap_sandbox.limits import RateLimiter
from gclap_sandbox.login_throttle import LoginThrottle
from gclap_sandbox.settings import Settings
from gclap_sandbox.template_renderer import RenderThreads
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
    # Callbacks run on the loop after an email is stored (live UI, waiters): fn(organization_id, summary).
    email_listeners: list[Any] = field(default_factory=list)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    # (organization id, Idempotency-Key) of requests still running.
    idempotency_in_flight: set[tuple[str, str]] = field(default_factory=set)
    # key id -> when it was last used; written to the database lazily (see api_keys.py).
    key_last_used: dict[str, Any] = field(default_factory=dict)
    # Callbacks run on the loop after an event is committed: fn(organization_id, event_dict).
    event_listeners: list[Any] = field(default_factory=list)
    delivery: DeliveryOptions = field(default_factory=DeliveryOptions)
    jobs_worker: Any = None  # jobs.Worker while serving
    event_publisher: Any = None  # its events.COMMIT_HOOKS entry while serving
    email_publisher: Any = None  # its capture.COMMIT_HOOKS entry while serving
    clock_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one clock move at a time
    # The web UI's live-update hub (gclap_sandbox.live.LiveHub); publish events to it.
    live: Any = None
    ui_guard: Any = None  # gclap_sandbox.ui_auth.UiGuard: who may use the web UI
    # The Host names this sandbox answers to (hosts.install builds it from the settings).
    hosts: HostPolicy = field(default_factory=HostPolicy)
    # Failed UI sign-ins per client (real time, not the sandbox clock).
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    # Run on the DB thread inside the capture's transaction: fn(email, incoming).
    capture_hooks: list[Any] = field(default_factory=list)
    relay: Any = None  # relay.RelayConfig when --relay is given
    relay_worker: Any = None  # relay_worker.RelayWorker
    chaos: ChaosState = field(default_factory=ChaosState)
    # Requests held by `?wait=` (long polling), woken by the listeners above.
    waiters: Waiters = field(default_factory=Waiters)
    # Work the clock's advance runs beside the jobs (see timeline.advance_clock).
    clock_runners: list[Any] = field(default_factory=list)
    webhooks: Any = None  # webhooks.dispatcher.Dispatcher while serving
    # Called on the loop after each recorded webhook attempt: (organization id, delivery summary).
    webhook_listeners: list[Any] = field(default_factory=list)
    # Where user templates render (never on the loop or the database thread).
    renderer: RenderThreads = field(default_factory=RenderThreads)

    def __post_init__(self) -> None:
        self.email_listeners.append(self.waiters.listener("emails"))
        self.event_listeners.append(self.waiters.listener("events"))
