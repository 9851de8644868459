"""`gclap-sandbox messages list|show|wait|clear` against a running sandbox."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner
from long_poll import wait_until_held
from mailing import send_smtp

from gclap_sandbox.cli.commands import main


@pytest.fixture
def run(sandbox):
    """Invoke `gclap-sandbox messages ...` in-process, pointed at the sandbox by env vars."""
    runner = CliRunner()
    env = {"GCLAP_SANDBOX_URL": sandbox.http_url, "GCLAP_SANDBOX_API_KEY": sandbox.api_key}

    def _run(*args: str, env_override: dict | None = None):
        return runner.invoke(main, ["messages", *args], env={**env, **(env_override or {})})

    return _run


def test_list_shows_one_line_per_email(sandbox, run, unique):
    to = f"cli-list-{unique}@example.com"
    send_smtp(sandbox, to, "First")
    send_smtp(sandbox, to, "Second")
    result = run("list", "--to", to)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].endswith("Second") and lines[1].endswith("First")
    assert to in lines[0]


def test_list_json_and_filters(sandbox, run, unique):
    to = f"cli-json-{unique}@example.com"
    send_smtp(sandbox, to, "Invoice 7")
    send_smtp(sandbox, to, "Welcome")
    result = run("list", "--to", to, "--subject", "invoice", "--json")
    assert result.exit_code == 0
    assert [e["subject"] for e in json.loads(result.stdout)] == ["Invoice 7"]


def test_show_prints_the_email_as_json_or_its_source(sandbox, run, unique):
    to = f"cli-show-{unique}@example.com"
    send_smtp(sandbox, to, "Show me", body="The body")
    email_id = json.loads(run("list", "--to", to, "--json").stdout)[0]["id"]
    shown = run("show", email_id)
    assert shown.exit_code == 0
    detail = json.loads(shown.stdout)
    assert detail["subject"] == "Show me" and detail["text"].strip() == "The body"
    raw = run("show", email_id, "--raw")
    assert "Subject: Show me" in raw.stdout


def test_wait_prints_the_email_and_exits_0(sandbox, api, run, unique):
    to = f"cli-wait-{unique}@example.com"
    with ThreadPoolExecutor(max_workers=1) as pool:
        waiting = pool.submit(run, "wait", "--to", to, "--subject", "login", "--timeout", "60")
        wait_until_held(api, 1)  # the command is waiting before the mail exists
        send_smtp(sandbox, to, "Your login link")
        result = waiting.result()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["subject"] == "Your login link"


def test_wait_exits_1_on_timeout(run, unique):
    result = run("wait", "--to", f"cli-never-{unique}@example.com", "--timeout", "0.2")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "arrived within 0.2 s" in result.stderr


def test_clear_deletes_all_mail(launch, unique):
    sandbox = launch()
    send_smtp(sandbox, f"cli-clear-{unique}@example.com", "Bye")
    args = ["messages", "--url", sandbox.http_url, "--api-key", sandbox.api_key]
    result = CliRunner().invoke(main, [*args, "clear"])
    assert result.exit_code == 0 and result.stdout.strip() == "Deleted 1 email."
    assert "No email captured." in CliRunner().invoke(main, [*args, "list"]).stderr


def test_errors_exit_2_with_a_clear_message(sandbox, run):
    no_key = run("list", env_override={"GCLAP_SANDBOX_API_KEY": ""})
    assert no_key.exit_code == 2 and "No API key" in no_key.stderr
    bad_key = run("list", env_override={"GCLAP_SANDBOX_API_KEY": "gclap_test_nope"})
    assert bad_key.exit_code == 2 and "401" in bad_key.stderr
    missing = run("show", "00000000-0000-4000-8000-000000000000")
    assert missing.exit_code == 2 and "404" in missing.stderr
    unreachable = run("list", env_override={"GCLAP_SANDBOX_URL": "http://127.0.0.1:9"})
    assert unreachable.exit_code == 2 and "Could not reach" in unreachable.stderr


def test_wait_with_no_filter_takes_the_next_new_email(sandbox, api, run, unique):
    with ThreadPoolExecutor(max_workers=1) as pool:
        waiting = pool.submit(run, "wait", "--timeout", "60")
        wait_until_held(api, 1)
        send_smtp(sandbox, f"cli-any-{unique}@example.com", "Anything new")
        result = waiting.result()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["subject"] == "Anything new"


def test_wait_refuses_a_since_that_is_neither_a_span_nor_a_time(run):
    result = run("wait", "--since", "yesterday-ish")
    assert result.exit_code == 2 and "neither a span" in result.stderr


def test_the_installed_command_waits_for_mail_from_a_real_server(sandbox, api, unique):
    to = f"cli-proc-{unique}@example.com"
    env = {**os.environ, "GCLAP_SANDBOX_URL": sandbox.http_url, "GCLAP_SANDBOX_API_KEY": sandbox.api_key}
    command = [sys.executable, "-m", "gclap_sandbox", "messages", "wait", "--to", to, "--timeout"]
    timed_out = subprocess.run([*command, "0.2"], env=env, capture_output=True, text=True, timeout=60)
    assert timed_out.returncode == 1
    with subprocess.Popen([*command, "60"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as waiting:
        try:
            wait_until_held(api, 1)  # the process is waiting before the mail exists
            send_smtp(sandbox, to, "From the app")
            stdout, stderr = waiting.communicate(timeout=60)
        finally:
            waiting.kill()
    assert waiting.returncode == 0, stderr
    assert json.loads(stdout)["to"] == [to]
