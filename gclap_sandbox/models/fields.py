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
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value: Any) -> Any:
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class JSONField(peewee.TextField):
    def db_value(self, value: Any) -> Any:
        return None if value is None else json_text.dumps(value)

    def python_value(self, value: Any) -> Any:
        return None if value is None else json.loads(value)
