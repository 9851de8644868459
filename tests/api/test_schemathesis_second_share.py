"""Schemathesis, with every check, on the second share of the API's operations (campaigns,
domains, emails, sandbox, suppressions, templates, webhooks and the tracking links): see
test_schemathesis.py for what it checks and tests/support/fuzz_run.py for the shares."""
from __future__ import annotations

import pytest
from fuzz_run import fuzz, server_tracebacks

SHARE = "campaigns-domains-emails-sandbox-templates-webhooks"


@pytest.mark.long(seconds=160)
def test_schemathesis_with_every_check_finds_nothing_wrong_in_the_second_share(launch, tmp_path):
    # The fuzzer's webhook URLs lead nowhere; a short timeout keeps `.../test/` within the client's.
    sandbox = launch("--webhook-timeout", "2")
    report, tested = fuzz(sandbox, SHARE, tmp_path)
    assert tested >= 60, report[-5000:]  # every operation of the share was reached
    assert server_tracebacks(sandbox.log()) == []
