"""Campaign sending benchmark for gclap-sandbox.

This is a benchmark, not a test: it prints figures and never asserts on time.
Run it from the repository root with the dev venv:

    .venv/bin/python bench/bench_campaign.py [--contacts N] [--sends N] [--db memory|file] [--before DIR]

It starts a real sandbox in a subprocess (a SQLite file by default), imports N contacts into a
list over the API, then, over real HTTP, with a prober asking `/healthz` every 20 ms on a
connection of its own throughout:
1. the baselines: `/healthz` with the sandbox idle, then the plain capture rate (`--sends`
   single-recipient sends through POST /emails/send/, one after another) and `/healthz` meanwhile;
2. a campaign from a template (personalised with `contact.first_name`) to the whole list: sent
   now, the clock advanced, and polled until `sent`, with `/healthz` meanwhile.
It prints the campaign's total time and rate beside the plain capture rate, and the /healthz
answer times (median, p99, worst) of each phase with their ratios to the idle and plain-capture
baselines of this run (on a loaded machine the plain-capture one is the fairer yardstick).
With `--before DIR` (e.g. `git archive <commit> | tar -x -C DIR`) it then does the same against
that code and prints both side by side, each beside the baselines of its own sandbox.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

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


UNIT_TIMER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "unit_timer")


def measure(label: str, args: argparse.Namespace, package_dir: str | None) -> dict[str, Any]:
    """Every phase against one sandbox (of the package in `package_dir`, else this checkout's)."""
    folder = tempfile.mkdtemp(prefix="gclap-bench-")
    db = ":memory:" if args.db == "memory" else os.path.join(folder, "bench.sqlite3")
    units = os.path.join(folder, "units.json")
    print(f"== {label}: contacts {args.contacts:,}; database {db}; load average {os.getloadavg()[0]:.2f}", flush=True)
    # bench/unit_timer/sitecustomize.py times the database thread's units of work in the sandbox.
    path = os.pathsep.join(filter(None, [package_dir, UNIT_TIMER]))
    sandbox = start_sandbox(db=db, process=True, env={"PYTHONPATH": path, "GCLAP_BENCH_UNITS": units,
                                                           "GCLAP_SANDBOX_MAX_EMAILS": "0"})  # no retention
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
            print(f"import                 {time.perf_counter() - started:7.2f} s", flush=True)

            with prober.measuring("idle"):
                time.sleep(args.idle)
            with prober.measuring("plain"):
                started = time.perf_counter()
                for n in range(args.sends):
                    api.post("/api/v1/emails/send/", json={"to": f"plain{n}@bench.example", "subject": "Plain",
                                                           "text": f"Hello {n}", "from_email": "shop@bench.example"})
                plain = args.sends / (time.perf_counter() - started)
            print(f"plain capture          {plain:7.0f} emails/s  ({args.sends} API sends, one at a time)", flush=True)

            template = api.post("/api/v1/templates/", json={
                "name": "bench", "subject": "Hi {{ contact.first_name }}",
                "html": "<p>Hello {{ contact.first_name }} {{ contact.last_name }}</p>"
                        "<a href='https://shop.example/'>Shop</a>"}).json()["id"]
            campaign = api.post("/api/v1/campaigns/", json={
                "name": "bench", "template_id": template, "from_email": "shop@bench.example",
                "audience": {"lists": [audience]}}).json()["id"]

            if os.path.exists(units):  # only the campaign's units count: the timer starts again
                os.remove(units)
            with prober.measuring("campaign"):
                started = time.perf_counter()
                api.post(f"/api/v1/campaigns/{campaign}/send/")
                api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 1})
                while (state := api.get(f"/api/v1/campaigns/{campaign}/")).json()["status"] != "sent":
                    time.sleep(2)  # reading the stats is a unit of work of its own: poll gently
                total = time.perf_counter() - started
            sent = state.json()["stats"]["sent"]
            print(f"campaign               {total:7.2f} s for {sent:,} recipients "
                  f"({sent / total:,.0f} emails/s, {sent / total / plain:.2f} x the plain capture rate)", flush=True)
    finally:
        prober.stopping.set()
        prober.join()
        sandbox.stop()
    idle = figures(prober.times["idle"])
    busy = figures(prober.times["plain"])
    print("/healthz (ms)        median     p99   worst  probes   p99 / idle, / plain   worst / idle, / plain")
    for phase in ("idle", "plain", "campaign"):
        median, p99, worst = figures(prober.times[phase])
        print(f"  {phase:<16} {median:8.1f}{p99:8.1f}{worst:8.1f}{len(prober.times[phase]):8,}"
              f"{p99 / idle[1]:12.1f}{p99 / busy[1]:9.1f}{worst / idle[2]:13.1f}{worst / busy[2]:9.1f}", flush=True)
    longest = read_units(units)
    print(f"longest batch of units of work on the database thread during the campaign: "
          f"{longest['cpu_ms']} ms CPU ({longest['wall_ms']} ms wall): {', '.join(longest['units'])}; "
          f"{longest['over_50ms_cpu']} of {longest['batches']:,} batches over 50 ms CPU", flush=True)
    return {"plain_rate": plain, "total": total, "rate": sent / total, "unit_cpu": longest["cpu_ms"],
            **{phase: figures(prober.times[phase]) for phase in ("idle", "plain", "campaign")}}


def read_units(path: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if os.path.exists(path):
        with open(path) as source:
            found = json.load(source)
    return {"cpu_ms": 0.0, "wall_ms": 0.0, "units": [], "batches": 0, "over_50ms_cpu": 0, **found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--sends", type=int, default=1000)
    parser.add_argument("--idle", type=float, default=3.0, help="seconds of /healthz on an idle sandbox")
    parser.add_argument("--db", choices=["memory", "file"], default="file")
    parser.add_argument("--before", metavar="DIR", help="also measure the package in DIR (a checkout or "
                        "`git archive` of an earlier commit), after this one, and print both side by side")
    args = parser.parse_args()
    results = {"this checkout": measure("this checkout", args, None)}
    if args.before:
        results["before"] = measure(f"before ({args.before})", args, os.path.abspath(args.before))
        now, then = results["this checkout"], results["before"]
        print("\n== side by side (each against the baselines of its own sandbox, measured in this run)")
        rows = [("plain capture (emails/s)", then["plain_rate"], now["plain_rate"]),
                ("campaign total (s)", then["total"], now["total"]),
                ("campaign (emails/s)", then["rate"], now["rate"]),
                ("campaign / plain capture rate", then["rate"] / then["plain_rate"], now["rate"] / now["plain_rate"]),
                ("longest DB-thread batch, CPU (ms)", then["unit_cpu"], now["unit_cpu"]),
                ("/healthz idle p99 (ms)", then["idle"][1], now["idle"][1]),
                ("/healthz during plain capture p99 (ms)", then["plain"][1], now["plain"][1]),
                ("/healthz during plain capture worst (ms)", then["plain"][2], now["plain"][2]),
                ("/healthz during campaign median (ms)", then["campaign"][0], now["campaign"][0]),
                ("/healthz during campaign p99 (ms)", then["campaign"][1], now["campaign"][1]),
                ("/healthz during campaign worst (ms)", then["campaign"][2], now["campaign"][2]),
                ("campaign p99 / plain capture p99", then["campaign"][1] / then["plain"][1],
                 now["campaign"][1] / now["plain"][1]),
                ("campaign worst / plain capture worst", then["campaign"][2] / then["plain"][2],
                 now["campaign"][2] / now["plain"][2])]
        print(f"  {'':<40}{'before':>12}{'after':>12}")
        for name, before, after in rows:
            print(f"  {name:<40}{before:12.2f}{after:12.2f}")


if __name__ == "__main__":
    main()
