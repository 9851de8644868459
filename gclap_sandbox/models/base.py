"""The base every model subclasses, and the owned-or-404 lookup behind every `.../{id}/` route."""
from __future__ import annotations

from typing import Any, TypeVar

import peewee

from gclap_sandbox.errors import NotFound
from gclap_sandbox.storage.connection import database

M = TypeVar("M", bound=peewee.Model)


class BaseModel(peewee.Model):
    """Every model subclasses this; subclasses register themselves for schema creation."""

    registry: list[type["BaseModel"]] = []  # filled as the model modules are imported, then fixed
    # What `POST /sandbox/reset/` does with the rows: "data" is wiped by every reset,
    # "config" (keys, settings, ...) only by a reset with {"all": true}. See storage/reset.py.
    reset_scope = "data"

    class Meta:
        database = database
        legacy_table_names = False

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        BaseModel.registry.append(cls)


def owned(model: type[M], organization_id: str, row_id: str, missing: str) -> M:
    """The organization's row with this id, or NotFound(`missing`): the lookup behind every
    `GET/PATCH/DELETE .../{id}/` route, so one organization never sees another's rows."""
    row = model.get_or_none((model._meta.primary_key == row_id) & (model.organization == organization_id))
    if row is None:
        raise NotFound(missing)
    return row
