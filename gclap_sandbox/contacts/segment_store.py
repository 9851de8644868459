"""Saved segments: CRUD and their members, evaluated in SQL (DB thread)."""
from __future__ import annotations

from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.contacts.segments import compile_rules
from gclap_sandbox.contacts.store import dicts_for, newest_first
from gclap_sandbox.models import Contact, Segment
from gclap_sandbox.storage.database import owned


def members(segment: Segment):
    return Contact.select().where((Contact.organization == segment.organization_id)
                                  & compile_rules(segment.rules, clock.now()))


def segment_dict(segment: Segment) -> dict[str, Any]:
    return {
        "id": segment.id,
        "name": segment.name,
        "rules": segment.rules,
        "contact_count": members(segment).count(),
        "created_at": clock.iso(segment.created_at),
        "updated_at": clock.iso(segment.updated_at),
    }


def get_segment(organization_id: str, segment_id: str) -> Segment:
    return owned(Segment, organization_id, segment_id, f"No segment with id {segment_id}.")


def list_segments(organization_id: str, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    query = Segment.select().where(Segment.organization == organization_id)
    rows = query.order_by(Segment.created_at.desc(), Segment.id).offset(offset).limit(limit)
    return query.count(), [segment_dict(row) for row in rows]


def detail(organization_id: str, segment_id: str) -> dict[str, Any]:
    return segment_dict(get_segment(organization_id, segment_id))


def create_segment(organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    now = clock.now()
    return segment_dict(Segment.create(organization=organization_id, name=data["name"], rules=data["rules"],
                                       created_at=now, updated_at=now))


def update_segment(organization_id: str, segment_id: str, data: dict[str, Any]) -> dict[str, Any]:
    found = get_segment(organization_id, segment_id)
    for name in ("name", "rules"):
        if name in data:
            setattr(found, name, data[name])
    found.updated_at = clock.now()
    found.save()
    return segment_dict(found)


def delete_segment(organization_id: str, segment_id: str) -> None:
    get_segment(organization_id, segment_id).delete_instance()


def segment_contacts(organization_id: str, segment_id: str, offset: int, limit: int
                     ) -> tuple[int, list[dict[str, Any]]]:
    query = members(get_segment(organization_id, segment_id))
    return query.count(), dicts_for(list(newest_first(query).offset(offset).limit(limit)))
