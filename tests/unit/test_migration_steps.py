"""Versioned migrations, step by step, on database files in this thread.

A file made before versioning is played by taking a new file back to an older layout with
sqlite3 (the layout the steps' docstrings describe); each step is then checked for what it
changes, and the runner for how it records versions, rolls a failing step back and refuses a
database a newer release migrated.
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest
from cli_runs import invoke_cli
from generated_inbox import generate
from helpers import run_async

from gclap_sandbox.storage import migrations
from gclap_sandbox.storage.connection import bind_thread, database
from gclap_sandbox.storage.engine import open_connection
from gclap_sandbox.storage.database import Database, open_in_this_thread
from gclap_sandbox.storage.migrations import LATEST, MIGRATIONS, DatabaseTooNew, Migration, runner
from gclap_sandbox.storage.schema import create_schema, our_tables, schema_status


def connected(path: str) -> None:
    """Bind this thread to the file at `path` without migrating it."""
    connection = open_connection(path)
    bind_thread(Database(path), connection)
    connection.connect(reuse_if_open=True)


def close() -> None:
    database.obj.close()
    bind_thread(None, None)


def migrate_file(path: str) -> migrations.Status:
    """Open the file as `serve` does (migrating it); returns where it stood before."""
    connected(path)
    try:
        return create_schema()
    finally:
        close()


def new_file(tmp_path: Path, emails: int = 0) -> str:
    path = str(tmp_path / "sandbox.sqlite3")
    if emails:
        generate(path, emails)
    else:
        open_in_this_thread(path).close()
    return path


def sql(path: str, *statements: str | tuple[str, tuple]) -> None:
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(*((statement,) if isinstance(statement, str) else statement))
    conn.close()


def rows(path: str, query: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def before_versioning(path: str) -> None:
    """The layout of the previous release: everything but the version table."""
    sql(path, 'DROP TABLE "schema_version"')


def layout(path: str) -> dict[str, object]:
    """Tables with their columns (name, type, not null, default, key) and indexes, in no order."""
    conn = sqlite3.connect(path)
    try:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                   "AND name NOT LIKE 'sqlite_%' AND name != 'schema_version'")]
        shape: dict[str, object] = {t: sorted(tuple(c[1:]) for c in conn.execute(f'PRAGMA table_info("{t}")'))
                                    for t in tables}
        shape["indexes"] = sorted(conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' "
                                               "AND sql IS NOT NULL"))
        return shape
    finally:
        conn.close()


def digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --- the list of steps ---------------------------------------------------------------------

def test_steps_are_numbered_in_order_and_each_says_what_it_changes():
    assert [step.version for step in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    for step in MIGRATIONS:
        assert re.fullmatch(rf"m{step.version:04}_[a-z0-9_]+", step.name), step.name
        assert step.about and not step.about.endswith(":"), f"{step.name} needs a docstring saying what it changes"
    assert LATEST == MIGRATIONS[-1].version


# --- the runner ----------------------------------------------------------------------------

def test_a_new_database_is_created_at_the_latest_version_with_nothing_pending(tmp_path):
    path = str(tmp_path / "new.sqlite3")
    assert migrate_file(path).new
    assert rows(path, 'SELECT "version", "name" FROM "schema_version"') == [(LATEST, "created at this version")]
    connected(path)
    try:
        now = schema_status()
    finally:
        close()
    assert (now.version, now.pending, now.too_new) == (LATEST, (), False)


def test_a_database_from_before_versioning_goes_through_every_step_and_records_each(tmp_path):
    path = new_file(tmp_path, emails=3)
    before_versioning(path)
    before = migrate_file(path)
    assert before.version == migrations.BEFORE_VERSIONING
    assert [step.version for step in before.pending] == [step.version for step in MIGRATIONS]
    assert rows(path, 'SELECT "version", "name" FROM "schema_version" ORDER BY 1') == \
        [(step.version, step.name) for step in MIGRATIONS]
    assert migrate_file(path).pending == ()  # the next start has nothing left to do


def test_an_upgraded_database_has_the_layout_of_a_new_one(tmp_path):
    new = new_file(tmp_path / "new")
    old = new_file(tmp_path / "old", emails=2)
    before_versioning(old)  # and an older layout still: every step has something to do
    sql(old, 'ALTER TABLE "email_content" DROP COLUMN "rewritten"',
        'ALTER TABLE "email_content" ADD COLUMN "original_raw" BLOB',
        'DROP TABLE "campaign_count"')
    migrate_file(old)
    assert layout(old) == layout(new)


def test_a_failing_step_is_rolled_back_and_the_database_stays_at_the_version_before_it(tmp_path):
    path = new_file(tmp_path)
    before_versioning(path)

    def breaks() -> None:
        database.execute_sql('CREATE TABLE "half_done" ("id" INTEGER)')
        raise RuntimeError("step two failed")

    steps = [MIGRATIONS[0], Migration(2, "m0002_breaks", "Fails halfway.", breaks)]
    connected(path)
    try:
        with pytest.raises(RuntimeError, match="step two failed"):
            runner.migrate(steps, our_tables(), lambda: None)
        assert runner.status(steps, our_tables()).version == 1
    finally:
        close()
    assert rows(path, "SELECT name FROM sqlite_master WHERE name = 'half_done'") == []


def test_a_database_a_newer_release_migrated_is_refused_and_left_byte_for_byte_unchanged(tmp_path):
    path = new_file(tmp_path, emails=2)
    sql(path, ('INSERT INTO "schema_version" ("version", "name", "applied_at") VALUES (?, ?, ?)',
               (LATEST + 5, "m9999_from_the_future", "2030-01-01 00:00:00")))
    unchanged = digest(path)

    async def start_and_close() -> None:
        opened = Database(path)
        try:
            await opened.start()
        finally:
            await opened.close()

    with pytest.raises(DatabaseTooNew, match=f"version {LATEST + 5}, newer than this release knows"):
        run_async(start_and_close())
    assert digest(path) == unchanged


# --- each step -----------------------------------------------------------------------------

def test_step_1_adds_the_tables_and_columns_an_older_file_lacks_and_keeps_its_rows(tmp_path):
    path = new_file(tmp_path, emails=3)
    before_versioning(path)
    sql(path, 'ALTER TABLE "email_content" DROP COLUMN "added_headers"', 'DROP TABLE "campaign_count"')
    kept = rows(path, 'SELECT "email_id", "raw" FROM "email_content" ORDER BY 1')
    migrate_file(path)
    assert "added_headers" in {c[1] for c in rows(path, 'PRAGMA table_info("email_content")')}
    assert rows(path, "SELECT name FROM sqlite_master WHERE name = 'campaign_count'") == [("campaign_count",)]
    assert rows(path, 'SELECT "email_id", "raw" FROM "email_content" ORDER BY 1') == kept


def test_step_2_puts_the_received_bytes_in_raw_and_the_tracked_ones_in_rewritten(tmp_path):
    path = new_file(tmp_path, emails=1)
    received = (b"From: app@example.com\r\nTo: dev@example.com\r\nSubject: old\r\nMIME-Version: 1.0\r\n"
                b"Content-Type: text/html; charset=utf-8\r\n\r\n<p><a href=\"https://shop.example/\">shop</a></p>\r\n")
    tracked = received.replace(b"https://shop.example/", b"http://127.0.0.1:8000/t/click/OLDTOKEN")
    before_versioning(path)
    sql(path, 'ALTER TABLE "email_content" DROP COLUMN "rewritten"',
        'ALTER TABLE "email_content" ADD COLUMN "original_raw" BLOB',
        ('UPDATE "email_content" SET "original_raw" = ?, "raw" = ?, "html" = ?',
         (received, tracked, tracked.split(b"\r\n\r\n", 1)[1].decode())))
    migrate_file(path)
    assert rows(path, 'SELECT "raw", "rewritten", "html" FROM "email_content"') == \
        [(received, tracked, '<p><a href="https://shop.example/">shop</a></p>\n')]
    assert "original_raw" not in {c[1] for c in rows(path, 'PRAGMA table_info("email_content")')}


def test_step_3_gives_every_email_without_a_message_id_one_made_from_its_id(tmp_path):
    path = new_file(tmp_path, emails=3)
    before_versioning(path)
    [(first, kept), *others] = rows(path, 'SELECT "id", "message_id" FROM "email" ORDER BY "id"')
    sql(path, ('UPDATE "email" SET "message_id" = NULL WHERE "id" != ?', (first,)))
    migrate_file(path)
    assert rows(path, 'SELECT "id", "message_id" FROM "email" ORDER BY "id"') == \
        [(first, kept), *[(other, f"<{other}@gclap-sandbox.local>") for other, _ in others]]


def at_version(path: str, version: int) -> None:
    """Make a new file say it stands at `version` (its later steps run at the next start)."""
    sql(path, 'DELETE FROM "schema_version"', ('INSERT INTO "schema_version" ("version", "name", "applied_at") '
                                               'VALUES (?, ?, ?)', (version, "older", "2026-01-01 00:00:00")))


def test_step_4_gives_every_organization_the_one_clock_offset_a_sandbox_had(tmp_path):
    path = new_file(tmp_path, emails=1)
    at_version(path, 3)
    sql(path, 'ALTER TABLE "organization" DROP COLUMN "clock_offset"', 'ALTER TABLE "job" DROP COLUMN "organization_id"',
        'INSERT INTO "organization" ("id", "name", "plan", "is_default", "settings", "created_at") '
        "VALUES ('second', 'Second', 'free', 0, '{}', '2026-01-01 00:00:00')",
        'INSERT INTO "sandbox_setting" ("key", "value") VALUES (\'clock_offset_seconds\', \'3600.0\')')
    migrate_file(path)
    assert {offset for (offset,) in rows(path, 'SELECT "clock_offset" FROM "organization"')} == {3600.0}
    assert rows(path, 'SELECT "value" FROM "sandbox_setting" WHERE "key" = \'clock_offset_seconds\'') == []
    assert "organization_id" in {c[1] for c in rows(path, 'PRAGMA table_info("job")')}


def test_steps_5_and_6_add_the_leases_and_the_rate_windows_that_processes_sharing_a_file_use(tmp_path):
    path = new_file(tmp_path)
    at_version(path, 4)
    sql(path, *(f'ALTER TABLE "{table}" DROP COLUMN "{column}"' for table in ("webhook_delivery", "email_relay")
                for column in ("claimed_by", "claimed_until")), 'DROP TABLE "rate_window"')
    migrate_file(path)
    for table in ("webhook_delivery", "email_relay"):
        assert {"claimed_by", "claimed_until"} <= {c[1] for c in rows(path, f'PRAGMA table_info("{table}")')}
    assert rows(path, "SELECT name FROM sqlite_master WHERE name = 'rate_window'") == [("rate_window",)]


# --- gclap-sandbox db status ---------------------------------------------------------------

def test_db_status_lists_the_pending_steps_of_a_file_from_before_versioning_and_changes_nothing(tmp_path):
    path = new_file(tmp_path, emails=1)
    before_versioning(path)
    unchanged = digest(path)
    result = invoke_cli("db", "status", "--db", path)
    assert result.exit_code == 0, result.output
    assert "schema version: none recorded (made before versioning)" in result.output
    for step in MIGRATIONS:
        assert f"{step.version:>4}  {step.name}: {step.about}" in result.output
    assert digest(path) == unchanged


def test_db_status_says_an_upgraded_file_is_up_to_date(tmp_path):
    path = new_file(tmp_path)
    result = invoke_cli("db", "status", "--db", f"sqlite:///{path}")
    assert result.exit_code == 0, result.output
    assert f"schema version: {LATEST}; this release's latest: {LATEST}\nup to date" in result.output


def test_db_status_of_a_missing_file_creates_nothing(tmp_path):
    path = tmp_path / "not-yet.sqlite3"
    result = invoke_cli("db", "status", "--db", str(path))
    assert result.exit_code == 0, result.output
    assert f"`serve` creates it at version {LATEST}" in result.output
    assert not path.exists()


# --- a schema change comes with its step -----------------------------------------------------

LAYOUT_FILE = Path(__file__).with_name("schema_at_latest_migration.json")


def models_layout() -> dict[str, list[str]]:
    """Each model's table and columns (name, type, nullable), as the models declare them."""
    from gclap_sandbox import models

    return {model._meta.table_name: sorted(f"{f.column_name} {f.field_type}{'' if f.null else ' NOT NULL'}"
                                           for f in model._meta.sorted_fields)
            for model in sorted(models.BaseModel.registry, key=lambda m: m._meta.table_name)}


def test_the_models_have_not_changed_since_the_latest_migration():
    """A model changed without a step would leave stored databases behind new ones. After adding
    the step that makes the change, record the new layout: `PYTHONPATH=tests/support python tests/unit/test_migration_steps.py`."""
    recorded = json.loads(LAYOUT_FILE.read_text())
    declared = models_layout()
    changed = sorted(table for table in set(recorded["tables"]) | set(declared)
                     if recorded["tables"].get(table) != declared.get(table))
    assert recorded["version"] == LATEST, "a step was added: record the layout it leads to (see the docstring)"
    assert changed == [], (f"the models of {', '.join(changed)} changed since migration {LATEST}: append a step to "
                           "storage/migrations/ that makes the same change, then record the layout (see the docstring)")


if __name__ == "__main__":  # record the models' layout as the one the latest migration leads to
    tables = ",\n".join(f"  {json.dumps(table)}: {json.dumps(columns)}" for table, columns in models_layout().items())
    LAYOUT_FILE.write_text(f'{{"version": {LATEST}, "tables": {{\n{tables}\n}}}}\n')
    print(f"recorded the layout of migration {LATEST} in {LAYOUT_FILE}")
