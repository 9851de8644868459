"""The plugin attached to a sandbox that is already running (a CI service container, a shared one).

The inner runs are subprocesses: an in-process run drops the modules it imported (httpcore's
lazily loaded parts among them), which confuses later tests of this process."""
from __future__ import annotations

import json

ATTACHED_TESTS = '''
import json, smtplib
from pathlib import Path


def test_sends_over_smtp_to_the_running_sandbox(gclap, gclap_sandbox):
    assert gclap_sandbox.process is None  # nothing was started
    with smtplib.SMTP(gclap.smtp_host, gclap.smtp_port, timeout=10) as smtp:
        smtp.sendmail("app@example.com", ["ana@example.com"], b"Subject: Attached\\r\\n\\r\\nhi\\r\\n")
    assert gclap.wait_for_email(to="ana@example.com").subject == "Attached"
    with gclap.sandbox.client() as api:
        assert api.patch("/api/v1/accounts/organization/", json={"plan": "free"}).status_code == 200
    Path("seen.json").write_text(json.dumps([gclap.api_url, gclap.api_key, gclap.smtp_port]))


def test_the_next_test_finds_it_reset(gclap):
    assert gclap.emails() == []
    with gclap.sandbox.client() as api:
        assert api.get("/api/v1/accounts/organization/").json()["plan"] == "unlimited"
'''

KEY = "gclap_test_service_container_key"


def _smtp(sandbox) -> str:
    return f"{sandbox.smtp_host}:{sandbox.smtp_port}"


def test_options_attach_to_a_running_sandbox_and_leave_it_running(pytester, launch):
    running = launch("--api-key", KEY)
    pytester.makepyfile(test_app=ATTACHED_TESTS)
    result = pytester.runpytest_subprocess("--gclap-url", running.http_url, "--gclap-api-key", KEY,
                                "--gclap-smtp", _smtp(running))
    result.assert_outcomes(passed=2)
    assert json.loads((pytester.path / "seen.json").read_text()) == [running.http_url, KEY, running.smtp_port]
    # (No HTTP from this process here: a client first used inside a pytester test loses the
    # modules it imports lazily when pytester restores sys.modules, which breaks later tests.)
    pytester.makepyfile(test_app="def test_still_serving_and_reset(gclap):\n    assert gclap.emails() == []\n")
    again = pytester.runpytest_subprocess("--gclap-url", running.http_url, "--gclap-api-key", KEY,
                                          "--gclap-smtp", _smtp(running))
    again.assert_outcomes(passed=1)  # not ours to stop: it still serves


def test_environment_variables_attach_as_well(pytester, launch, monkeypatch):
    running = launch("--api-key", KEY)
    monkeypatch.setenv("GCLAP_PYTEST_URL", running.http_url)
    monkeypatch.setenv("GCLAP_PYTEST_API_KEY", KEY)
    monkeypatch.setenv("GCLAP_PYTEST_SMTP", _smtp(running))
    pytester.makepyfile(test_app=ATTACHED_TESTS)
    pytester.runpytest_subprocess().assert_outcomes(passed=2)


def test_attaching_without_a_key_says_what_is_missing(pytester, monkeypatch):
    monkeypatch.delenv("GCLAP_PYTEST_API_KEY", raising=False)
    pytester.makepyfile(test_app="def test_needs_it(gclap):\n    pass\n")
    result = pytester.runpytest_subprocess("--gclap-url", "http://127.0.0.1:8000")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*--gclap-url needs the sandbox's API key: --gclap-api-key or GCLAP_PYTEST_API_KEY.*"])


def test_several_xdist_workers_may_not_share_an_attached_sandbox(pytester, launch):
    running = launch("--api-key", KEY)
    pytester.makepyfile(test_app="def test_a(gclap):\n    pass\n\ndef test_b(gclap):\n    pass\n")
    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist", "--gclap-url", running.http_url,
                                           "--gclap-api-key", KEY)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*2 xdist workers would reset one shared sandbox under each other's tests*"])
