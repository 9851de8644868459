"""A real SpamAssassin daemon (Debian's `spamd`) on 127.0.0.1 for the spamd tests.

Started once per test session when the binary is installed (CI installs it: .ci/run); local
tests only (`--local`: no DNS or network rules), no user preferences. Tests skip when spamd is
missing, unless GCLAP_REQUIRE_SPAMD=1 (CI) makes that a failure.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

STARTUP_DEADLINE = 180.0  # seconds: spamd compiles its rule set when it starts


@dataclass
class Spamd:
    host: str
    port: int
    process: subprocess.Popen
    log_path: str

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


def spamd_binary() -> str | None:
    return shutil.which("spamd") or (("/usr/sbin/spamd") if os.path.exists("/usr/sbin/spamd") else None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(host: str, port: int) -> bool:
    """spamd is up when it answers PING with PONG."""
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(b"PING SPAMC/1.5\r\n\r\n")
            sock.settimeout(5)
            return b"PONG" in sock.recv(200)
    except OSError:
        return False


def start_spamd(binary: str) -> Spamd:
    host, port = "127.0.0.1", _free_port()
    home = tempfile.mkdtemp(prefix="gclap-spamd-")
    log_path = os.path.join(home, "spamd.log")
    command = [binary, "--listen", f"{host}:{port}", "--allowed-ips", "127.0.0.1", "--local",
               "--nouser-config", "--max-children", "2", "--syslog", "stderr", f"--helper-home-dir={home}"]
    if os.geteuid() == 0:
        os.chmod(home, 0o777)  # spamd drops root for nobody
        command += ["--username", "nobody"]
    log = open(log_path, "wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    deadline = time.monotonic() + STARTUP_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"spamd exited with {process.returncode}: {open(log_path).read()[-2000:]}")
        if _answers(host, port):
            return Spamd(host, port, process, log_path)
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"spamd did not answer within {STARTUP_DEADLINE:g} s: {open(log_path).read()[-2000:]}")
