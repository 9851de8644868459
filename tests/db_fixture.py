"""An in-process in-memory database for unit tests of DB-thread functions."""
from __future__ import annotations

from typing import Iterator

import pytest

from gclap_sandbox.storage.database import create_schema, database, open_database
from gclap_sandbox.models import Organization


@pytest.fixture
def org_id() -> Iterator[str]:
    db = open_database(":memory:")
    db.connect(reuse_if_open=True)
    create_schema()
    with database.atomic():
        yield Organization.create(name="Unit").id
    db.close()
