"""The one database several `serve` processes share, as a fixture run once per engine: a SQLite
file, and a PostgreSQL database of its own (postgres_fixtures.py says on which server).

Import `shared_database` into a conftest to use it (tests/conftest.py provides `postgres_admin_url`).
"""
from __future__ import annotations

import postgres_cluster
import pytest

ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="module", params=ENGINES)
def shared_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A `--db` location for several processes; a PostgreSQL one is dropped after the module."""
    if request.param == "sqlite":
        return str(tmp_path_factory.mktemp("shared") / "sandbox.sqlite3")
    url = postgres_cluster.create_database(request.getfixturevalue("postgres_admin_url"))
    request.addfinalizer(lambda: postgres_cluster.drop_database(url))
    return url
