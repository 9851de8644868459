"""Throughput and start-up benchmark for gclap-sandbox, against bare baselines.

This is a benchmark, not a test: it prints figures and never asserts on time.
Run it from the repository root with the dev venv:

    .venv/bin/python bench/bench_ingest.py [--messages N] [--api-requests N]
                                           [--only smtp|api|startup]

What is measured, all in one run on one machine:

1. SMTP ingest. N ~5 KB messages over 10 concurrent connections, in two modes:
   one message per connection (connect, EHLO, MAIL, RCPT, DATA, QUIT) and
   N/10 messages per connection. Targets: the sandbox (SQLite file database,
   the default way people run it) and a bare aiosmtpd sink whose handle_DATA
   returns "250 OK" and does nothing else. Afterwards the sandbox's API is
   asked how many emails it stored, as a sanity check that nothing was lost.
2. API sends. POST /api/v1/emails/send/ from 20 concurrent keep-alive
   clients, against the sandbox and against a bare Sanic app whose one route
   parses the JSON and answers 202. Two clients are measured: a raw asyncio
   HTTP/1.1 client (cheap, so the server is the bottleneck) and httpx (what
   users' tests are likely to use, and far more CPU per request).
3. Start-up. Time from launching `python -m gclap_sandbox serve ... --db
   :memory:` to its ready JSON line, next to `python -c "import sanic"` and
   `python -c pass`, 5 times each.

Why the baselines: the sandbox is built on aiosmtpd and Sanic, so the bare
servers are the ceiling the sandbox can reach on this machine with these
libraries. sandbox/bare is the fraction of that ceiling it keeps, i.e. what
its own work (parsing, storing, webhooks, ...) costs. Every target runs in its
own subprocess, started and driven identically, by the same client code.

Besides wall-clock rates, each run reports the client's CPU use (close to
100% means the client, not the server, was the limit) and the server
process's CPU time per message (from /proc, so it is independent of how the
client and server share the machine's cores).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.utils
import itertools
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
HOST = "127.0.0.1"
SEND_PATH = "/api/v1/emails/send/"
LIST_PATH = "/api/v1/emails/"

SMTP_CONNECTIONS = 10
API_CONCURRENCY = 20
STARTUP_REPEATS = 5
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0

PYTHON = sys.executable


# --- subprocesses -------------------------------------------------------------


@dataclass
class Server:
    """A target server running in its own process, ready to accept clients."""

    name: str
    proc: asyncio.subprocess.Process
    info: dict  # its ready line
    drain: asyncio.Task | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid


def sandbox_argv(db: str) -> list[str]:
    # No retention limit: a run counts the stored emails to know all were filed, and the default
    # --max-emails 10000 would prune a long run's first messages before the count reached them.
    return [PYTHON, "-m", "gclap_sandbox", "serve",
            "--http", f"{HOST}:0", "--smtp", f"{HOST}:0", "--db", db, "--max-emails", "0"]


def bare_argv(kind: str, *extra: str) -> list[str]:
    return [PYTHON, str(BENCH_DIR / "bare_servers.py"), kind, *extra]


def log_tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


async def read_ready_line(stream: asyncio.StreamReader) -> dict:
    """Return the first JSON object printed on stdout, skipping anything else."""
    while True:
        line = await stream.readline()
        if not line:
            raise RuntimeError("process exited before printing its ready line")
        with contextlib.suppress(ValueError):
            info = json.loads(line)
            if isinstance(info, dict):
                return info


async def discard(stream: asyncio.StreamReader) -> None:
    while await stream.read(65536):
        pass


async def start_server(name: str, argv: list[str], log_path: Path) -> Server:
    """Launch argv (stderr to log_path) and wait for its ready JSON line."""
    with open(log_path, "wb") as log:
        proc = await asyncio.create_subprocess_exec(
            *argv, cwd=ROOT, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=log)
    try:
        info = await asyncio.wait_for(read_ready_line(proc.stdout), READY_TIMEOUT)
    except BaseException as exc:  # timeout, early exit, or Ctrl-C: never leave it running
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        if not isinstance(exc, Exception):
            raise
        raise RuntimeError(f"{name} did not become ready ({exc!r}); "
                           f"stderr tail:\n{log_tail(log_path)}") from None
    # Keep draining stdout so the pipe can never fill and block the server.
    return Server(name, proc, info, asyncio.create_task(discard(proc.stdout)))


async def stop_server(server: Server) -> bool:
    """SIGTERM and wait; SIGKILL if it does not exit in STOP_TIMEOUT.
    Return whether it stopped on SIGTERM alone."""
    graceful = True
    if server.proc.returncode is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(server.proc.wait(), STOP_TIMEOUT)
        except asyncio.TimeoutError:
            print(f"  ! {server.name} ignored SIGTERM for {STOP_TIMEOUT:.0f} s; killing it")
            server.proc.kill()
            await server.proc.wait()
            graceful = False
    if server.drain:
        server.drain.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server.drain
    return graceful


@contextlib.asynccontextmanager
async def running(name: str, argv: list[str], log_path: Path) -> AsyncIterator[Server]:
    server = await start_server(name, argv, log_path)
    try:
        yield server
    except Exception as exc:  # a failed run: the server's log may say why
        if tail := log_tail(log_path):
            exc.add_note(f"{name} stderr (last lines):\n{tail}")
        raise
    finally:
        await stop_server(server)


def process_tree_cpu(root_pid: int) -> float:
    """User+system CPU seconds of root_pid and its live descendants (Linux /proc)."""
    parent, cpu = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        pid = int(entry)
        parent[pid] = int(fields[1])
        cpu[pid] = int(fields[11]) + int(fields[12])  # utime + stime, in ticks

    def in_tree(pid: int) -> bool:
        while pid > 1:
            if pid == root_pid:
                return True
            pid = parent.get(pid, 0)
        return False

    ticks = sum(t for pid, t in cpu.items() if in_tree(pid))
    return ticks / os.sysconf("SC_CLK_TCK")


# --- measuring ----------------------------------------------------------------


@dataclass
class Run:
    ops: int
    seconds: float
    client_cpu: float  # seconds of this process's CPU
    server_cpu: float  # seconds of the server process tree's CPU

    @property
    def rate(self) -> float:
        return self.ops / self.seconds

    @property
    def server_ms_per_op(self) -> float:
        return 1000 * self.server_cpu / self.ops

    def describe(self, unit: str) -> str:
        return (f"{self.ops} {unit} in {self.seconds:.2f} s = {self.rate:7.0f} {unit}/s"
                f"  (client CPU {100 * self.client_cpu / self.seconds:3.0f}%,"
                f" server CPU {self.server_ms_per_op:.3f} ms/{unit[:-1]})")


async def measure(server: Server, ops: int, work: Callable[[], Awaitable[None]]) -> Run:
    client0, server0 = time.process_time(), process_tree_cpu(server.pid)
    start = time.perf_counter()
    await work()
    seconds = time.perf_counter() - start
    return Run(ops, seconds, time.process_time() - client0,
               process_tree_cpu(server.pid) - server0)


def split(total: int, parts: int) -> list[int]:
    """Split total into `parts` near-equal non-negative shares."""
    return [total // parts + (i < total % parts) for i in range(parts)]


async def run_workers(count: int, worker: Callable[[int], Awaitable[None]]) -> None:
    """Run worker(0..count-1) concurrently; on the first failure cancel the rest
    and raise that failure."""
    try:
        async with asyncio.TaskGroup() as group:
            for i in range(count):
                group.create_task(worker(i))
    except ExceptionGroup as errors:
        raise errors.exceptions[0] from None


# --- SMTP client --------------------------------------------------------------


class SmtpError(Exception):
    pass


class SmtpConnection:
    """The minimum of an SMTP client: one command, one reply, no pipelining."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> "SmtpConnection":
        conn = cls(*await asyncio.open_connection(host, port))
        await conn.expect(220)
        await conn.command(b"EHLO bench-client", 250)
        return conn

    async def expect(self, code: int) -> None:
        while True:  # a multi-line reply ends at the line with a space after the code
            line = await self.reader.readline()
            if len(line) < 4:
                raise SmtpError(f"connection closed or bad reply {line!r} (wanted {code})")
            if line[3:4] != b"-":
                break
        if int(line[:3]) != code:
            raise SmtpError(f"wanted {code}, got {line.decode(errors='replace').strip()}")

    async def command(self, line: bytes, code: int) -> None:
        self.writer.write(line + b"\r\n")
        await self.expect(code)

    async def send(self, data: bytes) -> None:
        """Send one message; data is CRLF, dot-stuffed and ends with CRLF.CRLF."""
        await self.command(b"MAIL FROM:<bench@example.com>", 250)
        await self.command(b"RCPT TO:<user@example.com>", 250)
        await self.command(b"DATA", 354)
        self.writer.write(data)
        await self.writer.drain()
        await self.expect(250)

    async def quit(self) -> None:
        await self.command(b"QUIT", 221)
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


class MessageFactory:
    """~5 KB plain-text messages, each with its own subject and Message-ID."""

    LINE = b"The quick brown fox jumps over the lazy dog; pack my box with five dozen jugs.\r\n"

    def __init__(self, size: int = 5000):
        self.date = email.utils.formatdate(localtime=True)
        self.tag = f"{os.getpid()}.{int(time.time())}"
        self.counter = itertools.count(1)
        self.body = b""  # so that message(0) measures the headers alone
        self.body = self.LINE * ((size - len(self.message(0))) // len(self.LINE))
        self.size = len(self.message(0))  # bytes on the wire, with the final "."

    def next(self) -> bytes:
        return self.message(next(self.counter))

    def message(self, n: int) -> bytes:
        head = (f"From: Bench <bench@example.com>\r\n"
                f"To: User <user@example.com>\r\n"
                f"Subject: bench message {n}\r\n"
                f"Date: {self.date}\r\n"
                f"Message-ID: <{n}.{self.tag}@bench.example.com>\r\n"
                f"MIME-Version: 1.0\r\n"
                f"Content-Type: text/plain; charset=utf-8\r\n\r\n")
        return head.encode() + self.body + b".\r\n"


async def smtp_one_per_connection(host: str, port: int, count: int,
                                  messages: MessageFactory) -> None:
    todo = iter(range(count))  # shared: each worker takes the next message

    async def worker(_: int) -> None:
        for _ in todo:
            conn = await SmtpConnection.open(host, port)
            await conn.send(messages.next())
            await conn.quit()

    await run_workers(SMTP_CONNECTIONS, worker)


async def smtp_many_per_connection(host: str, port: int, count: int,
                                   messages: MessageFactory) -> None:
    shares = split(count, SMTP_CONNECTIONS)

    async def worker(i: int) -> None:
        conn = await SmtpConnection.open(host, port)
        for _ in range(shares[i]):
            await conn.send(messages.next())
        await conn.quit()

    await run_workers(SMTP_CONNECTIONS, worker)


# --- HTTP clients -------------------------------------------------------------


def send_payload(n: int) -> bytes:
    return json.dumps({
        "to": "user@example.com",
        "subject": f"bench request {n}",
        "html": f"<p>Hello from request {n}.</p>",
        "text": f"Hello from request {n}.",
        "from_email": "bench@example.com",
    }).encode()


class BadStatus(Exception):
    pass


class RawHttpConnection:
    """One keep-alive HTTP/1.1 connection that POSTs JSON and reads the reply."""

    def __init__(self, host: str, port: int, api_key: str):
        self.host, self.port = host, port
        self.head = (f"POST {SEND_PATH} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                     f"Authorization: Bearer {api_key}\r\n"
                     f"Content-Type: application/json\r\n").encode()
        self.reader = self.writer = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(b"%sContent-Length: %d\r\n\r\n%s" % (self.head, len(body), body))
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        headers = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        if headers.get(b"transfer-encoding") == b"chunked":
            payload = await self.read_chunked()
        else:
            payload = await self.reader.readexactly(int(headers.get(b"content-length", 0)))
        if headers.get(b"connection") == b"close":
            await self.close()
        return status, payload

    async def read_chunked(self) -> bytes:
        chunks = []
        while size := int((await self.reader.readline()).split(b";")[0], 16):
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readline()
        await self.reader.readline()  # no trailers expected
        return b"".join(chunks)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
            self.reader = self.writer = None


def check_status(status: int, body: bytes) -> None:
    if not 200 <= status < 300:
        raise BadStatus(f"HTTP {status}: {body[:200]!r}")


async def api_raw(url: str, api_key: str, count: int, numbers: itertools.count) -> None:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    todo = iter(range(count))

    async def worker(_: int) -> None:
        conn = RawHttpConnection(host, int(port), api_key)
        try:
            for _ in todo:
                check_status(*await conn.post(send_payload(next(numbers))))
        finally:
            await conn.close()

    await run_workers(API_CONCURRENCY, worker)


async def api_httpx(url: str, api_key: str, count: int, numbers: itertools.count) -> None:
    import httpx

    limits = httpx.Limits(max_connections=API_CONCURRENCY,
                          max_keepalive_connections=API_CONCURRENCY)
    headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
    todo = iter(range(count))
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits,
                                 timeout=30) as client:
        async def worker(_: int) -> None:
            for _ in todo:
                response = await client.post(SEND_PATH, content=send_payload(next(numbers)))
                check_status(response.status_code, response.content)

        await run_workers(API_CONCURRENCY, worker)


async def stored_count(url: str, api_key: str) -> int:
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        response = await client.get(LIST_PATH, params={"page_size": 1},
                                    headers={"Authorization": f"Bearer {api_key}"})
        check_status(response.status_code, response.content)
        return int(response.json()["count"])


# --- results ------------------------------------------------------------------


@dataclass
class Row:
    metric: str
    baseline: float | None
    sandbox: float | None
    digits: int = 0
    ratio: bool = True  # False for rows where sandbox/baseline means nothing

    def cells(self) -> list[str]:
        def fmt(value: float | None) -> str:
            return "-" if value is None else f"{value:,.{self.digits}f}"

        ratio = (f"{self.sandbox / self.baseline:.2f}"
                 if self.ratio and self.baseline and self.sandbox is not None else "-")
        return [self.metric, fmt(self.baseline), fmt(self.sandbox), ratio]


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def print_table(self) -> None:
        header = ["metric", "baseline", "sandbox", "sandbox/base"]
        lines = [header] + [row.cells() for row in self.rows]
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        print()
        for n, line in enumerate(lines):
            print("  ".join([line[0].ljust(widths[0])] +
                            [cell.rjust(w) for cell, w in zip(line[1:], widths[1:])]))
            if n == 0:
                print("  ".join("-" * w for w in widths))
        for note in self.notes:
            print(f"* {note}")
        for failure in self.failures:
            print(f"! {failure}")


@dataclass
class Metric:
    name: str
    value: Callable[[Run], float]
    digits: int = 0
    ratio: bool = True


def rate_metrics(rate_unit: str, op: str) -> list[Metric]:
    return [Metric(f"({rate_unit})", lambda r: r.rate),
            Metric(f"server CPU (ms/{op})", lambda r: r.server_ms_per_op, 3)]


def median_row(metric: str, runs: dict[str, list[Run]], baseline: str,
               value: Callable[[Run], float], digits: int = 0, ratio: bool = True) -> Row:
    """Row of medians: the given baseline target against the sandbox."""
    def med(name: str) -> float | None:
        return statistics.median(map(value, runs[name])) if runs.get(name) else None

    return Row(metric, med(baseline), med("sandbox"), digits, ratio)


# --- sections -----------------------------------------------------------------


Work = Callable[[Server, int], Awaitable[None]]  # (target, how many) -> run it


@contextlib.asynccontextmanager
async def targets_running(specs: dict[str, list[str]],
                          workdir: Path) -> AsyncIterator[dict[str, Server]]:
    """Start every target (name -> argv) and stop them all afterwards."""
    async with contextlib.AsyncExitStack() as stack:
        yield {name: await stack.enter_async_context(
                   running(name, argv, workdir / f"{name.replace('/', '-')}.log"))
               for name, argv in specs.items()}


async def compare(label: str, unit: str, targets: dict[str, Server], work: Work,
                  ops: int, args: argparse.Namespace) -> dict[str, list[Run]]:
    """Warm every target up, then run `work` against each `args.rounds` times,
    interleaving targets so that drift on the machine hits them all alike."""
    for server in targets.values():
        await work(server, args.warmup)
    runs: dict[str, list[Run]] = {name: [] for name in targets}
    for n in range(1, args.rounds + 1):
        for name, server in targets.items():
            run = await measure(server, ops, lambda: work(server, ops))
            runs[name].append(run)
            print(f"  {label:<18} {name:<12} #{n}: {run.describe(unit)}")
    return runs


def add_rows(report: Report, label: str, runs: dict[str, list[Run]],
             metrics: list[Metric]) -> None:
    """One table row per metric and per baseline, each against the sandbox."""
    baselines = [name for name in runs if name != "sandbox"]
    for metric in metrics:
        for baseline in baselines:
            name = f"{label} {metric.name}" + (f" [{baseline}]" if len(baselines) > 1 else "")
            report.rows.append(median_row(name, runs, baseline, metric.value,
                                          metric.digits, metric.ratio))


async def bench_smtp(args: argparse.Namespace, workdir: Path, report: Report) -> None:
    messages = MessageFactory()
    modes = {
        "1 msg/conn": smtp_one_per_connection,
        f"{args.messages // SMTP_CONNECTIONS} msgs/conn": smtp_many_per_connection,
    }
    loops = ["asyncio", "uvloop"] if args.sink_loop == "both" else [args.sink_loop]
    specs = {f"bare/{loop}": bare_argv("smtp", *(["--uvloop"] if loop == "uvloop" else []))
             for loop in loops}
    specs["sandbox"] = sandbox_argv(str(workdir / "smtp.sqlite3"))
    print(f"SMTP: {args.messages} messages of ~{messages.size / 1000:.1f} KB over "
          f"{SMTP_CONNECTIONS} connections, {args.rounds} rounds; targets: "
          f"{', '.join(specs)} (db {workdir / 'smtp.sqlite3'})")
    async with targets_running(specs, workdir) as targets:
        for label, mode in modes.items():
            async def work(server: Server, count: int, mode=mode) -> None:
                await mode(server.info["smtp_host"], server.info["smtp_port"],
                           count, messages)

            runs = await compare(f"SMTP {label}", "msgs", targets, work,
                                 args.messages, args)
            add_rows(report, f"SMTP {label}", runs, rate_metrics("msgs/s", "msg"))
        sent = len(modes) * (args.warmup + args.rounds * args.messages)
        await check_stored(targets["sandbox"], sent, "messages sent over SMTP", report)


async def check_stored(sandbox: Server, sent: int, what: str, report: Report) -> None:
    """Sanity check (not a timing): did the sandbox store every message?"""
    url, key = sandbox.info["http_url"], sandbox.info["api_key"]
    start = time.perf_counter()
    count = await stored_count(url, key)
    while count < sent and time.perf_counter() - start < 10:  # allow async writes
        await asyncio.sleep(0.2)
        count = await stored_count(url, key)
    waited = time.perf_counter() - start
    status = "OK" if count == sent else "MISMATCH"
    note = (f"sandbox stored {count} of {sent} {what} (incl. warm-up): {status} "
            f"(checked in {waited:.2f} s)")
    print(f"  {note}")
    report.notes.append(note)


async def bench_api(args: argparse.Namespace, workdir: Path, report: Report) -> None:
    clients = {"raw client": api_raw, "httpx client": api_httpx}
    numbers = itertools.count(1)
    specs = {"bare/sanic": bare_argv("http"),
             "sandbox": sandbox_argv(str(workdir / "api.sqlite3"))}
    print(f"API: {args.api_requests} POST {SEND_PATH} from {API_CONCURRENCY} concurrent "
          f"keep-alive clients, {args.rounds} rounds; targets: {', '.join(specs)}")
    async with targets_running(specs, workdir) as targets:
        targets["bare/sanic"].info["api_key"] = "unused"
        for label, client in clients.items():
            async def work(server: Server, count: int, client=client) -> None:
                await client(server.info["http_url"], server.info["api_key"],
                             count, numbers)

            runs = await compare(f"API {label}", "reqs", targets, work,
                                 args.api_requests, args)
            add_rows(report, f"API {label}", runs, rate_metrics("req/s", "req") + [
                Metric("client CPU (ms/req)", lambda r: 1000 * r.client_cpu / r.ops, 3,
                       ratio=False)])
        sent = len(clients) * (args.warmup + args.rounds * args.api_requests)
        await check_stored(targets["sandbox"], sent, "emails sent through the API", report)


async def time_to_ready(argv: list[str], log_path: Path, stops: list[bool]) -> float:
    """Seconds from launch to the ready line; then SIGTERM it at once and
    append to `stops` whether that alone stopped it."""
    start = time.perf_counter()
    server = await start_server("sandbox", argv, log_path)
    elapsed = time.perf_counter() - start
    stops.append(await stop_server(server))
    return elapsed


async def time_to_exit(argv: list[str]) -> float:
    start = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(*argv, cwd=ROOT)
    if await proc.wait():
        raise RuntimeError(f"{argv} exited with {proc.returncode}")
    return time.perf_counter() - start


async def repeat(times: int, timer: Callable[[], Awaitable[float]]) -> list[float]:
    await timer()  # warm-up: page cache, .pyc files
    return [await timer() for _ in range(times)]


async def bench_startup(args: argparse.Namespace, workdir: Path, report: Report) -> None:
    print(f"Start-up: {STARTUP_REPEATS} launches each, after one warm-up launch")
    log = workdir / "sandbox-startup.log"
    stops: list[bool] = []
    timings = {
        "python -c pass": await repeat(STARTUP_REPEATS,
                                       lambda: time_to_exit([PYTHON, "-c", "pass"])),
        "python -c 'import sanic'": await repeat(
            STARTUP_REPEATS, lambda: time_to_exit([PYTHON, "-c", "import sanic"])),
        "sandbox serve --db :memory: to ready line": await repeat(
            STARTUP_REPEATS, lambda: time_to_ready(sandbox_argv(":memory:"), log, stops)),
    }
    for what, seconds in timings.items():
        print(f"  {what:<44} " + " ".join(f"{1000 * s:6.0f}" for s in seconds) + "  ms")
    interpreter, sanic, sandbox = timings.values()
    for stat, func in (("median", statistics.median), ("min", min)):
        report.rows.append(Row(f"start-up {stat} (ms) vs import sanic",
                               1000 * func(sanic), 1000 * func(sandbox)))
    report.notes.append(f"start-up baseline is `python -c 'import sanic'`; bare "
                        f"interpreter (`python -c pass`) median "
                        f"{1000 * statistics.median(interpreter):.0f} ms")
    if not all(stops):
        report.notes.append(f"sandbox did not exit on a SIGTERM sent right after its ready "
                            f"line {stops.count(False)} of {len(stops)} times (SIGKILLed "
                            f"after {STOP_TIMEOUT:.0f} s)")


SECTIONS = {"smtp": bench_smtp, "api": bench_api, "startup": bench_startup}


# --- main ---------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=3000,
                        help="SMTP messages per measured run (default 3000)")
    parser.add_argument("--api-requests", type=int, default=3000,
                        help="API requests per measured run (default 3000)")
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append",
                        help="run only this section (repeatable)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="measured runs per target and mode; the table shows "
                             "the median (default 3)")
    parser.add_argument("--warmup", type=int, default=200,
                        help="untimed messages/requests per target and mode first")
    parser.add_argument("--sink-loop", choices=("asyncio", "uvloop", "both"),
                        default="both",
                        help="event loop(s) of the bare aiosmtpd sink; 'both' runs two "
                             "sinks, one per loop, as two baselines (default both)")
    return parser.parse_args()


def environment() -> str:
    import platform

    loop = type(asyncio.get_running_loop()).__module__.split(".")[0]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"Python {platform.python_version()} on {platform.machine()}, "
            f"{os.cpu_count()} CPUs (load average {load}); client event loop: {loop}")


async def main(args: argparse.Namespace) -> int:
    report = Report()
    print(environment())
    with tempfile.TemporaryDirectory(prefix="gclap-bench-") as tmp:
        for name in [name for name in SECTIONS if name in (args.only or SECTIONS)]:
            print()
            try:
                await SECTIONS[name](args, Path(tmp), report)
            except Exception as exc:  # report it and go on with the other sections
                message = f"{name} section failed: {type(exc).__name__}: {exc}"
                print(f"  ! {message}")
                for note in getattr(exc, "__notes__", []):
                    print("    " + note.replace("\n", "\n    "))
                report.failures.append(message)
    report.print_table()
    return 1 if report.failures else 0


def run(coro) -> int:
    """Drive the client on uvloop when available: a cheaper client, same for all targets."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


if __name__ == "__main__":
    sys.exit(run(main(parse_args())))
