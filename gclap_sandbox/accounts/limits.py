"""Plans, per-organization rate limits and monthly email quotas.

Rate limits use a **fixed 60-second window per organization that opens with its first
request** (after the previous window closed) and counts every authenticated API request and
every SMTP message. Refused requests are not counted. On an in-memory database, which no other
process can share, the counter lives in memory on the one asyncio loop: exact under concurrency
and free. On a database file (or server) other processes may serve the same organizations, so
each request is counted by one UPSERT of the organization's `RateWindow` row (`count_shared`),
in a write transaction: counted once across processes. A request that only reports the window
(`count=False`) reads the last state this process saw, without a round trip.

Quotas count recipients of captured email per calendar month (sandbox clock). They are
charged inside the capture transaction on the DB thread, so they are exact as well, and an
email over quota is refused whole: nothing is captured.

The arithmetic (`count_request`, `rate_limit_headers`, `month_of`, `next_month`) is pure.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from gclap_sandbox import clock
from gclap_sandbox.accounts import organizations
from gclap_sandbox.errors import QuotaExceeded, TooManyRequests
from gclap_sandbox.models import Organization, RateWindow, UsageCounter
from gclap_sandbox.storage import database as db
from gclap_sandbox.storage.bulk import execute, quoted

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

WINDOW = timedelta(seconds=60)
POLICY_NAME = "per-minute"


@dataclass(frozen=True)
class Plan:
    name: str
    requests_per_minute: int
    emails_per_month: int | None  # None: no quota

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "requests_per_minute": self.requests_per_minute,
                "emails_per_month": self.emails_per_month}


PLANS: dict[str, Plan] = {
    "free": Plan("free", 100, 1_000),
    "pro": Plan("pro", 1_000, 50_000),
    "business": Plan("business", 5_000, 200_000),
    # Sandbox-only: never throttles an ordinary test suite; still reports numeric headers.
    "unlimited": Plan("unlimited", 1_000_000, None),
}
DEFAULT_PLAN = "unlimited"


def plan_named(name: str) -> Plan:
    return PLANS.get(name) or PLANS[DEFAULT_PLAN]


# --- rate limit arithmetic (pure) -------------------------------------------------------

@dataclass(frozen=True)
class Window:
    start: datetime
    count: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_at: datetime
    reset_after: int  # whole seconds until the window closes, at least 1


def count_request(window: Window | None, limit: int, now: datetime) -> tuple[Window, Verdict]:
    """Count one request against `window` (None: none open yet); return the new window and verdict."""
    if window is None or now >= window.start + WINDOW or now < window.start:
        window = Window(start=now, count=0)
    allowed = window.count < limit
    if allowed:
        window = Window(start=window.start, count=window.count + 1)
    reset_at = window.start + WINDOW
    reset_after = max(1, math.ceil((reset_at - now).total_seconds()))
    return window, Verdict(allowed=allowed, limit=limit, remaining=max(0, limit - window.count),
                           reset_at=reset_at, reset_after=reset_after)


def verdict_for(window: Window, limit: int, now: datetime) -> Verdict:
    """The verdict on the request a shared count just counted (refused: one past the limit)."""
    reset_at = window.start + WINDOW
    return Verdict(allowed=window.count <= limit, limit=limit, remaining=max(0, limit - window.count),
                   reset_at=reset_at, reset_after=max(1, math.ceil((reset_at - now).total_seconds())))


def count_shared(organization_id: str, limit: int, now: datetime) -> Window:
    """Count one request in the organization's stored window (DB thread); see `count_shared_many`."""
    return count_shared_many(organization_id, limit, now, 1)[0]


def count_shared_many(organization_id: str, limit: int, now: datetime, requests: int) -> list[Window]:
    """Count `requests` requests in the organization's stored window (DB thread), in order, and
    return the window as each one counted it (one past `limit`: refused). One UPSERT opens a new
    window when the last one closed and adds them all; the stored count is then brought back to
    one past `limit` if it went further, as one request at a time would have left it."""
    started = RateWindow.started_at.db_value(now)
    closed = RateWindow.started_at.db_value(now - WINDOW)
    start, total = execute("count-requests", _count_sql, (organization_id, started, requests, closed,
                                                          started, closed, started)).fetchone()
    if total > limit + 1:
        execute("cap-requests", _cap_sql, (limit + 1, organization_id, limit + 1))
    start = RateWindow.started_at.python_value(start)
    before = total - requests
    return [Window(start=start, count=min(before + n, limit + 1)) for n in range(1, requests + 1)]


def _count_sql() -> str:
    table, org, start, count = (quoted(RateWindow), quoted(RateWindow, "organization"),
                                quoted(RateWindow, "started_at"), quoted(RateWindow, "count"))
    expired = f"({table}.{start} <= ? OR {table}.{start} > ?)"  # closed, or opened on a clock since reset
    return (f"INSERT INTO {table} ({org}, {start}, {count}) VALUES (?, ?, ?) "
            f"ON CONFLICT ({org}) DO UPDATE SET "
            f"{start} = CASE WHEN {expired} THEN excluded.{start} ELSE {table}.{start} END, "
            f"{count} = CASE WHEN {expired} THEN excluded.{count} "
            f"ELSE {table}.{count} + excluded.{count} END "
            f"RETURNING {start}, {count}")


def _cap_sql() -> str:
    table, org, count = quoted(RateWindow), quoted(RateWindow, "organization"), quoted(RateWindow, "count")
    return f"UPDATE {table} SET {count} = ? WHERE {org} = ? AND {count} > ?"


def rate_limit_headers(verdict: Verdict) -> dict[str, str]:
    """GitHub-style X-RateLimit-* (Reset: Unix time) and the IETF RateLimit fields."""
    headers = {
        "X-RateLimit-Limit": str(verdict.limit),
        "X-RateLimit-Remaining": str(verdict.remaining),
        "X-RateLimit-Reset": str(math.ceil(verdict.reset_at.timestamp())),
        "RateLimit-Policy": f'"{POLICY_NAME}";q={verdict.limit};w={int(WINDOW.total_seconds())}',
        "RateLimit": f'"{POLICY_NAME}";r={verdict.remaining};t={verdict.reset_after}',
    }
    if not verdict.allowed:
        headers["Retry-After"] = str(verdict.reset_after)
    return headers


def rate_limited(verdict: Verdict) -> TooManyRequests:
    return TooManyRequests(
        f"Rate limit of {verdict.limit} requests per minute exceeded; retry in {verdict.reset_after} s.",
        headers=rate_limit_headers(verdict), limit=verdict.limit, retry_after=verdict.reset_after)


class RateLimiter:
    """Per-organization windows and plans, in memory on the loop (hence exact), or in the
    database when `shared` (several processes may count; `check_rate`)."""

    def __init__(self) -> None:
        self._windows: dict[str, Window] = {}
        self._plans: dict[str, Plan] = {}
        self.shared = False

    def saw(self, organization_id: str, window: Window) -> None:
        """The window as the database counted it (shared): what `peek` reports."""
        self._windows[organization_id] = window

    def knows(self, organization_id: str) -> bool:
        return organization_id in self._plans

    def set_plan(self, organization_id: str, plan: Plan) -> None:
        self._plans[organization_id] = plan

    def switch_plan(self, organization_id: str, plan: Plan) -> None:
        """A new plan starts a fresh window: requests made under the old plan do not count against it."""
        self._plans[organization_id] = plan
        self._windows.pop(organization_id, None)

    def plan(self, organization_id: str) -> Plan:
        return self._plans.get(organization_id) or PLANS[DEFAULT_PLAN]

    def hit(self, organization_id: str, now: datetime) -> Verdict:
        window, verdict = count_request(self._windows.get(organization_id),
                                        self.plan(organization_id).requests_per_minute, now)
        self._windows[organization_id] = window
        return verdict

    def peek(self, organization_id: str, now: datetime) -> Verdict:
        """The state a client would see, without counting a request."""
        limit = self.plan(organization_id).requests_per_minute
        window = self._windows.get(organization_id)
        if window is None or now >= window.start + WINDOW or now < window.start:
            return Verdict(True, limit, limit, now + WINDOW, int(WINDOW.total_seconds()))
        reset_at = window.start + WINDOW
        return Verdict(True, limit, max(0, limit - window.count), reset_at,
                       max(1, math.ceil((reset_at - now).total_seconds())))

    def forget(self) -> None:
        self._windows.clear()

    def forget_plans(self) -> None:
        """Read every organization's plan again on its next request (another process may have changed it)."""
        self._plans.clear()

    def drop(self, organization_id: str) -> None:
        """A deleted organization: its plan and window go with it."""
        self._plans.pop(organization_id, None)
        self._windows.pop(organization_id, None)


async def organization_plan(ctx: "AppContext", organization_id: str) -> Plan:
    """The cached plan; a database read only the first time an organization is seen."""
    if not ctx.limiter.knows(organization_id):
        ctx.limiter.set_plan(organization_id, await ctx.db.run(load_plan, organization_id))
    return ctx.limiter.plan(organization_id)


async def check_rate(ctx: "AppContext", organization_id: str, count: bool = True) -> Verdict:
    """Count a request (or, with `count=False`, only report the window: never refused)."""
    plan = await organization_plan(ctx, organization_id)
    now = clock.now_of(organization_id)
    if not count:
        return ctx.limiter.peek(organization_id, now)
    if ctx.limiter.shared:
        with db.apart_from_intakes():  # a count need not wait for sends still being filed
            window = await ctx.db.run(count_shared, organization_id, plan.requests_per_minute, now)
        ctx.limiter.saw(organization_id, window)
        verdict = verdict_for(window, plan.requests_per_minute, now)
    else:
        verdict = ctx.limiter.hit(organization_id, now)
    if not verdict.allowed:
        ctx.bus.rate_limited.publish(organization_id)
    return verdict


# --- quotas (run on the DB thread) ---------------------------------------------------------

def month_of(now: datetime) -> str:
    return f"{now.year:04d}-{now.month:02d}"


def next_month(now: datetime) -> datetime:
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, 1, tzinfo=timezone.utc)


def load_plan(organization_id: str) -> Plan:
    org = organizations.cached(organization_id)
    return plan_named(org.plan if org else DEFAULT_PLAN)


def emails_used(organization_id: str, now: datetime) -> int:
    row = UsageCounter.get_or_none((UsageCounter.organization == organization_id)
                                   & (UsageCounter.month == month_of(now)))
    return row.emails if row else 0


def charge_quota(organization_id: str, recipients: int) -> None:
    """Count `recipients` against this month's quota, or raise QuotaExceeded (DB thread).

    One UPSERT adds and reads back the month's total; when that passes the quota the caller's
    unit of work (a savepoint) rolls the addition back with everything else.
    """
    now = clock.now_of(organization_id)
    plan = load_plan(organization_id)
    used_after = _add_usage(organization_id, month_of(now), recipients)
    quota = plan.emails_per_month
    if quota is not None and used_after > quota:
        used = used_after - recipients
        db.current().bus.quota_exceeded.publish(organization_id)
        retry_after = max(1, math.ceil((next_month(now) - now).total_seconds()))
        raise QuotaExceeded(
            f"The {plan.name} plan allows {quota} emails (recipients) per month; {used} used this "
            f"month, this email has {recipients}. Nothing was captured.",
            headers={"Retry-After": str(retry_after)}, quota=quota, used=used, month=month_of(now))


def _add_usage(organization_id: str, month: str, recipients: int) -> int:
    # Hand-written, built once (bulk.execute caches it): this runs for every captured email.
    return execute("add-usage", _add_usage_sql, (organization_id, month, recipients)).fetchone()[0]


def _add_usage_sql() -> str:
    table, org, mon, emails = (quoted(UsageCounter), quoted(UsageCounter, "organization"),
                               quoted(UsageCounter, "month"), quoted(UsageCounter, "emails"))
    return (f"INSERT INTO {table} ({org}, {mon}, {emails}) VALUES (?, ?, ?) "
            f"ON CONFLICT ({org}, {mon}) DO UPDATE SET {emails} = {table}.{emails} + excluded.{emails} "
            f"RETURNING {emails}")


# --- the organization view and plan changes (DB thread) ----------------------------------

TRACKING_SETTINGS = ("track_opens", "track_clicks")  # Organization.settings keys delivery.py reads

def organization_view(organization_id: str) -> dict[str, object]:
    now = clock.now_of(organization_id)
    org = Organization.get_by_id(organization_id)
    plan = plan_named(org.plan)
    used = emails_used(organization_id, now)
    return {
        "id": org.id, "name": org.name, "plan": plan.name, "limits": plan.as_dict(),
        "usage": {
            "month": month_of(now), "emails": used,
            "emails_remaining": None if plan.emails_per_month is None else max(0, plan.emails_per_month - used),
            "resets_at": clock.iso(next_month(now)),
        },
        "tracking": {name: bool((org.settings or {}).get(name, False)) for name in TRACKING_SETTINGS},
        "created_at": clock.iso(org.created_at),
    }


def update_organization(organization_id: str, changes: dict[str, object]) -> Plan:
    org = Organization.get_by_id(organization_id)
    if "plan" in changes:
        org.plan = changes["plan"]
        RateWindow.delete().where(RateWindow.organization == organization_id).execute()  # a fresh window
    if "name" in changes:
        org.name = changes["name"]
    tracking = {name: changes[name] for name in TRACKING_SETTINGS if changes.get(name) is not None}
    if tracking:  # a new dict, so the JSON field sees the change
        org.settings = {**(org.settings or {}), **tracking}
    org.save()
    organizations.forget(organization_id)
    return plan_named(org.plan)
