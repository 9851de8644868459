"""The `serve` command's contract: launch forms, the ready line, env vars, stop, persistence."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from helpers import simple_message, smtp_send, total_count
from sandbox_process import start_sandbox

ROOT = Path(__file__).resolve().parents[2]


def _ready_line(command: list[str], **kw) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    line = process.stdout.readline()
    return process, json.loads(line)


def _stop(process: subprocess.Popen) -> tuple[int, str, str]:
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=15)
    return process.returncode, out, err


@pytest.mark.parametrize("command", [
    [sys.executable, "cli.py", "serve"],
    [sys.executable, "-m", "gclap_sandbox", "serve"],
    [str(Path(sys.executable).parent / "gclap-sandbox"), "serve"],
])
def test_each_launch_form_prints_one_json_ready_line(command):
    process, ready = _ready_line([*command, "--http", "0", "--smtp", "0", "--db", ":memory:"], cwd=ROOT)
    try:
        assert {"http_url", "smtp_host", "smtp_port", "api_key", "db"} <= set(ready)
        assert ready["http_url"].startswith("http://127.0.0.1:") and ready["smtp_port"] > 0
        assert httpx.get(ready["http_url"] + "/healthz").status_code == 200
    finally:
        code, out, err = _stop(process)
    assert code == 0, err
    assert out == ""  # nothing but the ready line on stdout
    assert "Traceback" not in err


def test_environment_variables_configure_serve():
    env = {**os.environ, "GCLAP_SANDBOX_HTTP": "127.0.0.1:0", "GCLAP_SANDBOX_SMTP": "0",
           "GCLAP_SANDBOX_DB": ":memory:"}
    process, ready = _ready_line([sys.executable, "-m", "gclap_sandbox", "serve"], env=env)
    try:
        assert ready["db"] == ":memory:" and not ready["http_url"].endswith(":8000")
    finally:
        _stop(process)


def test_bad_address_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "gclap_sandbox", "serve", "--http", "localhost:http"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "--http" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.long(seconds=4)
def test_mail_and_key_survive_a_restart(tmp_path):
    db = str(tmp_path / "mail.sqlite3")
    first = start_sandbox(db=db, process=True)
    smtp_send(first, simple_message("kept"), "a@example.com", ["dev@example.com"])
    assert first.stop() == 0
    second = start_sandbox(db=db, process=True)
    try:
        assert second.api_key == first.api_key and second.db == db
        with second.client() as api:
            assert total_count(api) == 1
    finally:
        second.stop()


def test_sigint_stops_cleanly():
    running = start_sandbox(process=True)
    assert running.stop(signal.SIGINT) == 0
    assert "Traceback" not in running.log()


def test_non_loopback_binding_warns(launch):
    exposed = launch("--http", "0.0.0.0:0", process=True)
    assert "non-loopback" in exposed.log()
    assert httpx.get(exposed.http_url + "/healthz").status_code == 200


def test_a_port_in_use_is_a_one_line_error():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "gclap_sandbox", "serve", "--http", str(port),
                                 "--smtp", "0", "--db", ":memory:"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert f"cannot listen for HTTP on 127.0.0.1:{port}" in result.stderr and "--http" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_names_each_environment_variable():
    result = subprocess.run([sys.executable, "-m", "gclap_sandbox", "serve", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert "GCLAP_SANDBOX_HTTP" in result.stdout and "GCLAP_SANDBOX_RELAY" in result.stdout


def test_more_sigterms_while_it_stops_do_not_keep_serve_from_stopping():
    """`--stop-with-parent` sends SIGTERM twice when the parent dies; people press Ctrl-C twice."""
    process, ready = _ready_line([sys.executable, "-m", "gclap_sandbox", "serve", "--http", "0", "--smtp", "0",
                                  "--db", ":memory:"], cwd=ROOT)
    for _ in range(40):  # some of them land while the shutdown runs
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(0.005)
            break
        except subprocess.TimeoutExpired:
            pass
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err
