"""Schemathesis's CLI run against an in-process sandbox, for a share of the API's operations.

The run is split in shares of operations (`tests/api/test_schemathesis*.py`, one file each) so
that the two workers of `pytest -n 2` fuzz at the same time; `SHARES` names every share, and a
test checks that together they take every operation of the document exactly once. Everything
else is one run's: every check, the same seed, hooks and config (tests/api/schemathesis_hooks.py
and schemathesis.toml).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

API_TESTS = Path(__file__).resolve().parents[1] / "api"  # where the hooks and the config live
# Random cases per operation in the fuzzing and stateful phases. The coverage phase does not
# count them: it sends every boundary and every violation of each keyword the document states
# (two thirds of a run's work), so the random cases only add mixes of them; five find the class
# of a mismatch as ten did (the same operations and checks, about a fifth less CPU).
MAX_EXAMPLES = 5
SEED = 1  # the same requests on every run
DEADLINE = 1800  # seconds; only so a hung run cannot hang the suite
EXCLUDED = "/api/v1/sandbox/reset/"  # it would wipe the data the run builds on

# Each share: a regular expression over the document's paths; each file fuzzes one. The shares
# cost about the same (contacts' segment rules alone make some 3,000 coverage cases), so the two
# workers finish together: measured per operation from Schemathesis's `--report ndjson`.
SHARES = {
    "accounts-analytics-automation-contacts": r"^/(healthz|livez|readyz|metrics|api/v1/(openapi\.json|events/|accounts/|"
                                              r"analytics/|automation/|contacts/|deliverability/))",
    "campaigns-domains-emails-sandbox-templates-webhooks": r"^/(t/|api/v1/(campaigns/|domains/|emails/|sandbox/|"
                                                           r"suppressions/|templates/|webhooks/))",
}


def schemathesis_command() -> str:
    beside_python = Path(sys.executable).with_name("schemathesis")
    found = str(beside_python) if beside_python.exists() else shutil.which("schemathesis")
    assert found, "schemathesis is not installed: pip install -e '.[test]'"
    return found


def fuzz(sandbox: Any, share: str, workdir: Path) -> tuple[str, int]:
    """Fuzz the operations of `share` with every check; (the report, how many operations it tested)."""
    with sandbox.client() as api:
        own_key = api.get("/api/v1/accounts/api-keys/").json()["results"][0]["id"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(API_TESTS), os.environ.get("PYTHONPATH")])),
           "GCLAP_FUZZ_BASE_URL": sandbox.http_url, "GCLAP_FUZZ_API_KEY": sandbox.api_key,
           "GCLAP_FUZZ_KEY_ID": own_key}
    command = [schemathesis_command(), "--config-file", str(API_TESTS / "schemathesis.toml"), "run",
               f"{sandbox.http_url}/api/v1/openapi.json",
               "--header", f"Authorization: Bearer {sandbox.api_key}",
               "--checks", "all",
               "--include-path-regex", SHARES[share],
               "--exclude-path", EXCLUDED,
               "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED), "--workers", "1",
               "--request-timeout", "30",
               "--no-color"]
    run = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=DEADLINE)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-20000:]  # any failure or error makes it exit 1
    tested = re.search(r"Tested:\s+(\d+)", report)
    assert tested, report[-5000:]
    return report, int(tested[1])


def operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(method, path) of every operation the document declares."""
    methods = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
    return [(method.upper(), path) for path, item in document["paths"].items() for method in item if method in methods]


def server_tracebacks(log: str) -> list[str]:
    """The last line of every traceback the sandbox logged while it was fuzzed."""
    found = []
    for block in log.split("Traceback (most recent call last):")[1:]:
        last = next((line for line in block.splitlines() if re.match(r"^\w+(\.\w+)*(Error|Exception)\b", line)),
                    block.strip().splitlines()[-1])
        found.append(last)
    return found
