"""SMTP capture rate of one sandbox process on SQLite, one on PostgreSQL, and two processes
sharing one PostgreSQL database, in one run.

A benchmark, not a test: it prints figures and the ratio, and never asserts on time.

    .venv/bin/python bench/bench_storage.py [--messages 2000] [--rounds 3] [--postgres URL]

Every sandbox runs `serve` with default settings and the full lifecycle; the load is the
Python SMTP client of bench_ingest.py (10 connections, ~5 KB messages), in two shapes: one
message per connection, and many per connection; the two processes each get half of the
messages at the same time. Rounds alternate the targets so that
drift hits both alike. The rate is messages until the last `250`, and until every message is
filed (visible in the API). `--postgres` takes an admin URL (CREATE DATABASE allowed); without
it a throwaway cluster is started in a temporary folder (tests/support/postgres_cluster.py).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "tests" / "support"))
import postgres_cluster  # noqa: E402  (the tests' helper)
from bench_ingest import (  # noqa: E402  (a sibling script, not a package)
    HOST,
    MessageFactory,
    running,
    sandbox_argv,
    smtp_many_per_connection,
    smtp_one_per_connection,
    stored_count,
)

FILED_TIMEOUT = 300.0
SHAPES = {"1 message per connection": smtp_one_per_connection,
          "many messages per connection": smtp_many_per_connection}


async def measure(infos: list[dict], count: int, send, filed_before: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(messages/s until the last 250, messages/s until all are filed), the messages shared out
    among the processes of one target (they share one database, so any of them counts all)."""
    url, key = infos[0]["http_url"], infos[0]["api_key"]
    shares = [count // len(infos) + (i < count % len(infos)) for i in range(len(infos))]
    start = time.perf_counter()
    await asyncio.gather(*(send(HOST, info["smtp_port"], share, MessageFactory(5000))
                           for info, share in zip(infos, shares)))
    accepted = time.perf_counter() - start
    deadline = time.monotonic() + FILED_TIMEOUT
    while await stored_count(url, key) < filed_before + count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"not filed within {FILED_TIMEOUT:.0f} s")
        await asyncio.sleep(0.05)
    return count / accepted, count / (time.perf_counter() - start)


async def main(args: argparse.Namespace) -> int:
    print(f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs; "
          f"{args.messages} messages per run, {args.rounds} rounds")
    with tempfile.TemporaryDirectory(prefix="gclap-bench-storage-") as tmp, contextlib.ExitStack() as stop:
        admin = args.postgres
        if admin is None:
            folder = tempfile.mkdtemp(prefix="gclap-bench-postgres-")
            stop.callback(lambda: postgres_cluster.stop(folder))
            admin = postgres_cluster.start(folder).admin_url
        database = postgres_cluster.create_database(admin, "gclap_bench")
        stop.callback(lambda: postgres_cluster.drop_database(database))
        shared = postgres_cluster.create_database(admin, "gclap_bench_shared")
        stop.callback(lambda: postgres_cluster.drop_database(shared))
        async with contextlib.AsyncExitStack() as servers:
            async def start(name: str, db: str) -> dict:
                server = await servers.enter_async_context(running(name, sandbox_argv(db), Path(tmp) / f"{name}.log"))
                return server.info

            targets = {
                "SQLite": [await start("sqlite", str(Path(tmp) / "bench.sqlite3"))],
                "PostgreSQL": [await start("postgres", database)],
                "2 × PostgreSQL": [await start("postgres-a", shared), await start("postgres-b", shared)],
            }
            filed = dict.fromkeys(targets, 0)
            results: dict[tuple[str, str], list[tuple[float, float]]] = {}
            for name, infos in targets.items():  # warm-up
                await measure(infos, 200, smtp_many_per_connection, filed[name])
                filed[name] += 200
            for n in range(1, args.rounds + 1):
                for shape, send in SHAPES.items():
                    for name, infos in targets.items():
                        run = await measure(infos, args.messages, send, filed[name])
                        filed[name] += args.messages
                        results.setdefault((name, shape), []).append(run)
                        print(f"  #{n} {shape:<30} {name:<15} {run[0]:7,.0f} msgs/s, filed at {run[1]:,.0f}/s")
    print("\n| shape | SQLite | PostgreSQL (ratio to SQLite) | 2 × PostgreSQL (ratio) |\n|---|---|---|---|")
    for shape in SHAPES:
        for what, index in (("accepted", 0), ("filed", 1)):
            sqlite, pg, pg2 = (statistics.median(r[index] for r in results[(name, shape)]) for name in targets)
            print(f"| {shape}, {what} | {sqlite:,.0f}/s | {pg:,.0f}/s ({pg / sqlite:.2f}) | {pg2:,.0f}/s ({pg2 / sqlite:.2f}) |")
    print(f"\nload average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="messages per measured run (2000)")
    parser.add_argument("--rounds", type=int, default=3, help="measured runs per target and shape (3)")
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server (default: a throwaway cluster)")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
