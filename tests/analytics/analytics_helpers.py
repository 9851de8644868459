"""Helpers for the analytics tests: put the sandbox clock at a chosen moment, send a known mix of
email, and read the time series."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from lifecycle_helpers import MAGIC, advance, send

SERIES = "/api/v1/analytics/timeseries/"
# What the Analytics page charts, in the API's names.
CHARTED = ("sent", "delivered", "unique_opened", "unique_clicked", "bounced", "spam")
# One of each outcome the page charts (the magic recipients' delays put every event within 5 minutes).
MIX = ("delivered", "delivered", "opened", "clicked", "bounced", "spam")


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def now(api: httpx.Client) -> datetime:
    return parse(api.get("/api/v1/sandbox/clock/").json()["now"])


def move_to(api: httpx.Client, moment: datetime) -> None:
    advance(api, to=iso(moment))


def next_hour(api: httpx.Client, hours_ahead: int = 1) -> datetime:
    """A whole UTC hour still ahead of the sandbox clock."""
    return now(api).replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours_ahead)


def send_mix(api: httpx.Client, unique: str, outcomes: tuple[str, ...] = MIX, **fields: Any) -> list[str]:
    return [send(api, f"{outcome}+{n}-{unique}@{MAGIC}", **fields)["id"] for n, outcome in enumerate(outcomes)]


def series(api: httpx.Client, **query: Any) -> dict[str, Any]:
    response = api.get(SERIES, params=query)
    assert response.status_code == 200, response.text
    return response.json()


def charted(bucket: dict[str, Any]) -> tuple[int, ...]:
    return tuple(bucket[key] for key in CHARTED)
