"""A large inbox written straight into a SQLite file through the storage layer (no HTTP): for
the search tests, which check every kind of search against a plain-Python reading of the same
mail, and for bench/bench_search.py. Deterministic for a seed.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from gclap_sandbox.accounts import auth
from gclap_sandbox.models import Attachment, Email, EmailContent, EmailRecipient, EmailTag
from gclap_sandbox.models.fields import new_id
from gclap_sandbox.storage import database as db

TAGS = ("welcome", "Billing", "digest", "auth", "ci", "marketing", "alerts", "reports")
SUBJECT_WORDS = ("invoice receipt welcome reset password order shipped weekly digest alert build "
                 "passed failed report meeting invite reminder trial expiring upgrade newsletter").split()
LETTERS, VOWELS = "bcdfghjklmnprstvwz", "aeiou"
STATUSES = ("sent", "delivered", "opened")


@dataclass
class Generated:
    """One generated email, as a search should see it."""

    id: str
    sender: str  # "Name <address>"
    recipients: list[str]  # every recipient address (to, cc, bcc)
    to: list[str]
    cc: list[str]
    bcc: list[str]
    reply_to: list[str]
    subject: str
    message_id: str
    body: str
    tags: list[str]
    size: int
    attachment_count: int
    is_read: bool
    status: str
    created_at: datetime


@dataclass
class GeneratedInbox:
    organization_id: str
    emails: list[Generated] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # the body vocabulary, most used first
    start: datetime = datetime.now(timezone.utc)


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """Made-up words of 4 to 10 letters, in a random order (the first ones will be the most used)."""
    found: set[str] = set()
    while len(found) < size:
        found.add("".join(rng.choice(LETTERS) + rng.choice(VOWELS) for _ in range(rng.randint(2, 5))))
    return rng.sample(sorted(found), size)


def generate(path: str, count: int, seed: int = 7, batch: int = 2000) -> GeneratedInbox:
    """Write `count` emails into the database file at `path` (created if new)."""
    database = db.open_in_this_thread(path)
    with database.atomic():
        org_id, _ = auth.bootstrap(None)
    rng = random.Random(seed)
    inbox = GeneratedInbox(org_id, words=vocabulary(rng, min(5000, max(50, count // 4))),
                           start=(datetime.now(timezone.utc) - timedelta(days=60)).replace(microsecond=0))
    weights = [1 / (rank + 1) for rank in range(len(inbox.words))]  # Zipf-like: a few words are everywhere
    step = timedelta(days=60) / count
    for first in range(0, count, batch):
        rows: dict[str, list[dict]] = {"email": [], "content": [], "recipient": [], "tag": [], "attachment": []}
        for n in range(first, min(first + batch, count)):
            email = _one(n, rng, inbox, weights, inbox.start + step * n)
            inbox.emails.append(email)
            _rows(email, org_id, n, rows)
        with database.atomic():
            Email.insert_many(rows["email"]).execute()
            EmailContent.insert_many(rows["content"]).execute()
            EmailRecipient.insert_many(rows["recipient"]).execute()
            for model, name in ((EmailTag, "tag"), (Attachment, "attachment")):
                if rows[name]:
                    model.insert_many(rows[name]).execute()
    database.close()
    return inbox


def _one(n: int, rng: random.Random, inbox: GeneratedInbox, weights: list[float], created: datetime) -> Generated:
    to = [f"user{n % 5000}@example.com"]
    cc = [f"Ops {n // 5 % 40} <ops{n // 5 % 40}@example.com>"] if n % 5 == 0 else []
    bcc = [f"audit{n // 10 % 7}@example.com"] if n % 10 == 0 else []
    body = " ".join(rng.choices(inbox.words, weights, k=rng.randint(40, 160)))
    email_id = new_id()
    return Generated(
        id=email_id, sender=f"App {n % 50} <app{n % 50}@sender.example>",
        recipients=[*to, *(c.split("<")[1].rstrip(">") for c in cc), *bcc], to=to, cc=cc, bcc=bcc,
        reply_to=[f"support{n // 3 % 9}@help.example"] if n % 3 == 0 else [],
        subject=f"{rng.choice(SUBJECT_WORDS).title()} {rng.choice(SUBJECT_WORDS)} #{n}",
        message_id=f"<{email_id}@sender.example>", body=body,
        tags=[TAGS[n // 2 % len(TAGS)]] if n % 2 == 0 else [],
        size=800 + len(body) + (rng.randint(1000, 60000) if n % 10 == 0 else 0),
        attachment_count=1 if n % 10 == 0 else 0, is_read=n % 4 != 0, status=STATUSES[n % 3],
        created_at=created)


def _rows(email: Generated, org_id: str, n: int, rows: dict[str, list[dict]]) -> None:
    name, address = email.sender[:-1].split(" <")
    html_only = n % 7 == 0  # some mail has only an HTML body, which search reads without its markup
    rows["email"].append({
        "id": email.id, "organization": org_id, "source": "api", "from_address": address, "from_name": name,
        "subject": email.subject, "to": email.to, "cc": email.cc, "bcc": email.bcc, "reply_to": email.reply_to,
        "tags": email.tags, "message_id": email.message_id, "snippet": email.body[:300], "size": email.size,
        "attachment_count": email.attachment_count, "is_read": email.is_read, "status": email.status,
        "created_at": email.created_at.replace(tzinfo=None)})
    raw = f"From: {email.sender}\r\nTo: {email.to[0]}\r\nSubject: {email.subject}\r\n\r\n{email.body}\r\n"
    rows["content"].append({"email": email.id, "raw": raw.encode(),
                            "text": None if html_only else email.body,
                            "html": f"<div class=\"body\"><p>{email.body}</p></div>" if html_only else None})
    kinds = [("to", a) for a in email.to] + [("cc", a) for a in email.recipients[1:len(email.cc) + 1]] \
        + [("bcc", a) for a in email.bcc]
    rows["recipient"].extend({"email": email.id, "address": a, "name": "", "kind": k} for k, a in kinds)
    rows["tag"].extend({"email": email.id, "tag": t} for t in email.tags)
    if email.attachment_count:
        rows["attachment"].append({"id": new_id(), "email": email.id, "position": 2, "filename": "a.pdf",
                                   "content_type": "application/pdf", "size": email.size - 900})


# --- a plain-Python reading of the search language, for the tests' expectations ------------

def body_has(email: Generated, value: str) -> bool:
    """The words of `value` one after another in the body, the last one as a prefix."""
    wanted = re.findall(r"[a-z0-9]+", value.lower())
    words = re.findall(r"[a-z0-9]+", email.body.lower())
    prefix = value[-1].isalnum()
    for start in range(len(words) - len(wanted) + 1):
        window = words[start:start + len(wanted)]
        if window[:-1] == wanted[:-1] and (window[-1].startswith(wanted[-1]) if prefix else window[-1] == wanted[-1]):
            return True
    return False
