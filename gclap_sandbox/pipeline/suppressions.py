"""The organization's suppression list: addresses mail is no longer sent to (DB thread).

Hard bounces, spam complaints and unsubscribes add the address (an `events` transaction
hook); later sends record `email.suppressed` for it instead of delivering.
"""
from __future__ import annotations

from typing import Any, Iterable

from gclap_sandbox import clock
from gclap_sandbox.errors import NotFound
from gclap_sandbox.models import Event, Suppression
from gclap_sandbox.storage.bulk import execute, quoted

REASONS = ("hard_bounce", "spam_complaint", "unsubscribe")


def reason_for(event_type: str, data: dict[str, Any]) -> str | None:
    if event_type == "email.bounced" and data.get("bounce_type") == "hard":
        return "hard_bounce"
    if event_type == "email.spam":
        return "spam_complaint"
    if event_type == "email.unsubscribed":
        return "unsubscribe"
    return None


def on_event(event: Event, payload: dict[str, Any]) -> None:
    """On `event_recorded` (server/wiring.py): suppress the recipient after a bounce, complaint or unsubscribe."""
    reason = reason_for(event.type, event.data)
    if reason is None or not event.recipient:
        return
    Suppression.insert(organization=event.organization_id, address=event.recipient, reason=reason,
                       email_id=event.email_id, created_at=event.occurred_at) \
        .on_conflict_ignore().execute()


def suppressed(organization_id: str, addresses: Iterable[str]) -> dict[str, str]:
    """address -> reason, for those of `addresses` on the list."""
    wanted = [a.lower() for a in addresses]
    if not wanted:
        return {}
    # Hand-written, built once per number of addresses: this runs for every captured email.
    return dict(execute(f"suppressed:{len(wanted)}", lambda: (
        f"SELECT {quoted(Suppression, 'address')}, {quoted(Suppression, 'reason')} "
        f"FROM {quoted(Suppression)} WHERE {quoted(Suppression, 'organization')} = ? "
        f"AND {quoted(Suppression, 'address')} IN ({', '.join('?' * len(wanted))})"),
        (organization_id, *wanted)).fetchall())


def serialize(row: Suppression) -> dict[str, Any]:
    return {"email": row.address, "reason": row.reason, "email_id": row.email_id,
            "created_at": clock.iso(row.created_at)}


def list_suppressions(organization_id: str, filters: dict[str, Any], offset: int, limit: int
                      ) -> tuple[int, list[dict[str, Any]]]:
    query = Suppression.select().where(Suppression.organization == organization_id)
    if filters.get("email"):
        query = query.where(Suppression.address == filters["email"].lower())
    if filters.get("reason"):
        query = query.where(Suppression.reason == filters["reason"])
    count = query.count()
    rows = query.order_by(Suppression.created_at.desc(), Suppression.address).offset(offset).limit(limit)
    return count, [serialize(row) for row in rows]


def remove(organization_id: str, address: str | None) -> int:
    """Take one address off the list (404 if absent), or clear the list when None."""
    query = Suppression.delete().where(Suppression.organization == organization_id)
    if address is None:
        return query.execute()
    deleted = query.where(Suppression.address == address.lower()).execute()
    if not deleted:
        raise NotFound(f"{address} is not on the suppression list.")
    return deleted
