"""When a failing endpoint is disabled: after failing continuously for a span of sandbox time.
Pure functions.

An endpoint's `failing_since` is the start of its first failed attempt with no success after
it; any 2xx clears it. An attempt that fails `span` or more after that moment disables the
endpoint. A short outage therefore never disables one, however many deliveries it touches:
only days of nothing but failures do (Svix and Stripe work the same way), and the sandbox
clock lets a test cover those days in milliseconds.
"""
from __future__ import annotations

from datetime import datetime

from gclap_sandbox import spans
from gclap_sandbox.spans import describe_span

DEFAULT_SPAN = 5 * 86400.0  # seconds; `--webhook-disable-after 5d`
MAX_SPAN = 3650 * 86400.0


def parse_span(text: str) -> float:
    """`5d`, `36h`, `1d12h`, `90m`, `30s`, `2w` as seconds; `0` means never. ValueError says why not."""
    if spans.is_zero(text):
        return 0.0
    if spans.is_bare_number(text):
        # A bare number used to count failed attempts; refuse it rather than guess a unit.
        raise ValueError(f"{text!r} has no unit. Give a span of sandbox time such as 5d, 36h or 90m "
                         "(an endpoint is disabled after failing continuously that long), or 0 for never.")
    seconds = spans.seconds_of(text)
    if seconds is None:
        raise ValueError(f"{text!r} is not a span of time: use numbers with units w, d, h, m or s "
                         "(e.g. 5d, 1d12h, 90m), or 0 for never.")
    if seconds > MAX_SPAN:
        raise ValueError(f"{text!r} is longer than 3650 days; use 0 to never disable endpoints.")
    return seconds


__all__ = ["DEFAULT_SPAN", "MAX_SPAN", "parse_span", "describe_span", "disables"]


def disables(failing_since: datetime | None, failed_at: datetime, span: float) -> bool:
    """Does a failure at `failed_at` complete `span` seconds of failing without a success?"""
    if span <= 0 or failing_since is None:
        return False
    return (failed_at - failing_since).total_seconds() >= span
