"""What `serve` checks before it builds the sandbox, so that a start-up failure is one line that
says what to do (the CLI prints it and exits 1) instead of a traceback from deep inside.
"""
from __future__ import annotations

import os
import sqlite3
import ssl

from gclap_sandbox.settings import MEMORY_DB, Settings, database_label, is_postgres

_DB_HINT = "pass --db (or GCLAP_SANDBOX_DB) a file in a folder you can write, or --db :memory: for a throw-away sandbox"


class StartupError(Exception):
    """The sandbox cannot start; the message is one line saying why and what to do."""


def check(settings: Settings) -> None:
    check_database(settings.db_path)
    check_tls(settings)


def check_database(path: str) -> None:
    """The database file can be created (with its folder), opened, read and written; a
    PostgreSQL server can be reached and logged in to."""
    if path == MEMORY_DB:
        return
    if is_postgres(path):
        check_server(path)
        return
    folder = os.path.dirname(os.path.abspath(path))
    in_the_way = next((p for p in _parents(folder) if os.path.exists(p) and not os.path.isdir(p)), None)
    if in_the_way is not None:
        raise StartupError(f"cannot create the database folder {folder}: {in_the_way} is a file; {_DB_HINT}.")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise StartupError(f"cannot create the database folder {folder}: {exc.strerror or exc}; {_DB_HINT}.") from None
    if os.path.isdir(path):
        raise StartupError(f"the database path {path} is a folder; {_DB_HINT}.")
    try:
        connection = sqlite3.connect(path, timeout=5)
        try:
            connection.execute("PRAGMA user_version").fetchone()  # reads the header: a non-SQLite file fails here
            connection.execute("BEGIN IMMEDIATE")  # takes the write lock: a read-only file or folder fails here
            connection.rollback()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise StartupError(f"cannot use {path} as the database ({exc}); {_DB_HINT}.") from None


def check_server(location: str) -> None:
    import peewee

    from gclap_sandbox.storage import engine

    connection = engine.for_location(location).connect(location)
    try:
        connection.connect()
        connection.execute_sql("SELECT 1").fetchone()
    except peewee.ImproperlyConfigured:
        raise StartupError("PostgreSQL needs the psycopg driver: pip install 'gclap-sandbox[postgres]'.") from None
    except peewee.DatabaseError as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise StartupError(f"cannot use the PostgreSQL database {database_label(location)} ({reason}); "
                           "check that the server runs there and that the user, password and database "
                           "name are right (the database must exist).") from None
    finally:
        connection.close()


def _parents(folder: str) -> list[str]:
    """`folder` and each folder above it."""
    chain = [folder]
    while os.path.dirname(chain[-1]) != chain[-1]:
        chain.append(os.path.dirname(chain[-1]))
    return chain


def check_tls(settings: Settings) -> None:
    """The STARTTLS certificate and key load and belong together."""
    if not (settings.smtp_tls_cert and settings.smtp_tls_key):
        return
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
            settings.smtp_tls_cert, settings.smtp_tls_key)
    except (ssl.SSLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
        raise StartupError(
            f"cannot use the STARTTLS certificate {settings.smtp_tls_cert} with the key {settings.smtp_tls_key} "
            f"({reason}); give --smtp-tls-cert a PEM certificate and --smtp-tls-key its PEM private key, "
            "or use --smtp-tls self-signed.") from None


__all__ = ["StartupError", "check"]
