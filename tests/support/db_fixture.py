"""An in-process in-memory database for unit tests of DB-thread functions."""
from __future__ import annotations

from typing import Iterator

import pytest

from gclap_sandbox.models import Organization
from gclap_sandbox.storage.database import database, open_in_this_thread


@pytest.fixture
def org_id() -> Iterator[str]:
    db = open_in_this_thread(":memory:")
    with database.atomic():
        yield Organization.create(name="Unit").id
    db.close()
