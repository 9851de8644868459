"""What a migration is written with: portable schema changes that are no-ops where already done.

A database from before versioning is brought up by its first step to the tables and columns of
the models of its day, which may already include what a later step adds; and a step interrupted
on an engine without transactional DDL may be run again. So each change looks first.
"""
from __future__ import annotations

import logging

import peewee
from playhouse.migrate import SchemaMigrator, migrate

from gclap_sandbox.storage.connection import database

log = logging.getLogger("gclap_sandbox.db")


def columns_of(table: str) -> set[str]:
    return {column.name for column in database.get_columns(table)}


def ensure_tables(*models: type[peewee.Model]) -> None:
    """Create each model's table (and its indexes) unless it exists."""
    database.create_tables(list(models), safe=True)


def drop_indexes(*names: str) -> None:
    """Drop each named index where it exists (SQLite and PostgreSQL alike)."""
    for name in names:
        database.execute_sql(f'DROP INDEX IF EXISTS "{name}"')


def ensure_columns(*fields: peewee.Field) -> None:
    """Add each field's column to its table unless it is there (nullable or defaulted fields
    only, so the rows already stored stay valid)."""
    migrator = SchemaMigrator.from_database(database.obj)
    for field in fields:
        table = field.model._meta.table_name
        if field.column_name in columns_of(table):
            continue
        if not field.null and field.default is None:
            raise ValueError(f"{table}.{field.column_name} needs a default or null=True to be added to stored rows")
        log.info("adding column %s.%s", table, field.column_name)
        migrate(migrator.add_column(table, field.column_name, field))
