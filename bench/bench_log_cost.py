"""What a log line per captured email costs. A benchmark, not a test: it prints figures and
never asserts on time.

    .venv/bin/python bench/bench_log_cost.py [--messages N] [--rounds R]

1. One line alone: an "email captured" record through the handler, text and JSON, written to
   /dev/null, in CPU microseconds per line, beside the stdlib's bare `%(message)s` formatter
   (the floor of any log line) and the call when INFO is off.
2. In the server: `serve` started with --quiet, with text logs and with JSON logs (stderr to a
   file), N messages sent over one SMTP connection; the server process's CPU time per message
   (from /proc, so it does not depend on how the machine's cores are shared), and its ratio to
   --quiet. Rounds alternate the three modes so load changes hit them alike.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gclap_sandbox.observability.logs import JsonFormatter, TextFormatter, log_fields  # noqa: E402

MESSAGE = (b"From: App <app@example.com>\r\nTo: ana@example.com\r\nSubject: Your receipt\r\n\r\n"
           + b"Thanks for your order.\r\n" * 200)
MODES = {"quiet": ["--quiet"], "text": [], "json": ["--log-format", "json"]}


def per_line(formatter: logging.Formatter | None, lines: int = 50_000) -> float:
    logger = logging.getLogger(f"bench.{id(formatter)}")
    logger.propagate = False
    with open(os.devnull, "w") as sink:
        handler = logging.StreamHandler(sink)
        if formatter is not None:
            handler.setFormatter(formatter)
            logger.setLevel(logging.INFO)
        else:
            logger.setLevel(logging.WARNING)  # INFO off: the call returns at once
        logger.addHandler(handler)
        started = time.process_time()  # CPU time: the machine's load does not inflate it
        for n in range(lines):
            log_fields(logger, "email captured", id="0f91b8cd-2501-41eb-b9fa-26c237cdfd17", source="smtp",
                       **{"from": "app@example.com"}, recipients=["ana@example.com", "bo@example.com"],
                       subject="Your receipt", size=4821)
        elapsed = time.process_time() - started
        logger.removeHandler(handler)
    return elapsed / lines * 1e6


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu_per_message(mode: list[str], messages: int) -> float:
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen([sys.executable, "-m", "gclap_sandbox", "serve", "--http", "127.0.0.1:0",
                                    "--smtp", "127.0.0.1:0", "--db", ":memory:", *mode],
                                   stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=ROOT)
        try:
            ready = json.loads(process.stdout.readline())
            with smtplib.SMTP("127.0.0.1", ready["smtp_port"], timeout=60) as smtp:
                smtp.sendmail("app@example.com", ["warm@example.com"], MESSAGE)
                before = cpu_seconds(process.pid)
                for n in range(messages):
                    smtp.sendmail("app@example.com", [f"user{n}@example.com"], MESSAGE)
                after = cpu_seconds(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(60)
            process.stdout.close()
    return (after - before) / messages * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"CPU per line: INFO off {per_line(None):.2f} us; the stdlib's bare '%(message)s' "
          f"{per_line(logging.Formatter('%(message)s')):.2f} us; text {per_line(TextFormatter()):.2f} us; "
          f"json {per_line(JsonFormatter()):.2f} us")
    results: dict[str, list[float]] = {name: [] for name in MODES}
    for _ in range(args.rounds):
        for name, flags in MODES.items():
            results[name].append(server_cpu_per_message(flags, args.messages))
    quiet = statistics.median(results["quiet"])
    for name, values in results.items():
        median = statistics.median(values)
        print(f"serve {name:5}: server CPU {median:7.0f} us per SMTP message "
              f"(median of {args.rounds}; x{median / quiet:.3f} of --quiet)")


if __name__ == "__main__":
    main()
