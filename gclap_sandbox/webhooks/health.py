"""When a failing endpoint is disabled: after failing continuously for a span of sandbox time.
Pure functions.

An endpoint's `failing_since` is the start of its first failed attempt with no success after
it; any 2xx clears it. An attempt that fails `span` or more after that moment disables the
endpoint. A short outage therefore never disables one, however many deliveries it touches:
only days of nothing but failures do (Svix and Stripe work the same way), and the sandbox
clock lets a test cover those days in milliseconds.
"""
from __future__ import annotations

import re
from datetime import datetime

DEFAULT_SPAN = 5 * 86400.0  # seconds; `--webhook-disable-after 5d`
MAX_SPAN = 3650 * 86400.0
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_NAMES = (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))
_PART = re.compile(r"(\d+(?:\.\d+)?)([wdhms])")
_SPAN = re.compile(r"(?:\d+(?:\.\d+)?[wdhms])+")


def parse_span(text: str) -> float:
    """`5d`, `36h`, `1d12h`, `90m`, `30s`, `2w` as seconds; `0` means never. ValueError says why not."""
    value = text.strip().lower().replace(" ", "")
    if value in ("0", "0.0"):
        return 0.0
    if re.fullmatch(r"\d+(\.\d+)?", value):
        # A bare number used to count failed attempts; refuse it rather than guess a unit.
        raise ValueError(f"{text!r} has no unit. Give a span of sandbox time such as 5d, 36h or 90m "
                         "(an endpoint is disabled after failing continuously that long), or 0 for never.")
    if not _SPAN.fullmatch(value):
        raise ValueError(f"{text!r} is not a span of time: use numbers with units w, d, h, m or s "
                         "(e.g. 5d, 1d12h, 90m), or 0 for never.")
    seconds = sum(float(number) * _UNITS[unit] for number, unit in _PART.findall(value))
    if seconds > MAX_SPAN:
        raise ValueError(f"{text!r} is longer than 3650 days; use 0 to never disable endpoints.")
    return seconds


def describe_span(seconds: float) -> str:
    """`5 days`, `1 day 12 hours`, `1 hour 30 minutes` (the two largest units); `never` for 0."""
    if seconds <= 0:
        return "never"
    left, parts = round(seconds), []
    for name, size in _NAMES:
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count} {name}{'s' if count != 1 else ''}")
        if len(parts) == 2:
            break
    return " ".join(parts) or f"{seconds:g} seconds"


def disables(failing_since: datetime | None, failed_at: datetime, span: float) -> bool:
    """Does a failure at `failed_at` complete `span` seconds of failing without a success?"""
    if span <= 0 or failing_since is None:
        return False
    return (failed_at - failing_since).total_seconds() >= span
