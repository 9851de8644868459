"""Schema creation and migrations: additive columns, then data fix-ups for older files (DB thread)."""
from __future__ import annotations

import logging

import peewee

from gclap_sandbox import models
from gclap_sandbox.mail.message import parse_message
from gclap_sandbox.storage import fulltext
from gclap_sandbox.storage.bulk import portable
from gclap_sandbox.storage.connection import database

log = logging.getLogger("gclap_sandbox.db")


def create_schema() -> None:
    database.create_tables(models.BaseModel.registry, safe=True)
    add_missing_columns()
    upgrade_older_files(database)
    fulltext.create()


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


def upgrade_older_files(database: peewee.Database) -> None:
    """Bring mail captured by an older version in line with what is stored now.

    Before `rewritten`, `raw` held the tracked bytes and `original_raw` the received ones:
    each is put where it belongs, with the bodies of the received message. And every email
    has a Message-ID: older SMTP mail without one gets one made from its id.
    """
    database.execute_sql(portable('UPDATE "email" SET "message_id" = \'<\' || "id" || \'@gclap-sandbox.local>\' '
                                  'WHERE "message_id" IS NULL'))
    if "original_raw" not in {column.name for column in database.get_columns("email_content")}:
        return
    rows = database.execute_sql('SELECT "email_id", "original_raw" FROM "email_content" '
                                'WHERE "original_raw" IS NOT NULL').fetchall()
    for email_id, received in rows:
        _, parsed = parse_message(bytes(received))
        database.execute_sql(portable('UPDATE "email_content" SET "rewritten" = "raw", "raw" = "original_raw", '
                                      '"original_raw" = NULL, "text" = ?, "html" = ? WHERE "email_id" = ?'),
                             (parsed.text, parsed.html, email_id))
