"""Start a throw-away `gclap-sandbox serve` in a subprocess and read its ready line.

Used by the pytest plugin and this project's tests. Ports are always chosen by the OS
(port 0) and read back from the ready line, so parallel runs never collide.

The child leaves nothing behind: its log goes to an already-unlinked temporary file (read
back with `log()`), and it runs with `--stop-with-parent`, so it stops when the process that
started it dies, even by SIGKILL (on Linux the death signal is tied to the *thread* that
started it: start sandboxes from a thread that lives as long as they should, e.g. the main one).
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
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from gclap_sandbox.client import AsyncSandboxClient, SandboxClient

# `serve` reads every option from a variable with this prefix as well.
SETTINGS_ENV_PREFIX = "GCLAP_SANDBOX_"


class SandboxAddresses:
    """Clients for a sandbox whose `http_url` and `api_key` are known (started or attached to)."""

    http_url: str
    api_key: str

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

    def async_client(self, api_key: str | None = None) -> AsyncSandboxClient:
        """The typed client for async code (`await sandbox.wait(...)`)."""
        from gclap_sandbox.client import AsyncSandboxClient

        return AsyncSandboxClient(self.http_url, self.api_key if api_key is None else api_key)


@dataclass
class RunningSandbox(SandboxAddresses):
    process: subprocess.Popen
    http_url: str
    smtp_host: str
    smtp_port: int
    api_key: str
    db: str
    log_file: IO[bytes]  # unlinked already: it disappears with the last process holding it
    extra: dict[str, Any] = field(default_factory=dict)  # the whole ready line
    _final_log: str | None = field(default=None, repr=False)

    def log(self) -> str:
        """Everything the sandbox wrote to stderr (so far, or before it stopped)."""
        if self._final_log is not None:
            return self._final_log
        return read_whole(self.log_file).decode("utf-8", "replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        if self._final_log is None:
            self._final_log = self.log()
            self.log_file.close()
        return self.process.returncode


@dataclass
class AttachedSandbox(SandboxAddresses):
    """A sandbox someone else started (a CI service container, a shared dev sandbox)."""

    http_url: str
    api_key: str
    smtp_host: str
    smtp_port: int
    process: None = None

    def log(self) -> str:
        return ""  # its log is wherever it was started

    def stop(self, *args: Any, **kw: Any) -> int:
        return 0  # not ours to stop


def read_whole(file: IO[bytes]) -> bytes:
    """The file's bytes from the start, without moving the offset the child writes at."""
    chunks, offset = [], 0
    while chunk := os.pread(file.fileno(), 1 << 16, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def child_environment(env: dict[str, str] | None, *, isolated: bool) -> dict[str, str]:
    """This process's environment plus `env`; `isolated` first drops every GCLAP_SANDBOX_* variable,
    so the child's settings are only its flags and `env` (never the developer's shell)."""
    inherited = {name: value for name, value in os.environ.items()
                 if not (isolated and name.startswith(SETTINGS_ENV_PREFIX))}
    return {**inherited, **(env or {})}


def start_sandbox(*args: str, db: str = ":memory:", env: dict[str, str] | None = None,
                  timeout: float = 120, python: str = sys.executable,
                  isolated_env: bool = False) -> RunningSandbox:
    """Run `python -m gclap_sandbox serve --http 127.0.0.1:0 --smtp 127.0.0.1:0 --db DB
    --stop-with-parent *args` and return once its ready line is printed. `timeout` only matters
    when the child hangs (one that exits is noticed at once); a CI machine with many jobs took a
    minute to import and start it."""
    log = tempfile.TemporaryFile(prefix="gclap-sandbox-", suffix=".log")  # no name left on disk
    command = [python, "-m", "gclap_sandbox", "serve", "--http", "127.0.0.1:0",
               "--smtp", "127.0.0.1:0", "--db", db, "--stop-with-parent", *args]
    # stdin stays open and unused: the child stops when it reads end-of-file, i.e. when we are gone.
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                               env=child_environment(env, isolated=isolated_env), text=True)
    assert process.stdout is not None
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not line or not line[0].strip():
        process.kill()
        process.wait()
        output = read_whole(log).decode("utf-8", "replace")
        log.close()
        raise RuntimeError(f"sandbox did not start: {' '.join(command)}\n{output}")
    ready = json.loads(line[0])
    return RunningSandbox(process=process, http_url=ready["http_url"], smtp_host=ready["smtp_host"],
                          smtp_port=ready["smtp_port"], api_key=ready["api_key"], db=ready["db"],
                          log_file=log, extra=ready)
