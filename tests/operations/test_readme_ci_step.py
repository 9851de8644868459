"""The README's GitHub Actions step that starts the sandbox, run as Actions runs it (bash -eo
pipefail): it waits until the sandbox is ready, and when `serve` cannot start it fails at once
with the server's own message instead of waiting forever."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READYZ = [sys.executable, "-m", "gclap_sandbox", "readyz"]


def start_step() -> str:
    """The `run: |` script of the step named "Start the sandbox" in the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text.split("      - name: Start the sandbox\n        run: |\n", 1)[1]
    lines = []
    for line in after.splitlines():
        if line.startswith("      - ") or not line.strip():
            break
        lines.append(line)
    return textwrap.dedent("\n".join(lines)) + "\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_step(tmp_path: Path, http_port: int, smtp: str) -> subprocess.CompletedProcess:
    script = tmp_path / "step.sh"
    script.write_text(start_step())
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "GITHUB_ENV": str(tmp_path / "github_env"), "GCLAP_SANDBOX_URL": f"http://127.0.0.1:{http_port}",
           "GCLAP_SANDBOX_HTTP": f"127.0.0.1:{http_port}", "GCLAP_SANDBOX_SMTP": smtp}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)


def test_the_start_step_fails_with_the_servers_message_when_serve_cannot_start(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_step(tmp_path, _free_port(), f"127.0.0.1:{taken.getsockname()[1]}")
    assert result.returncode == 1
    assert "Error: cannot listen for SMTP" in result.stderr and "Address already in use" in result.stderr


def test_the_start_step_returns_once_the_sandbox_is_ready(tmp_path):
    port = _free_port()
    result = run_step(tmp_path, port, "127.0.0.1:0")
    pid = int((tmp_path / "github_env").read_text().split("SANDBOX_PID=")[1])
    try:
        assert result.returncode == 0, result.stderr
        assert subprocess.run([*READYZ, "--url", f"http://127.0.0.1:{port}"], timeout=60).returncode == 0
    finally:
        os.kill(pid, signal.SIGTERM)
