"""Monthly email quotas: recipients of captured email per calendar month, over API and SMTP."""
from __future__ import annotations

import smtplib

import pytest

ORG = "/api/v1/accounts/organization/"


def send(api, recipients, subject="quota"):
    return api.post("/api/v1/emails/send/", json={"to": recipients, "subject": subject, "text": "hi"})


def smtp_send(sandbox, recipients, login=True):
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        if login:
            smtp.login("apikey", sandbox.api_key)
        return smtp.sendmail("app@example.com", recipients, b"Subject: quota\r\n\r\nhi\r\n")


def test_quota_counts_recipients_and_refuses_the_email_that_would_pass_it(launch):
    sandbox = launch("--plan", "free")
    with sandbox.client() as api:
        assert send(api, [f"user{i}@example.com" for i in range(997)]).status_code == 202
        smtp_send(sandbox, ["a@example.com", "b@example.com"])
        assert api.get(ORG).json()["usage"]["emails"] == 999

        over = send(api, ["c@example.com", "d@example.com"], subject="over")
        assert over.status_code == 429
        assert over.headers["content-type"] == "application/problem+json"
        problem = over.json()
        assert problem["type"].endswith("/quota-exceeded")  # distinct from the rate limit's type
        assert problem["quota"] == 1000 and problem["used"] == 999
        assert int(over.headers["Retry-After"]) > 0
        assert "X-RateLimit-Remaining" in over.headers
        assert api.get("/api/v1/emails/", params={"search": "over"}).json()["count"] == 0

        assert send(api, ["last@example.com"]).status_code == 202  # exactly the quota
        usage = api.get(ORG).json()["usage"]
        assert usage["emails"] == 1000 and usage["emails_remaining"] == 0

        with pytest.raises(smtplib.SMTPDataError) as refused:
            smtp_send(sandbox, ["late@example.com"])
        assert refused.value.smtp_code == 554 and b"quota" in refused.value.smtp_error
        with pytest.raises(smtplib.SMTPDataError):
            smtp_send(sandbox, ["anon@example.com"], login=False)  # the default organization's quota
        assert api.get("/api/v1/emails/", params={"to": "late@example.com"}).json()["count"] == 0
        assert api.get(ORG).json()["usage"]["emails"] == 1000


def test_a_bigger_plan_lifts_the_quota_at_once(launch):
    sandbox = launch("--plan", "free")
    with sandbox.client() as api:
        assert send(api, [f"u{i}@example.com" for i in range(1000)]).status_code == 202
        assert send(api, ["one@example.com"]).status_code == 429
        api.patch(ORG, json={"plan": "pro"})
        assert send(api, ["one@example.com"]).status_code == 202
        assert api.get(ORG).json()["usage"]["emails_remaining"] == 50_000 - 1001
