"""The inbox search language, parsed by one pure function.

    to:ana@example.com  from:billing  subject:"order 42"  tag:welcome  status:bounced
    is:unread  is:read  has:attachment  before:2026-01-31  after:2026-01-01  invoice

Words without a known `field:` prefix are free text (matched against sender, recipients,
subject and snippet). A leading `-` negates a term (`-tag:test`): it matches exactly the
emails the term does not. Double quotes keep spaces in a value. Every term must match (AND).
`after:DAY` includes that day and `before:DAY` excludes it (as in Gmail).

Mistakes (a field with no value, a quote left open, an unknown `is:` flag or status, a date
that is not a date, a search over the length limit) are reported in `errors` and not
applied, so a typo never empties the inbox silently; actions on the results refuse a search
with errors (see `inbox_bulk`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from gclap_sandbox.events.record import STATUS_RANK

MAX_LENGTH = 500  # characters of search text
TEXT_FIELDS = ("to", "from", "subject", "tag")
FLAG_VALUES = {"is": ("unread", "read"), "has": ("attachment",), "status": tuple(STATUS_RANK)}
DATE_FIELDS = ("before", "after")
FIELDS = (*TEXT_FIELDS, *FLAG_VALUES, *DATE_FIELDS)
EXAMPLES = {"to": "ana@example.com", "from": "billing", "subject": '"order 42"', "tag": "welcome",
            "status": "bounced", "is": "unread", "has": "attachment", "before": "2026-01-31",
            "after": "2026-01-01"}
# One token: optional '-', optional `field:`, then a quoted value (group 4 holds the closing
# quote, empty when the quote is left open) or a bare one (possibly empty: `from:`).
_TOKEN = re.compile(r'(-?)(?:([a-zA-Z]+):)?(?:"([^"]*)("?)|(\S*))')


@dataclass(frozen=True)
class Term:
    field: str  # "text", one of TEXT_FIELDS, FLAG_VALUES or DATE_FIELDS
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
    text = text or ""
    if len(text) > MAX_LENGTH:
        return SearchQuery((), (f"The search is {len(text):,} characters long; the limit is {MAX_LENGTH}.",))
    out = _Builder()
    for match in _TOKEN.finditer(text):
        if match.group(0):
            _add_token(match, out)
    if text.strip() and not out.terms and not out.errors:  # `-` or `""`: typed, yet nothing to look for
        out.errors.append(f"Nothing to search for in {text.strip()[:40]}.")
    return SearchQuery(tuple(out.terms), tuple(out.errors))


def _add_token(match: re.Match[str], out: _Builder) -> None:
    negated = match.group(1) == "-"
    name = (match.group(2) or "").lower()
    quoted = match.group(3) is not None
    value = match.group(3) if quoted else match.group(5)
    if name and name not in FIELDS:
        # `http://x` or `note:` are just words, not fields.
        value, name = f"{match.group(2)}:{value}", ""
    if quoted and not match.group(4):
        shown = match.group(0) if len(match.group(0)) <= 40 else match.group(0)[:40] + "…"
        out.errors.append(f"The quote in {shown} is not closed: add the closing \".")
        return
    if not value.strip():
        if name:
            out.errors.append(f"{name}: needs a value right after the colon, as in {name}:{EXAMPLES[name]}.")
        return  # a lone `-` or `""` says nothing
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


def parse_date(value: str) -> datetime | None:
    """YYYY-MM-DD (midnight UTC) or an ISO 8601 time; naive times are UTC."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
