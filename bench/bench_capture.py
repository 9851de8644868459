"""SMTP capture rate of gclap-sandbox beside a bare aiosmtpd sink and maildev, in one run.

A benchmark, not a test: it prints figures and ratios and never asserts on time.

    .venv/bin/python bench/bench_capture.py [--messages 3000] [--rounds 3] [--no-maildev]

The load is Postfix's `smtp-source` (Debian package `postfix`), as in issue 18:
`smtp-source -s 10 -m N -l 5000` (10 parallel sessions, one message per connection) and the
same with `-d` (the sessions stay connected: N/10 messages per connection). Without
`smtp-source` the script says so and uses a Python client of the same shape (bench_ingest.py's),
which costs CPU of its own on a small machine.

Targets, each in its own process, measured round by round in turn so drift hits all alike:

* `sink`: aiosmtpd's `SMTP` on uvloop whose `handle_DATA` answers `250` at once (the protocol's
  ceiling in Python; the sandbox runs aiosmtpd on Sanic's uvloop loop);
* `gclap-sandbox`: `serve` with a temporary SQLite file, default settings, full lifecycle
  (every `250` follows the commit of the received bytes and envelope; filing, `email.sent`,
  the `email.delivered` job and webhooks follow);
* `maildev`: maildev from npm (`npx maildev`, installed into `--maildev-dir` on first use),
  skipped when npm is missing.

For the sandbox the table also shows the rate until every message is filed (visible in the
API with its events), which includes the catch-up after the last `250`. Each run also prints the
server's CPU time per message (its process tree, until the last `250`; for the sandbox also until
filed), a figure that drifts less than rates when the machine is shared.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import (  # noqa: E402  (a sibling script, not a package)
    HOST,
    MessageFactory,
    bare_argv,
    process_tree_cpu,
    running,
    sandbox_argv,
    smtp_many_per_connection,
    smtp_one_per_connection,
    stored_count,
)

SESSIONS = 10
BODY = 5000
MAILDEV_VERSION = "3.0.0"
FILED_TIMEOUT = 300.0


@dataclass
class Target:
    name: str
    host: str
    port: int
    pid: int
    count_filed: Callable[[], Awaitable[int]] | None = None  # the sandbox's stored count


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


async def wait_for_port(port: int, deadline: float) -> None:
    while True:
        try:
            _, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on {HOST}:{port}") from None
            await asyncio.sleep(0.2)
            continue
        writer.close()
        return


def maildev_command(folder: Path) -> list[str] | None:
    """`maildev` from npm, installed into `folder` once; None when npm is not there."""
    binary = folder / "node_modules" / ".bin" / "maildev"
    if not binary.exists():
        if shutil.which("npm") is None:
            return None
        folder.mkdir(parents=True, exist_ok=True)
        print(f"installing maildev@{MAILDEV_VERSION} into {folder} (npm) ...")
        done = subprocess.run(["npm", "install", "--silent", f"maildev@{MAILDEV_VERSION}"], cwd=folder)
        if done.returncode != 0 or not binary.exists():
            return None
    return [str(binary)]


@contextlib.asynccontextmanager
async def maildev_running(command: list[str], workdir: Path) -> AsyncIterator[Target]:
    smtp, web = free_port(), free_port()
    log = open(workdir / "maildev.log", "wb")
    proc = await asyncio.create_subprocess_exec(
        *command, "--smtp", str(smtp), "--ip", HOST, "--web", str(web), "--web-ip", HOST,
        stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        await wait_for_port(smtp, time.monotonic() + 60)
        yield Target("maildev", HOST, smtp, proc.pid)
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
        log.close()


# --- the load ------------------------------------------------------------------------------


async def smtp_source(target: Target, count: int, per_connection: bool) -> None:
    argv = ["smtp-source", "-s", str(SESSIONS), "-m", str(count), "-l", str(BODY),
            *(["-d"] if per_connection else []), f"{target.host}:{target.port}"]
    proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate()
    if proc.returncode != 0 or out.strip():
        raise RuntimeError(f"smtp-source against {target.name}: {out.decode(errors='replace')[:300]}")


async def python_source(target: Target, count: int, per_connection: bool) -> None:
    mode = smtp_many_per_connection if per_connection else smtp_one_per_connection
    await mode(target.host, target.port, count, MessageFactory(BODY))


@dataclass
class Run:
    sent: int
    seconds: float  # until the last `250`
    filed_seconds: float | None  # until every message is filed (the sandbox)
    cpu: float  # the server's CPU seconds until the last `250`
    filed_cpu: float | None  # and until every message is filed

    def cpu_text(self) -> str:
        filed = "" if self.filed_cpu is None else f", {1000 * self.filed_cpu / self.sent:.2f} until filed"
        return f"server CPU {1000 * self.cpu / self.sent:.2f} ms/msg{filed}"

    @property
    def rate(self) -> float:
        return self.sent / self.seconds

    @property
    def filed_rate(self) -> float | None:
        return None if self.filed_seconds is None else self.sent / self.filed_seconds


async def measure(target: Target, count: int, per_connection: bool, load: Callable[..., Awaitable[None]],
                  filed_before: int, profile: Path | None = None, gil_only: bool = True) -> Run:
    cpu_before = process_tree_cpu(target.pid)
    start = time.perf_counter()
    async with profiled(target.pid, profile, gil_only):
        await load(target, count, per_connection)
    seconds = time.perf_counter() - start
    cpu = process_tree_cpu(target.pid) - cpu_before
    filed_seconds = filed_cpu = None
    if target.count_filed is not None:
        deadline = time.monotonic() + FILED_TIMEOUT
        while await target.count_filed() < filed_before + count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{target.name} did not file {count} messages in {FILED_TIMEOUT:.0f} s")
            await asyncio.sleep(0.02)
        filed_seconds = time.perf_counter() - start
        filed_cpu = process_tree_cpu(target.pid) - cpu_before
    return Run(count, seconds, filed_seconds, cpu, filed_cpu)


@contextlib.asynccontextmanager
async def profiled(pid: int, out: Path | None, gil_only: bool = True) -> AsyncIterator[None]:
    """py-spy samples of `pid` while the block runs (only the thread holding the GIL, the
    Python CPU; with `gil_only` False, every running thread, SQLite's work too), written to
    `out` in its raw (collapsed stacks) format; nothing when None."""
    if out is None:
        yield
        return
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    proc = await asyncio.create_subprocess_exec(
        spy, "record", "-p", str(pid), "-r", "200", *(["--gil"] if gil_only else []), "--nonblocking", "-f", "raw", "-o", str(out),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    await asyncio.sleep(0.5)  # attached before the load starts
    try:
        yield
    finally:
        proc.send_signal(signal.SIGINT)  # py-spy writes its samples when interrupted
        await proc.wait()


# --- main ----------------------------------------------------------------------------------


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


async def main(args: argparse.Namespace) -> int:
    load = smtp_source if shutil.which("smtp-source") else python_source
    print(f"load average {load_average()} on {os.cpu_count()} CPUs; client: "
          f"{'smtp-source' if load is smtp_source else 'Python (smtp-source not found)'}; "
          f"{args.messages} messages of {BODY} bytes, {SESSIONS} sessions, {args.rounds} rounds")
    shapes = {"1 message per connection": False,
              f"{args.messages // SESSIONS} messages per connection": True}
    if args.shape != "both":  # one shape only: a quicker comparison of two builds
        shapes = {name: many for name, many in shapes.items() if many == (args.shape == "many")}
    maildev = None if args.no_maildev else maildev_command(Path(args.maildev_dir))
    if maildev is None and not args.no_maildev:
        print("maildev skipped: npm not found or its install failed")
    with tempfile.TemporaryDirectory(prefix="gclap-bench-capture-") as tmp:
        workdir = Path(tmp)
        async with contextlib.AsyncExitStack() as stack:
            sink = await stack.enter_async_context(
                running("sink", bare_argv("smtp", "--uvloop"), workdir / "sink.log"))
            sandbox = await stack.enter_async_context(
                running("sandbox", sandbox_argv(str(workdir / "capture.sqlite3")), workdir / "sandbox.log"))
            url, key = sandbox.info["http_url"], sandbox.info["api_key"]
            targets = [Target("bare aiosmtpd sink", HOST, sink.info["smtp_port"], sink.pid),
                       Target("gclap-sandbox", HOST, sandbox.info["smtp_port"], sandbox.pid,
                              lambda: stored_count(url, key))]
            if maildev is not None:
                targets.append(await stack.enter_async_context(maildev_running(maildev, workdir)))
            results: dict[tuple[str, str], list[Run]] = {}
            filed = 0
            for target in targets:  # warm-up: imports, caches, the JIT of node
                for per_connection in shapes.values():
                    run = await measure(target, args.warmup, per_connection, load, filed)
                    filed += args.warmup if target.count_filed else 0
            for n in range(1, args.rounds + 1):
                for shape, per_connection in shapes.items():
                    for target in targets:
                        profile = (Path(f"{args.profile}.{n}.txt") if args.profile and per_connection
                                   and target.count_filed else None)
                        run = await measure(target, args.messages, per_connection, load, filed, profile,
                                            not args.profile_all_threads)
                        filed += args.messages if target.count_filed else 0
                        results.setdefault((target.name, shape), []).append(run)
                        extra = f", filed at {run.filed_rate:,.0f}/s" if run.filed_rate else ""
                        print(f"  #{n} {shape:<28} {target.name:<20} {run.rate:7,.0f} msgs/s{extra}"
                              f" ({run.cpu_text()}; load {os.getloadavg()[0]:.2f})")
            stored = await stored_count(url, key)
    print_table(targets, shapes, results)
    print(f"\nthe sandbox stored {stored} of {filed} messages sent to it "
          f"({'OK' if stored == filed else 'MISMATCH'}); load average after: {load_average()}")
    return 0 if stored == filed else 1


def print_table(targets: list[Target], shapes: dict[str, bool],
                results: dict[tuple[str, str], list[Run]]) -> None:
    def median(name: str, shape: str, value: Callable[[Run], float | None]) -> float | None:
        values = [v for v in map(value, results[(name, shape)]) if v is not None]
        return statistics.median(values) if values else None

    sink = targets[0].name
    rows = []
    for target in targets:
        cells = [target.name + (" (the Python protocol ceiling)" if target.name == sink else "")]
        for shape in shapes:
            rate, base = median(target.name, shape, lambda r: r.rate), median(sink, shape, lambda r: r.rate)
            cell = f"{rate:,.0f}/s" + ("" if target.name == sink else f" ({rate / base:.2f})")
            cells.append(cell)
        rows.append(cells)
        if target.count_filed is not None:
            cells = ["  gclap-sandbox, until every message is filed"]
            for shape in shapes:
                rate, base = (median(target.name, shape, lambda r: r.filed_rate),
                              median(sink, shape, lambda r: r.rate))
                cells.append(f"{rate:,.0f}/s ({rate / base:.2f})")
            rows.append(cells)
    header = ["system", *shapes]
    print("\n| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for cells in rows:
        print("| " + " | ".join(cells) + " |")
    print("\nissue 18's target (0.6 of the sink in each shape, and no slower than another catcher):")
    for shape in shapes:
        base = median(sink, shape, lambda r: r.rate)
        ours = median("gclap-sandbox", shape, lambda r: r.rate)
        others = {t.name: median(t.name, shape, lambda r: r.rate) for t in targets[2:]}
        beaten = all(ours >= rate for rate in others.values())
        print(f"  {shape}: {ours / base:.2f} of the sink ({'met' if ours >= 0.6 * base else 'not met'})"
              + (f"; {'faster' if beaten else 'slower'} than " + ", ".join(others) if others else ""))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=3000, help="messages per measured run (3000)")
    parser.add_argument("--rounds", type=int, default=3, help="measured runs per target and shape; "
                        "the table shows the median (3)")
    parser.add_argument("--warmup", type=int, default=200, help="untimed messages per target and shape first")
    parser.add_argument("--shape", choices=("both", "one", "many"), default="both",
                        help="measure both shapes (default), or only one message per connection, or only many")
    parser.add_argument("--no-maildev", action="store_true", help="leave maildev out")
    parser.add_argument("--profile", metavar="PREFIX", help="record the sandbox with py-spy (--gil) "
                        "during each measured run of many messages per connection, into PREFIX.<round>.txt")
    parser.add_argument("--profile-all-threads", action="store_true", help="with --profile: sample every "
                        "running thread (SQLite's work outside the GIL too), not only the one holding the GIL")
    parser.add_argument("--maildev-dir", default=str(Path.home() / ".cache" / "gclap-bench" / "maildev"),
                        help="where maildev is installed with npm on first use")
    return parser.parse_args()


if __name__ == "__main__":
    import uvloop

    sys.exit(uvloop.run(main(parse_args())))
