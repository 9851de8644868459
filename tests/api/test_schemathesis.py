"""Schemathesis, with every check, finds no difference between the API and its OpenAPI document.

It generates requests from /api/v1/openapi.json, valid and invalid ones, for every operation
but the sandbox reset, and checks every answer: never a 5xx, a documented status, content
type, headers and body, valid input accepted, invalid input refused, undeclared methods
refused. tests/schemathesis_hooks.py keeps the run on its feet (the caller's key stays valid,
chaos and plan changes are undone) and names the rules no JSON Schema can state;
tests/schemathesis.toml counts 413 as a fair answer. A failure prints Schemathesis's report:
each request as curl, and what was wrong with the answer.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
MAX_EXAMPLES = 10  # per operation and phase: enough to find the class of a mismatch, quick to run
SEED = 1  # the same requests on every run
DEADLINE = 1800  # seconds; only so a hung run cannot hang the suite


def _schemathesis() -> str:
    beside_python = Path(sys.executable).with_name("schemathesis")
    found = str(beside_python) if beside_python.exists() else shutil.which("schemathesis")
    assert found, "schemathesis is not installed: pip install -e '.[test]'"
    return found


@pytest.mark.long(seconds=90)
def test_schemathesis_with_every_check_finds_nothing_wrong(launch, tmp_path):
    # The fuzzer's webhook URLs lead nowhere; a short timeout keeps `.../test/` within the client's.
    sandbox = launch("--webhook-timeout", "2")
    with sandbox.client() as api:
        own_key = api.get("/api/v1/accounts/api-keys/").json()["results"][0]["id"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
           "GCLAP_FUZZ_BASE_URL": sandbox.http_url, "GCLAP_FUZZ_API_KEY": sandbox.api_key,
           "GCLAP_FUZZ_KEY_ID": own_key}
    command = [_schemathesis(), "--config-file", str(HERE / "schemathesis.toml"), "run",
               f"{sandbox.http_url}/api/v1/openapi.json",
               "--header", f"Authorization: Bearer {sandbox.api_key}",
               "--checks", "all",
               "--exclude-path", "/api/v1/sandbox/reset/",  # it would wipe the data the run builds on
               "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED), "--workers", "1",
               "--request-timeout", "30",
               "--no-color"]
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=DEADLINE)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-20000:]  # any failure or error makes it exit 1
    tested = re.search(r"Tested:\s+(\d+)", report)
    assert tested and int(tested[1]) >= 60, report[-5000:]  # every operation was reached
    assert _server_tracebacks(sandbox.log()) == []


def _server_tracebacks(log: str) -> list[str]:
    """The last line of every traceback the sandbox logged while it was fuzzed."""
    found = []
    for block in log.split("Traceback (most recent call last):")[1:]:
        last = next((line for line in block.splitlines() if re.match(r"^\w+(\.\w+)*(Error|Exception)\b", line)),
                    block.strip().splitlines()[-1])
        found.append(last)
    return found
