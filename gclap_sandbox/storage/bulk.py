"""Fast writes for the hot paths (capture, events, jobs) and bulk imports (DB thread).

peewee builds SQL anew for every query, which costs more than SQLite itself on paths that
run for every email or every imported row. Here each statement is built once per shape
(table and columns, quoted by the database in use, so it stays portable: each cache is keyed by
the engine's placeholder too, since SQLite and PostgreSQL sandboxes may share a process) and reused,
while values still go through each field's `db_value`, exactly as peewee would convert them (a
value that conversion would hand back unchanged, such as a `str` for a text column, skips the call:
`_row_converter`).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence, TypeVar

import peewee

from gclap_sandbox.storage import engine
from gclap_sandbox.storage.connection import database

M = TypeVar("M", bound=peewee.Model)

_insert_sql: dict[tuple[Any, ...], tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]]] = {}


def insert_rows(model: type[peewee.Model], rows: Sequence[dict[str, Any]], *,
                ignore_conflicts: bool = False) -> Any:
    """Insert rows (dicts that all name the same fields); returns the cursor."""
    if not rows:
        return None
    names = tuple(rows[0])
    returning = len(rows) == 1 and isinstance(model._meta.primary_key, peewee.AutoField)
    key = (model, names, ignore_conflicts, returning, database.obj.param)
    cached = _insert_sql.get(key)
    if cached is None:
        fields = [model._meta.fields[name] for name in names]
        columns = ", ".join(quoted(model, f.name) for f in fields)
        marks = ", ".join([database.obj.param] * len(fields))
        sql = f"INSERT INTO {quoted(model)} ({columns}) VALUES ({marks})"
        if ignore_conflicts:
            sql += " ON CONFLICT DO NOTHING"
        if returning:
            # The new key: SQLite's cursor knows it (lastrowid), PostgreSQL says it (RETURNING).
            sql = engine.current().insert_returning(sql, quoted(model, model._meta.primary_key.name))
        cached = _insert_sql[key] = (sql, _row_converter(fields))
    sql, convert = cached
    params = [convert(row) for row in rows]
    cursor = database.cursor()
    if len(params) == 1:
        cursor.execute(sql, params[0])
    else:
        cursor.executemany(sql, params)
    return cursor


def _unchanged_class(field: peewee.Field, conversion: str) -> type | None:
    """The class of values that `field`'s `conversion` ("db_value" or "python_value") returns as
    they are (None: it may change any)."""
    if isinstance(field, peewee.ForeignKeyField):
        return _unchanged_class(field.rel_field, conversion)
    if getattr(type(field), conversion) is not getattr(peewee.Field, conversion):
        return None
    adapt = type(field).adapt
    if adapt is peewee._StringField.adapt:
        return str
    if adapt is peewee.IntegerField.adapt:
        return int
    if adapt is bool:
        return bool
    return None


def _compiled(fields: Sequence[peewee.Field], conversion: str, keys: Sequence[Any],
              shape: Callable[[list[str]], str]) -> Callable[[Any], Any]:
    """A function of one `row` that converts `row[key]` for each field with its `conversion`,
    unless the value's class is one the conversion returns unchanged, and returns the values
    as `shape` lays them out. Generated once per shape of row: a loop over the fields costs
    more than the conversions it saves."""
    scope: dict[str, Any] = {}
    values = []
    for i, (field, key) in enumerate(zip(fields, keys)):
        scope[f"convert{i}"] = getattr(field, conversion)
        unchanged = _unchanged_class(field, conversion)
        if unchanged is None:
            values.append(f"convert{i}(row[{key!r}])")
        else:
            scope[f"class{i}"] = unchanged
            values.append(f"(v if (v := row[{key!r}]).__class__ is class{i} else convert{i}(v))")
    exec(f"def compiled(row):\n    return {shape(values)}", scope)  # noqa: S102 (our own text)
    return scope["compiled"]


def row_reader(fields: Sequence[peewee.Field]) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """A function from a row as read (values in the order of `fields`) to the `__data__` peewee
    would make of it: each value through its field's `python_value` (as `_compiled` skips it)."""
    return _compiled(fields, "python_value", range(len(fields)),
                     lambda values: "{" + ", ".join(f"{f.name!r}: {v}" for f, v in zip(fields, values)) + "}")


_readers: dict[type[peewee.Model], Callable[[Sequence[Any]], dict[str, Any]]] = {}


def instance_of(model: type[M], row: Sequence[Any]) -> M:
    """A `model` instance from a row of all its fields (in `_meta.fields` order), as peewee would
    make it, without the cost of Model.__init__."""
    read = _readers.get(model)
    if read is None:
        read = _readers[model] = row_reader(list(model._meta.fields.values()))
    instance = model.__new__(model)
    instance.__data__, instance._dirty, instance.__rel__ = read(row), set(), {}
    return instance


def _row_converter(fields: Sequence[peewee.Field]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A function from a row (a dict) to its statement's parameters, each value through its field's
    `db_value` (as `_compiled` skips it)."""
    return _compiled(fields, "db_value", [field.name for field in fields],
                     lambda values: "(" + ", ".join(values) + ",)")


def create_fast(model: type[M], **values: Any) -> M:
    """`Model.create` for hot paths: defaults filled the same way, SQL built once per model."""
    row: dict[str, Any] = {}
    for name, field in model._meta.fields.items():
        if name in values:
            row[name] = values[name]
        elif isinstance(field, peewee.AutoField):
            continue
        elif field.default is not None:
            row[name] = field.default() if callable(field.default) else field.default
        else:
            row[name] = None
    cursor = insert_rows(model, [row])
    instance = model(__no_default__=True, **row)  # `row` has every default already: none called twice
    if isinstance(model._meta.primary_key, peewee.AutoField):
        setattr(instance, model._meta.primary_key.name, engine.current().new_key(cursor))
    return instance


def quoted(model: type[peewee.Model], field: str | None = None) -> str:
    """The quoted table name, or the quoted column of `field`, for the few hand-written statements."""
    name = model._meta.table_name if field is None else model._meta.fields[field].column_name
    return peewee.quote((name,), database.obj.quote)


def update_rows(model: type[peewee.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Update by primary key; each row is (*values for `columns`, primary key)."""
    if not rows:
        return
    fields = [model._meta.fields[name] for name in columns]
    pk = model._meta.primary_key
    assignments = ", ".join(f"{quoted(model, f.name)} = {database.obj.param}" for f in fields)
    sql = f"UPDATE {quoted(model)} SET {assignments} WHERE {quoted(model, pk.name)} = {database.obj.param}"
    converters = [*fields, pk]
    database.cursor().executemany(sql, ([f.db_value(v) for f, v in zip(converters, row)] for row in rows))


_select_sql: dict[tuple[Any, ...], str] = {}


def get_or_none(model: type[M], **equals: Any) -> M | None:
    """`Model.get_or_none(a == x, b == y)` for hot paths: one row by equality, SQL built once."""
    key = (model, tuple(equals), database.obj.param)
    sql = _select_sql.get(key)
    if sql is None:
        columns = ", ".join(quoted(model, name) for name in model._meta.fields)
        where = " AND ".join(f"{quoted(model, name)} = {database.obj.param}" for name in equals)
        sql = _select_sql[key] = f"SELECT {columns} FROM {quoted(model)} WHERE {where} LIMIT 1"
    fields = model._meta.fields
    row = database.execute_sql(sql, [fields[name].db_value(value) for name, value in equals.items()]).fetchone()
    return None if row is None else instance_of(model, row)


def portable(sql: str) -> str:
    """A hand-written statement written with `?` placeholders, in the database's own style."""
    param = database.obj.param
    return sql if param == "?" else sql.replace("?", param)


def execute(key: str, build: Callable[[], str], params: Sequence[Any]) -> Any:
    """Run a hand-written statement, built once by `build` (with `quoted` names and `?`) and cached."""
    sql = _select_sql.get(("sql", key, database.obj.param))
    if sql is None:
        sql = _select_sql[("sql", key, database.obj.param)] = portable(build())
    return database.execute_sql(sql, params)


def upsert(model: type[peewee.Model], conflict: Sequence[peewee.Field], **values: Any) -> None:
    """Insert a row, or update the row that has the same `conflict` columns (both engines' ON
    CONFLICT ... DO UPDATE; SQLite's INSERT OR REPLACE has no PostgreSQL form)."""
    keep = {field.name for field in conflict} | {model._meta.primary_key.name}
    preserve = [model._meta.fields[name] for name in values if name not in keep]
    query = model.insert(**values)
    query = query.on_conflict(conflict_target=list(conflict), preserve=preserve) if preserve else \
        query.on_conflict_ignore()
    query.execute()
