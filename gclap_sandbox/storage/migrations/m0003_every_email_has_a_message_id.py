"""Every email has a Message-ID (SMTP mail captured without one by older releases).

Threads, the API's `message_id` and the delivered copy's header rely on one. Mail that came
without one now gets one made at capture; older mail gets the same form, made from its id.
"""
from __future__ import annotations

from gclap_sandbox.storage.bulk import portable
from gclap_sandbox.storage.connection import database


def apply() -> None:
    database.execute_sql(portable('UPDATE "email" SET "message_id" = \'<\' || "id" || \'@gclap-sandbox.local>\' '
                                  'WHERE "message_id" IS NULL'))
