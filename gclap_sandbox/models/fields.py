"""Column types shared by the models."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import peewee

from gclap_sandbox import json_text
from gclap_sandbox.random_ids import uuid4_text


def new_id() -> str:
    return uuid4_text()


class IdField(peewee.CharField):
    """A UUID primary key stored as its canonical text (what the API shows)."""

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("primary_key", True)
        kw.setdefault("default", new_id)
        kw.setdefault("max_length", 36)
        super().__init__(**kw)


class UtcDateTimeField(peewee.DateTimeField):
    """Stores naive UTC (sortable text in SQLite); hands back aware UTC datetimes."""

    def db_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            if value.tzinfo is not timezone.utc:  # the clock's own times are UTC already
                value = value.astimezone(timezone.utc)
            return value.replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value: Any) -> Any:
        if value.__class__ is str and len(value) in (19, 26) and value[10] == " ":
            # How SQLite hands back what was stored (with or without microseconds): read directly,
            # peewee's format-by-format strptime costs several times more on every row read.
            return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class JSONField(peewee.TextField):
    def db_value(self, value: Any) -> Any:
        return None if value is None else json_text.dumps(value)

    def python_value(self, value: Any) -> Any:
        return None if value is None else json.loads(value)
