"""A lasting cache (answers about what never changes once stored) outlives other processes' writes."""
from __future__ import annotations

from gclap_sandbox.storage.database import Database


def test_another_process_writing_keeps_lasting_caches_and_a_reset_empties_them() -> None:
    db = Database(":memory:")
    db.cache("spamd", lasting=True)["email-1"] = {"score": 1.0}
    db.cache("organizations")["org-1"] = "read from a table"
    db.forget_caches(False)  # what the peer poll does when another process wrote
    assert db.cache("spamd", lasting=True) == {"email-1": {"score": 1.0}}
    assert db.cache("organizations") == {}
    db.forget_caches()  # what a reset does
    assert db.cache("spamd", lasting=True) == {}
