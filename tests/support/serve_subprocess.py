"""`gclap-sandbox serve` in a subprocess whose stderr the test reads: for what only the process
shows (its log lines, its start-up failures). Every wait has a deadline."""
from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any, Sequence

SERVE = [sys.executable, "-m", "gclap_sandbox", "serve"]
FREE_PORTS = ["--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0"]


@dataclass
class ServedProcess:
    process: subprocess.Popen
    ready: dict[str, Any]
    _stderr: Any

    @property
    def http_url(self) -> str:
        return self.ready["http_url"]

    @property
    def smtp_port(self) -> int:
        return self.ready["smtp_port"]

    @property
    def api_key(self) -> str:
        return self.ready["api_key"]

    def stop(self, within: float = 30) -> str:
        """SIGTERM, wait for the exit, and return everything it wrote on stderr."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(within)
        self.process.stdout.close()
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace")
        self._stderr.close()
        return text


def read_line(stream: Any, within: float) -> str:
    """One line from a pipe, or "" when it closes or nothing comes within `within` seconds."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(within):
            return ""
    return stream.readline()


def serve(*args: str, command: Sequence[str] = SERVE, env: dict[str, str] | None = None,
          within: float = 60) -> ServedProcess:
    """Start `serve ARGS` (free ports and :memory: unless ARGS say otherwise) and wait for its ready line."""
    defaults = [*FREE_PORTS, "--db", ":memory:"] if command is SERVE else []
    stderr = tempfile.TemporaryFile()
    process = subprocess.Popen([*command, *defaults, *args], stdout=subprocess.PIPE, stderr=stderr,
                               text=True, env={**os.environ, **(env or {})})
    line = read_line(process.stdout, within)
    if not line:
        process.kill()
        process.wait(30)
        stderr.seek(0)
        raise AssertionError(f"serve printed no ready line: {stderr.read().decode(errors='replace')}")
    return ServedProcess(process, json.loads(line), stderr)


def fails_to_start(*args: str, env: dict[str, str] | None = None, within: float = 60) -> subprocess.CompletedProcess:
    """`serve ARGS` run to its end (it is expected to refuse to start)."""
    return subprocess.run([*SERVE, *args], capture_output=True, text=True, timeout=within,
                          env={**os.environ, **(env or {})})


__all__ = ["ServedProcess", "fails_to_start", "read_line", "serve"]
