"""Start sandboxes for the tests: in this process by default, in a subprocess when asked.

Most tests want a real sandbox on real sockets and do not care which process serves it, so
`start_sandbox(*serve_args)` builds one in-process (`server/embedded.py`: milliseconds, not a
new interpreter). `env` gives `serve` environment variables (GCLAP_SANDBOX_*) on top of this
process's own, read as `serve` reads them: while its options are parsed. Tests of the process
itself (signals, the ready line, exit codes, start-up warnings) pass `process=True` and get
`serve` in a subprocess (`launcher.py`, the same one the pytest plugin uses). With
GCLAP_TEST_DATABASE set, a sandbox on the default throw-away database runs on a PostgreSQL
database of its own instead (postgres_switch.py).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, Iterator

from postgres_switch import drop_when_stopped, fresh_location

from gclap_sandbox.cli.commands import serve, settings_from_options
from gclap_sandbox.launcher import RunningSandbox
from gclap_sandbox.launcher import start_sandbox as start_process
from gclap_sandbox.server.embedded import EmbeddedSandbox

Sandbox = RunningSandbox | EmbeddedSandbox


def start_sandbox(*args: str, db: str = ":memory:", env: dict[str, str] | None = None,
                  timeout: float = 30, process: bool = False) -> Any:
    """A started sandbox with `serve`'s flags `args` (ports picked by the OS)."""
    db, drop = fresh_location(db)
    try:
        started = _start(args, db, env, timeout, process)
    except BaseException:
        if drop is not None:
            drop()
        raise
    return started if drop is None else drop_when_stopped(started, drop)


def _start(args: tuple[str, ...], db: str, env: dict[str, str] | None, timeout: float, process: bool) -> Any:
    if process:
        return start_process(*args, db=db, env=env, timeout=timeout)
    command = ["--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0", "--db", db, *args]
    with environment(env or {}), serve.make_context("serve", command) as context:
        settings = settings_from_options(context.params)
    return EmbeddedSandbox(settings).start(timeout)


@contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
    """`variables` set in os.environ for the block, then put back as they were."""
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


__all__ = ["RunningSandbox", "EmbeddedSandbox", "Sandbox", "start_sandbox"]
