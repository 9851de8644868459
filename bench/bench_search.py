"""Server time of every kind of inbox search with 100,000 stored emails.

A benchmark, not a test: it prints figures and never asserts on time. Run from the
repository root with the dev venv:

    .venv/bin/python bench/bench_search.py [--emails N] [--repeats N] [--no-http]

It fills a temporary SQLite file straight through the storage layer (batched inserts of
realistic emails: bodies, Cc, Bcc, Reply-To, tags, attachments, sizes, 60 days of dates),
builds the full-text index, then times each query kind two ways:

* `db`: the unit of work the server runs for one inbox page (matches counted, unread
  counted, the page's rows), on this thread, median and p95 over the repeats, as wall time
  and as this thread's CPU time (steadier when other work shares the cores);
* `inbox` and `api` (unless --no-http): a sandbox started on the file, the inbox page's own
  `Server-Timing` (database + render) and the wall time of `GET /api/v1/emails/?search=`.

Beside each it prints the target (50 ms) and, as the baseline measured in the same run, one
scan of the emails with LIKE (what a search without the index costs at least).
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
from typing import Callable

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))

from gclap_sandbox.accounts import auth  # noqa: E402
from gclap_sandbox.inbox import listing, queries  # noqa: E402
from gclap_sandbox.inbox.search import parse_search  # noqa: E402
from gclap_sandbox.models import Attachment, Email, EmailContent, EmailRecipient, EmailTag  # noqa: E402
from gclap_sandbox.models.fields import new_id  # noqa: E402
from gclap_sandbox.storage import database as db  # noqa: E402
from gclap_sandbox.storage import fulltext  # noqa: E402

TARGET_MS = 50.0
TAGS = ("welcome", "billing", "digest", "auth", "ci", "marketing", "alerts", "reports")
SUBJECT_WORDS = ("invoice receipt welcome reset password order shipped weekly digest alert build "
                 "passed failed report meeting invite reminder trial expiring upgrade newsletter").split()
LETTERS = "bcdfghjklmnprstvwz"
VOWELS = "aeiou"
# One search per kind; the `{...}` parts are filled from the generated data.
QUERIES = (
    ("to: (whole address)", "to:user42@example.com"),
    ("to: (part)", "to:user42"),
    ("from:", "from:app7"),
    ("cc:", "cc:ops3"),
    ("bcc:", "bcc:audit"),
    ("reply-to:", "reply-to:support1"),
    ("message-id:", "message-id:{message_id}"),
    ("subject:", "subject:invoice"),
    ("tag:", "tag:billing"),
    ("free text (one word)", "invoice"),
    ("free text (two words)", "weekly digest"),
    ("body: (a rare word)", "body:{rare}"),
    ("body: (a common word)", "body:{common}"),
    ("has:attachment", "has:attachment"),
    ("is:unread", "is:unread"),
    ("status:", "status:delivered"),
    ("after: before:", "after:{after} before:{before}"),
    ("larger:", "larger:20k"),
    ("smaller:", "smaller:2k"),
    ("negation -tag:", "-tag:billing"),
    ("negation -word", "-invoice"),
    ("negation -body:", "-body:{common}"),
    ("combined", "from:app7 -tag:billing has:attachment"),
)


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    """Made-up words of 4 to 10 letters, in a random order (the first ones will be the most used)."""
    found: set[str] = set()
    while len(found) < size:
        found.add("".join(rng.choice(LETTERS) + rng.choice(VOWELS) for _ in range(rng.randint(2, 5))))
    return rng.sample(sorted(found), size)


def fill(path: str, count: int) -> dict[str, str]:
    """Insert `count` emails and index them; returns values for the query templates."""
    database = db.open_in_this_thread(path)
    with database.atomic():
        org_id, _ = auth.bootstrap(None)
    rng = random.Random(7)
    words = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf-like: a few words are everywhere
    start = datetime.now(timezone.utc) - timedelta(days=60)
    step = timedelta(days=60) / count
    message_id = ""
    batch = 2000
    for first in range(0, count, batch):
        emails, contents, recipients, tags, attachments = [], [], [], [], []
        for n in range(first, min(first + batch, count)):
            email_id = new_id()
            subject = f"{rng.choice(SUBJECT_WORDS).title()} {rng.choice(SUBJECT_WORDS)} #{n}"
            to = f"user{n % 5000}@example.com"
            cc = [f"Ops {n % 40} <ops{n % 40}@example.com>"] if n % 5 == 0 else []
            bcc = [f"audit{n % 7}@example.com"] if n % 10 == 0 else []
            reply_to = [f"support{n // 3 % 9}@help.example"] if n % 3 == 0 else []
            sender = f"app{n % 50}@sender.example"
            tag = [TAGS[n // 2 % len(TAGS)]] if n % 2 == 0 else []
            body = " ".join(rng.choices(words, weights, k=rng.randint(40, 160)))
            size = 800 + len(body) + (rng.randint(1000, 60000) if n % 10 == 0 else 0)
            message_id = f"<{email_id}@sender.example>"
            emails.append({
                "id": email_id, "organization": org_id, "source": "api", "from_address": sender,
                "from_name": f"App {n % 50}", "subject": subject, "to": [to], "cc": cc, "bcc": bcc,
                "reply_to": reply_to, "tags": tag, "message_id": message_id, "snippet": body[:300],
                "size": size, "attachment_count": 1 if n % 10 == 0 else 0, "is_read": n % 4 != 0,
                "status": ("sent", "delivered", "opened")[n % 3],
                "search_text": f"app {n % 50} {sender} {subject.lower()} {to}",
                "created_at": (start + step * n).replace(tzinfo=None),
            })
            raw = f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\n{body}\r\n".encode()
            contents.append({"email": email_id, "text": body, "html": None, "raw": raw})
            recipients.append({"email": email_id, "address": to, "name": "", "kind": "to"})
            recipients.extend({"email": email_id, "address": a.split("<")[-1].rstrip(">"), "name": "",
                               "kind": kind} for kind, values in (("cc", cc), ("bcc", bcc)) for a in values)
            tags.extend({"email": email_id, "tag": t} for t in tag)
            if n % 10 == 0:
                attachments.append({"id": new_id(), "email": email_id, "position": 2, "filename": "a.pdf",
                                    "content_type": "application/pdf", "size": size - 900})
        with database.atomic():
            Email.insert_many(emails).execute()
            EmailContent.insert_many(contents).execute()
            EmailRecipient.insert_many(recipients).execute()
            if tags:
                EmailTag.insert_many(tags).execute()
            if attachments:
                Attachment.insert_many(attachments).execute()
    started = time.perf_counter()
    with database.atomic():
        fulltext.index_pending(limit=None)
    indexing = time.perf_counter() - started
    print(f"indexed {count:,} emails in {indexing:.1f} s ({count / indexing:,.0f}/s)")
    database.execute_sql("PRAGMA optimize")
    database.close()
    after = (start + timedelta(days=20)).date().isoformat()
    return {"org_id": org_id, "message_id": message_id.strip("<>")[:13], "rare": words[-1],
            "common": words[0], "after": after, "before": (start + timedelta(days=30)).date().isoformat()}


def timed(fn: Callable[[], object], repeats: int) -> tuple[list[float], list[float]]:
    """(wall, CPU) milliseconds of each run."""
    fn()  # warm the page cache
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.thread_time()
        fn()
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return wall, cpu


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def server_ms(response: httpx.Response) -> float:
    return sum(float(part.split("dur=")[1]) for part in response.headers.get("server-timing", "").split(",")
               if "dur=" in part)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--emails", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--no-http", action="store_true", help="only the in-process database time")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="gclap-bench-search-")
    path = os.path.join(folder, "search.sqlite3")
    started = time.perf_counter()
    values = fill(path, args.emails)
    print(f"inserted {args.emails:,} emails into {path} in {time.perf_counter() - started:.1f} s; "
          f"file {os.path.getsize(path) / 2**20:,.0f} MB; load average {os.getloadavg()[0]:.2f}")
    org_id = values["org_id"]
    queries_filled = [(label, text.format(**values)) for label, text in QUERIES]

    database = db.open_in_this_thread(path)
    _, baseline = timed(lambda: database.execute_sql(
        "SELECT COUNT(*) FROM email WHERE search_text LIKE '%invoice%'").fetchone(), args.repeats)
    scan = statistics.median(baseline)
    print(f"\nbaseline (same run): one LIKE scan of every email: {scan:.1f} ms CPU (p95 {p95(baseline):.1f})\n")
    print(f"{'query kind':<24} {'search':<38} {'matches':>8}  {'wall':>7} {'p95':>6}  {'CPU':>6} {'p95':>6}  "
          f"{'CPU/50ms':>8} {'CPU/scan':>8}")
    for label, text in queries_filled:
        search = parse_search(text)
        assert not search.errors, (text, search.errors)

        def page() -> object:
            with database.atomic():
                return listing.inbox_page(org_id, search)
        wall, cpu = timed(page, args.repeats)
        total = page().total  # type: ignore[attr-defined]
        median = statistics.median(cpu)
        print(f"{label:<24} {text[:38]:<38} {total:>8,}  {statistics.median(wall):7.1f} {p95(wall):6.1f}  "
              f"{median:6.1f} {p95(cpu):6.1f}  {median / TARGET_MS:8.2f} {median / scan:8.2f}")
    database.close()
    if args.no_http:
        return
    from sandbox_process import start_sandbox

    print(f"\nover HTTP (load average {os.getloadavg()[0]:.2f}): inbox Server-Timing (db + render) and API wall time")
    box = start_sandbox(db=path)
    try:
        with httpx.Client(base_url=box.http_url, timeout=120,
                          headers={"Authorization": f"Bearer {box.api_key}"}) as client:
            for label, text in queries_filled:
                inbox = []
                api = []
                for _ in range(max(3, args.repeats // 2)):
                    response = client.get("/", params={"q": text})
                    assert response.status_code == 200, (text, response.status_code)
                    inbox.append(server_ms(response))
                    started = time.perf_counter()
                    response = client.get("/api/v1/emails/", params={"search": text, "page_size": 50})
                    api.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (text, response.text[:200])
                print(f"{label:<24} inbox {statistics.median(inbox):6.1f} ms (p95 {p95(inbox):6.1f})   "
                      f"api {statistics.median(api):6.1f} ms (p95 {p95(api):6.1f})   "
                      f"count {response.json()['count']:,}")
    finally:
        box.stop()


if __name__ == "__main__":
    main()
