"""DB-thread CPU of the lifecycle work after a capture: filing an email, and its due outcome job.

A benchmark, not a test: it prints figures and ratios and never asserts on time.

    .venv/bin/python bench/bench_lifecycle.py [--emails 2000] [--rounds 3] [--webhook] [--against CHECKOUT]

Each round starts an in-process sandbox (a temporary SQLite file, default settings, its job
worker stopped so that nothing runs the jobs behind the bench's back) in a fresh interpreter,
then measures, as CPU time of the DB thread (`time.thread_time`, which drifts far less than
rates when the machine is shared):

* filing: `capture_email` of SMTP-shaped mail (5 kB, one recipient) in units of 32, as the
  SMTP intake's settle step files it: parse, store, `email.sent`, the `email.delivered` job;
* due outcomes: `run_due_batch` units, as the job worker runs them, until every job has run
  (each records `email.delivered`, moves the statuses, and feeds the subscribers).

`--webhook` subscribes an endpoint to both events first (each event then queues a signed
delivery). With `--against CHECKOUT`, the same runs with another checkout's code (an earlier
commit in a `git worktree`), round by round in turn, in alternate order.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(emails: int, webhook: bool) -> dict[str, float]:
    """One round in this interpreter (the code imported is whatever `sys.path` finds first)."""
    import asyncio
    import time
    from datetime import timedelta

    from gclap_sandbox.cli.commands import serve, settings_from_options
    from gclap_sandbox.events import jobs
    from gclap_sandbox.pipeline.capture import capture_email
    from gclap_sandbox.pipeline.incoming import Incoming
    from gclap_sandbox.server.embedded import EmbeddedSandbox

    with tempfile.TemporaryDirectory(prefix="gclap-bench-lifecycle-") as tmp:
        argv = ["--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0", "--db", f"{tmp}/bench.sqlite3", "--max-emails", "0"]
        with serve.make_context("serve", argv) as context:
            sandbox = EmbeddedSandbox(settings_from_options(context.params)).start(60)
        try:
            ctx = sandbox.app.ctx.sandbox
            if webhook:
                sandbox.client().post("/api/v1/webhooks/endpoints/", json={
                    "url": "http://127.0.0.1:9/hook", "events": ["email.sent", "email.delivered"]}).raise_for_status()
            body = b"Hello from the lifecycle bench.\r\n" * 150

            def incoming(n: int) -> Incoming:
                raw = (f"From: bench@example.com\r\nTo: user{n % 50}@example.com\r\nSubject: bench {n}\r\n"
                       f"Message-ID: <bench-{n}@example.com>\r\n\r\n").encode() + body
                return Incoming(raw=raw, source="smtp", organization_id=ctx.default_org_id,
                                envelope_from="bench@example.com", envelope_to=[f"user{n % 50}@example.com"],
                                options=ctx.delivery)

            def timed(fn, *args):
                started = time.thread_time()
                result = fn(*args)
                return time.thread_time() - started, result

            def file(batch: list[Incoming]) -> None:
                for item in batch:
                    capture_email(item)

            async def run() -> dict[str, float]:
                await ctx.jobs_worker.stop()
                filing = 0.0
                for start in range(0, emails, 32):
                    spent, _ = await ctx.db.run(timed, file, [incoming(n) for n in range(start, min(emails, start + 32))])
                    filing += spent
                limit = ctx.clock.now() + timedelta(minutes=5)
                due, ran = 0.0, 0
                while True:
                    spent, (succeeded, more, _) = await ctx.db.run(timed, jobs.run_due_batch, limit, jobs.BATCH)
                    due, ran = due + spent, ran + succeeded
                    if not more:
                        break
                return {"filing_ms": 1000 * filing / emails, "due_ms": 1000 * due / max(1, ran), "jobs": ran}

            return asyncio.run_coroutine_threadsafe(run(), sandbox._loop).result(1800)
        finally:
            sandbox.stop()


def one_round(checkout: Path | None, emails: int, webhook: bool) -> dict[str, float]:
    """A round in a fresh interpreter, with `checkout`'s code first on the path (None: this one's)."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--measure", str(emails)]
    if webhook:
        argv.append("--webhook")
    env = dict(os.environ)
    env["PYTHONPATH"] = f"{checkout or HERE.parent}{os.pathsep}{env.get('PYTHONPATH', '')}"
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=2000, help="emails filed per round (2000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per checkout (3)")
    parser.add_argument("--webhook", action="store_true", help="an endpoint subscribed to both events")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT", help="another checkout to compare with")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)  # one round, in a child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.webhook)))
        return 0
    print(f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}; {args.emails} emails per round, "
          f"{args.rounds} rounds{', a webhook endpoint' if args.webhook else ''}")
    targets: dict[str, Path | None] = {"this checkout": None}
    if args.against:
        targets[str(args.against)] = args.against
    results: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
    for n in range(1, args.rounds + 1):
        # The first run of a round pays for a cold start (seen: filing 10-40% dearer), so the
        # order alternates from round to round.
        for name, checkout in (list(targets.items()) if n % 2 else list(reversed(targets.items()))):
            result = one_round(checkout, args.emails, args.webhook)
            results[name].append(result)
            print(f"  #{n} {name:<24} filing {result['filing_ms']:.3f} ms/email, "
                  f"due outcome {result['due_ms']:.3f} ms/job ({result['jobs']:.0f} jobs)")
    print("\n| code | filing, DB-thread CPU per email | due outcome, DB-thread CPU per job |")
    print("|---|---|---|")
    medians = {name: (statistics.median(r["filing_ms"] for r in runs), statistics.median(r["due_ms"] for r in runs))
               for name, runs in results.items()}
    for name, (filing, due) in medians.items():
        print(f"| {name} | {filing:.3f} ms | {due:.3f} ms |")
    if args.against:
        (mine_filing, mine_due), (other_filing, other_due) = medians.values()
        print(f"\nthis checkout: filing {mine_filing / other_filing:.2f}, due outcomes {mine_due / other_due:.2f} "
              f"of {args.against}'s")
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
