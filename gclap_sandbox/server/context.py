"""The typed state one running sandbox shares between its HTTP app, SMTP server and workers."""
from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable

from gclap_sandbox.accounts.auth import KeyCache
from gclap_sandbox.accounts.limits import RateLimiter
from gclap_sandbox.chaos.rules import ChaosState
from gclap_sandbox.clock import Clock
from gclap_sandbox.events.bus import EventBus
from gclap_sandbox.events.waiters import Waiters
from gclap_sandbox.observability.activity import Activity
from gclap_sandbox.observability.metrics import SandboxMetrics
from gclap_sandbox.pipeline.incoming import DeliveryOptions
from gclap_sandbox.server.hosts import HostPolicy
from gclap_sandbox.settings import Settings
from gclap_sandbox.storage.database import Database
from gclap_sandbox.templating.renderer import RenderThreads
from gclap_sandbox.ui.live import LiveHub
from gclap_sandbox.ui.login_throttle import LoginThrottle


@dataclass
class AppContext:
    """Everything one sandbox owns; built by the app factory, hung on `app.ctx.sandbox`."""

    settings: Settings
    db: Database
    clock: Clock = field(default_factory=Clock)  # this sandbox's time (the same object as db.clock)
    bus: EventBus = field(default_factory=EventBus)  # the same object as db.bus; see server/wiring.py
    keys: KeyCache = field(default_factory=KeyCache)
    default_org_id: str = ""
    default_api_key: str = ""
    smtp_server: asyncio.AbstractServer | None = None
    smtp_sessions: weakref.WeakSet[Any] = field(default_factory=weakref.WeakSet)  # open SMTP connections
    http_url: str = ""  # the base URL others reach it at (--public-url, else listen_url)
    listen_url: str = ""  # where the HTTP server listens
    smtp_port: int = 0
    limiter: RateLimiter = field(default_factory=RateLimiter)
    # (organization id, Idempotency-Key) of requests still running.
    idempotency_in_flight: set[tuple[str, str]] = field(default_factory=set)
    # key id -> when it was last used; written to the database lazily (see accounts/keys.py).
    key_last_used: dict[str, Any] = field(default_factory=dict)
    delivery: DeliveryOptions = field(default_factory=DeliveryOptions)
    jobs_worker: Any = None  # events.jobs.Worker while serving
    clock_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one clock move at a time
    # The web UI's live-update hub: open pages hear of new mail, events and webhook attempts.
    live: LiveHub = field(default_factory=LiveHub)
    ui_guard: Any = None  # ui.auth.UiGuard: who may use the web UI
    # The Host names this sandbox answers to (server/hosts.install builds it from the settings).
    hosts: HostPolicy = field(default_factory=HostPolicy)
    # Failed UI sign-ins per client (real time, not the sandbox clock).
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    relay: Any = None  # relay.config.RelayConfig when --relay is given
    relay_worker: Any = None  # relay.worker.RelayWorker while serving with --relay
    chaos: ChaosState = field(default_factory=ChaosState)
    # Requests held by `?wait=` (long polling), woken through the bus (server/wiring.py).
    waiters: Waiters = field(default_factory=Waiters)
    # Work the clock's advance runs beside the jobs (see events/timeline.advance_clock).
    clock_runners: list[Any] = field(default_factory=list)
    webhooks: Any = None  # webhooks.dispatcher.Dispatcher while serving
    automation: Any = None  # automation.runner.Runner while serving
    campaigns: Any = None  # campaigns.runner.Runner while serving
    maintenance: Any = None  # retention.worker.Maintenance while serving (pruning, search index)
    peers: Any = None  # server.peers.Peers while serving a database file other processes may share
    live_subscriptions: list[Any] = field(default_factory=list)  # the loop-side ones, while serving
    # This sandbox's OpenAPI document (set by server/app.py), for the /docs page, which may not
    # import the API.
    api_document: Callable[[], dict[str, Any]] = dict
    # Where user templates render (never on the loop or the database thread).
    renderer: RenderThreads = field(default_factory=RenderThreads)
    # This sandbox's Prometheus registry (GET /metrics) and what feeds it and the log.
    metrics: SandboxMetrics = field(default_factory=SandboxMetrics)
    activity: Activity = field(init=False)

    def __post_init__(self) -> None:
        self.activity = Activity(self.metrics)
