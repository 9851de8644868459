"""--gclap-organization-per-session: each test session (each xdist worker) gets an organization of
its own in a shared running sandbox, uses its key, and deletes it at the end.

The inner runs are subprocesses, and this process makes no HTTP request around them (see
tests/process/test_fixture_attach.py): a second inner run checks what the first left behind."""
from __future__ import annotations


KEY = "gclap_test_shared_team_sandbox_admin_key"

SESSION_TESTS = '''
import json, os, smtplib
from pathlib import Path


def test_mail_lands_in_the_sessions_own_organization(gclap, worker_id):
    with gclap.sandbox.client() as api:
        organization = api.get("/api/v1/accounts/organization/").json()
        assert api.patch("/api/v1/accounts/organization/", json={"plan": "free"}).status_code == 200
    assert organization["name"].startswith("pytest session")
    with smtplib.SMTP(gclap.smtp_host, gclap.smtp_port, timeout=10) as smtp:
        smtp.login("apikey", gclap.api_key)
        smtp.sendmail("app@example.com", ["ana@example.com"], b"Subject: Own org\\r\\n\\r\\nhi\\r\\n")
    assert gclap.wait_for_email(to="ana@example.com").subject == "Own org"
    Path(f"seen-{worker_id}.json").write_text(json.dumps({"id": organization["id"], "key": gclap.api_key}))


def test_the_next_test_finds_its_organization_reset(gclap):
    assert gclap.emails() == []
    with gclap.sandbox.client() as api:
        assert api.get("/api/v1/accounts/organization/").json()["plan"] == "unlimited"
'''

WORKER_ID = '''
import pytest


@pytest.fixture
def worker_id(request):
    return getattr(request.config, "workerinput", {}).get("workerid", "main")
'''

CHECK_AFTERWARDS = '''
import json
from pathlib import Path


def test_the_session_organizations_are_gone_and_the_admins_inbox_is_untouched(gclap_sandbox):
    seen = [json.loads(path.read_text()) for path in sorted(Path(".").glob("seen-*.json"))]
    assert len(seen) == int(Path("expected").read_text())
    assert len({entry["id"] for entry in seen}) == len(seen)  # one organization per session or worker
    with gclap_sandbox.client() as admin:
        listed = [org["id"] for org in admin.get("/api/v1/sandbox/organizations/").json()["results"]]
        assert admin.get("/api/v1/emails/", params={"to": "ana@example.com"}).json()["count"] == 0
    assert not {entry["id"] for entry in seen} & set(listed)
    for entry in seen:
        with gclap_sandbox.client(entry["key"]) as gone:
            assert gone.get("/api/v1/emails/").status_code == 401
'''


def _smtp(sandbox) -> str:
    return f"{sandbox.smtp_host}:{sandbox.smtp_port}"


def _run_and_check(pytester, running, *extra: str, sessions: int) -> None:
    pytester.makeconftest(WORKER_ID)
    pytester.makepyfile(test_app=SESSION_TESTS)
    attach = ("--gclap-url", running.http_url, "--gclap-api-key", KEY, "--gclap-smtp", _smtp(running))
    result = pytester.runpytest_subprocess(*attach, "--gclap-organization-per-session", *extra)
    result.assert_outcomes(passed=2 * sessions)  # each session runs both tests
    (pytester.path / "test_app.py").unlink()
    (pytester.path / "expected").write_text(str(sessions))
    pytester.makepyfile(test_check=CHECK_AFTERWARDS)
    pytester.runpytest_subprocess(*attach).assert_outcomes(passed=1)


def test_a_session_gets_its_own_organization_and_deletes_it_afterwards(pytester, launch):
    running = launch("--api-key", KEY)
    _run_and_check(pytester, running, sessions=1)


def test_each_xdist_worker_gets_its_own_organization(pytester, launch):
    running = launch("--api-key", KEY)
    _run_and_check(pytester, running, "-n", "2", "-p", "xdist", "--dist", "each", sessions=2)


def test_a_key_without_the_admin_scope_says_so(pytester, launch):
    running = launch("--api-key", KEY)
    pytester.makepyfile(test_app="def test_needs_it(gclap):\n    pass\n")
    result = pytester.runpytest_subprocess("--gclap-url", running.http_url, "--gclap-api-key", "gclap_test_nope",
                                           "--gclap-organization-per-session")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*--gclap-organization-per-session: the sandbox at * would not make an "
                                 "organization (401)*"])
