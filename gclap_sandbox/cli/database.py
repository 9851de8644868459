"""`--db` as every command takes it, and `gclap-sandbox db status`: a database's schema version
and the migrations the next `serve` would apply to it (read without changing anything)."""
from __future__ import annotations

import os
from typing import Any

import click

from gclap_sandbox.settings import MEMORY_DB, database_label, database_location, default_db_path, is_postgres

ENV = "GCLAP_SANDBOX_"


def db_location(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """The option's callback: a path, ':memory:' or a PostgreSQL URL; a URL this version cannot use
    is a usage error."""
    if value is None:
        return None
    try:
        return database_location(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


db_option = click.option(
    "--db", "db_path", default=None, envvar=ENV + "DB", show_envvar=True, callback=db_location,
    help=f"SQLite file to keep mail in (a path, or sqlite:///PATH) [default: {default_db_path()}]; "
    f"'{MEMORY_DB}' for a throw-away sandbox; or a PostgreSQL database, "
    "postgresql://USER:PASSWORD@HOST:PORT/DBNAME (needs the 'postgres' extra).")


@click.group("db")
def db_group() -> None:
    """The sandbox's database: its schema version and migrations."""


@db_group.command("status")
@db_option
def db_status(db_path: str | None) -> None:
    """Print the database's schema version and the migrations the next `serve` applies to it.

    Reads only: `serve` is what migrates, at start, each step in a transaction.
    """
    from gclap_sandbox.storage.migrations import LATEST

    path = db_path or default_db_path()
    click.echo(f"database: {database_label(path)}")
    if is_postgres(path):
        _print_status(_read_server_status(path))
        return
    if path == MEMORY_DB or not os.path.exists(path):
        what = "a throw-away database" if path == MEMORY_DB else "no file there yet"
        click.echo(f"schema version: none ({what}; `serve` creates it at version {LATEST})")
        return
    if os.path.isdir(path):
        raise click.ClickException(f"{path} is a folder, not a database file")
    _print_status(_read_status(path))


def _print_status(now: Any) -> None:
    from gclap_sandbox.storage.migrations import LATEST

    if now.new:
        click.echo(f"schema version: none (no sandbox tables yet; `serve` creates them at version {LATEST})")
        return
    shown = "none recorded (made before versioning)" if now.version == 0 else str(now.version)
    click.echo(f"schema version: {shown}; this release's latest: {now.latest}")
    if now.too_new:
        click.echo("a newer release migrated it: this one's `serve` refuses it and leaves it unchanged")
    elif not now.pending:
        click.echo("up to date: no pending migrations")
    else:
        click.echo("pending migrations (applied in order by the next `serve`):")
        for step in now.pending:
            click.echo(f"  {step.version:>4}  {step.name}: {step.about}")


def _read_server_status(location: str) -> Any:
    import peewee

    from gclap_sandbox.server.preflight import StartupError, check_server
    from gclap_sandbox.storage.connection import bind_thread
    from gclap_sandbox.storage.engine import open_connection
    from gclap_sandbox.storage.schema import schema_status

    try:
        check_server(location)
    except StartupError as exc:
        raise click.ClickException(str(exc)) from None
    connection = open_connection(location)
    try:
        bind_thread(None, connection)
        return schema_status()
    except peewee.DatabaseError as exc:
        raise click.ClickException(f"cannot read {database_label(location)} as a database ({exc})") from None
    finally:
        connection.close()
        bind_thread(None, None)


def _read_status(path: str) -> Any:
    import sqlite3

    import peewee

    from gclap_sandbox.storage.connection import bind_thread
    from gclap_sandbox.storage.schema import schema_status

    connection = peewee.SqliteDatabase(path)  # no pragmas: nothing about the file is changed
    try:
        bind_thread(None, connection)
        return schema_status()
    except (sqlite3.DatabaseError, peewee.DatabaseError) as exc:
        raise click.ClickException(f"cannot read {path} as a database ({exc})") from None
    finally:
        connection.close()
        bind_thread(None, None)
