"""Tables and columns a database from before versioning may lack.

Releases before versioning created the tables that were missing and added the columns that
were missing at every start, whatever release had made the file. This step does that one
last time, from the models of the release that introduced versions, so any older file starts
the numbered steps with every table and column they expect. (Written against today's models:
a later step that adds a column must use `ensure_columns`, which skips one already added here.)
"""
from __future__ import annotations

from gclap_sandbox import models
from gclap_sandbox.storage.migrations.steps import ensure_columns, ensure_tables


def apply() -> None:
    ensure_tables(*models.BaseModel.registry)
    ensure_columns(*(field for model in models.BaseModel.registry for field in model._meta.sorted_fields))
