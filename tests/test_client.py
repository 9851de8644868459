"""`gclap_sandbox.client.SandboxClient` against a real sandbox."""
from __future__ import annotations

import time

import pytest

from gclap_sandbox.client import Email, SandboxClient, SandboxError
from mailing import send_later, send_smtp


@pytest.fixture
def client(sandbox):
    with sandbox.sandbox_client() as client:
        yield client


def test_emails_get_and_raw(sandbox, client, unique):
    to = f"client-{unique}@example.com"
    send_smtp(sandbox, to, "Hello client", body="Body text")
    [summary] = client.emails(to=to)
    assert isinstance(summary, Email)
    assert (summary.subject, summary.to, summary.source) == ("Hello client", [to], "smtp")
    full = client.get(summary.id)
    assert full.text.strip() == "Body text"
    assert full.header("subject") == "Hello client"
    assert b"Subject: Hello client" in client.raw(summary.id)
    assert client.emails(to=to, subject="nothing like it") == []


def test_wait_returns_the_full_email_when_it_arrives(sandbox, client, unique):
    to = f"client-wait-{unique}@example.com"
    sender = send_later(0.3, sandbox, to, "Arrives later")
    email = client.wait(to=to, subject="later", timeout=30)
    sender.join()
    assert email is not None and email.subject == "Arrives later"
    assert email.text is not None  # the full email, not just the summary


def test_wait_gives_none_after_the_timeout(client, unique):
    started = time.monotonic()
    assert client.wait(to=f"nobody-{unique}@example.com", timeout=0.3) is None
    assert time.monotonic() - started >= 0.3


def test_delete_one_and_clear(launch, unique):
    sandbox = launch()
    with sandbox.sandbox_client() as client:
        for n in range(3):
            send_smtp(sandbox, f"del-{unique}@example.com", f"Mail {n}")
        first = client.emails()[0]
        client.delete(first.id)
        with pytest.raises(SandboxError) as error:
            client.get(first.id)
        assert error.value.status == 404 and error.value.problem["status"] == 404
        assert client.clear() == 2
        assert client.emails() == []


def test_reset_through_the_client(launch, unique):
    sandbox = launch()
    with sandbox.sandbox_client() as client:
        send_smtp(sandbox, f"r-{unique}@example.com", "Gone soon")
        assert client.reset()["deleted"]["email"] == 1
        assert client.emails() == []


def test_a_bad_key_raises_a_sandbox_error_with_the_problem(sandbox):
    with SandboxClient(sandbox.http_url, "gclap_test_wrong") as client:
        with pytest.raises(SandboxError) as error:
            client.emails()
    assert error.value.status == 401
    assert error.value.problem["type"].endswith("invalid-api-key")


def test_clients_for_routes_added_elsewhere_can_be_built(sandbox):
    # events, simulate and advance_clock call routes that other branches add; here we only
    # check the client exposes them (their behaviour is tested where the routes live).
    with sandbox.sandbox_client() as client:
        assert callable(client.events) and callable(client.simulate) and callable(client.advance_clock)
