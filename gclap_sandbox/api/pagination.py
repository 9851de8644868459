"""Page-number pagination with the `{count, next, previous, results}` envelope."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sanic import Request

from gclap_sandbox.schema import Int

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_PAGE = 10_000_000  # keeps OFFSET within SQLite's integers

PAGE_FIELDS = {
    "page": Int(minimum=1, maximum=MAX_PAGE, from_string=True, default=1, description="Page number, from 1."),
    "page_size": Int(minimum=1, maximum=MAX_PAGE_SIZE, from_string=True, default=DEFAULT_PAGE_SIZE,
                     description=f"Items per page (max {MAX_PAGE_SIZE})."),
}


def envelope_schema(item_schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["count", "next", "previous", "results"],
        "properties": {
            "count": {"type": "integer"},
            "next": {"type": ["string", "null"], "format": "uri"},
            "previous": {"type": ["string", "null"], "format": "uri"},
            "results": {"type": "array", "items": item_schema},
        },
    }


def offset_limit(query: dict[str, Any]) -> tuple[int, int]:
    size = query["page_size"]
    return (query["page"] - 1) * size, size


def envelope(request: Request, count: int, results: list[Any]) -> dict[str, Any]:
    query = request.ctx.query
    page, size = query["page"], query["page_size"]
    return {
        "count": count,
        "next": _page_url(request, page + 1) if page * size < count else None,
        "previous": _page_url(request, page - 1) if page > 1 else None,
        "results": results,
    }


def _page_url(request: Request, page: int) -> str:
    args = [(k, v) for k, values in request.args.items() if k != "page" for v in values]
    args.append(("page", str(page)))
    base = request.app.ctx.sandbox.http_url or f"{request.scheme}://{request.host}"
    return f"{base}{request.path}?{urlencode(args)}"
