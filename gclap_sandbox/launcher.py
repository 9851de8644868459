"""Start a throw-away `gclap-sandbox serve` in a subprocess and read its ready line.

Used by the pytest plugin and this project's tests. Ports are always chosen by the OS
(port 0) and read back from the ready line, so parallel runs never collide.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from gclap_sandbox.client import SandboxClient


@dataclass
class RunningSandbox:
    process: subprocess.Popen
    http_url: str
    smtp_host: str
    smtp_port: int
    api_key: str
    db: str
    log_path: str
    extra: dict[str, Any] = field(default_factory=dict)  # the whole ready line

    def client(self, api_key: str | None = None, **kw: Any) -> httpx.Client:
        """A plain authenticated `httpx.Client` on the API's base URL."""
        import httpx

        key = self.api_key if api_key is None else api_key
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.http_url, headers=headers, timeout=30, **kw)

    def sandbox_client(self, api_key: str | None = None) -> SandboxClient:
        """The typed client (emails, wait, reset, ...)."""
        from gclap_sandbox.client import SandboxClient

        return SandboxClient(self.http_url, self.api_key if api_key is None else api_key)

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as fh:
            return fh.read()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


def start_sandbox(*args: str, db: str = ":memory:", env: dict[str, str] | None = None,
                  timeout: float = 30, python: str = sys.executable) -> RunningSandbox:
    """Run `python -m gclap_sandbox serve --http 127.0.0.1:0 --smtp 127.0.0.1:0 --db DB *args`
    and return once its ready line is printed (logs go to a temporary file)."""
    log = tempfile.NamedTemporaryFile(prefix="gclap-sandbox-", suffix=".log", delete=False)
    command = [python, "-m", "gclap_sandbox", "serve", "--http", "127.0.0.1:0",
               "--smtp", "127.0.0.1:0", "--db", db, *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log,
                               env={**os.environ, **(env or {})}, text=True)
    log.close()
    assert process.stdout is not None
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not line or not line[0].strip():
        process.kill()
        process.wait()
        with open(log.name, encoding="utf-8", errors="replace") as fh:
            raise RuntimeError(f"sandbox did not start: {' '.join(command)}\n{fh.read()}")
    ready = json.loads(line[0])
    return RunningSandbox(process=process, http_url=ready["http_url"], smtp_host=ready["smtp_host"],
                          smtp_port=ready["smtp_port"], api_key=ready["api_key"], db=ready["db"],
                          log_path=log.name, extra=ready)
