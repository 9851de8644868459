"""The peer poll (server/peers.py) finds the mail another process stored on a shared database,
and passes over this process's own rows without reading them while nobody else writes."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from gclap_sandbox.server import peers
from gclap_sandbox.storage.database import open_in_this_thread

COLUMNS = ("id", "organization_id", "source", "subject", "to", "cc", "bcc", "reply_to", "tags", "metadata",
           "snippet", "size", "attachment_count", "status", "is_read", "search_text", "created_at")


def email_values(email_id: str) -> tuple:
    return (email_id, "org-1", "smtp", email_id, "[]", "[]", "[]", "[]", "[]", "{}", "", 1, 0, "sent", 0, "",
            "2026-01-01 00:00:00")


INSERT = f'INSERT INTO "email" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in COLUMNS)}) ' \
         f'VALUES ({", ".join("?" * len(COLUMNS))})'


def test_rows_another_process_adds_are_found_and_our_own_are_passed_over(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite3")
    ours = open_in_this_thread(path)
    ours.execute_sql("PRAGMA foreign_keys = OFF")  # bare rows, without their organization
    other = sqlite3.connect(path)  # another process's connection
    try:
        _, markers = peers._start_point()
        _, changes, markers, found = peers._look(markers)
        assert found == [[], []]

        ours.execute_sql(INSERT, email_values("ours-1"))
        _, same, after_ours, found = peers._look(markers, frozenset({"ours-1"}), changes)
        assert found == [[], []] and same == changes
        assert after_ours[0] > markers[0]  # passed over, never to be read again

        other.execute(INSERT, email_values("theirs-1"))
        other.commit()
        ours.execute_sql(INSERT, email_values("ours-2"))
        _, changed, markers, found = peers._look(after_ours, frozenset({"ours-1", "ours-2"}), changes)
        assert changed != changes
        assert [row.id for row in found[0]] == ["theirs-1"]

        ours.execute_sql(INSERT, email_values("ours-3"))
        _, _, markers, found = peers._look(markers, frozenset({"ours-3"}), changed)
        assert found == [[], []]
        other.execute(INSERT, email_values("theirs-2"))
        other.commit()
        _, _, _, found = peers._look(markers, frozenset(), changed)
        assert [row.id for row in found[0]] == ["theirs-2"]
    finally:
        other.close()
        ours.close()
