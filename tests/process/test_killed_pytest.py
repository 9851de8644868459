"""A pytest run that is killed (a CI job cancelled, an OOM kill) leaves no sandbox and no files."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DEADLINE_SECONDS = 60

RUNS_UNTIL_KILLED = '''
import os, time
from pathlib import Path

def test_runs_until_killed(gclap_sandbox):
    Path("sandbox.pid.tmp").write_text(str(gclap_sandbox.process.pid))
    os.replace("sandbox.pid.tmp", "sandbox.pid")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.1)
'''


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting for its reaper counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return "\nState:\tZ" not in status


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {DEADLINE_SECONDS} s")
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_pytest_leaves_no_sandbox_running_and_no_files(pytester, tmp_path, sig):
    pytester.makepyfile(test_app=RUNS_UNTIL_KILLED)
    temp = tmp_path / "tmp"
    temp.mkdir()
    run = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "test_app.py"],
                           cwd=pytester.path, env={**os.environ, "TMPDIR": str(temp)},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pid_file = pytester.path / "sandbox.pid"
    try:
        wait_until(lambda: pid_file.exists() or run.poll() is not None, "the sandbox did not start")
        assert run.poll() is None, "pytest ended before the sandbox started"
        sandbox_pid = int(pid_file.read_text())
        assert running(sandbox_pid)
        run.send_signal(sig)
        run.wait(DEADLINE_SECONDS)
        wait_until(lambda: not running(sandbox_pid), "the sandbox outlived its pytest")
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert [p.name for p in temp.iterdir()] == []  # no /tmp/gclap-sandbox-*.log, nothing else
