"""Run `gclap-sandbox ...` in this process (click's CliRunner) for tests of its usage errors and
help: the same command line, exit code, stdout and stderr, without starting an interpreter."""
from __future__ import annotations

import threading

from click.testing import CliRunner, Result

from gclap_sandbox.cli.commands import main


def invoke_cli(*args: str, within: float = 60) -> Result:
    """The result of `gclap-sandbox ARGS`. A command expected to stop (a usage error, `--help`)
    that starts serving instead fails the test after `within` seconds rather than hanging it."""
    results: list[Result] = []
    runner = threading.Thread(target=lambda: results.append(CliRunner().invoke(main, list(args))), daemon=True)
    runner.start()
    runner.join(within)
    assert results, f"`gclap-sandbox {' '.join(args)}` was still running after {within} s"
    return results[0]
