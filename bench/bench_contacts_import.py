"""Contact CSV import (and export) benchmark for gclap-sandbox.

This is a benchmark, not a test: it prints figures and never asserts on time.
Run it from the repository root with the dev venv:

    .venv/bin/python bench/bench_contacts_import.py [--rows N] [--db memory|file]

It starts a real sandbox (a SQLite file database by default, the way people run it),
then times, over real HTTP:
1. importing N new contacts (email, first_name, last_name, two attribute columns) into a list;
2. importing the same file again (every row an update);
3. streaming the export of all N back as CSV.
Each line prints wall-clock seconds and rows per second.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

from sandbox_process import start_sandbox  # noqa: E402


def make_csv(rows: int) -> bytes:
    lines = ["email,first_name,last_name,plan,seats"]
    plans = ("free", "pro", "team")
    lines += [f"user{i}@bench.example,First{i},Last{i},{plans[i % 3]},{i % 50}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def timed(label: str, rows: int, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<28} {rows:>8} rows  {seconds:7.2f} s  {rows / seconds:>10,.0f} rows/s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["memory", "file"], default="file")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="gclap-bench-")
    db = ":memory:" if args.db == "memory" else os.path.join(workdir, "bench.sqlite3")
    body = make_csv(args.rows)
    print(f"CSV: {args.rows} rows, {len(body) / 1e6:.1f} MB; database: {db}")
    sandbox = start_sandbox(db=db)
    try:
        with sandbox.client() as api:
            api.timeout = 600
            target = api.post("/api/v1/contacts/lists/", json={"name": "bench"}).json()["id"]

            def do_import():
                response = api.post("/api/v1/contacts/import/", params={"list": target}, content=body,
                                    headers={"Content-Type": "text/csv"})
                response.raise_for_status()
                return response.json()

            first = timed("import (all new)", args.rows, do_import)
            second = timed("import again (all updates)", args.rows, do_import)
            export = timed("export (streamed)", args.rows,
                           lambda: api.get("/api/v1/contacts/export/", params={"list": target}).content)
            exported = export.count(b"\n") - 1
            print(f"created={first['created']} updated={second['updated']} "
                  f"skipped={first['skipped'] + second['skipped']} exported={exported}")
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
