"""GCLAP_TEST_DATABASE=postgresql://USER@HOST:PORT/postgres runs the suite's sandboxes on PostgreSQL.

With it set, every sandbox a test starts on the default throw-away database (`start_sandbox()`
in-process or as a subprocess, `launch()`, `own_sandbox`, and the pytest plugin's session
sandbox) gets a database of its own on that server instead, made with CREATE DATABASE and
dropped when the sandbox stops. A test that names a SQLite file keeps it (the tests about
files, vacuum, older files and preflight name theirs, so they still test SQLite). `.ci/run` sets
it against a throwaway cluster (postgres_cluster.py).
"""
from __future__ import annotations

import os
import shlex
from typing import Any, Callable

import pytest

ENV = "GCLAP_TEST_DATABASE"
THROWAWAY = ":memory:"


def admin_url() -> str | None:
    return os.environ.get(ENV) or None


def on_postgres() -> bool:
    return admin_url() is not None


def fresh_location(db: str) -> tuple[str, Callable[[], None] | None]:
    """Where a sandbox asked to run on `db` runs: a new PostgreSQL database (and how to drop it)
    in place of the throw-away one when the switch is on; otherwise `db` itself."""
    admin = admin_url()
    if admin is None or db != THROWAWAY:
        return db, None
    from postgres_cluster import create_database, drop_database

    url = create_database(admin)
    return url, lambda: drop_database(url)


def drop_when_stopped(sandbox: Any, drop: Callable[[], None]) -> Any:
    """Make `sandbox.stop()` drop its database once the sandbox has stopped."""
    stop = sandbox.stop

    def stop_then_drop(*args: Any, **kw: Any) -> Any:
        try:
            return stop(*args, **kw)
        finally:
            drop()

    sandbox.stop = stop_then_drop
    return sandbox


def configure(config: pytest.Config) -> None:
    """The pytest plugin's session sandbox (one per xdist worker) on a database of its own."""
    location, drop = fresh_location(THROWAWAY)
    if drop is None:
        return
    given = config.getoption("gclap_args", None)
    flags = shlex.split(config.getini("gclap_sandbox_args") if given is None else given)
    config.option.gclap_args = shlex.join([*flags, "--db", location])
    config.stash[_DROP] = drop


def unconfigure(config: pytest.Config) -> None:
    drop = config.stash.get(_DROP, None)
    if drop is not None:
        drop()


_DROP = pytest.StashKey[Callable[[], None]]()
