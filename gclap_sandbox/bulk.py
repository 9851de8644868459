"""Fast bulk writes for imports: one prepared statement, many rows (DB thread).

peewee builds SQL per row for `insert_many`, which dominates a 100,000-row import;
here the statement is generated once by peewee (so it stays portable) and run with
`executemany`, with each value converted by its field exactly as peewee would.
"""
from __future__ import annotations

from typing import Any, Sequence

import peewee

from gclap_sandbox.db import BaseModel, database


def _in_sql_order(model: type[BaseModel], columns: Sequence[str]) -> list[tuple[int, peewee.Field]]:
    """(index in the caller's rows, field) in the order peewee writes columns into SQL."""
    ctx = database.get_sql_context()
    fields = [(i, model._meta.fields[name]) for i, name in enumerate(columns)]
    return sorted(fields, key=lambda item: item[1].get_sort_key(ctx))


def _run(sql: str, order: list[tuple[int, peewee.Field]], rows: Sequence[Sequence[Any]]) -> None:
    database.cursor().executemany(sql, ([field.db_value(row[i]) for i, field in order] for row in rows))


def insert_rows(model: type[BaseModel], columns: Sequence[str], rows: Sequence[Sequence[Any]],
                ignore_conflicts: bool = False) -> None:
    if not rows:
        return
    order = _in_sql_order(model, columns)
    query = model.insert({field: rows[0][i] for i, field in order})
    if ignore_conflicts:
        query = query.on_conflict_ignore()
    _run(query.sql()[0], order, rows)


def update_rows(model: type[BaseModel], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Each row is (*values for columns, primary key)."""
    if not rows:
        return
    order = _in_sql_order(model, columns)
    pk = model._meta.primary_key
    query = model.update({field: rows[0][i] for i, field in order}).where(pk == rows[0][-1])
    _run(query.sql()[0], order + [(len(columns), pk)], rows)
