"""SMTP AUTH with `apikey` + an API key, the --smtp-auth modes, and STARTTLS."""
from __future__ import annotations

import smtplib
import ssl
from concurrent.futures import ThreadPoolExecutor

import pytest

from gclap_sandbox.server.tls import self_signed_pem

MESSAGE = b"Subject: smtp auth %s\r\nFrom: app@example.com\r\nTo: %s\r\n\r\nhello\r\n"


def message(unique: str) -> bytes:
    return MESSAGE % (unique.encode(), f"smtp-{unique}@example.com".encode())


def captured(api, unique):
    return api.get("/api/v1/emails/", params={"to": f"smtp-{unique}@example.com"}).json()


def test_auth_plain_with_the_api_key_sends(api, sandbox, unique):
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.ehlo()
        assert set(smtp.esmtp_features["auth"].split()) == {"LOGIN", "PLAIN"}
        code, _ = smtp.login("apikey", sandbox.api_key)  # smtplib picks PLAIN
        assert code == 235
        smtp.sendmail("app@example.com", [f"smtp-{unique}@example.com"], message(unique))
    assert captured(api, unique)["results"][0]["source"] == "smtp"


def test_auth_login_works_too(api, sandbox, unique):
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.ehlo()
        smtp.user, smtp.password = "apikey", sandbox.api_key
        code, _ = smtp.auth("LOGIN", smtp.auth_login, initial_response_ok=False)
        assert code == 235
        smtp.sendmail("app@example.com", [f"smtp-{unique}@example.com"], message(unique))
    assert captured(api, unique)["count"] == 1


@pytest.mark.parametrize("user, password, reason", [
    ("apikey", "gclap_test_" + "0" * 40, b"Invalid API key"),
    ("someone", None, b"apikey"),
])
def test_a_wrong_key_or_username_gets_535(sandbox, user, password, reason):
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.login(user, password or sandbox.api_key)
    assert refused.value.smtp_code == 535 and reason in refused.value.smtp_error


def test_revoked_keys_and_keys_without_emails_send_get_535(api, sandbox):
    reader = api.post("/api/v1/accounts/api-keys/", json={"name": "r", "scopes": ["emails:read"]}).json()
    revoked = api.post("/api/v1/accounts/api-keys/", json={"name": "gone"}).json()
    api.delete(f"/api/v1/accounts/api-keys/{revoked['id']}/")
    for secret, reason in ((reader["key"], b"emails:send"), (revoked["key"], b"revoked")):
        with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
            with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
                smtp.login("apikey", secret)
        assert refused.value.smtp_code == 535 and reason in refused.value.smtp_error


def test_optional_mode_accepts_unauthenticated_mail(api, sandbox, unique):
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.sendmail("app@example.com", [f"smtp-{unique}@example.com"], message(unique))
    assert captured(api, unique)["count"] == 1


def test_required_mode_refuses_unauthenticated_mail(launch, unique):
    sandbox = launch("--smtp-auth", "required")
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            smtp.sendmail("app@example.com", [f"smtp-{unique}@example.com"], message(unique))
        assert refused.value.smtp_code == 530
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.login("apikey", sandbox.api_key)
        smtp.sendmail("app@example.com", [f"smtp-{unique}@example.com"], message(unique))
    with sandbox.client() as api:
        assert captured(api, unique)["count"] == 1


def test_off_mode_does_not_offer_auth(launch, unique):
    sandbox = launch("--smtp-auth", "off")
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.ehlo()
        assert not smtp.has_extn("auth")
        smtp.sendmail("app@example.com", [f"smtp-{unique}@example.com"], message(unique))
    with sandbox.client() as api:
        assert captured(api, unique)["count"] == 1


# In memory the loop counts requests; in a file (which other processes may share) the database
# does, in the transaction that accepts the message.
RATE_WINDOWS = pytest.mark.parametrize("in_file", [False, True], ids=["in-memory", "database-file"])


def _launch_free(launch, tmp_path, in_file: bool):
    return launch("--plan", "free", **({"db": str(tmp_path / "limits.sqlite3")} if in_file else {}))


@RATE_WINDOWS
def test_authenticated_smtp_mail_counts_against_the_organization(launch, tmp_path, unique, in_file):
    sandbox = _launch_free(launch, tmp_path, in_file)
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.login("apikey", sandbox.api_key)
        for _ in range(3):
            smtp.sendmail("app@example.com", [f"smtp-{unique}@example.com", "x@example.com"], message(unique))
    with sandbox.client() as api:
        org = api.get("/api/v1/accounts/organization/").json()
    assert org["usage"]["emails"] == 6
    assert org["rate_limit"]["remaining"] == 100 - 3 - 1


@RATE_WINDOWS
def test_smtp_over_the_rate_limit_gets_a_temporary_failure(launch, tmp_path, unique, in_file):
    sandbox = _launch_free(launch, tmp_path, in_file)
    with sandbox.client() as api:
        for _ in range(100):
            api.get("/api/v1/accounts/scopes/")
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.login("apikey", sandbox.api_key)
        with pytest.raises(smtplib.SMTPDataError) as refused:
            smtp.sendmail("app@example.com", [f"smtp-{unique}@example.com"], message(unique))
    assert refused.value.smtp_code == 451 and b"Rate limit" in refused.value.smtp_error
    with sandbox.client() as api:  # a bigger plan (never rate limited to switch) lets us look: nothing stored
        assert api.patch("/api/v1/accounts/organization/", json={"plan": "unlimited"}).status_code == 200
        assert captured(api, unique)["count"] == 0


@RATE_WINDOWS
def test_a_burst_of_smtp_mail_over_the_limit_is_counted_exactly(launch, tmp_path, unique, in_file):
    """Twelve sessions at once send 120 messages on a plan of 100 requests a minute: the sandbox
    accepts several in one transaction, and still exactly 100 are taken and 20 refused."""
    sandbox = _launch_free(launch, tmp_path, in_file)

    def session(n: int) -> list[int]:
        codes = []
        with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
            smtp.login("apikey", sandbox.api_key)
            for _ in range(10):
                smtp.mail("app@example.com")
                smtp.rcpt(f"smtp-{unique}@example.com")
                codes.append(smtp.data(message(unique))[0])
        return codes

    with ThreadPoolExecutor(12) as pool:
        codes = [code for codes in pool.map(session, range(12)) for code in codes]
    assert sorted(set(codes)) == [250, 451] and codes.count(250) == 100 and codes.count(451) == 20
    with sandbox.client() as api:
        over = api.get("/api/v1/accounts/organization/")  # the window is spent for the API too
        assert over.status_code == 429 and over.headers["X-RateLimit-Remaining"] == "0"
        assert api.patch("/api/v1/accounts/organization/", json={"plan": "unlimited"}).status_code == 200
        assert api.get("/api/v1/accounts/organization/").json()["usage"]["emails"] == 100
        assert captured(api, unique)["count"] == 100


def test_starttls_with_a_self_signed_certificate(launch, unique):
    sandbox = launch("--smtp-tls", "self-signed")
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("starttls")
        smtp.starttls(context=ssl._create_unverified_context())
        assert smtp.sock.version().startswith("TLS")
        smtp.login("apikey", sandbox.api_key)
        smtp.sendmail("app@example.com", [f"smtp-{unique}@example.com"], message(unique))
    with sandbox.client() as api:
        assert captured(api, unique)["count"] == 1


def test_starttls_with_a_given_certificate_verifies(launch, tmp_path, unique):
    cert, key = self_signed_pem("localhost")
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    sandbox = launch("--smtp-tls-cert", str(tmp_path / "cert.pem"), "--smtp-tls-key", str(tmp_path / "key.pem"))
    context = ssl.create_default_context(cadata=cert.decode())
    with smtplib.SMTP("localhost", sandbox.smtp_port) as smtp:
        smtp.starttls(context=context)  # verifies the chain and the host name
        assert smtp.sock.getpeercert()["subject"] == ((("commonName", "localhost"),),)
        smtp.login("apikey", sandbox.api_key)
        smtp.sendmail("app@example.com", [f"smtp-{unique}@example.com"], message(unique))
    with sandbox.client() as api:
        page = captured(api, unique)
    assert page["count"] == 1
    assert (page["results"][0]["subject"], page["results"][0]["source"]) == (f"smtp auth {unique}", "smtp")


def test_no_starttls_without_a_certificate(sandbox):
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.ehlo()
        assert not smtp.has_extn("starttls")
