"""How fast `gclap-sandbox serve --http 0 --smtp 0 --db :memory:` prints its ready line.

Prints median and minimum over several runs, beside `python -c "import sanic"` as the
floor no Sanic app can beat. A figure, not a test: nothing here asserts on time.

    python bench/bench_startup.py [--runs 10]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

SERVE = [sys.executable, "-m", "gclap_sandbox", "serve", "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0",
         "--db", ":memory:", "--log-level", "WARNING"]
IMPORT_SANIC = [sys.executable, "-c", "import sanic"]
BARE_PYTHON = [sys.executable, "-c", "pass"]


def time_to_exit(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def time_to_ready(command: list[str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.terminate()
    process.wait()
    if not line.strip():
        raise SystemExit(f"no ready line from {' '.join(command)}")
    return elapsed


def report(name: str, samples: list[float]) -> None:
    print(f"{name:<44} median {statistics.median(samples) * 1000:7.0f} ms   "
          f"min {min(samples) * 1000:7.0f} ms   ({len(samples)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    time_to_ready(SERVE)  # warm the bytecode cache and the OS file cache
    bare = [time_to_exit(BARE_PYTHON) for _ in range(args.runs)]
    sanic = [time_to_exit(IMPORT_SANIC) for _ in range(args.runs)]
    serve = [time_to_ready(SERVE) for _ in range(args.runs)]
    report("python -c pass", bare)
    report("python -c 'import sanic' (baseline)", sanic)
    report("serve --http 0 --smtp 0 --db :memory: ready", serve)
    print(f"ready line / import sanic (medians): {statistics.median(serve) / statistics.median(sanic):.2f}x")


if __name__ == "__main__":
    main()
