"""Server time of every kind of inbox search with 100,000 stored emails.

A benchmark, not a test: it prints figures and never asserts on time. Run from the
repository root with the dev venv:

    .venv/bin/python bench/bench_search.py [--emails N] [--repeats N] [--no-http]

It fills a temporary SQLite file straight through the storage layer (tests/support/
generated_inbox.py: batched inserts of emails with bodies, Cc, Bcc, Reply-To, tags,
attachments, sizes, 60 days of dates), builds the search index, then times each query kind:

* `db`: the unit of work the server runs for one inbox page (matches counted, unread
  counted, the page's rows), on this thread, median and p95 over the repeats, as wall time
  and as this thread's CPU time (steadier when other work shares the cores);
* `inbox` and `api` (unless --no-http): a sandbox started on the file, the inbox page's own
  `Server-Timing` (database + render) and the wall time of `GET /api/v1/emails/?search=`.

Beside each it prints the target (50 ms) and, as the baseline measured in the same run, one
scan of the emails' subject and snippet with LIKE (what free text cost before the index, for
each of a page's counts).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Callable

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))

from generated_inbox import generate  # noqa: E402

from gclap_sandbox.inbox import listing  # noqa: E402
from gclap_sandbox.inbox.search import parse_search  # noqa: E402
from gclap_sandbox.storage import database as db  # noqa: E402
from gclap_sandbox.storage import fulltext  # noqa: E402

TARGET_MS = 50.0
# One search per kind; the `{...}` parts are filled from the generated mail.
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
    ("body: (in ~1/3 of mail)", "body:{middling}"),
    ("body: (in every email)", "body:{common}"),
    ("has:attachment", "has:attachment"),
    ("is:unread", "is:unread"),
    ("status:", "status:delivered"),
    ("after: before:", "after:{after} before:{before}"),
    ("larger:", "larger:20k"),
    ("smaller:", "smaller:2k"),
    ("negation -tag:", "-tag:billing"),
    ("negation -word", "-invoice"),
    ("negation -body:", "-body:{middling}"),
    ("combined", "from:app10 -tag:billing has:attachment"),
)


def fill(path: str, count: int) -> dict[str, str]:
    """Write `count` emails and index them; returns values for the query templates."""
    inbox = generate(path, count)
    database = db.open_in_this_thread(path)
    started = time.perf_counter()
    with database.atomic():
        fulltext.index_pending(limit=None)
    indexing = time.perf_counter() - started
    print(f"indexed {count:,} emails in {indexing:.1f} s ({count / indexing:,.0f}/s)")
    database.execute_sql("PRAGMA optimize")
    database.close()
    return {"org_id": inbox.organization_id, "message_id": inbox.emails[-1].message_id.strip("<>")[:13],
            "rare": inbox.words[-1], "middling": inbox.words[30], "common": inbox.words[0],
            "after": (inbox.start + timedelta(days=20)).date().isoformat(),
            "before": (inbox.start + timedelta(days=30)).date().isoformat()}


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
        "SELECT COUNT(*) FROM email WHERE subject LIKE '%invoice%' OR snippet LIKE '%invoice%'").fetchone(),
        args.repeats)
    scan = statistics.median(baseline)
    print(f"\nbaseline (same run): one LIKE scan of every email's subject and snippet (what free text did "
          f"before the index, once per count): {scan:.1f} ms CPU (p95 {p95(baseline):.1f})\n")
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
    box = start_sandbox("--max-emails", "0", db=path)  # keep every generated email
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
