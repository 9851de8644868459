"""How long reading one large campaign holds the database thread (benchmark, not a test).

    .venv/bin/python bench/bench_campaign_stats.py [--recipients N] [--reads N] [--before DIR]

Sending a 100,000-recipient campaign takes many minutes; reading it is what this measures. It
sends a real campaign of two contacts through a sandbox of this checkout (tracked links, then
opens and clicks simulated), stops it, and copies that campaign's emails, events and recipients
in SQLite until it has N recipients (each copy a recipient of its own). Then, for this checkout
and (with `--before DIR`, e.g. `git archive <commit> | tar -x -C DIR`) an earlier one, each on a
copy of that same file: `GET /api/v1/campaigns/{id}/` R times over HTTP, printing the answer
times (median, worst) and the longest unit of work on the database thread while they ran, in
CPU ms of that thread (steady on a loaded machine, unlike wall time), side by side.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "support"))

from sandbox_process import start_sandbox  # noqa: E402

UNIT_TIMER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "unit_timer")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def seed(path: str) -> str:
    """A sent two-recipient campaign with opens and clicks, in the file at `path`; its id."""
    sandbox = start_sandbox(db=path, process=True)
    try:
        with sandbox.client() as api:
            people = [ok(api.post("/api/v1/contacts/", json={"email": f"reader{n}@bench.example"}), 201)
                      for n in range(2)]
            audience = ok(api.post("/api/v1/contacts/lists/", json={"name": "readers"}), 201)["id"]
            ok(api.post(f"/api/v1/contacts/lists/{audience}/members/", json={"contact_ids": [p["id"] for p in people]}))
            campaign = ok(api.post("/api/v1/campaigns/", json={
                "name": "bench", "subject": "Sale", "from_email": "shop@bench.example",
                "html": '<a href="https://shop.example/sale">Sale</a> <a href="https://shop.example/guide">Guide</a>',
                "track_opens": True, "track_clicks": True, "audience": {"lists": [audience]}}), 201)["id"]
            ok(api.post(f"/api/v1/campaigns/{campaign}/send/", json={}))
            ok(api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 600}))
            emails = ok(api.get("/api/v1/emails/", params={"campaign": campaign}))["results"]
            for email in emails:
                for event, url in (("opened", None), ("opened", None), ("clicked", "https://shop.example/sale"),
                                   ("clicked", "https://shop.example/guide")):
                    ok(api.post(f"/api/v1/emails/{email['id']}/simulate/",
                                json={"event": event, **({"url": url} if url else {})}), 201)
            return campaign
    finally:
        sandbox.stop()


def grow(path: str, campaign: str, recipients: int) -> None:
    """Copy the campaign's emails (with their events and recipient rows) until it has `recipients`."""
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    emails = [dict(row) for row in db.execute('SELECT * FROM "email" WHERE "campaign_id" = ?', (campaign,))]
    events = [dict(row) for row in db.execute(
        'SELECT * FROM "event" WHERE "email_id" IN (SELECT "id" FROM "email" WHERE "campaign_id" = ?)', (campaign,))]
    members = [dict(row) for row in db.execute('SELECT * FROM "campaign_recipient" WHERE "campaign_id" = ?',
                                               (campaign,))]
    copies = max(0, recipients // len(emails) - 1)
    new_emails, new_events, new_members = [], [], []
    for copy in range(copies):
        ids = {email["id"]: str(uuid.uuid4()) for email in emails}
        for email in emails:
            new_emails.append({**email, "id": ids[email["id"]], "message_id": f"<{ids[email['id']]}@bench.example>"})
        for event in events:
            new_events.append({**event, "id": str(uuid.uuid4()), "email_id": ids[event["email_id"]],
                               "recipient": f"copy{copy}-{event['recipient']}"})
        for member in members:
            new_members.append({**{k: v for k, v in member.items() if k != "id"},
                                "email_id": ids.get(member["email_id"]), "address": f"copy{copy}-{member['address']}"})
    for table, rows in (("email", new_emails), ("event", new_events), ("campaign_recipient", new_members)):
        if rows:
            columns = list(rows[0])
            names = ", ".join(f'"{column}"' for column in columns)
            marks = ", ".join("?" * len(columns))
            db.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
                           [tuple(row[column] for column in columns) for row in rows])
    db.execute('UPDATE "campaign" SET "recipient_count" = (SELECT COUNT(*) FROM "campaign_recipient" '
               'WHERE "campaign_id" = ?), "sent_count" = (SELECT COUNT(*) FROM "campaign_recipient" '
               'WHERE "campaign_id" = ?) WHERE "id" = ?', (campaign, campaign, campaign))
    # Both versions start from a file without running counts: the newer one counts it at start.
    db.execute('DROP TABLE IF EXISTS "campaign_count"')
    db.commit()
    db.execute("VACUUM")
    db.execute("ANALYZE")  # as a sandbox's own `PRAGMA optimize` would have, at a size like this
    db.close()


def measure(label: str, source: str, campaign: str, reads: int, package_dir: str | None) -> dict[str, Any]:
    folder = tempfile.mkdtemp(prefix="gclap-bench-stats-")
    path, units = os.path.join(folder, "bench.sqlite3"), os.path.join(folder, "units.json")
    shutil.copy(source, path)
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [package_dir, UNIT_TIMER])), "GCLAP_BENCH_UNITS": units}
    print(f"== {label}: load average {os.getloadavg()[0]:.2f}", flush=True)
    started = time.perf_counter()
    sandbox = start_sandbox(db=path, process=True, env=env, timeout=600)
    print(f"start-up               {time.perf_counter() - started:8.2f} s", flush=True)
    times: list[float] = []
    try:
        with sandbox.client() as api:
            api.timeout = 600
            if os.path.exists(units):
                os.remove(units)  # only the reads count
            for _ in range(reads):
                started = time.perf_counter()
                answer = api.get(f"/api/v1/campaigns/{campaign}/")
                times.append(time.perf_counter() - started)
                if answer.status_code == 503:  # the server's response timeout: slower than that
                    print(f"GET campaign           {answer.json()['detail']} after {times[-1]:.1f} s", flush=True)
                    stats = None
                    break
                stats = ok(answer)["stats"]
    finally:
        sandbox.stop()
        with open(units) as source_file:
            longest = json.load(source_file)
        shutil.rmtree(folder, ignore_errors=True)
    median, worst = statistics.median(times) * 1000, max(times) * 1000
    print(f"GET campaign           median {median:8.1f} ms, worst {worst:8.1f} ms ({reads} reads)", flush=True)
    print(f"longest DB-thread unit {longest['cpu_ms']:8.1f} ms CPU: {', '.join(longest['units'])}", flush=True)
    if stats:
        print(f"stats                  sent {stats['sent']:,}, opened {stats['opened']}, "
              f"clicked {stats['clicked']}", flush=True)
    return {"median": median, "worst": worst, "unit_cpu": longest["cpu_ms"], "stats": stats}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=20)
    parser.add_argument("--before", metavar="DIR", help="also measure the package in DIR, on a copy of the same file")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="gclap-bench-stats-seed-")
    try:
        source = os.path.join(folder, "seed.sqlite3")
        campaign = seed(source)
        started = time.perf_counter()
        grow(source, campaign, args.recipients)
        print(f"campaign of {args.recipients:,} recipients written in {time.perf_counter() - started:.1f} s", flush=True)
        now = measure("this checkout", source, campaign, args.reads, None)
        if args.before:
            then = measure(f"before ({args.before})", source, campaign, args.reads, os.path.abspath(args.before))
            agree = now["stats"] == then["stats"]
            print("\n== side by side (same file, same run)")
            print(f"  {'':<36}{'before':>12}{'after':>12}{'after / before':>16}")
            for name, key in (("GET campaign median (ms)", "median"), ("GET campaign worst (ms)", "worst"),
                              ("longest DB-thread unit, CPU (ms)", "unit_cpu")):
                print(f"  {name:<36}{then[key]:12.1f}{now[key]:12.1f}{now[key] / then[key]:16.3f}")
            print(f"  both versions report the same stats: {agree}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
