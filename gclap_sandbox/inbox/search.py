"""The inbox search language, parsed by one pure function.

    to:ana@example.com  from:billing  subject:"order 42"  tag:welcome  status:bounced
    is:unread  is:read  has:attachment  before:2026-01-31  after:2026-01-01  invoice

Words without a known `field:` prefix are free text (matched against sender, recipients,
subject and snippet). A leading `-` negates a term (`-tag:test`). Double quotes keep spaces
in a value. Every term must match (AND). `after:DAY` includes that day and
`before:DAY` excludes it (as in Gmail). Bad values (an unknown `is:` flag, a date that is
not a date) are reported in `errors` and ignored, so a typo never empties the inbox silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

TEXT_FIELDS = ("to", "from", "subject", "tag", "status")
FLAG_VALUES = {"is": ("unread", "read"), "has": ("attachment",)}
DATE_FIELDS = ("before", "after")
# One token: optional '-', optional `field:`, then a quoted or bare value.
_TOKEN = re.compile(r'(-?)(?:([a-zA-Z]+):)?(?:"([^"]*)"?|(\S+))')


@dataclass(frozen=True)
class Term:
    field: str  # "text", one of TEXT_FIELDS, "is", "has", "before" or "after"
    value: str  # lower-cased for text fields; a flag name; an ISO date for dates
    negated: bool = False


@dataclass(frozen=True)
class SearchQuery:
    terms: tuple[Term, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.terms


@dataclass
class _Builder:
    terms: list[Term] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_search(text: str) -> SearchQuery:
    """Turn what the user typed into terms; never raises."""
    out = _Builder()
    for match in _TOKEN.finditer(text or ""):
        negated = match.group(1) == "-"
        name = (match.group(2) or "").lower()
        value = match.group(3) if match.group(3) is not None else (match.group(4) or "")
        if name and name not in (*TEXT_FIELDS, *FLAG_VALUES, *DATE_FIELDS):
            # `http://x` or `note:` are just words, not fields.
            value, name = f"{match.group(2)}:{value}", ""
        if not value.strip():
            continue
        if not name:
            out.terms.append(Term("text", value.lower(), negated))
        elif name in TEXT_FIELDS:
            out.terms.append(Term(name, value.lower(), negated))
        elif name in FLAG_VALUES:
            flag = value.lower()
            if flag in FLAG_VALUES[name]:
                out.terms.append(Term(name, flag, negated))
            else:
                allowed = ", ".join(f"{name}:{v}" for v in FLAG_VALUES[name])
                out.errors.append(f"Unknown {name}:{value} (try {allowed}).")
        else:
            moment = parse_date(value)
            if moment is None:
                out.errors.append(f"{name}:{value} is not a date (use YYYY-MM-DD or an ISO time).")
            else:
                out.terms.append(Term(name, moment.isoformat(), negated))
    return SearchQuery(tuple(out.terms), tuple(out.errors))


def parse_date(value: str) -> datetime | None:
    """YYYY-MM-DD (midnight UTC) or an ISO 8601 time; naive times are UTC."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
