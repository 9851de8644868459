"""API send rate of gclap-sandbox measured with wrk, beside a bare Sanic JSON route, in one run.

A benchmark, not a test: it prints figures and ratios and never asserts on time.

    .venv/bin/python bench/bench_api_send.py [--seconds 10] [--rounds 3]

`wrk -t2 -c20 --latency` (Debian package `wrk`) POSTs a small JSON send request
(`to`, `subject`, `text`, `html`, `from_email`: about 150 bytes) with a Bearer key to
`POST /api/v1/emails/send/` of:

* `bare Sanic`: bench/bare_servers.py's one route that parses the JSON and answers 202
  (the framework's ceiling on this machine);
* `gclap-sandbox`: `serve` with a temporary SQLite file and default settings: every request is
  authenticated, rate-limited, validated, built into MIME, stored, and its lifecycle recorded;
* with `--against CHECKOUT`, the same `serve` from another checkout's code (an earlier commit
  in a `git worktree`), to compare CPU per send on a machine whose load varies.

Targets run round by round in turn; the table shows the median rate, p99 latency and the
server's CPU time per answered request (user + system, from /proc), and the sandbox is checked
to have stored one email per 2xx answer. A send is answered once durable and filed (listing
row, `email.sent`, scheduled outcomes) moments later (pipeline/sending.py), so for the sandboxes
each round also asks for the inbox after wrk ends (a reader: every accepted send is filed
first), then reads the database file until every email is delivered, and shows the rate and the
CPU per send to each point. The last line states issue 18's target (1,000 sends/s or more, p99
printed) against the answered rate, its ratio to bare Sanic, and the rate one whole core would
give at the CPU cost of the whole lifecycle: on a loaded machine the servers get a small, uneven
share of the CPUs, so the rate alone says more about the load than about the code.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import (  # noqa: E402
    PYTHON,
    bare_argv,
    process_tree_cpu,
    running,
    sandbox_argv,
    stored_count,
)

SEND_PATH = "/api/v1/emails/send/"
LUA = """
wrk.method = "POST"
wrk.path = "%(path)s"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(key)s"
wrk.body = '{"to": ["user@example.com"], "from_email": "bench@example.com", "subject": "wrk", ' ..
           '"text": "Hello from wrk.", "html": "<p>Hello from wrk.</p>"}'
"""
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}
TARGET_RATE = 1000  # sends per second (issue 18)
BARE = "bare Sanic JSON route"


@dataclass
class Run:
    requests: int
    rate: float
    p99_ms: float
    failed: int  # non-2xx answers and socket errors
    cpu_ms: float = 0.0  # the server's CPU time per answered request
    # Until every answered send was filed (its listing row, `email.sent`, scheduled outcomes):
    # the rate from wrk's start, and the CPU per send including the filing after wrk ended.
    filed_rate: float = 0.0
    filed_cpu_ms: float = 0.0
    # Until every one was delivered too (`email.delivered`, due DELIVERY_DELAY sandbox seconds
    # after its capture): the whole lifecycle, so all of its CPU, whenever it ran.
    delivered_rate: float = 0.0
    delivered_cpu_ms: float = 0.0


def parse_wrk(output: str) -> Run:
    def number(pattern: str) -> str:
        found = re.search(pattern, output)
        if found is None:
            raise RuntimeError(f"wrk output without {pattern!r}:\n{output}")
        return found.group(1)

    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    if p99 is None:
        raise RuntimeError(f"wrk output without a 99% latency:\n{output}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, errors.groups())) if errors else 0)
    return Run(int(number(r"(\d+) requests in")), float(number(r"Requests/sec:\s+([\d.]+)")),
               float(p99.group(1)) * UNITS[p99.group(2)], failed)


async def wrk(url: str, key: str, seconds: float, workdir: Path, pid: int | None = None,
              db: Path | None = None) -> Run:
    """One wrk run; with `pid`, the CPU that server process spent per answered request; with the
    sandbox's database file `db`, also until every answered send is filed (a list request: the
    sandbox files every send it accepted before any HTTP request reads) and delivered."""
    script = workdir / f"send-{key[:8]}.lua"
    script.write_text(LUA % {"path": SEND_PATH, "key": key})
    proc = await asyncio.create_subprocess_exec(
        "wrk", "-t2", "-c20", f"-d{seconds:g}s", "--latency", "-s", str(script), url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    started = time.monotonic()
    cpu_before = process_tree_cpu(pid) if pid else 0.0
    out, _ = await proc.communicate()
    cpu = process_tree_cpu(pid) - cpu_before if pid else 0.0
    if proc.returncode != 0:
        raise RuntimeError(out.decode(errors="replace"))
    run = parse_wrk(out.decode())
    answered = max(1, run.requests - run.failed)
    run.cpu_ms = cpu * 1000 / answered
    if db is not None and pid:
        await stored_count(url, key)
        run.filed_rate = answered / (time.monotonic() - started)
        run.filed_cpu_ms = (process_tree_cpu(pid) - cpu_before) * 1000 / answered
        await all_delivered(db)
        run.delivered_rate = answered / (time.monotonic() - started)
        run.delivered_cpu_ms = (process_tree_cpu(pid) - cpu_before) * 1000 / answered
    return run


async def all_delivered(db: Path, deadline: float = 300) -> None:
    """Wait until no stored email is still `sent` (every one delivered), for `deadline` seconds at
    most. The bench reads the database file itself, so that looking costs the server nothing."""
    def undelivered() -> int:
        with contextlib.closing(sqlite3.connect(db, timeout=30)) as conn:
            return conn.execute("SELECT count(*) FROM email WHERE status = 'sent'").fetchone()[0]

    give_up = time.monotonic() + deadline
    while await asyncio.to_thread(undelivered):
        if time.monotonic() > give_up:
            raise RuntimeError(f"emails still not delivered after {deadline:g} s")
        await asyncio.sleep(0.1)


def checkout_argv(checkout: Path, db: str) -> list[str]:
    """`serve` run from the code of another checkout (a `git worktree` of an earlier commit, say)
    with this one's interpreter and packages."""
    boot = ("import runpy, sys; sys.path.insert(0, sys.argv.pop(1)); "
            "runpy.run_module('gclap_sandbox', run_name='__main__', alter_sys=True)")
    return [PYTHON, "-c", boot, str(checkout), *sandbox_argv(db)[3:]]


def checkout_label(checkout: Path) -> str:
    head = subprocess.run(["git", "-C", str(checkout), "log", "-1", "--format=%h"], capture_output=True, text=True)
    return f"gclap-sandbox at {head.stdout.strip() or checkout}"


def event_loop_of(pid: int) -> str:
    """uvloop when the process has uvloop's extension mapped, else asyncio (Linux /proc)."""
    with contextlib.suppress(OSError):
        if "uvloop/loop" in Path(f"/proc/{pid}/maps").read_text():
            return "uvloop"
    return "asyncio"


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


async def main(args: argparse.Namespace) -> int:
    if shutil.which("wrk") is None:
        print("wrk not found: `apt-get install wrk` (Debian) first")
        return 2
    print(f"load average {load_average()} on {os.cpu_count()} CPUs; wrk -t2 -c20 for {args.seconds:g} s, "
          f"{args.rounds} rounds")
    with tempfile.TemporaryDirectory(prefix="gclap-bench-api-") as tmp:
        workdir = Path(tmp)
        async with contextlib.AsyncExitStack() as stack:
            bare = await stack.enter_async_context(running("bare", bare_argv("http"), workdir / "bare.log"))
            sandbox = await stack.enter_async_context(
                running("sandbox", sandbox_argv(str(workdir / "api.sqlite3")), workdir / "sandbox.log"))
            targets = {BARE: (bare.info["http_url"], "unused", bare.proc.pid, None),
                       "gclap-sandbox": (sandbox.info["http_url"], sandbox.info["api_key"], sandbox.proc.pid,
                                         workdir / "api.sqlite3")}
            if args.against:
                other = await stack.enter_async_context(running(
                    "against", checkout_argv(args.against, str(workdir / "against.sqlite3")), workdir / "against.log"))
                targets[checkout_label(args.against)] = (other.info["http_url"], other.info["api_key"], other.proc.pid,
                                                         workdir / "against.sqlite3")
            print("event loops: " + ", ".join(f"{name} {event_loop_of(pid)}"
                                              for name, (_, _, pid, _) in targets.items()))
            runs: dict[str, list[Run]] = {name: [] for name in targets}
            for name, (url, key, _, _) in targets.items():  # warm-up
                await wrk(url, key, 2, workdir)
            for n in range(1, args.rounds + 1):
                for name, (url, key, pid, db) in targets.items():
                    run = await wrk(url, key, args.seconds, workdir, pid, db)
                    runs[name].append(run)
                    until_filed = (f"; until filed {run.filed_rate:,.0f}/s, CPU {run.filed_cpu_ms:.3f} ms/send; "
                                   f"until delivered {run.delivered_rate:,.0f}/s, "
                                   f"CPU {run.delivered_cpu_ms:.3f} ms/send"
                                   if run.filed_rate else "")
                    print(f"  #{n} {name:<22} {run.rate:8,.0f} req/s  p99 {run.p99_ms:7.1f} ms"
                          f"  CPU {run.cpu_ms:6.3f} ms/request  ({run.requests} requests, {run.failed} failed)"
                          + until_filed)
            stored = await stored_count(sandbox.info["http_url"], sandbox.info["api_key"])
    base = statistics.median(r.rate for r in runs[BARE])
    print("\n| system | sends/s answered | p99 latency | ratio to bare Sanic | server CPU per request "
          "| sends/s until filed | CPU per send until filed | sends/s until delivered | CPU per send until delivered |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, measured in runs.items():
        rate = statistics.median(r.rate for r in measured)
        p99 = statistics.median(r.p99_ms for r in measured)
        cpu = statistics.median(r.cpu_ms for r in measured)
        filed = (f"{statistics.median(r.filed_rate for r in measured):,.0f} | "
                 f"{statistics.median(r.filed_cpu_ms for r in measured):.3f} ms | "
                 f"{statistics.median(r.delivered_rate for r in measured):,.0f} | "
                 f"{statistics.median(r.delivered_cpu_ms for r in measured):.3f} ms"
                 ) if name != BARE else "- | - | - | -"
        print(f"| {name} | {rate:,.0f} | {p99:.1f} ms | {rate / base:.3f} | {cpu:.3f} ms | {filed} |")
    if args.against:
        other_name = list(runs)[2].removeprefix("gclap-sandbox at ")
        for what, cost in (("filed", lambda r: r.filed_cpu_ms), ("delivered", lambda r: r.delivered_cpu_ms)):
            this, other = (statistics.median(map(cost, runs[name])) for name in list(runs)[1:3])
            print(f"this checkout's CPU per send until {what} is {this / other:.2f} of {other_name}'s")
    print("\nfailed answers: " + ", ".join(f"{name} {sum(r.failed for r in m)}" for name, m in runs.items()))
    print(f"the sandbox stored {stored} emails (wrk counts answers, warm-up included); "
          f"load average after: {load_average()}")
    print(target_line(runs["gclap-sandbox"], base))
    return 0


def target_line(measured: list[Run], bare_rate: float) -> str:
    """Issue 18's target beside what this run measured."""
    rate = statistics.median(r.rate for r in measured)
    p99 = statistics.median(r.p99_ms for r in measured)
    cpu = statistics.median(r.cpu_ms for r in measured)
    filed_rate = statistics.median(r.filed_rate for r in measured)
    filed_cpu = statistics.median(r.delivered_cpu_ms for r in measured)
    verdict = "met" if rate >= TARGET_RATE else "not met"
    per_core = f"{1000 / filed_cpu:,.0f}/s" if filed_cpu else "n/a"
    return (f"target: API sends >= {TARGET_RATE:,}/s with wrk -t2 -c20: {rate:,.0f}/s answered ({verdict}), "
            f"p99 {p99:.1f} ms, {rate / bare_rate:.3f} of bare Sanic; {filed_rate:,.0f}/s until filed; "
            f"at {filed_cpu:.2f} ms CPU per send until delivered ({cpu:.2f} ms while answering) one whole "
            f"core would take ~{per_core} through the whole lifecycle")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each measured wrk run (10)")
    parser.add_argument("--rounds", type=int, default=3, help="measured runs per target (3)")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT",
                        help="also measure the code of this checkout (e.g. `git worktree add /tmp/old <commit>`)")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
