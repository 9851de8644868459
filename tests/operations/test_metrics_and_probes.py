"""GET /metrics read by the Prometheus client library's parser, with its counters moving as mail,
webhooks and refusals happen; the probes /livez and /readyz, and `gclap-sandbox readyz`."""
from __future__ import annotations

import os
import smtplib
import socket
import subprocess
import sys

import httpx
import pytest
from helpers import simple_message, smtp_send, wait_until
from lifecycle_helpers import advance
from metrics_scrape import scrape, value, wait_for_metric
from webhook_helpers import subscribe
from webhook_receiver import Receiver

READYZ = [sys.executable, "-m", "gclap_sandbox", "readyz"]


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.stop()


def test_metrics_count_captured_email_by_source_and_events_by_type(launch):
    sandbox = launch()
    with sandbox.client() as api:
        for n in range(2):
            assert api.post("/api/v1/emails/send/", json={"to": f"u{n}@example.com", "subject": "m", "text": "t"}
                            ).status_code == 202
        smtp_send(sandbox, simple_message("by smtp"), "app@example.com", ["a@example.com", "b@example.com"])
        advance(api, seconds=3600)  # the simulated deliveries happen
    samples = scrape(sandbox.http_url)
    assert value(samples, "gclap_sandbox_emails_captured_total", source="api") == 2
    assert value(samples, "gclap_sandbox_emails_captured_total", source="smtp") == 1
    assert value(samples, "gclap_sandbox_events_total", type="email.sent") == 4  # one per recipient
    assert value(samples, "gclap_sandbox_events_total", type="email.delivered") == 4
    assert value(samples, "gclap_sandbox_smtp_sessions_total") == 1
    assert value(samples, "gclap_sandbox_database_size_bytes") > 0


def test_metrics_count_webhook_attempts_by_outcome_with_their_latency(launch, receiver):
    sandbox = launch()
    receiver.plan("hook", 500)  # the first attempt fails; the retry succeeds
    with sandbox.client() as api:
        subscribe(api, receiver.url("hook"), ["email.sent"])
        api.post("/api/v1/emails/send/", json={"to": "w@example.com", "subject": "hook", "text": "t"})
        wait_for_metric(sandbox.http_url, "gclap_sandbox_webhook_attempts_total", 1, outcome="retrying")
        advance(api, seconds=3600)
    samples = wait_for_metric(sandbox.http_url, "gclap_sandbox_webhook_attempts_total", 1, outcome="succeeded")
    assert value(samples, "gclap_sandbox_webhook_attempts_total", outcome="retrying") == 1
    assert value(samples, "gclap_sandbox_webhook_attempt_duration_seconds_count") == 2
    assert value(samples, "gclap_sandbox_webhook_attempt_duration_seconds_sum") > 0
    assert value(samples, "gclap_sandbox_webhook_attempt_duration_seconds_bucket", le="+Inf") == 2


def test_metrics_count_rate_limit_and_quota_refusals(launch):
    sandbox = launch("--plan", "free")  # 100 requests a minute, 1000 recipients a month
    with sandbox.client() as api:
        everyone = [f"user{i}@example.com" for i in range(1000)]
        assert api.post("/api/v1/emails/send/", json={"to": everyone, "subject": "all", "text": "t"}).status_code == 202
        assert api.post("/api/v1/emails/send/", json={"to": "one@example.com", "subject": "over", "text": "t"}
                        ).status_code == 429
        with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
            with pytest.raises(smtplib.SMTPDataError):
                smtp.sendmail("app@example.com", ["two@example.com"], b"Subject: over\r\n\r\nhi\r\n")
        statuses = [api.get("/api/v1/emails/", params={"page_size": 1}).status_code for _ in range(100)]
    assert statuses.count(429) >= 1
    samples = scrape(sandbox.http_url)
    assert value(samples, "gclap_sandbox_rejections_total", reason="quota") == 2
    assert value(samples, "gclap_sandbox_rejections_total", reason="rate_limit") == statuses.count(429)


def test_metrics_count_relay_attempts_by_outcome(launch, smtp_sink):
    sandbox = launch("--relay", smtp_sink.url)
    smtp_send(sandbox, simple_message("relayed"), "app@example.com", ["r@example.com"])
    smtp_sink.wait_for(1)
    wait_for_metric(sandbox.http_url, "gclap_sandbox_relay_attempts_total", 1, outcome="relayed")


def test_two_sandboxes_in_one_process_count_apart(launch):
    first, second = launch(), launch()
    smtp_send(first, simple_message("only the first"), "app@example.com", ["a@example.com"])
    assert value(scrape(first.http_url), "gclap_sandbox_emails_captured_total", source="smtp") == 1
    assert value(scrape(second.http_url), "gclap_sandbox_emails_captured_total", source="smtp") == 0
    assert value(scrape(second.http_url), "gclap_sandbox_smtp_sessions_total") == 0


def test_metrics_and_probes_need_no_key(sandbox):
    for path in ("/metrics", "/livez", "/readyz", "/healthz"):
        assert httpx.get(sandbox.http_url + path).status_code == 200, path


def test_readyz_says_which_parts_are_up(sandbox):
    assert httpx.get(sandbox.http_url + "/livez").json() == {"status": "ok"}
    assert httpx.get(sandbox.http_url + "/readyz").json() == {
        "status": "ok", "http": True, "smtp": True, "database": True, "workers": True}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_readyz_command_exits_0_when_ready_and_1_when_not(sandbox):
    ready = subprocess.run([*READYZ, "--url", sandbox.http_url], capture_output=True, text=True, timeout=60)
    assert ready.returncode == 0 and ready.stdout.startswith("ready: ")
    down = subprocess.run([*READYZ, "--url", f"http://127.0.0.1:{_closed_port()}"], capture_output=True,
                          text=True, timeout=60)
    assert down.returncode == 1 and down.stderr.startswith("not ready: cannot reach")
    quiet = subprocess.run([*READYZ, "--quiet", "--url", f"http://127.0.0.1:{_closed_port()}"],
                           capture_output=True, text=True, timeout=60)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (1, "", "")


def test_the_readyz_command_finds_the_sandbox_where_serve_would_listen(sandbox):
    port = sandbox.http_url.rsplit(":", 1)[1]
    env = {k: v for k, v in os.environ.items() if k != "GCLAP_SANDBOX_URL"}
    result = subprocess.run(READYZ, capture_output=True, text=True, timeout=60,
                            env={**env, "GCLAP_SANDBOX_HTTP": f"0.0.0.0:{port}"})
    assert result.returncode == 0, result.stderr


def test_open_smtp_sessions_are_a_gauge(launch):
    sandbox = launch()
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.ehlo()
        assert value(scrape(sandbox.http_url), "gclap_sandbox_smtp_sessions_open") == 1
    wait_until(lambda: value(scrape(sandbox.http_url), "gclap_sandbox_smtp_sessions_open") == 0,
               "the closed session to leave the gauge")
    assert value(scrape(sandbox.http_url), "gclap_sandbox_smtp_sessions_total") == 1
