"""The pytest plugin, exercised by running pytest on small test suites (pytester)."""
from __future__ import annotations

import json

import pytest

USER_TESTS = '''
import json, smtplib
from pathlib import Path

import httpx


def send(gclap, to, subject):
    message = f"From: app@example.com\\r\\nTo: {to}\\r\\nSubject: {subject}\\r\\n\\r\\nWelcome aboard!\\r\\n"
    with smtplib.SMTP(gclap.smtp_host, gclap.smtp_port) as smtp:
        smtp.sendmail("app@example.com", [to], message.encode())


def test_signup_sends_welcome(gclap):
    send(gclap, "ana@example.com", "Welcome, Ana")
    email = gclap.wait_for_email(to="ana@example.com")
    assert "Welcome" in email.subject
    assert "Welcome aboard!" in email.text
    Path("seen.json").write_text(json.dumps({"api_url": gclap.api_url, "smtp_port": gclap.smtp_port}))


def test_each_test_starts_with_an_empty_sandbox(gclap):
    assert gclap.emails() == []


def test_the_api_works_with_the_given_key(gclap):
    response = httpx.post(gclap.api_url + "/api/v1/emails/send/",
                          headers={"Authorization": "Bearer " + gclap.api_key},
                          json={"to": "bo@example.com", "subject": "By API", "text": "hi"})
    assert response.status_code == 202
    assert [e.subject for e in gclap.emails(to="bo@example.com")] == ["By API"]
    assert gclap.client.emails(subject="by api")[0].to == ["bo@example.com"]


def test_a_full_reset_keeps_the_session_key(gclap):
    old_key = gclap.api_key
    send(gclap, "cy@example.com", "Before")
    assert gclap.reset(all=True)["scope"] == "all"
    assert gclap.api_key == old_key  # the plugin starts its sandbox with a fixed key of its own
    assert gclap.emails() == []


def test_later_tests_use_the_same_key(gclap):
    assert gclap.emails() == []


def test_the_session_sandbox_is_shared(gclap, gclap_sandbox):
    assert gclap.api_url == gclap_sandbox.http_url
    assert gclap_sandbox.process.poll() is None
'''


def test_installing_the_package_is_enough_to_get_the_fixtures(pytester):
    pytester.makepyfile(test_app=USER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)


def test_wait_for_email_fails_the_test_with_what_did_arrive(pytester):
    pytester.makepyfile(test_app='''
import smtplib

def test_wrong_recipient(gclap):
    with smtplib.SMTP(gclap.smtp_host, gclap.smtp_port) as smtp:
        smtp.sendmail("a@example.com", ["ana@example.com"], b"To: ana@example.com\\r\\nSubject: Hi Ana\\r\\n\\r\\nx\\r\\n")
    gclap.wait_for_email(to="bob@example.com", timeout=0.3)
''')
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*No email (to='bob@example.com') arrived within 0.3 s. Captured: 'Hi Ana' to ana@example.com*"])


def test_the_sandbox_is_stopped_at_the_end_of_the_session(pytester):
    pytester.makepyfile(test_app='''
import json
from pathlib import Path

def test_remember_the_process(gclap_sandbox):
    Path("pid.json").write_text(json.dumps(gclap_sandbox.process.pid))
''')
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    import os
    pid = json.loads((pytester.path / "pid.json").read_text())
    try:
        os.kill(pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive


def test_serve_flags_come_from_the_ini_file(pytester):
    pytester.makeini("[pytest]\ngclap_sandbox_args = --api-key gclap_test_from_ini\n")
    pytester.makepyfile(test_app='''
def test_key(gclap):
    assert gclap.api_key == "gclap_test_from_ini"
''')
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.long(seconds=15)
def test_each_xdist_worker_gets_its_own_sandbox(pytester):
    pytester.makepyfile(test_app='''
import json, os
from pathlib import Path

import pytest

@pytest.mark.parametrize("n", range(4))
def test_record(gclap, n):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    Path(f"seen-{worker}-{n}.json").write_text(json.dumps([worker, gclap.api_url, gclap.smtp_port]))
''')
    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=4)
    seen = [json.loads(p.read_text()) for p in pytester.path.glob("seen-*.json")]
    by_worker = {worker: (url, port) for worker, url, port in seen}
    assert len(by_worker) == 2  # two workers ...
    assert len(set(by_worker.values())) == 2  # ... each with its own sandbox and ports
