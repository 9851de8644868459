"""Row ids are canonical version-4 UUID text, as `str(uuid.uuid4())` writes it."""
from __future__ import annotations

import uuid

from gclap_sandbox.models.fields import new_id


def test_row_ids_are_canonical_random_version_4_uuids_and_do_not_repeat():
    ids = [new_id() for _ in range(5000)]
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert len(set(ids)) == len(ids)
