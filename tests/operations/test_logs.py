"""What `serve` logs: one line per captured email, webhook attempt and relay attempt at INFO,
as text or as one JSON object per line; `--quiet` leaves stderr silent."""
from __future__ import annotations

import json
import smtplib

import httpx
import pytest
from metrics_scrape import wait_for_metric
from serve_subprocess import serve
from webhook_helpers import subscribe
from webhook_receiver import Receiver

MESSAGE = (b"From: Ana <ana@example.com>\r\nTo: bo@example.com\r\nCc: cy@example.com\r\n"
           b"Subject: Logged = yes\r\n\r\nhello\r\n")


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.stop()


def _send_smtp(served, recipients: list[str]) -> None:
    with smtplib.SMTP("127.0.0.1", served.smtp_port, timeout=30) as smtp:
        smtp.sendmail("ana@example.com", recipients, MESSAGE)


def _send_api(served, **body) -> dict:
    response = httpx.post(f"{served.http_url}/api/v1/emails/send/", json=body, timeout=30,
                          headers={"Authorization": f"Bearer {served.api_key}"})
    assert response.status_code == 202, response.text
    return response.json()


def test_json_logs_have_one_object_per_line_and_one_line_per_captured_email(receiver):
    served = serve("--log-format", "json")
    try:
        with httpx.Client(base_url=served.http_url, headers={"Authorization": f"Bearer {served.api_key}"}) as api:
            subscribe(api, receiver.url("hook"), ["email.sent"])
        _send_smtp(served, ["bo@example.com", "cy@example.com", "hidden@example.com"])
        sent = _send_api(served, to="dee@example.com", subject="By the API", text="hi")
        # email.sent is per recipient: three by SMTP, one by the API
        wait_for_metric(served.http_url, "gclap_sandbox_webhook_attempts_total", 4, outcome="succeeded")
    finally:
        stderr = served.stop()
    lines = [json.loads(line) for line in stderr.splitlines()]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    captured = [line for line in lines if line["message"] == "email captured"]
    assert len(captured) == 2
    by_source = {line["source"]: line for line in captured}
    smtp = by_source["smtp"]
    assert smtp["level"] == "info" and smtp["from"] == "ana@example.com"
    assert smtp["recipients"] == ["bo@example.com", "cy@example.com", "hidden@example.com"]
    assert smtp["subject"] == "Logged = yes" and smtp["size"] == len(MESSAGE)
    assert by_source["api"]["id"] == sent["id"] and by_source["api"]["recipients"] == ["dee@example.com"]
    attempts = [line for line in lines if line["message"] == "webhook attempt"]
    assert len(attempts) == 4
    assert {a["endpoint"] for a in attempts} == {receiver.url("hook")}
    assert {(a["event"], a["status"], a["outcome"]) for a in attempts} == {("email.sent", 200, "succeeded")}
    assert all(a["latency_ms"] >= 0 for a in attempts)


def test_text_logs_put_the_fields_after_the_message_as_key_value():
    served = serve()  # --log-format text is the default
    try:
        _send_smtp(served, ["bo@example.com"])
    finally:
        stderr = served.stop()
    [line] = [line for line in stderr.splitlines() if "email captured" in line]
    assert " INFO gclap_sandbox.mail: email captured id=" in line
    assert 'source=smtp from=ana@example.com recipients=bo@example.com subject="Logged = yes"' in line
    assert line.endswith(f"size={len(MESSAGE)}")


def test_quiet_serve_writes_nothing_on_stderr(receiver):
    served = serve("--quiet")
    try:
        with httpx.Client(base_url=served.http_url, headers={"Authorization": f"Bearer {served.api_key}"}) as api:
            subscribe(api, receiver.url("hook"), ["email.sent"])
        _send_smtp(served, ["bo@example.com"])
        _send_api(served, to="dee@example.com", subject="quiet", text="hi")
        wait_for_metric(served.http_url, "gclap_sandbox_webhook_attempts_total", 2, outcome="succeeded")
    finally:
        stderr = served.stop()
    assert stderr == ""


def test_the_log_settings_are_read_from_the_environment_too():
    served = serve(env={"GCLAP_SANDBOX_LOG_FORMAT": "json", "GCLAP_SANDBOX_LOG_LEVEL": "warning"})
    try:
        _send_smtp(served, ["bo@example.com"])
    finally:
        stderr = served.stop()
    assert stderr == ""  # WARNING: no INFO lines (and nothing went wrong)
    served = serve(env={"GCLAP_SANDBOX_LOG_FORMAT": "json", "GCLAP_SANDBOX_QUIET": "1"})
    assert served.stop() == ""


def test_relay_attempts_are_logged(smtp_sink):
    served = serve("--log-format", "json", "--relay", smtp_sink.url)
    try:
        _send_smtp(served, ["bo@example.com"])
        wait_for_metric(served.http_url, "gclap_sandbox_relay_attempts_total", 1, outcome="relayed")
    finally:
        stderr = served.stop()
    relays = [json.loads(line) for line in stderr.splitlines() if '"relay attempt"' in line]
    assert len(relays) == 1
    assert relays[0]["code"] == 250 and relays[0]["outcome"] == "relayed" and relays[0]["attempt"] == 1
