"""Versioned migrations: the ordered steps that bring an older database to this release's schema.

Each step is a module `mNNNN_what_it_does.py` with a docstring (its first line says what it
changes, the rest why) and an `apply()` run in a transaction on the DB thread; its number is
its place in `MIGRATIONS`. To change the schema: change the model, then append a step here
that makes the same change to a stored database (`steps.ensure_tables`, `steps.ensure_columns`,
or a portable statement), and record the layout it leads to (tests/unit/test_migration_steps.py
says how; a test fails until then). A new database is created from the models at the latest
version.
"""
from __future__ import annotations

from gclap_sandbox.storage.migrations import (
    m0001_tables_before_versioning,
    m0002_received_bytes_in_raw,
    m0003_every_email_has_a_message_id,
    m0004_a_clock_per_organization,
    m0005_leases_for_shared_work,
    m0006_rate_windows_in_the_database,
    m0007_no_index_another_one_begins_with,
)
from gclap_sandbox.storage.migrations.runner import BEFORE_VERSIONING, DatabaseTooNew, Migration, Status

MIGRATIONS: tuple[Migration, ...] = tuple(Migration.of(number, module) for number, module in enumerate([
    m0001_tables_before_versioning,
    m0002_received_bytes_in_raw,
    m0003_every_email_has_a_message_id,
    m0004_a_clock_per_organization,
    m0005_leases_for_shared_work,
    m0006_rate_windows_in_the_database,
    m0007_no_index_another_one_begins_with,
], start=1))
LATEST = MIGRATIONS[-1].version

__all__ = ["BEFORE_VERSIONING", "LATEST", "MIGRATIONS", "DatabaseTooNew", "Migration", "Status"]
