"""The databases several `serve` processes can share, as test parameters: a SQLite file always;
PostgreSQL when the suite runs with one (see postgres support)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

SharedDatabase = Callable[[Path], str]


def sqlite_file(folder: Path) -> str:
    return str(folder / "shared.sqlite3")


def shared_database_urls() -> list[SharedDatabase]:
    return [sqlite_file]
