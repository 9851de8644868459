"""JSON response helpers and shared response schemas."""
from __future__ import annotations

import json
from typing import Any

from sanic.response import HTTPResponse

from gclap_sandbox.errors import PROBLEM_CONTENT_TYPE


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> HTTPResponse:
    return HTTPResponse(_dumps(body), status=status, headers=headers, content_type="application/json")


def problem_response(problem: dict[str, Any], headers: dict[str, str] | None = None) -> HTTPResponse:
    return HTTPResponse(_dumps(problem), status=problem["status"], headers=headers,
                        content_type=PROBLEM_CONTENT_TYPE)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem document.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                   "description": "Validation errors by field path."},
    },
}
