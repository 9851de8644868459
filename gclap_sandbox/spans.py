"""Spans of time as people write them on a command line: `5d`, `36h`, `1d12h`, `90m`, `30s`, `2w`.
Pure functions; each setting words its own errors (what the span is for)."""
from __future__ import annotations

import re

UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_NAMES = (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))
_PART = re.compile(r"(\d+(?:\.\d+)?)([wdhms])")
_SPAN = re.compile(r"(?:\d+(?:\.\d+)?[wdhms])+")
_BARE_NUMBER = re.compile(r"\d+(\.\d+)?")


def normalized(text: str) -> str:
    return text.strip().lower().replace(" ", "")


def is_zero(text: str) -> bool:
    return normalized(text) in ("0", "0.0")


def is_bare_number(text: str) -> bool:
    """A number without a unit (which a setting should refuse rather than guess seconds or days)."""
    return bool(_BARE_NUMBER.fullmatch(normalized(text)))


def seconds_of(text: str) -> float | None:
    """The span's seconds, or None when `text` is not numbers with units."""
    value = normalized(text)
    if not _SPAN.fullmatch(value):
        return None
    return sum(float(number) * UNITS[unit] for number, unit in _PART.findall(value))


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
