"""Campaign sending benchmark for gclap-sandbox.

This is a benchmark, not a test: it prints figures and never asserts on time.
Run it from the repository root with the dev venv:

    .venv/bin/python bench/bench_campaign.py [--contacts N] [--sends N] [--db memory|file]

It starts a real sandbox in a subprocess (a SQLite file by default), imports N contacts into a
list over the API, then, over real HTTP, with a prober asking `/healthz` every 20 ms on a
connection of its own throughout:
1. the baselines: `/healthz` with the sandbox idle, then the plain capture rate (`--sends`
   single-recipient sends through POST /emails/send/, one after another) and `/healthz` meanwhile;
2. a campaign from a template (personalised with `contact.first_name`) to the whole list: sent
   now, the clock advanced, and polled until `sent`, with `/healthz` meanwhile.
It prints the campaign's total time and rate beside the plain capture rate, and the /healthz
answer times (median, p99, worst) of each phase with their ratios to the baselines of this run.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import httpx

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "support"))

from sandbox_process import start_sandbox  # noqa: E402


def make_csv(rows: int) -> bytes:
    lines = ["email,first_name,last_name"] + [f"user{i}@bench.example,First{i},Last{i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


class Prober(threading.Thread):
    """GET /healthz every `every` seconds on a connection of its own; keeps each answer time
    under the name of the phase it was asked in."""

    def __init__(self, url: str, every: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.url, self.every = url, every
        self.phase: str | None = None
        self.times: dict[str, list[float]] = {}
        self.stopping = threading.Event()

    @contextmanager
    def measuring(self, phase: str) -> Iterator[None]:
        self.phase = phase
        try:
            yield
        finally:
            self.phase = None

    def run(self) -> None:
        with httpx.Client(timeout=60) as client:
            while not self.stopping.is_set():
                phase = self.phase
                started = time.perf_counter()
                client.get(self.url + "/healthz")
                if phase is not None and phase == self.phase:
                    self.times.setdefault(phase, []).append(time.perf_counter() - started)
                self.stopping.wait(self.every)


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def figures(times: list[float]) -> tuple[float, float, float]:
    """(median, p99, worst) in ms."""
    return (statistics.median(times) * 1000, percentile(times, 0.99) * 1000, max(times) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--sends", type=int, default=1000)
    parser.add_argument("--idle", type=float, default=3.0, help="seconds of /healthz on an idle sandbox")
    parser.add_argument("--db", choices=["memory", "file"], default="file")
    args = parser.parse_args()
    db = ":memory:" if args.db == "memory" else os.path.join(tempfile.mkdtemp(prefix="gclap-bench-"), "bench.sqlite3")
    print(f"contacts: {args.contacts:,}; database: {db}; load average: {os.getloadavg()[0]:.2f}")
    sandbox = start_sandbox(db=db, process=True)
    prober = Prober(sandbox.http_url)
    prober.start()
    try:
        with sandbox.client() as api:
            api.timeout = 3600
            audience = api.post("/api/v1/contacts/lists/", json={"name": "bench"}).json()["id"]
            started = time.perf_counter()
            imported = api.post("/api/v1/contacts/import/", params={"list": audience},
                                content=make_csv(args.contacts), headers={"Content-Type": "text/csv"})
            assert imported.status_code in (200, 201), imported.text
            print(f"import                 {time.perf_counter() - started:7.2f} s")

            with prober.measuring("idle"):
                time.sleep(args.idle)
            with prober.measuring("plain"):
                started = time.perf_counter()
                for n in range(args.sends):
                    api.post("/api/v1/emails/send/", json={"to": f"plain{n}@bench.example", "subject": "Plain",
                                                           "text": f"Hello {n}", "from_email": "shop@bench.example"})
                plain = args.sends / (time.perf_counter() - started)
            print(f"plain capture          {plain:7.0f} emails/s  ({args.sends} API sends, one at a time)")

            template = api.post("/api/v1/templates/", json={
                "name": "bench", "subject": "Hi {{ contact.first_name }}",
                "html": "<p>Hello {{ contact.first_name }} {{ contact.last_name }}</p>"
                        "<a href='https://shop.example/'>Shop</a>"}).json()["id"]
            campaign = api.post("/api/v1/campaigns/", json={
                "name": "bench", "template_id": template, "from_email": "shop@bench.example",
                "audience": {"lists": [audience]}}).json()["id"]

            with prober.measuring("campaign"):
                started = time.perf_counter()
                api.post(f"/api/v1/campaigns/{campaign}/send/")
                api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 1})
                while (state := api.get(f"/api/v1/campaigns/{campaign}/")).json()["status"] != "sent":
                    time.sleep(2)  # reading the stats is a unit of work of its own: poll gently
                total = time.perf_counter() - started
            stats = state.json()["stats"]
            rate = stats["sent"] / total
            print(f"campaign               {total:7.2f} s for {stats['sent']:,} recipients "
                  f"({rate:,.0f} emails/s, {rate / plain:.2f} x the plain capture rate)")
    finally:
        prober.stopping.set()
        prober.join()
        sandbox.stop()
    idle = figures(prober.times["idle"])
    print("/healthz (ms)            median      p99    worst   probes   worst / idle worst   p99 / idle p99")
    for phase in ("idle", "plain", "campaign"):
        times = prober.times.get(phase, [])
        if not times:
            continue
        median, p99, worst = figures(times)
        print(f"  {phase:<20} {median:8.1f} {p99:8.1f} {worst:8.1f} {len(times):8,} "
              f"{worst / idle[2]:18.1f} {p99 / idle[1]:16.1f}")


if __name__ == "__main__":
    main()
