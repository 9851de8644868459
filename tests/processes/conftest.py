"""Two `serve` processes on one database (a SQLite file, then PostgreSQL): the processes themselves are under test."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
import pytest
from process_helpers import new_organization
from serve_subprocess import ServedProcess, serve
from shared_databases import shared_database  # noqa: F401  (fixture)
from slow_receiver import SlowReceiver


@dataclass
class Pair:
    a: ServedProcess
    b: ServedProcess

    def client(self, process: ServedProcess, key: str | None = None) -> httpx.Client:
        return httpx.Client(base_url=process.http_url, timeout=30,
                            headers={"Authorization": f"Bearer {key or process.api_key}"})


@pytest.fixture(scope="module")
def pair(shared_database):  # noqa: F811
    """Process A, then process B on A's database (B starts once A has made it)."""
    a = serve("--db", shared_database)
    try:
        b = serve("--db", shared_database)
    except BaseException:
        a.stop()
        raise
    try:
        yield Pair(a, b)
    finally:
        b.stop()
        a.stop()


@pytest.fixture()
def organization(pair):
    """A fresh organization's key (both processes serve it)."""
    with pair.client(pair.a) as admin:
        return new_organization(admin, "Processes " + uuid.uuid4().hex[:6])


# Longer than the webhook dispatcher's idle look (5 s): the other process looks while they are posted.
SLOW_ENDPOINT_SECONDS = 6.0


@pytest.fixture()
def slow_receiver():
    server = SlowReceiver(SLOW_ENDPOINT_SECONDS)
    yield server
    server.stop()
