"""Schemathesis, with every check, finds no difference between the API and its OpenAPI document.

It generates requests from /api/v1/openapi.json, valid and invalid ones, for every operation
but the sandbox reset, and checks every answer: never a 5xx, a documented status, content
type, headers and body, valid input accepted, invalid input refused, undeclared methods
refused. Every operation goes through all of Schemathesis's phases: the document's examples,
coverage (each boundary and each violation of every keyword the document states: most of the
run), fuzzing (fuzz_run.MAX_EXAMPLES random cases each) and stateful (the documented links).
tests/api/schemathesis_hooks.py keeps the run on its feet (the caller's key stays
valid, chaos and plan changes are undone) and names the rules no JSON Schema can state;
tests/api/schemathesis.toml counts 413 as a fair answer. A failure prints Schemathesis's
report: each request as curl, and what was wrong with the answer.

The operations are fuzzed in two shares (tests/support/fuzz_run.py), this file's and
test_schemathesis_second_share.py's, so both workers of `pytest -n 2` fuzz at once.
"""
from __future__ import annotations

import re

import pytest
from fuzz_run import SHARES, fuzz, operations, server_tracebacks

SHARE = "accounts-analytics-automation-contacts"


def test_the_shares_together_fuzz_every_operation_once(sandbox):
    with sandbox.client() as api:
        document = api.get("/api/v1/openapi.json").json()
    for method, path in operations(document):
        taken = [name for name, pattern in SHARES.items() if re.search(pattern, path)]
        assert len(taken) == 1, (method, path, taken)  # the reset is taken too, then left out (EXCLUDED)


@pytest.mark.long(seconds=160)
def test_schemathesis_with_every_check_finds_nothing_wrong(launch, tmp_path):
    # The fuzzer's webhook URLs lead nowhere; a short timeout keeps `.../test/` within the client's.
    sandbox = launch("--webhook-timeout", "2")
    report, tested = fuzz(sandbox, SHARE, tmp_path)
    assert tested >= 64, report[-5000:]  # every operation of the share was reached
    assert server_tracebacks(sandbox.log()) == []
