"""A campaign's audience: lists, segments and contact ids, resolved to contacts (DB thread).

A contact in several sources is one recipient. Contacts who unsubscribed, bounced or complained,
and addresses on the suppression list, are skipped and counted by reason; the rest are sent to.
The preview counts what sending would do now; when sending begins `fill_recipients` writes the
recipients, oldest contact first, a chunk per unit of work (so a large audience never holds the
database thread for long): contacts created after sending began are not in it.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import peewee

from gclap_sandbox import clock
from gclap_sandbox.campaigns import counting
from gclap_sandbox.contacts.segments import compile_rules
from gclap_sandbox.models import (
    CampaignRecipient,
    Contact,
    ContactList,
    ContactListMember,
    Segment,
    Suppression,
)
from gclap_sandbox.state_errors import unknown_reference

SOURCES = ("lists", "segments", "contact_ids")
# Contact statuses that are never sent to, and the reason they are counted under.
SKIPPED_STATUSES = {"unsubscribed": "unsubscribed", "bounced": "bounced", "complained": "complained"}
SUPPRESSED = "suppressed"
SKIP_REASONS = (*SKIPPED_STATUSES.values(), SUPPRESSED)


def normalized(audience: dict[str, Any] | None) -> dict[str, list[str]]:
    given = audience or {}
    return {name: list(dict.fromkeys(str(v) for v in given.get(name) or [])) for name in SOURCES}


def is_empty(audience: dict[str, Any] | None) -> bool:
    return not any(normalized(audience).values())


def check_references(organization_id: str, audience: dict[str, Any], field: str = "audience") -> None:
    """404 `unknown-reference` naming each list, segment or contact id the organization does not have."""
    wanted = normalized(audience)
    errors: dict[str, list[str]] = {}
    for name, model, what in (("lists", ContactList, "list"), ("segments", Segment, "segment"),
                              ("contact_ids", Contact, "contact")):
        ids = wanted[name]
        if not ids:
            continue
        known = {row_id for (row_id,) in model.select(model.id).where(
            (model.organization == organization_id) & model.id.in_(ids)).tuples()}
        for position, row_id in enumerate(ids):
            if row_id not in known:
                errors.setdefault(f"{field}.{name}[{position}]", []).append(f"No {what} with id {row_id}.")
    if errors:
        raise unknown_reference(errors)


def contacts_query(organization_id: str, audience: dict[str, Any]) -> peewee.ModelSelect:
    """Every contact of the audience, once (a source that no longer exists adds nobody)."""
    wanted = normalized(audience)
    condition: peewee.Expression | None = None

    def either(expression: peewee.Expression) -> None:
        nonlocal condition
        condition = expression if condition is None else (condition | expression)

    if wanted["lists"]:  # EXISTS: a lookup per contact read, so a chunk of the audience costs a chunk
        either(peewee.fn.EXISTS(ContactListMember.select(peewee.SQL("1")).where(
            (ContactListMember.contact == Contact.id) & ContactListMember.contact_list.in_(wanted["lists"]))))
    segments = Segment.select().where((Segment.organization == organization_id) & Segment.id.in_(wanted["segments"])) \
        if wanted["segments"] else []
    for segment in segments:
        either(compile_rules(segment.rules, clock.now()))
    if wanted["contact_ids"]:
        either(Contact.id.in_(wanted["contact_ids"]))
    query = Contact.select().where(Contact.organization == organization_id)
    return query.where(condition) if condition is not None else query.where(Contact.id.is_null())


def _suppressed(organization_id: str) -> peewee.ModelSelect:
    return Suppression.select(Suppression.address).where(Suppression.organization == organization_id)


def _skip_reason(organization_id: str) -> peewee.Node:
    """SQL: the reason a contact is skipped, or NULL when it is sent to."""
    cases = [(Contact.status == status, reason) for status, reason in SKIPPED_STATUSES.items()]
    cases.append((Contact.email.in_(_suppressed(organization_id)), SUPPRESSED))
    return peewee.Case(None, cases, None)


def preview(organization_id: str, audience: dict[str, Any]) -> dict[str, Any]:
    """What sending now would do: {total, recipients, skipped, skipped_reasons}."""
    reason = _skip_reason(organization_id)
    query = contacts_query(organization_id, audience)
    # Grouped by position: PostgreSQL does not see a CASE with bound values as the same expression twice.
    counts = dict(query.select(reason.alias("reason"), peewee.fn.COUNT(Contact.id)).group_by(peewee.SQL("1")).tuples())
    skipped = {name: counts.get(name, 0) for name in SKIP_REASONS}
    total = sum(counts.values())
    return {"total": total, "recipients": counts.get(None, 0), "skipped": sum(skipped.values()),
            "skipped_reasons": skipped}


Key = tuple[datetime, str]  # (created_at, id) of a contact: where a fill goes on from


def fill_recipients(campaign_id: str, organization_id: str, audience: dict[str, Any], started_at: datetime,
                    after: Key | None, limit: int) -> tuple[int, Key | None]:
    """Write up to `limit` more recipients (skipped ones with their reason), the contacts after
    `after` in (created_at, id) order, in one INSERT ... SELECT. Returns how many were written
    and the key of the last one."""
    reason = _skip_reason(organization_id)
    query = contacts_query(organization_id, audience).where(Contact.created_at <= started_at)
    if after is not None:
        query = query.where((Contact.created_at > after[0])
                            | ((Contact.created_at == after[0]) & (Contact.id > after[1])))
    source = query.select(
        peewee.Value(campaign_id), Contact.id, Contact.email,
        peewee.Case(None, [(reason.is_null(), "pending")], "skipped"), reason,
    ).order_by(Contact.created_at, Contact.id).limit(limit)
    top = peewee.fn.MAX(CampaignRecipient.id)
    before = CampaignRecipient.select(top).scalar() or 0
    CampaignRecipient.insert_from(source, [CampaignRecipient.campaign, CampaignRecipient.contact_id,
                                           CampaignRecipient.address, CampaignRecipient.status,
                                           CampaignRecipient.reason]).execute()
    last = CampaignRecipient.select(top).scalar() or 0
    if last == before:
        return 0, after
    written = CampaignRecipient.select(CampaignRecipient.status, CampaignRecipient.reason,
                                       peewee.fn.COUNT(CampaignRecipient.id)) \
        .where((CampaignRecipient.campaign == campaign_id) & CampaignRecipient.id.between(before + 1, last)) \
        .group_by(CampaignRecipient.status, CampaignRecipient.reason).tuples()
    counting.move_recipients(campaign_id, Counter({(status, reason): count for status, reason, count in written}))
    contact = Contact.get_by_id(CampaignRecipient.get_by_id(last).contact_id)
    return last - before, (contact.created_at, contact.id)
