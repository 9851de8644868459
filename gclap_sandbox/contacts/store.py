"""Contacts: the queries and changes behind the contacts API (all run on the DB thread)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

import peewee

from gclap_sandbox import clock
from gclap_sandbox.contacts.segments import compile_rules, escape_like, like
from gclap_sandbox.errors import Conflict
from gclap_sandbox.events import record as events
from gclap_sandbox.inbox import queries as inbox
from gclap_sandbox.models import (
    Contact,
    ContactList,
    ContactListMember,
    Email,
    EmailRecipient,
    Event,
    Segment,
)
from gclap_sandbox.mail.addresses import normalize_address
from gclap_sandbox.state_errors import unknown_reference
from gclap_sandbox.storage.bulk import insert_rows
from gclap_sandbox.storage.database import current, owned

# Lifecycle event -> the status it gives a contact (delivery events leave status alone).
STATUS_FOR_EVENT = {
    "email.bounced": "bounced",
    "email.unsubscribed": "unsubscribed",
    "email.spam": "complained",
    "email.complained": "complained",
}


def normalize_email(value: Any) -> str | None:
    """`  Ana@Example.COM ` -> `ana@example.com`; None when it is not an address."""
    if not isinstance(value, str):
        return None
    parsed = normalize_address(value.strip())
    return parsed[1].lower() if parsed and len(parsed[1]) <= 320 else None


def contact_dict(contact: Contact, list_ids: list[str]) -> dict[str, Any]:
    return {
        "id": contact.id,
        "email": contact.email,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "attributes": contact.attributes,
        "status": contact.status,
        "lists": list_ids,
        "last_opened_at": clock.iso(contact.last_opened_at),
        "last_clicked_at": clock.iso(contact.last_clicked_at),
        "created_at": clock.iso(contact.created_at),
        "updated_at": clock.iso(contact.updated_at),
    }


def list_ids_by_contact(contact_ids: Iterable[str]) -> dict[str, list[str]]:
    ids = list(contact_ids)
    found: dict[str, list[str]] = {cid: [] for cid in ids}
    for start in range(0, len(ids), 500):
        rows = (ContactListMember.select(ContactListMember.contact, ContactListMember.contact_list)
                .where(ContactListMember.contact.in_(ids[start:start + 500]))
                .order_by(ContactListMember.added_at).tuples())
        for contact_id, list_id in rows:
            found[contact_id].append(list_id)
    return found


def dicts_for(contacts: list[Contact]) -> list[dict[str, Any]]:
    lists = list_ids_by_contact(c.id for c in contacts)
    return [contact_dict(c, lists[c.id]) for c in contacts]


def get_contact(organization_id: str, contact_id: str) -> Contact:
    return owned(Contact, organization_id, contact_id, f"No contact with id {contact_id}.")


def filtered(organization_id: str, filters: dict[str, Any]) -> peewee.ModelSelect:
    query = Contact.select().where(Contact.organization == organization_id)
    for word in (filters.get("search") or "").split():
        pattern = f"%{escape_like(word)}%"
        query = query.where(like(Contact.email, pattern) | like(Contact.first_name, pattern)
                            | like(Contact.last_name, pattern))
    if filters.get("list"):
        query = query.where(Contact.id.in_(ContactListMember.select(ContactListMember.contact)
                                           .where(ContactListMember.contact_list == filters["list"])))
    if filters.get("status"):
        query = query.where(Contact.status == filters["status"])
    if filters.get("segment"):
        segment = Segment.get_or_none((Segment.id == filters["segment"])
                                      & (Segment.organization == organization_id))
        if segment is None:
            raise unknown_reference({"segment": [f"No segment with id {filters['segment']}."]})
        query = query.where(compile_rules(segment.rules, clock.now()))
    return query


def newest_first(query: peewee.ModelSelect) -> peewee.ModelSelect:
    return query.order_by(Contact.created_at.desc(), Contact.id.desc())


def list_contacts(organization_id: str, filters: dict[str, Any], offset: int, limit: int
                  ) -> tuple[int, list[dict[str, Any]]]:
    query = filtered(organization_id, filters)
    return query.count(), dicts_for(list(newest_first(query).offset(offset).limit(limit)))


def detail(organization_id: str, contact_id: str) -> dict[str, Any]:
    return dicts_for([get_contact(organization_id, contact_id)])[0]


def check_lists(organization_id: str, list_ids: list[str], field: str = "lists") -> None:
    known = {row.id for row in ContactList.select(ContactList.id).where(
        (ContactList.organization == organization_id) & ContactList.id.in_(list_ids))}
    errors = {f"{field}[{i}]": [f"No list with id {lid}."] for i, lid in enumerate(list_ids) if lid not in known}
    if errors:
        raise unknown_reference(errors)


def _refuse_duplicate(organization_id: str, email: str, except_id: str | None = None) -> None:
    existing = Contact.get_or_none((Contact.organization == organization_id) & (Contact.email == email))
    if existing is not None and existing.id != except_id:
        raise Conflict(f"A contact with email {email} already exists: {existing.id}.",
                       slug="duplicate-contact", existing_id=existing.id,
                       existing_url=f"/api/v1/contacts/{existing.id}/")


def add_to_lists(contact_ids: list[str], list_ids: list[str]) -> int:
    """Add memberships, ignoring those that exist; returns how many were new."""
    if not contact_ids or not list_ids:
        return 0
    in_lists = ContactListMember.select().where(ContactListMember.contact_list.in_(list_ids))
    before = in_lists.count()
    topic = current().bus.contact_added_to_list
    # Who was already in each list, so that subscribers hear only of new members.
    existing = _members(contact_ids, list_ids) if topic else set()
    now = clock.now()
    insert_rows(ContactListMember, [{"contact_list": lid, "contact": cid, "added_at": now}
                                    for lid in list_ids for cid in contact_ids], ignore_conflicts=True)
    if topic:
        for lid in list_ids:
            added = [cid for cid in dict.fromkeys(contact_ids) if (lid, cid) not in existing]
            if added:
                topic.publish(lid, added)
    return in_lists.count() - before


def _members(contact_ids: list[str], list_ids: list[str]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for start in range(0, len(contact_ids), 300):
        pairs.update(ContactListMember.select(ContactListMember.contact_list, ContactListMember.contact)
                     .where(ContactListMember.contact_list.in_(list_ids)
                            & ContactListMember.contact.in_(contact_ids[start:start + 300])).tuples())
    return pairs


def create_contact(organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    email = data["email"]
    _refuse_duplicate(organization_id, email)
    list_ids = data.get("lists") or []
    check_lists(organization_id, list_ids)
    now = clock.now()
    contact = Contact.create(
        organization=organization_id, email=email, first_name=data.get("first_name") or "",
        last_name=data.get("last_name") or "", attributes=data.get("attributes") or {},
        status=data.get("status") or "subscribed", created_at=now, updated_at=now)
    current().bus.contacts_created.publish(organization_id, [contact.id])
    add_to_lists([contact.id], list_ids)
    return detail(organization_id, contact.id)


def update_contact(organization_id: str, contact_id: str, data: dict[str, Any]) -> dict[str, Any]:
    contact = get_contact(organization_id, contact_id)
    if "email" in data and data["email"] != contact.email:
        _refuse_duplicate(organization_id, data["email"], except_id=contact.id)
        contact.email = data["email"]
    for name in ("first_name", "last_name", "status"):
        if name in data:
            setattr(contact, name, data[name] or "")
    if "attributes" in data:
        contact.attributes = merge_attributes(contact.attributes, data["attributes"])
    if "lists" in data:
        check_lists(organization_id, data["lists"])
        ContactListMember.delete().where((ContactListMember.contact == contact.id)
                                         & ContactListMember.contact_list.not_in(data["lists"])).execute()
        add_to_lists([contact.id], data["lists"])
    contact.updated_at = clock.now()
    contact.save()
    return detail(organization_id, contact.id)


def merge_attributes(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """PATCH semantics: given keys replace, a null value removes the key."""
    merged = dict(current)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def delete_contact(organization_id: str, contact_id: str) -> None:
    get_contact(organization_id, contact_id).delete_instance()  # memberships cascade


def contact_emails(organization_id: str, contact_id: str, offset: int, limit: int
                   ) -> tuple[int, list[dict[str, Any]]]:
    """Email captured for this contact's address (to, cc or bcc), newest first."""
    contact = get_contact(organization_id, contact_id)
    query = Email.select().where(
        (Email.organization == organization_id)
        & Email.id.in_(EmailRecipient.select(EmailRecipient.email)
                       .where(EmailRecipient.address == contact.email)))
    rows = query.order_by(Email.created_at.desc(), Email.id.desc()).offset(offset).limit(limit)
    return query.count(), [inbox.summary(email) for email in rows]


def contact_events(organization_id: str, contact_id: str, offset: int, limit: int
                   ) -> tuple[int, list[dict[str, Any]]]:
    """Lifecycle events of email sent to this contact's address, newest first."""
    contact = get_contact(organization_id, contact_id)
    return events.list_events(organization_id, {"recipient": contact.email}, offset, limit)


# Event types that change a contact: engagement times or status.
_CONTACT_EVENTS = {"email.opened", "email.clicked", *STATUS_FOR_EVENT}


def on_event(event: Any, payload: dict[str, Any]) -> None:
    """On `event_recorded` (server/wiring.py): keep the recipient's contact current (DB thread)."""
    if not event.recipient or event.type not in _CONTACT_EVENTS:
        return
    if event.type == "email.bounced" and (event.data or {}).get("bounce_type") != "hard":
        return  # a soft bounce says nothing lasting about the address
    apply_event_to_contact(event.organization_id, event.recipient, event.type, event.occurred_at)


def apply_event_to_contact(organization_id: str, address: str, event_type: str,
                           occurred_at: datetime) -> Contact | None:
    """Keep a contact's engagement and status current with one lifecycle event (DB thread).

    Called from record_event() for each recipient event; a recipient who is not a contact
    is ignored. Opens and clicks only ever move the timestamps forward (a click implies an
    open); bounces, unsubscribes and complaints set the status.
    """
    email = normalize_email(address)
    contact = email and Contact.get_or_none((Contact.organization == organization_id)
                                            & (Contact.email == email))
    if not contact:
        return None
    changed = False
    if event_type in ("email.opened", "email.clicked"):
        if contact.last_opened_at is None or contact.last_opened_at < occurred_at:
            contact.last_opened_at, changed = occurred_at, True
    if event_type == "email.clicked":
        if contact.last_clicked_at is None or contact.last_clicked_at < occurred_at:
            contact.last_clicked_at, changed = occurred_at, True
    status = STATUS_FOR_EVENT.get(event_type)
    if status and contact.status != status:
        contact.status, changed = status, True
    if changed:
        contact.updated_at = clock.now()
        contact.save()
    return contact


def recent_events(organization_id: str, address: str, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """(count, newest events) of mail to this address, each with its email's subject."""
    query = (Event.select(Event, Email.subject).join(Email)
             .where((Event.organization == organization_id) & (Event.recipient == address.lower())))
    rows = [{**events.serialize(e), "subject": e.email.subject}
            for e in query.order_by(Event.occurred_at.desc(), Event.seq.desc()).limit(limit)]
    return (query.count() if len(rows) == limit else len(rows)), rows
