"""JSON response helpers (from http_json.py, shared with the UI) and shared response schemas."""
from __future__ import annotations

from typing import Any

from gclap_sandbox.http_json import json_response, problem_response

__all__ = ["PROBLEM_SCHEMA", "json_response", "problem_response"]

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
