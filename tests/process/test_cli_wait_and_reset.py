"""`gclap-sandbox messages wait` (new mail by default, any mix of filters), `reset`, and the
`--url` / `--api-key` options in the same place on every client command; run as a CI script would."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from long_poll import wait_until_held
from mailing import send_smtp

from gclap_sandbox.cli.commands import main

DEADLINE_SECONDS = 60


def cli(sandbox, *args: str) -> subprocess.CompletedProcess:
    """`gclap-sandbox ARGS` in a process of its own, pointed at the sandbox by its env vars."""
    env = {**os.environ, "GCLAP_SANDBOX_URL": sandbox.http_url, "GCLAP_SANDBOX_API_KEY": sandbox.api_key}
    return subprocess.run([sys.executable, "-m", "gclap_sandbox", *args], env=env, capture_output=True,
                          text=True, timeout=DEADLINE_SECONDS)


def start_cli(sandbox, *args: str) -> subprocess.Popen:
    env = {**os.environ, "GCLAP_SANDBOX_URL": sandbox.http_url, "GCLAP_SANDBOX_API_KEY": sandbox.api_key}
    return subprocess.Popen([sys.executable, "-m", "gclap_sandbox", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    try:
        stdout, stderr = process.communicate(timeout=DEADLINE_SECONDS)
    finally:
        process.kill()
    return process.returncode, stdout, stderr


def send_api(api, **fields) -> None:
    response = api.post("/api/v1/emails/send/", json={"text": "hi", **fields})
    assert response.status_code == 202, response.text


def test_wait_ignores_mail_already_stored_unless_told_to_look_back(sandbox, unique):
    to = f"cli-old-{unique}@example.com"
    send_smtp(sandbox, to, "Already here")
    fresh_only = cli(sandbox, "messages", "wait", "--to", to, "--timeout", "0.5")
    assert fresh_only.returncode == 1 and fresh_only.stdout == ""
    assert f"No new email (to '{to}') arrived within 0.5 s." in fresh_only.stderr
    for since in ("10m", "all"):
        looked_back = cli(sandbox, "messages", "wait", "--to", to, "--since", since, "--timeout", "0")
        assert looked_back.returncode == 0, looked_back.stderr
        assert json.loads(looked_back.stdout)["subject"] == "Already here"


def test_wait_since_an_iso_time_takes_mail_from_then_on(sandbox, api, unique):
    to = f"cli-iso-{unique}@example.com"
    send_smtp(sandbox, to, "Older")
    captured_at = api.get("/api/v1/emails/", params={"to": to}).json()["results"][0]["created_at"]
    result = cli(sandbox, "messages", "wait", "--to", to, "--since", captured_at, "--timeout", "0")
    assert result.returncode == 0 and json.loads(result.stdout)["subject"] == "Older"
    later = cli(sandbox, "messages", "wait", "--to", to, "--since", "2999-01-01T00:00:00Z", "--timeout", "0")
    assert later.returncode == 1


def test_wait_matches_every_filter_given_together(sandbox, api, unique):
    to, sender = f"cli-mix-{unique}@example.com", f"shop-{unique}@example.com"
    waiting = start_cli(sandbox, "messages", "wait", "--to", to, "--from", sender, "--tag", "receipt",
                        "--subject", "order", "--timeout", str(DEADLINE_SECONDS))
    try:
        wait_until_held(api, 1)  # waiting before any of the mail exists
        send_api(api, to=to, from_email=f"other-{unique}@example.com", subject="Your order", tags=["receipt"])
        send_api(api, to=to, from_email=sender, subject="Your order", tags=["newsletter"])
        send_api(api, to=to, from_email=sender, subject="Welcome", tags=["receipt"])
        send_api(api, to=f"someone-else-{unique}@example.com", from_email=sender, subject="Your order",
                 tags=["receipt"])
        send_api(api, to=to, from_email=sender, subject="Your ORDER #7", tags=["receipt"])
    finally:
        code, stdout, stderr = finish(waiting)
    assert code == 0, stderr
    email = json.loads(stdout)
    assert (email["subject"], email["from_email"], email["tags"]) == ("Your ORDER #7", sender, ["receipt"])


@pytest.mark.parametrize("filters", [["--from", "x@example.com"], ["--tag", "t"], ["--subject", "s"],
                                     ["--to", "y@example.com", "--tag", "t"]], ids=" ".join)
def test_each_filter_alone_or_mixed_times_out_cleanly(sandbox, filters):
    result = CliRunner().invoke(main, ["messages", "wait", *filters, "--timeout", "0",
                                       "--url", sandbox.http_url, "--api-key", sandbox.api_key])
    assert result.exit_code == 1 and "arrived within 0 s" in result.stderr


def test_reset_deletes_captured_mail_and_keeps_the_key(launch, unique):
    own = launch()
    send_smtp(own, f"cli-reset-{unique}@example.com", "Before")
    result = cli(own, "reset")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["scope"] == "data"
    with own.client() as api:
        assert api.get("/api/v1/emails/").json()["count"] == 0


def test_reset_all_puts_the_sandbox_back_as_it_started(launch):
    own = launch("--api-key", "gclap_test_cli_reset_all", "--plan", "pro")
    with own.client() as api:
        assert api.patch("/api/v1/accounts/organization/", json={"plan": "free"}).status_code == 200
    result = cli(own, "reset", "--all")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["api_key"] == "gclap_test_cli_reset_all"
    with own.client() as api:
        assert api.get("/api/v1/accounts/organization/").json()["plan"] == "pro"


def test_reset_says_why_it_failed_and_exits_2(sandbox):
    result = CliRunner().invoke(main, ["reset", "--url", sandbox.http_url, "--api-key", "gclap_test_nope"])
    assert result.exit_code == 2 and "answered 401" in result.stderr


def test_url_and_api_key_go_after_every_client_command(launch, unique):
    own = launch()
    send_smtp(own, f"cli-place-{unique}@example.com", "Placed")
    with own.client() as api:
        email_id = api.get("/api/v1/emails/").json()["results"][0]["id"]
    where = ["--url", own.http_url, "--api-key", own.api_key]
    commands = [["messages", "list"], ["messages", "show", email_id], ["messages", "wait", "--since", "all"],
                ["trigger", "opened", "--email", email_id], ["clock", "show"], ["clock", "advance", "1m"],
                ["clock", "reset"], ["messages", "clear"], ["reset"]]
    runner = CliRunner(env={"GCLAP_SANDBOX_URL": "http://127.0.0.1:9", "GCLAP_SANDBOX_API_KEY": "gclap_test_wrong"})
    for command in commands:
        result = runner.invoke(main, [*command, *where])
        assert result.exit_code == 0, (command, result.output)
    # The group's place (as before) still works; the option nearest the command wins.
    assert runner.invoke(main, ["messages", *where, "list"]).exit_code == 0
    nearest = runner.invoke(main, ["messages", "--url", "http://127.0.0.1:9", "list", *where])
    assert nearest.exit_code == 0, nearest.output
