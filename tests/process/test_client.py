"""`gclap_sandbox.client.SandboxClient` against a real sandbox."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from long_poll import held, wait_until_held
from mailing import send_smtp

from gclap_sandbox.client import Email, SandboxClient, SandboxError


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


def test_a_filter_holding_a_percent_sign_reaches_the_sandbox_as_typed(sandbox, client, unique):
    """`%22` must go out as `%2522`: an HTTP client that left it alone (httpx before 0.28) made the
    sandbox read a quote, and answer 400."""
    to = f"client-pct-{unique}@example.com"
    send_smtp(sandbox, to, f"Sale %22{unique} off", body="Body text")
    [found] = client.emails(to=to, subject=f"%22{unique}")
    assert found.subject == f"Sale %22{unique} off"
    assert client.emails(to=to, subject=f'"{unique}') == []


def test_wait_returns_the_full_email_when_it_arrives(sandbox, api, client, unique):
    to = f"client-wait-{unique}@example.com"
    with ThreadPoolExecutor(max_workers=1) as pool:
        waiting = pool.submit(client.wait, to=to, subject="later", timeout=60)
        wait_until_held(api, 1)  # the client is waiting before the mail exists
        send_smtp(sandbox, to, "Arrives later", body="The body")
        email = waiting.result()
    assert email is not None and email.subject == "Arrives later"
    assert email.text.strip() == "The body"  # the full email, not just the summary


def test_wait_gives_none_after_the_timeout(sandbox, api, client, unique):
    with ThreadPoolExecutor(max_workers=1) as pool:
        waiting = pool.submit(client.wait, to=f"nobody-{unique}@example.com", timeout=3)
        wait_until_held(api, 1)  # it really waits on the server, rather than giving up at once
        assert waiting.result() is None
    assert held(api) == 0


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


def test_simulate_advance_clock_and_events_drive_an_email_s_lifecycle(launch, unique):
    sandbox = launch()  # this test moves the clock
    to = f"life-{unique}@example.com"
    send_smtp(sandbox, to, "Lifecycle")
    with sandbox.sandbox_client() as client:
        [email] = client.emails(to=to)
        opened = client.simulate(email.id, "opened", recipient=to)
        assert [(e["type"], e["recipient"]) for e in opened["events"]] == [("email.opened", to)]
        assert client.advance_clock(3600)["jobs_run"] >= 1  # the due delivery runs now
        assert sorted(e["type"] for e in client.events(email=email.id)) == [
            "email.delivered", "email.opened", "email.sent"]
