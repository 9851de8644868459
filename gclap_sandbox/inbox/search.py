"""The inbox search language, parsed by one pure function.

    to:ana@example.com  from:billing  subject:"order 42"  tag:welcome  status:bounced
    cc:ops  bcc:audit  reply-to:support  message-id:abc123@mail  body:"reset link"
    is:unread  is:read  has:attachment  before:2026-01-31  after:2026-01-01
    larger:10k  smaller:2MB  invoice

Words without a known `field:` prefix are free text, matched against sender, recipients,
subject and body. Sender, recipients, Cc, Bcc, Reply-To, subject and Message-ID match
anywhere inside (`voice` finds "Invoice"); body words match from their start (`invo` finds
"invoices"). `to:` is any recipient (To, Cc or Bcc); `cc:` and `bcc:` only those. A leading `-`
negates a term (`-tag:test`): it matches exactly the emails the term does not. Double quotes
keep spaces in a value. Every term must match (AND). `after:DAY` includes that day and
`before:DAY` excludes it (as in Gmail). `larger:` and `smaller:` compare the message's size
with a number of bytes, or with k, M or G after it (1k = 1,024 bytes): `larger:10k`, `smaller:2MB`.

Mistakes (a field with no value, a quote left open, an unknown `is:` flag or status, a date
or size that is not one, body words with no letter or digit, a search over the length limit
or with more than MAX_TERMS terms) are reported in `errors` and not applied, so a typo never
empties the inbox silently; actions on the results refuse a search with errors (see `inbox_bulk`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from gclap_sandbox.events.record import STATUS_RANK

MAX_LENGTH = 500  # characters of search text
MAX_TERMS = 32  # terms in one search (each costs a lookup)
TEXT_FIELDS = ("to", "from", "subject", "tag", "cc", "bcc", "reply-to", "message-id", "body")
FLAG_VALUES = {"is": ("unread", "read"), "has": ("attachment",), "status": tuple(STATUS_RANK)}
DATE_FIELDS = ("before", "after")
SIZE_FIELDS = ("larger", "smaller")
FIELDS = (*TEXT_FIELDS, *FLAG_VALUES, *DATE_FIELDS, *SIZE_FIELDS)
EXAMPLES = {"to": "ana@example.com", "from": "billing", "subject": '"order 42"', "tag": "welcome",
            "status": "bounced", "is": "unread", "has": "attachment", "before": "2026-01-31",
            "after": "2026-01-01", "cc": "ops@example.com", "bcc": "audit", "reply-to": "support",
            "message-id": "abc123@mail.example", "body": '"reset link"', "larger": "10k", "smaller": "2MB"}
SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024 ** 2, "mb": 1024 ** 2,
              "g": 1024 ** 3, "gb": 1024 ** 3}
MAX_SIZE = 1024 ** 4  # a size beyond a terabyte is a typo
# One token: optional '-', optional `field:`, then a quoted value (group 4 holds the closing
# quote, empty when the quote is left open) or a bare one (possibly empty: `from:`).
_TOKEN = re.compile(r'(-?)(?:([a-zA-Z][a-zA-Z-]*):)?(?:"([^"]*)("?)|(\S*))')
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]*)$")
_WORD = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Term:
    field: str  # "text", one of TEXT_FIELDS, FLAG_VALUES, DATE_FIELDS or SIZE_FIELDS
    value: str  # lower-cased for text fields; a flag name; an ISO date for dates; bytes for sizes
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
    if len(out.terms) > MAX_TERMS:
        return SearchQuery((), (f"The search has {len(out.terms)} terms; the limit is {MAX_TERMS}.",))
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
    elif name == "body" and not _WORD.search(value):
        out.errors.append(f"body:{value} has no letter or digit to look for in the body.")
    elif name in TEXT_FIELDS:
        out.terms.append(Term(name, value.lower(), negated))
    elif name in FLAG_VALUES:
        flag = value.lower()
        if flag in FLAG_VALUES[name]:
            out.terms.append(Term(name, flag, negated))
        else:
            allowed = ", ".join(f"{name}:{v}" for v in FLAG_VALUES[name])
            out.errors.append(f"Unknown {name}:{value} (try {allowed}).")
    elif name in SIZE_FIELDS:
        size = parse_size(value)
        if size is None:
            out.errors.append(f"{name}:{value} is not a size (use bytes, or k, M or G after a number, "
                              f"as in {name}:{EXAMPLES[name]}).")
        else:
            out.terms.append(Term(name, str(size), negated))
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


def parse_size(value: str) -> int | None:
    """`2048`, `10k`, `1.5M`, `2MB` (any case; k = 1,024 bytes) as bytes; None when not a size."""
    match = _SIZE.match(value.strip().lower())
    if match is None or match.group(2) not in SIZE_UNITS:
        return None
    size = int(float(match.group(1)) * SIZE_UNITS[match.group(2)])
    return size if size <= MAX_SIZE else None
