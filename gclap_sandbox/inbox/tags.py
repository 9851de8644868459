"""Tags on captured email: the list with counts, adding and removing, renaming across the inbox.

An email's tags live twice: in `Email.tags` (the list the API and the rows show, in the order
given) and as `EmailTag` rows (what `tag:` searches and analytics filter by). Every change here
writes both in one unit of work (DB thread), so they never disagree. Tags compare without
regard to case (`tag:Welcome` finds `welcome`), so adding `Welcome` to an email tagged
`welcome` changes nothing, and removing `WELCOME` removes it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

import peewee

from gclap_sandbox.errors import NotFound
from gclap_sandbox.models import Email, EmailTag, Organization
from gclap_sandbox.schema import Str
from gclap_sandbox.storage.bulk import insert_rows

MAX_LENGTH = 200  # EmailTag.tag's column
# Some character that is not a space, no commas (X-Tags separates with them), no control characters.
TAG_PATTERN = r"[^,\x00-\x1f\x7f]*[^,\x00-\x20\x7f][^,\x00-\x1f\x7f]*"
TAG_HINT = "A tag needs a character other than a space, and may not contain commas or control characters."


def tag_field(description: str = "A tag: spaces at either end are dropped.", **kw: Any) -> Str:
    return Str(min_length=1, max_length=MAX_LENGTH, pattern=TAG_PATTERN, pattern_hint=TAG_HINT,
               description=description, **kw)


def tag_problem(tag: str) -> str | None:
    """Why `tag` cannot be a tag (TAG_PATTERN, said in words), or None."""
    return None if _TAG.fullmatch(tag) and len(tag) <= MAX_LENGTH else TAG_HINT


def clean(tags: Iterable[str]) -> list[str]:
    """Spaces at either end dropped, blanks dropped, the first spelling of each tag kept."""
    out: dict[str, str] = {}
    for tag in tags:
        tag = tag.strip(" ")
        if tag and tag.lower() not in out:
            out[tag.lower()] = tag[:MAX_LENGTH]
    return list(out.values())


_TAG = re.compile(TAG_PATTERN)


@dataclass(frozen=True)
class TagCount:
    tag: str
    count: int


def tag_counts(organization_id: str) -> list[TagCount]:
    """Every tag in the inbox with how many emails carry it, A to Z (DB thread)."""
    rows = EmailTag.select(EmailTag.tag, peewee.fn.COUNT(EmailTag.id).alias("n")).group_by(EmailTag.tag)
    # With one organization (a sandbox's usual case) every tag is its own, and the count is a
    # scan of the tag index: ~15 ms at 100,000 emails, where joining each tag to its email to
    # check the organization takes seconds.
    if Organization.select().limit(2).count() > 1:
        rows = rows.join(Email).where(Email.organization == organization_id)
    spellings: dict[str, list[tuple[int, str]]] = {}
    for tag, count in rows.tuples():  # spellings that differ only by case count as one tag
        spellings.setdefault(tag.lower(), []).append((count, tag))
    # Shown as most emails spell it (ties: the first A to Z, capitals first).
    merged = {key: TagCount(min(found, key=lambda f: (-f[0], f[1]))[1], sum(c for c, _ in found))
              for key, found in spellings.items()}
    return sorted(merged.values(), key=lambda t: (t.tag.lower(), t.tag))


def change_tags(emails: peewee.ModelSelect, add: Iterable[str] = (), remove: Iterable[str] = ()) -> int:
    """Add and remove tags on every email `emails` selects; returns how many emails changed (DB thread)."""
    adding, removing = clean(add), {t.lower() for t in clean(remove)}
    adding = [t for t in adding if t.lower() not in removing]  # both: removing wins, nothing is added back
    changed = 0
    for email_id, tags in emails.select(Email.id, Email.tags).tuples():
        current = list(tags or [])
        kept = [t for t in current if t.lower() not in removing]
        present = {t.lower() for t in kept}
        new = kept + [t for t in adding if t.lower() not in present]
        if new != current:
            _store(email_id, current, new)
            changed += 1
    return changed


def rename(organization_id: str, old: str, new: str) -> int:
    """Rename a tag on every email that has it (any case); returns how many emails changed (DB thread).

    An email that already has the new name keeps one copy of it; the same name changes nothing."""
    old_key, new_name = old.strip(" ").lower(), new.strip(" ")
    carriers = (Email.select().where((Email.organization == organization_id) & Email.id.in_(
        EmailTag.select(EmailTag.email).where(peewee.fn.LOWER(EmailTag.tag) == old_key))))
    found = list(carriers.select(Email.id, Email.tags).tuples())
    if not found:
        raise NotFound(f"No email has the tag {old.strip(' ')}; nothing was renamed.", slug="unknown-tag")
    changed = 0
    for email_id, tags in found:
        current = list(tags or [])
        renamed = clean(new_name if t.lower() == old_key else t for t in current)
        if renamed != current:
            _store(email_id, current, renamed)
            changed += 1
    return changed


def merged(current: list[str], extra: Iterable[str]) -> list[str]:
    """`current`, then those of `extra` it does not hold yet (case does not matter)."""
    present = {t.lower() for t in current}
    return current + [t for t in clean(extra) if t.lower() not in present]


def add_to_email(email_id: str, current: list[str], extra: Iterable[str]) -> list[str]:
    """Tags found at capture (auto_tags) added to one stored email; returns its new list (DB thread)."""
    new = merged(current, extra)
    if new != current:
        _store(email_id, current, new)
    return new


def _store(email_id: str, old: list[str], new: list[str]) -> None:
    Email.update(tags=new).where(Email.id == email_id).execute()
    gone = [t for t in old if t not in new]
    if gone:
        EmailTag.delete().where((EmailTag.email == email_id) & EmailTag.tag.in_(gone)).execute()
    insert_rows(EmailTag, [{"email": email_id, "tag": t} for t in new if t not in old])
