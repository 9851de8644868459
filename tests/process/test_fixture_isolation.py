"""The `gclap` fixture isolates tests, as a team's own suite (pytester, under xdist) sees it."""
from __future__ import annotations

import pytest

# One test leaves behind everything a test can change; another expects a sandbox as fresh as a
# new one. Each file runs them alternately, so every worker has both orders.
CHANGE_EVERYTHING = '''
def test_changes_everything_{n}(gclap):
    with gclap.sandbox.client() as api:
        for method, path, body in [
            ("PUT", "/sandbox/chaos/", {{"http": [{{"path": "/api/v1/emails/*", "status": 503}}]}}),
            ("PATCH", "/accounts/organization/", {{"plan": "free", "track_clicks": True, "track_opens": True}}),
            ("POST", "/webhooks/endpoints/", {{"url": "http://127.0.0.1:9/hook", "events": ["email.sent"]}}),
            ("POST", "/templates/", {{"name": "welcome", "subject": "Hi", "html": "<p>Hi</p>"}}),
            ("POST", "/contacts/", {{"email": "left-behind@example.com"}}),
            ("POST", "/accounts/api-keys/", {{"name": "made by a test"}}),
            ("POST", "/sandbox/clock/advance/", {{"seconds": 3 * 86400}}),
        ]:
            response = api.request(method, "/api/v1" + path, json=body)
            assert response.status_code < 300, (path, response.text)
        assert api.post("/api/v1/emails/send/", json={{"to": "a@example.com", "subject": "x",
                        "text": "x"}}).status_code == 503  # the chaos rule is live
'''

EXPECT_A_FRESH_SANDBOX = '''
def test_finds_a_fresh_sandbox_{n}(gclap):
    with gclap.sandbox.client() as api:
        def results(path):
            return api.get("/api/v1" + path).json()["results"]

        assert api.get("/api/v1/sandbox/chaos/").json()["http"] == []
        organization = api.get("/api/v1/accounts/organization/").json()
        assert organization["plan"] == "unlimited", organization
        assert not any(organization["tracking"].values()), organization
        assert results("/webhooks/endpoints/") == []
        assert results("/templates/") == []
        assert results("/contacts/") == []
        assert results("/suppressions/") == []
        assert [key["name"] for key in results("/accounts/api-keys/")] == ["From --api-key"]
        assert api.get("/api/v1/sandbox/clock/").json()["offset_seconds"] == 0
        sent = api.post("/api/v1/emails/send/", json={{"to": "fresh-{n}@example.com", "subject": "Clean",
                        "html": '<a href="https://example.com/">x</a>'}})
        assert sent.status_code == 202, sent.text
    email = gclap.wait_for_email(to="fresh-{n}@example.com")
    assert 'href="https://example.com/"' in email.html  # no click tracking rewrote it
    assert [e.subject for e in gclap.emails()] == ["Clean"]
'''


def alternating(first: str, second: str, pairs: int = 2) -> str:
    return "".join(first.format(n=n) + second.format(n=n) for n in range(pairs))


@pytest.mark.long(seconds=20)
def test_tests_that_change_every_setting_leave_nothing_to_the_next_under_xdist(pytester):
    pytester.makepyfile(test_dirty_first=alternating(CHANGE_EVERYTHING, EXPECT_A_FRESH_SANDBOX),
                        test_clean_first=alternating(EXPECT_A_FRESH_SANDBOX, CHANGE_EVERYTHING))
    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist", "--dist", "loadfile")
    result.assert_outcomes(passed=8)


def test_the_start_flags_plan_and_chaos_come_back_after_every_test(pytester):
    pytester.makeini('[pytest]\ngclap_sandbox_args = --plan pro --chaos \'{"http": [{"path": "/api/v1/contacts/*", '
                     '"status": 503}]}\'\n')
    pytester.makepyfile(test_app='''
def test_changes_plan_and_chaos(gclap):
    with gclap.sandbox.client() as api:
        assert api.patch("/api/v1/accounts/organization/", json={"plan": "free"}).status_code == 200
        assert api.put("/api/v1/sandbox/chaos/", json={}).status_code == 200


def test_finds_the_start_plan_and_rules(gclap):
    with gclap.sandbox.client() as api:
        assert api.get("/api/v1/accounts/organization/").json()["plan"] == "pro"
        assert api.get("/api/v1/contacts/").status_code == 503
''')
    pytester.runpytest_subprocess().assert_outcomes(passed=2)


HOSTILE_SHELL = {
    "GCLAP_SANDBOX_SMTP_AUTH": "required",
    "GCLAP_SANDBOX_CHAOS": '{"smtp": [{"stage": "data", "delay": 30}], "http": [{"delay": 30}]}',
    "GCLAP_SANDBOX_PLAN": "free",
    "GCLAP_SANDBOX_HTTP": "127.0.0.1:1",
    "GCLAP_SANDBOX_SIMULATE": "realistic",
    "GCLAP_SANDBOX_MAX_MESSAGE_SIZE": "1024",
    "GCLAP_SANDBOX_URL": "http://127.0.0.1:1",
    "GCLAP_SANDBOX_API_KEY": "gclap_test_from_the_developers_shell",
}


def test_the_developers_gclap_sandbox_variables_do_not_reach_the_fixture(pytester, monkeypatch):
    for name, value in HOSTILE_SHELL.items():
        monkeypatch.setenv(name, value)
    pytester.makepyfile(test_app='''
import smtplib

def test_unauthenticated_smtp_and_a_big_message_arrive_at_once(gclap):
    body = ("x" * 70 + "\\r\\n") * 80  # over the hostile 1024-byte limit
    with smtplib.SMTP(gclap.smtp_host, gclap.smtp_port, timeout=10) as smtp:
        smtp.sendmail("app@example.com", ["ana@example.com"],
                      f"Subject: Welcome\\r\\n\\r\\n{body}\\r\\n".encode())
    email = gclap.wait_for_email(to="ana@example.com", timeout=10)
    assert email.subject == "Welcome"
    assert gclap.api_key != "gclap_test_from_the_developers_shell"
    with gclap.sandbox.client() as api:
        assert api.get("/api/v1/accounts/organization/").json()["plan"] == "unlimited"
        assert api.get("/api/v1/sandbox/chaos/").json()["http"] == []
''')
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
