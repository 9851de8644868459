"""What a sandbox keeps: the settings `--max-emails` and `--max-age`, as one value. Pure."""
from __future__ import annotations

from dataclasses import dataclass

from gclap_sandbox import spans
from gclap_sandbox.settings import Settings

MAX_AGE_CEILING = 3650 * 86400.0  # ten years: anything longer is a typo for "no limit" (0)


@dataclass(frozen=True)
class Retention:
    max_emails: int = 0  # 0: no limit
    max_age: float = 0.0  # seconds of sandbox time; 0: no limit

    @classmethod
    def of(cls, settings: Settings) -> "Retention":
        return cls(settings.max_emails, settings.max_age)

    @property
    def limited(self) -> bool:
        return bool(self.max_emails or self.max_age)

    def describe(self) -> str:
        parts = [f"the newest {self.max_emails:,} emails" if self.max_emails else "any number of emails"]
        if self.max_age:
            parts.append(f"none older than {spans.describe_span(self.max_age)}")
        return ", ".join(parts)


def parse_max_age(text: str) -> float:
    """`7d`, `12h`, `1d12h`, `90m`, `2w` as seconds; `0` is no limit. ValueError says why not."""
    if spans.is_zero(text):
        return 0.0
    if spans.is_bare_number(text):
        raise ValueError(f"{text!r} has no unit. Give a span such as 7d, 12h or 90m (emails older than "
                         "that are pruned), or 0 to keep mail of any age.")
    seconds = spans.seconds_of(text)
    if seconds is None:
        raise ValueError(f"{text!r} is not a span of time: use numbers with units w, d, h, m or s "
                         "(e.g. 7d, 1d12h, 90m), or 0 to keep mail of any age.")
    if seconds > MAX_AGE_CEILING:
        raise ValueError(f"{text!r} is longer than 3650 days; use 0 to keep mail of any age.")
    if seconds < 60:
        raise ValueError(f"{text!r} is under a minute: mail would be gone before anyone read it. "
                         "Give 1m or more, or 0 to keep mail of any age.")
    return seconds
