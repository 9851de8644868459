"""Tags an email earns by how it was addressed: `user+TAG@host` recipients and an `X-Tags` header.

Both are off unless asked for (`serve --tags-from plus-addresses,x-tags`): Mailpit has them on,
but here an email's `tags` are what the integration's webhooks, analytics and API answers carry,
and those must be exactly what it sent. They are added when the email is stored (an `email_stored`
subscriber, in the capture's transaction), after the tags the sender gave, once each (case
does not matter). The received bytes are never changed.
"""
from __future__ import annotations

import re
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import parseaddr
from typing import TYPE_CHECKING, Callable, Iterable

from gclap_sandbox.inbox import tags as inbox_tags

if TYPE_CHECKING:
    from gclap_sandbox.models import Email
    from gclap_sandbox.pipeline.incoming import Incoming

PLUS_ADDRESSES = "plus-addresses"
X_TAGS = "x-tags"
SOURCES = (PLUS_ADDRESSES, X_TAGS)
HEADER = "X-Tags"
_HEADER_LINE = re.compile(rb"(?:^|\n)x-tags[ \t]*:", re.IGNORECASE)


def parse_sources(text: str) -> tuple[str, ...]:
    """`plus-addresses,x-tags` -> the names; raises ValueError naming an unknown one."""
    names = tuple(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        raise ValueError(f"unknown tag source {', '.join(unknown)} (choose from {', '.join(SOURCES)})")
    return names


def plus_tags(addresses: Iterable[str]) -> list[str]:
    """`ana+Welcome@example.com` -> ["Welcome"]; the part after the first `+` of the local part."""
    found = []
    for value in addresses:
        if "+" not in value:  # the common case, without parsing the address
            continue
        local, at, _ = parseaddr(value)[1].rpartition("@")  # as written: the tag keeps its case
        _, plus, tag = local.partition("+") if at else ("", "", "")
        if plus and tag.strip():
            found.append(tag.strip())
    return found


def header_tags(raw: bytes) -> list[str]:
    """The comma-separated tags of every `X-Tags` header field (RFC 2047 words decoded)."""
    end = _header_end(raw)
    head = raw[:end]
    if not _HEADER_LINE.search(head):  # the common case: no need to parse the header block
        return []
    msg = BytesHeaderParser(policy=default_policy).parsebytes(head + b"\r\n")
    found: list[str] = []
    for value in msg.get_all(HEADER) or []:
        found.extend(t.strip() for t in str(value).split(",") if t.strip())
    return [t for t in found if not inbox_tags.tag_problem(t)]


def _header_end(raw: bytes) -> int:
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    return min(ends) if ends else len(raw)


def tags_for(email: Email, incoming: Incoming, sources: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    if PLUS_ADDRESSES in sources:
        found += plus_tags([*(email.to or []), *(email.cc or []), *(email.bcc or [])])
    if X_TAGS in sources:
        found += header_tags(incoming.raw)
    return [t for t in found if not inbox_tags.tag_problem(t)]


def subscriber(sources: tuple[str, ...]) -> Callable[[Email, Incoming], None]:
    """The `email_stored` subscriber that adds the tags `sources` find (DB thread)."""
    def add_auto_tags(email: Email, incoming: Incoming) -> None:
        found = tags_for(email, incoming, sources)
        if found:
            # The same instance goes to the live inbox after commit: it must show them too.
            email.tags = inbox_tags.add_to_email(email.id, list(email.tags or []), found)
    return add_auto_tags
