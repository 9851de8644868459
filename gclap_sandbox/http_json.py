"""JSON over HTTP, shared by the API and the web UI: strict request bodies, JSON answers.

A leaf (Sanic and errors.py only), so pages and API routes read and answer JSON alike without
the UI importing the API.
"""
from __future__ import annotations

import json
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox.errors import PROBLEM_CONTENT_TYPE, BadRequest
from gclap_sandbox.json_text import dumps_bytes


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> HTTPResponse:
    return HTTPResponse(dumps_bytes(body), status=status, headers=headers, content_type="application/json")


def problem_response(problem: dict[str, Any], headers: dict[str, str] | None = None) -> HTTPResponse:
    return HTTPResponse(dumps_bytes(problem), status=problem["status"], headers=headers,
                        content_type=PROBLEM_CONTENT_TYPE)


def json_body(request: Request) -> Any:
    if not request.body:
        raise BadRequest("The request body must be a JSON object.", slug="invalid-json")
    return parse_json(request.body)


def parse_json(body: bytes) -> Any:
    """Strict JSON: what we accept we can store and serve back as valid JSON.

    Python's parser takes NaN, Infinity, numbers that overflow to infinity and lone UTF-16
    surrogates, none of which JSON (or UTF-8) can carry; such input is refused here.
    """
    try:
        value = json.loads(body, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise BadRequest("The request body is nested too deeply.", slug="invalid-json") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}", slug="invalid-json") from None
    if b"\\u" in body.lower() and _has_lone_surrogate(value):
        raise BadRequest("The request body contains an unpaired UTF-16 surrogate (\\ud800-\\udfff), "
                         "which is not a character.", slug="invalid-json")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"number {text[:30]} is too large")
    return number


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
