"""PostgreSQL servers and databases for tests: the suite's own server (GCLAP_TEST_DATABASE) when
it runs on one, else a throwaway cluster started in a temporary folder once per test process
(postgres_cluster.py; each test or module makes a database of its own on it, so one server
serves them all). Import the fixtures into a conftest to use them."""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import Iterator

import postgres_cluster
import postgres_switch
import pytest


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """The admin URL of a running PostgreSQL server (CREATE DATABASE allowed)."""
    given = postgres_switch.admin_url()
    if given is not None:
        yield given
        return
    if not postgres_cluster.available():
        if os.environ.get("GCLAP_REQUIRE_POSTGRES"):
            pytest.fail("GCLAP_REQUIRE_POSTGRES is set but PostgreSQL is not installed (initdb not found)")
        pytest.skip("PostgreSQL is not installed here (no initdb; apt-get install postgresql)")
    # Not under pytest's tmp_path: its folders are root's alone, and the server runs as `postgres`.
    folder = tempfile.mkdtemp(prefix="gclap-postgres-")
    try:
        cluster = postgres_cluster.start(folder)
        try:
            yield cluster.admin_url
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A new empty database of this test's own, dropped after it."""
    url = postgres_cluster.create_database(postgres_admin_url)
    try:
        yield url
    finally:
        postgres_cluster.drop_database(url)
