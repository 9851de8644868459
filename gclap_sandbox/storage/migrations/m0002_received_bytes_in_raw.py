"""Received bytes in `raw`, tracked bytes in `rewritten` (mail from before `rewritten` existed).

Older releases kept the tracked (link-rewritten) copy in `email_content.raw` and the bytes as
received in `original_raw`. `/raw/` must return what was received, byte for byte, so each row
gets its bytes where they belong now, and the text and HTML bodies of the received message
(the stored ones were the tracked message's). Then `original_raw` goes.
"""
from __future__ import annotations

from playhouse.migrate import SchemaMigrator, migrate

from gclap_sandbox.mail.message import parse_message
from gclap_sandbox.storage.bulk import portable
from gclap_sandbox.storage.connection import database
from gclap_sandbox.storage.migrations.steps import columns_of


def apply() -> None:
    if "original_raw" not in columns_of("email_content"):
        return  # made by a release that already stored them this way
    rows = database.execute_sql('SELECT "email_id", "original_raw" FROM "email_content" '
                                'WHERE "original_raw" IS NOT NULL').fetchall()
    for email_id, received in rows:
        _, parsed = parse_message(bytes(received))
        database.execute_sql(portable('UPDATE "email_content" SET "rewritten" = "raw", "raw" = "original_raw", '
                                      '"original_raw" = NULL, "text" = ?, "html" = ? WHERE "email_id" = ?'),
                             (parsed.text, parsed.html, email_id))
    migrate(SchemaMigrator.from_database(database.obj).drop_column("email_content", "original_raw"))
