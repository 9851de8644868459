"""Memory and file size while far more mail than `--max-emails` streams through the sandbox.

A benchmark, not a test: it prints figures and never asserts on time. Run from the
repository root with the dev venv:

    .venv/bin/python bench/bench_retention.py [--messages N] [--max-emails N] [--every SECONDS]

It starts `gclap-sandbox serve --max-emails N` (default 10,000) on a temporary SQLite file in
its own process, streams ~5 KB messages over 10 SMTP connections (bench_ingest.py's client),
and every few seconds prints the messages sent, the rate, the server's resident memory
(VmRSS, from /proc) and the database file size (with its write-ahead log). The baselines, from
the same run: the server's memory right after start, and the file size when the inbox first
held N emails. The targets: memory under 150 MB, the file flat once N emails are kept. At the
end it waits for pruning to settle and resets the sandbox, and shows the file after each.
"""
from __future__ import annotations

import argparse
import asyncio
import os
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
                 keep: int, started: float) -> dict[str, float]:
    peak_rss, full_file, last = 0.0, 0.0, (started, 0)
    print(f"{'seconds':>8} {'sent':>10} {'msg/s':>7} {'stored':>8} {'RSS MB':>7} {'file MB':>8}")
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
        print(f"{now - started:8.0f} {sent[0]:>10,} {rate:7.0f} {count:>8,} {rss:7.1f} {size:8.1f}", flush=True)
    return {"peak_rss": peak_rss, "full_file": full_file}


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
            sent, done, started = [0], asyncio.Event(), time.perf_counter()
            sampler = asyncio.create_task(sample(args.every, box, api, path, sent, done, args.max_emails, started))
            await stream(box.smtp_host, box.smtp_port, args.messages, sent)
            elapsed = time.perf_counter() - started
            done.set()
            seen = await sampler
            deadline = time.monotonic() + 120
            while await asyncio.to_thread(stored, api) > args.max_emails and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
            await asyncio.sleep(2)  # a maintenance pass or two to give space back
            settled_count, settled_file = await asyncio.to_thread(stored, api), file_mb(path)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--max-emails", type=int, default=10_000)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
