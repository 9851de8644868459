"""Deleting one organization's rows, and only its rows: the per-organization reset and the
deletion of an organization.

A row belongs to an organization through its `organization` foreign key, or through a parent
that does (an attachment through its email). Tables that belong to no organization (the job
queue, the sandbox DNS zone, mail not filed yet, the sandbox's own settings) are shared and
never touched here; a job left for a deleted row finds nothing and does nothing.
"""
from __future__ import annotations

import peewee

from gclap_sandbox.models import ApiKey, Organization
from gclap_sandbox.storage import reset
from gclap_sandbox.storage.database import BaseModel


def belongs_to(model: type[BaseModel], organization_id: str) -> peewee.Expression | None:
    """The condition selecting the organization's rows of `model`; None for a shared table."""
    for fk, parent in model._meta.refs.items():
        if parent is Organization:
            return fk == organization_id
    for fk, parent in model._meta.refs.items():
        if parent is model:
            continue
        parent_condition = belongs_to(parent, organization_id)
        if parent_condition is not None:
            return fk.in_(parent.select(parent._meta.primary_key).where(parent_condition))
    return None


def wipe(organization_id: str, *, everything: bool, keys_too: bool = False) -> dict[str, int]:
    """Delete the organization's rows (DB thread, one transaction); rows deleted per table.

    Data only, or with `everything` its configuration too (templates, webhook endpoints,
    domains...); its keys only with `keys_too`. The organization row itself stays.
    """
    if not organization_id:  # never "no filter"
        raise ValueError("an organization id is required")
    deleted: dict[str, int] = {}
    for model in reset.models_to_wipe(everything):
        if model is Organization or (model is ApiKey and not keys_too):
            continue
        condition = belongs_to(model, organization_id)
        if condition is not None:
            deleted[model._meta.table_name] = model.delete().where(condition).execute()
    return deleted
