"""Server time of the inbox page with 100,000 stored emails.

A benchmark, not a test: it prints figures and never asserts on time. Run from the
repository root with the dev venv:

    .venv/bin/python bench/bench_inbox.py [--emails N] [--repeats N]

It fills a temporary SQLite file directly through the models (fast: batched inserts, no
HTTP), starts `gclap-sandbox serve` on that file, then requests page 1, a deep page (a
cursor 90% of the way down), a page reached backwards, and several searches. For each it
reports the server's own time from the `Server-Timing` header (db + render) and the
client-side wall time, median and max over the repeats.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from gclap_sandbox.accounts import auth
from gclap_sandbox.storage import database as db
from gclap_sandbox.inbox.listing import Cursor
from gclap_sandbox.models import Email, EmailContent, EmailRecipient, EmailTag  # noqa: E402
from gclap_sandbox.models.fields import new_id  # noqa: E402
from sandbox_process import start_sandbox  # noqa: E402

WORDS = ("invoice receipt welcome reset password order shipped weekly digest alert build passed "
         "failed report meeting invite reminder trial expiring upgrade newsletter").split()
TAGS = ("welcome", "billing", "digest", "auth", "ci")


def fill(path: str, count: int) -> tuple[str, str]:
    """Insert `count` emails; returns (cursor 90% down, a subject word present ~1/20)."""
    database = db.open_in_this_thread(path)
    with database.atomic():
        org_id, _ = auth.bootstrap(None)
    rng = random.Random(7)
    start = datetime.now(timezone.utc) - timedelta(days=60)
    step = timedelta(days=60) / count
    batch = 1000
    for first in range(0, count, batch):
        emails, contents, recipients, tags = [], [], [], []
        for n in range(first, min(first + batch, count)):
            email_id = new_id()
            subject = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} #{n}"
            to = f"user{n % 5000}@example.com"
            sender = f"app{n % 50}@sender.example"
            tag = [TAGS[n % len(TAGS)]] if n % 3 == 0 else []
            created = (start + step * n).replace(tzinfo=None)
            emails.append({
                "id": email_id, "organization": org_id, "source": "api", "from_address": sender,
                "from_name": f"App {n % 50}", "subject": subject, "to": [to], "tags": tag,
                "snippet": f"Hello, this is message {n} about {rng.choice(WORDS)}.",
                "size": 600, "attachment_count": 1 if n % 10 == 0 else 0, "is_read": n % 4 != 0,
                "search_text": f"app {n % 50} {sender} {subject.lower()} {to}",
                "created_at": created,
            })
            raw = (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nHello {n}\r\n").encode()
            contents.append({"email": email_id, "text": f"Hello {n}", "html": None, "raw": raw})
            recipients.append({"email": email_id, "address": to, "name": "", "kind": "to"})
            tags.extend({"email": email_id, "tag": t} for t in tag)
        with database.atomic():
            Email.insert_many(emails).execute()
            EmailContent.insert_many(contents).execute()
            EmailRecipient.insert_many(recipients).execute()
            if tags:
                EmailTag.insert_many(tags).execute()
    deep = Email.select().order_by(Email.created_at.desc(), Email.id.desc()).offset(int(count * 0.9)).first()
    database.execute_sql("PRAGMA optimize")
    database.close()
    return Cursor.of(deep).encode(), "invoice"


def server_ms(response: httpx.Response) -> float:
    total = 0.0
    for part in response.headers.get("server-timing", "").split(","):
        if "dur=" in part:
            total += float(part.split("dur=")[1])
    return total


def measure(client: httpx.Client, label: str, url: str, repeats: int) -> None:
    client.get(url)  # warm the page cache and templates
    server, wall = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        server.append(server_ms(response))
    rows = response.text.count('class="row-link"')
    print(f"{label:<34} server {statistics.median(server):7.1f} ms (max {max(server):7.1f})   "
          f"wall {statistics.median(wall):7.1f} ms   rows {rows}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--emails", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="gclap-bench-inbox-")
    path = os.path.join(folder, "inbox.sqlite3")
    started = time.perf_counter()
    deep_cursor, word = fill(path, args.emails)
    print(f"inserted {args.emails:,} emails into {path} in {time.perf_counter() - started:.1f} s")
    box = start_sandbox(db=path, env={"GCLAP_SANDBOX_MAX_EMAILS": "0"})  # keep all of them (no retention)
    try:
        with httpx.Client(base_url=box.http_url, timeout=120) as client:
            deep_url = str(httpx.URL("/", params={"before": deep_cursor}))
            back = client.get(deep_url).text.split('href="/?after=')[1].split('"')[0]
            measure(client, "page 1", "/", args.repeats)
            measure(client, "deep page (90% down, keyset)", deep_url, args.repeats)
            measure(client, "deep page, going back (newer)", f"/?after={back}", args.repeats)
            for query in (word, "from:app7", "subject:invoice", "tag:billing", "is:unread",
                          "has:attachment", "to:user42@example.com", "after:2000-01-01 before:2100-01-01"):
                measure(client, f"search {query!r}", str(httpx.URL("/", params={"q": query})), args.repeats)
    finally:
        box.stop()


if __name__ == "__main__":
    main()
