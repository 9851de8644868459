"""Memory and file size while far more mail than `--max-emails` streams through the sandbox.

A benchmark, not a test: it prints figures and never asserts on time. Run from the
repository root with the dev venv:

    .venv/bin/python bench/bench_retention.py [--messages N] [--max-emails N] [--every SECONDS]
                                              [--failing-endpoint]

It starts `gclap-sandbox serve --max-emails N` (default 10,000) on a temporary SQLite file in
its own process, streams ~5 KB messages over 10 SMTP connections (bench_ingest.py's client),
and every few seconds prints the messages sent, the rate, the server's resident memory
(VmRSS, from /proc) and the database file size (with its write-ahead log). The baselines, from
the same run: the server's memory right after start, and the file size when the inbox first
held N emails. The targets: memory under 150 MB, the file flat once N emails are kept. At the
end it waits for pruning to settle and resets the sandbox, and shows the file after each.

With `--failing-endpoint`, a webhook endpoint that refuses every connection is subscribed to
`email.sent` and `email.delivered` first, so every email leaves deliveries waiting to be tried
again; the samples count the deliveries kept, which pruning must bound as it bounds the mail.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

import httpx

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
sys.path.insert(0, str(BENCH_DIR))

from bench_ingest import MessageFactory, SmtpConnection  # noqa: E402

from gclap_sandbox.launcher import start_sandbox  # noqa: E402

CONNECTIONS = 10
RSS_TARGET_MB = 150.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def file_mb(path: str) -> float:
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p)) / 2**20


def stored(api: httpx.Client) -> int:
    return api.get("/api/v1/emails/", params={"page_size": 1}).json()["count"]


def deliveries(api: httpx.Client) -> int:
    return api.get("/api/v1/webhooks/deliveries/", params={"page_size": 1}).json()["count"]


def subscribe_refusing_endpoint(api: httpx.Client) -> None:
    """An endpoint on a port nobody listens on (taken, then let go): every attempt is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api.post("/api/v1/webhooks/endpoints/", json={
        "url": f"http://127.0.0.1:{port}/hook", "events": ["email.sent", "email.delivered"]}).raise_for_status()


async def stream(host: str, port: int, total: int, sent: list[int]) -> None:
    messages = MessageFactory()
    todo = iter(range(total))

    async def worker() -> None:
        conn = await SmtpConnection.open(host, port)
        for _ in todo:
            await conn.send(messages.next())
            sent[0] += 1
        await conn.quit()

    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))


async def sample(every: float, box, api: httpx.Client, path: str, sent: list[int], done: asyncio.Event,
                 keep: int, started: float, hooks: bool) -> dict[str, float]:
    peak_rss, full_file, last, most_deliveries = 0.0, 0.0, (started, 0), 0
    print(f"{'seconds':>8} {'sent':>10} {'msg/s':>7} {'stored':>8} {'RSS MB':>7} {'file MB':>8}"
          + (f" {'deliveries':>10}" if hooks else ""))
    while not done.is_set():
        try:
            await asyncio.wait_for(done.wait(), every)
        except asyncio.TimeoutError:
            pass
        now, count = time.perf_counter(), await asyncio.to_thread(stored, api)
        rss, size = rss_mb(box.process.pid), file_mb(path)
        peak_rss = max(peak_rss, rss)
        if count >= keep and not full_file:
            full_file = size
        rate = (sent[0] - last[1]) / (now - last[0])
        last = (now, sent[0])
        kept = await asyncio.to_thread(deliveries, api) if hooks else 0
        most_deliveries = max(most_deliveries, kept)
        print(f"{now - started:8.0f} {sent[0]:>10,} {rate:7.0f} {count:>8,} {rss:7.1f} {size:8.1f}"
              + (f" {kept:>10,}" if hooks else ""), flush=True)
    return {"peak_rss": peak_rss, "full_file": full_file, "most_deliveries": most_deliveries}


async def main_async(args: argparse.Namespace) -> None:
    folder = tempfile.mkdtemp(prefix="gclap-bench-retention-")
    path = os.path.join(folder, "stream.sqlite3")
    box = start_sandbox("--max-emails", str(args.max_emails), db=path)
    try:
        with httpx.Client(base_url=box.http_url, timeout=60,
                          headers={"Authorization": f"Bearer {box.api_key}"}) as api:
            start_rss, start_file = rss_mb(box.process.pid), file_mb(path)
            print(f"sandbox pid {box.process.pid}, --max-emails {args.max_emails:,}, {args.messages:,} messages "
                  f"over {CONNECTIONS} SMTP connections; load average {os.getloadavg()[0]:.2f}")
            print(f"baseline: RSS {start_rss:.1f} MB at start, file {start_file:.1f} MB empty\n")
            if args.failing_endpoint:
                subscribe_refusing_endpoint(api)
            sent, done, started = [0], asyncio.Event(), time.perf_counter()
            sampler = asyncio.create_task(sample(args.every, box, api, path, sent, done, args.max_emails, started,
                                                  args.failing_endpoint))
            await stream(box.smtp_host, box.smtp_port, args.messages, sent)
            elapsed = time.perf_counter() - started
            done.set()
            seen = await sampler
            deadline = time.monotonic() + 120
            while await asyncio.to_thread(stored, api) > args.max_emails and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
            await asyncio.sleep(2)  # a maintenance pass or two to give space back
            settled_count, settled_file = await asyncio.to_thread(stored, api), file_mb(path)
            settled_deliveries = await asyncio.to_thread(deliveries, api)
            api.post("/api/v1/sandbox/reset/").raise_for_status()
            reset_file, end_rss = file_mb(path), rss_mb(box.process.pid)
    finally:
        box.stop()
    print(f"\n{args.messages:,} messages in {elapsed:.0f} s ({args.messages / elapsed:,.0f}/s); "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"RSS: {start_rss:.1f} MB at start, peak {seen['peak_rss']:.1f} MB "
          f"({seen['peak_rss'] / RSS_TARGET_MB:.2f} of the {RSS_TARGET_MB:.0f} MB target), {end_rss:.1f} MB at the end")
    print(f"file: {seen['full_file']:.1f} MB when {args.max_emails:,} emails were first kept (baseline), "
          f"{settled_file:.1f} MB after the stream with {settled_count:,} kept "
          f"({settled_file / seen['full_file']:.2f} of the baseline), {reset_file:.1f} MB after a reset"
          if seen["full_file"] else f"file: {settled_file:.1f} MB after the stream, {reset_file:.1f} MB after a reset")
    if args.failing_endpoint:
        print(f"webhook deliveries (the endpoint refuses every attempt): at most {seen['most_deliveries']:,} kept "
              f"during the stream, {settled_deliveries:,} after it, for {settled_count:,} emails kept")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--max-emails", type=int, default=10_000)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--failing-endpoint", action="store_true",
                        help="subscribe a webhook endpoint that refuses every attempt, and count the deliveries kept")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
