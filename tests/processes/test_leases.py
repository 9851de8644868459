"""A lease on shared work (storage/claims.py): held by another process until it runs out, then
taken over, so work whose process stopped before recording its outcome is not lost."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from db_fixture import org_id  # noqa: F401  (fixture)

from gclap_sandbox.models import Email, EmailRelay
from gclap_sandbox.storage import claims


def relay_held_by(organization_id: str, owner: str | None, until: datetime | None) -> str:
    """A queued relay, leased to `owner` until `until` (None: to no one)."""
    email = Email.create(organization=organization_id, source="api")
    return EmailRelay.create(email=email.id, trigger="auto", claimed_by=owner, claimed_until=until).id


def test_work_another_process_holds_is_left_to_it_until_its_lease_runs_out(org_id):  # noqa: F811
    now = datetime.now(timezone.utc)
    held = relay_held_by(org_id, "other-host:1:0", now + timedelta(seconds=60))
    stopped = relay_held_by(org_id, "other-host:2:0", now - timedelta(seconds=1))
    free = relay_held_by(org_id, None, None)

    taken = claims.lease(EmailRelay, [held, stopped, free], dict.fromkeys([held, stopped, free], 60.0))

    assert taken == {stopped, free}
    assert EmailRelay.get_by_id(held).claimed_by == "other-host:1:0"
    assert EmailRelay.get_by_id(stopped).claimed_by == claims.OWNER


def test_work_this_process_holds_is_taken_again_by_it(org_id):  # noqa: F811
    mine = relay_held_by(org_id, claims.OWNER, datetime.now(timezone.utc) + timedelta(seconds=60))
    assert claims.lease(EmailRelay, [mine], {mine: 60.0}) == {mine}
