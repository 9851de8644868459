"""The schema of a sandbox's database: made at the latest version, or migrated to it (DB thread).

A new database gets every model's table at once and is stamped with the latest migration's
version; an existing one goes through the pending steps of `storage/migrations/`; one that a
newer release migrated is refused before anything is written. Then the search index, which is
derived from the mail and made per engine (`fulltext.create`), is made sure of.
"""
from __future__ import annotations

from gclap_sandbox import models
from gclap_sandbox.storage import fulltext, migrations
from gclap_sandbox.storage.connection import database
from gclap_sandbox.storage.migrations import runner


def our_tables() -> set[str]:
    return {model._meta.table_name for model in models.BaseModel.registry}


def schema_status() -> migrations.Status:
    """Where the connected database stands against this release's migrations (reads only)."""
    return runner.status(migrations.MIGRATIONS, our_tables())


def refuse_newer() -> None:
    """Raise DatabaseTooNew when a newer release migrated the connected database (reads only)."""
    now = schema_status()
    if now.too_new:
        raise migrations.DatabaseTooNew(now.version, now.latest)  # type: ignore[arg-type]


def create_schema() -> migrations.Status:
    """Bring the connected database to the latest version; returns where it stood before."""
    before = runner.migrate(migrations.MIGRATIONS, our_tables(), _create_tables)
    fulltext.create()
    return before


def _create_tables() -> None:
    database.create_tables(models.BaseModel.registry, safe=True)
