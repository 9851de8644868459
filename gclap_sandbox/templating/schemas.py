"""Template request bodies, shared by the API (api/templates.py) and the template editor."""
from __future__ import annotations

from typing import Any

from gclap_sandbox.schema import Obj, Str
from gclap_sandbox.schema_rules import AnyOf

MAX_SOURCE = 1024 * 1024


def _fields(create: bool) -> dict[str, Any]:
    return {
        "name": Str(required=create, min_length=1, max_length=200),
        "subject": Str(required=create, min_length=1, max_length=998, description="Jinja2 source."),
        "html": Str(max_length=MAX_SOURCE, nullable=not create, description="Jinja2 source, autoescaped."),
        "text": Str(max_length=MAX_SOURCE, nullable=not create, description="Jinja2 source."),
    }


CREATE_BODY = Obj(_fields(create=True),
                  rules=[AnyOf("html", "text", message="A template needs `html` or `text` (or both).")])
UPDATE_BODY = Obj(_fields(create=False))
