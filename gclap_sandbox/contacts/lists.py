"""Contact lists and their members: the queries behind the lists API (DB thread)."""
from __future__ import annotations

from typing import Any

import peewee

from gclap_sandbox import clock
from gclap_sandbox.contacts.store import add_to_lists, normalize_email
from gclap_sandbox.models import Contact, ContactList, ContactListMember
from gclap_sandbox.storage.database import owned

_CHUNK = 500  # ids per IN (...) query, well under SQLite's parameter limit


def member_count(list_id: str) -> int:
    return ContactListMember.select().where(ContactListMember.contact_list == list_id).count()


def list_dict(contact_list: ContactList, count: int) -> dict[str, Any]:
    return {
        "id": contact_list.id,
        "name": contact_list.name,
        "description": contact_list.description,
        "member_count": count,
        "created_at": clock.iso(contact_list.created_at),
        "updated_at": clock.iso(contact_list.updated_at),
    }


def get_list(organization_id: str, list_id: str) -> ContactList:
    return owned(ContactList, organization_id, list_id, f"No list with id {list_id}.")


def list_lists(organization_id: str, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    counts = (ContactListMember.select(peewee.fn.COUNT(ContactListMember.contact))
              .where(ContactListMember.contact_list == ContactList.id))
    query = ContactList.select().where(ContactList.organization == organization_id)
    rows = (query.select_extend(counts.alias("n")).order_by(ContactList.created_at.desc(), ContactList.id)
            .offset(offset).limit(limit))
    return query.count(), [list_dict(row, row.n) for row in rows]


def detail(organization_id: str, list_id: str) -> dict[str, Any]:
    found = get_list(organization_id, list_id)
    return list_dict(found, member_count(found.id))


def create_list(organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    now = clock.now()
    created = ContactList.create(organization=organization_id, name=data["name"],
                                 description=data.get("description") or "", created_at=now, updated_at=now)
    return list_dict(created, 0)


def update_list(organization_id: str, list_id: str, data: dict[str, Any]) -> dict[str, Any]:
    found = get_list(organization_id, list_id)
    for name in ("name", "description"):
        if name in data:
            setattr(found, name, data[name] or "")
    found.updated_at = clock.now()
    found.save()
    return list_dict(found, member_count(found.id))


def delete_list(organization_id: str, list_id: str) -> None:
    get_list(organization_id, list_id).delete_instance()  # memberships cascade; contacts stay


def resolve_contacts(organization_id: str, contact_ids: list[str], emails: list[str]
                     ) -> tuple[list[str], dict[str, list[str]]]:
    """Contact ids for the given ids and emails, and those that matched no contact."""
    found: dict[str, None] = {}
    missing: dict[str, list[str]] = {"contact_ids": [], "emails": []}
    for start in range(0, len(contact_ids), _CHUNK):
        chunk = contact_ids[start:start + _CHUNK]
        known = {cid for (cid,) in Contact.select(Contact.id).where(
            (Contact.organization == organization_id) & Contact.id.in_(chunk)).tuples()}
        for cid in chunk:
            if cid in known:
                found[cid] = None
            else:
                missing["contact_ids"].append(cid)
    normalized = [(raw, normalize_email(raw)) for raw in emails]
    wanted = [email for _, email in normalized if email]
    by_email: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        by_email.update(Contact.select(Contact.email, Contact.id).where(
            (Contact.organization == organization_id) & Contact.email.in_(wanted[start:start + _CHUNK])).tuples())
    for raw, email in normalized:
        if email in by_email:
            found[by_email[email]] = None
        else:
            missing["emails"].append(raw)
    return list(found), missing


def add_members(organization_id: str, list_id: str, contact_ids: list[str], emails: list[str]
                ) -> dict[str, Any]:
    found_list = get_list(organization_id, list_id)
    ids, missing = resolve_contacts(organization_id, contact_ids, emails)
    added = add_to_lists(ids, [found_list.id])
    return {"added": added, "already_members": len(ids) - added, "not_found": missing,
            "member_count": member_count(found_list.id)}


def remove_members(organization_id: str, list_id: str, contact_ids: list[str], emails: list[str]
                   ) -> dict[str, Any]:
    found_list = get_list(organization_id, list_id)
    ids, missing = resolve_contacts(organization_id, contact_ids, emails)
    removed = 0
    for start in range(0, len(ids), _CHUNK):
        removed += ContactListMember.delete().where(
            (ContactListMember.contact_list == found_list.id)
            & ContactListMember.contact.in_(ids[start:start + _CHUNK])).execute()
    return {"removed": removed, "not_members": len(ids) - removed, "not_found": missing,
            "member_count": member_count(found_list.id)}


def names_by_id(organization_id: str) -> dict[str, str]:
    """Every list's name by id, by name (the contacts pages label and filter with them)."""
    rows = (ContactList.select(ContactList.id, ContactList.name)
            .where(ContactList.organization == organization_id).order_by(ContactList.name).tuples())
    return dict(rows)
