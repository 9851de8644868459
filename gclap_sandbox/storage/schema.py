"""Schema creation and additive migrations (DB thread)."""
from __future__ import annotations

import logging

from gclap_sandbox import models
from gclap_sandbox.storage.connection import database

log = logging.getLogger("gclap_sandbox.db")


def create_schema() -> None:
    database.create_tables(models.BaseModel.registry, safe=True)
    add_missing_columns()


def add_missing_columns() -> None:
    """Additive migrations: a column a newer version added to a model is added to an older file.

    Only nullable or defaulted columns are ever added, so existing rows stay valid.
    """
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(database.obj)
    for model in models.BaseModel.registry:
        table = model._meta.table_name
        present = {column.name for column in database.get_columns(table)}
        missing = [f for f in model._meta.sorted_fields if f.column_name not in present]
        for field in missing:
            log.info("adding column %s.%s", table, field.column_name)
            migrate(migrator.add_column(table, field.column_name, field))
