"""The Webhooks page: endpoints (create, edit, re-enable, replay what a disabled one missed,
delete, rotate the secret, send a test) and the delivery log with every attempt's request and
response, and Redeliver.

Every change goes through the webhooks API's validators and the same units of work as the
`/api/v1/webhooks/` routes (`webhooks.endpoints`, `webhooks.outbox`, `webhooks.actions`).
New attempts reach open pages live: the bus's `webhook_attempted` (server/wiring.py) publishes a `webhook`
message on the UI's live hub.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox import clock
from gclap_sandbox.http_json import json_body, json_response
from gclap_sandbox.schema import Int, Obj
from gclap_sandbox.ui.base import NavItem, bp, db_run, organization_of, page, render, templates
from gclap_sandbox.webhooks import actions, endpoints, outbox, payloads
from gclap_sandbox.webhooks.schemas import (
    CREATE_BODY,
    DELIVERY_FILTERS,
    REPLAY_BODY,
    ROTATE_BODY,
    UPDATE_BODY,
)

PAGE_SIZE = 50
ENDPOINTS_SHOWN = 500  # a sandbox has a handful of endpoints; the API pages through any number
LOG_FILTERS = Obj({
    "endpoint": DELIVERY_FILTERS["endpoint"],
    "event_type": DELIVERY_FILTERS["event_type"],
    "status": DELIVERY_FILTERS["status"],
    "page": Int(minimum=1, maximum=1_000_000, from_string=True),
})
ROTATE_CHOICES = [(0, "Not at all: it stops now"), (3600, "For 1 hour"), (86400, "For 24 hours"),
                  (604800, "For 7 days")]

NAV = NavItem("Webhooks", "/webhooks", 60)


def _ctx(request: Request) -> Any:
    return request.app.ctx.sandbox


def _org(request: Request) -> str:
    return organization_of(request)


def _span(request: Request) -> float:
    return _ctx(request).settings.webhook_disable_after


# --- reading (DB thread; a fixed number of queries whatever the page size) ------------------

def _endpoint_rows(organization_id: str, span: float) -> list[dict[str, Any]]:
    """The endpoints, each with `disables_at`: when a failing one is disabled if nothing succeeds."""
    rows = endpoints.list_endpoints(organization_id, 0, ENDPOINTS_SHOWN)[1]
    for row in rows:
        since = row["failing_since"]
        row["disables_at"] = clock.iso(datetime.fromisoformat(since.replace("Z", "+00:00"))
                                       + timedelta(seconds=span)) if since and row["active"] and span else None
    return rows


def _log(organization_id: str, filters: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:
    number = filters.get("page") or 1
    total, rows = outbox.list_deliveries(organization_id, filters, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    for row in rows:
        endpoint = by_id.get(row["endpoint_id"], {})
        row["endpoint_url"], row["endpoint_active"] = endpoint.get("url", ""), endpoint.get("active", True)
    return {"deliveries": rows, "total": total, "page_number": number,
            "first": (number - 1) * PAGE_SIZE + 1, "has_next": number * PAGE_SIZE < total}


def webhooks_page(organization_id: str, filters: dict[str, Any], span: float) -> dict[str, Any]:
    rows = _endpoint_rows(organization_id, span)
    return {"endpoints": rows, **_log(organization_id, filters, {e["id"]: e for e in rows})}


def delivery_page(organization_id: str, delivery_id: str) -> dict[str, Any]:
    delivery = outbox.show(organization_id, delivery_id)
    endpoint = endpoints.serialize(endpoints.get(organization_id, delivery["endpoint_id"]))
    return {"delivery": delivery, "endpoint": endpoint}


def _event_choices() -> list[str]:
    return [*payloads.subscribable_types(), payloads.TEST_EVENT]


def _log_link(filters: dict[str, Any], number: int) -> str:
    kept = {k: v for k, v in filters.items() if k != "page" and v}
    return "/webhooks?" + urlencode({**kept, "page": number}) + "#deliveries"


def _given_filters(request: Request) -> tuple[dict[str, str], dict[str, Any]]:
    given = {name: values[0] for name, values in request.args.items()
             if values and values[0] != "" and name in LOG_FILTERS.fields}
    return given, LOG_FILTERS.validate(given)


def _log_html(data: dict[str, Any], filters: dict[str, Any]) -> str:
    return templates.get_template("_webhook_deliveries.html").render(filters=filters, **data)


def _endpoints_html(rows: list[dict[str, Any]]) -> str:
    return templates.get_template("_webhook_endpoints.html").render(endpoints=rows)


@page("/webhooks", name="webhooks")
async def webhooks_view(request: Request) -> HTTPResponse:
    given, filters = _given_filters(request)
    data = await db_run(request, webhooks_page, _org(request), filters, _span(request))
    pages = {"previous": _log_link(given, data["page_number"] - 1) if data["page_number"] > 1 else None,
             "next": _log_link(given, data["page_number"] + 1) if data["has_next"] else None}
    return render(request, "webhooks.html", filters={k: str(filters.get(k) or "") for k in LOG_FILTERS.fields},
                  event_types=payloads.subscribable_types(), log_event_types=_event_choices(),
                  statuses=outbox.STATUSES, rotate_choices=ROTATE_CHOICES, pages=pages, **data)


@bp.get("/ui/api/webhooks/deliveries", name="webhook_log")
async def log_fragment(request: Request) -> HTTPResponse:
    """The delivery log table body for the current filters (the page refreshes it live)."""
    _, filters = _given_filters(request)
    data = await db_run(request, webhooks_page, _org(request), filters, _span(request))
    return json_response({"html": _log_html(data, filters), "total": data["total"],
                          "endpoints": _endpoints_html(data["endpoints"])})


@page("/webhooks/deliveries/<delivery_id:uuid>", name="webhook_delivery")
async def delivery_view(request: Request, delivery_id: Any) -> HTTPResponse:
    data = await db_run(request, delivery_page, _org(request), str(delivery_id))
    return render(request, "webhook_delivery.html", **data)


def _delivery_answer(data: dict[str, Any], status: int = 200) -> HTTPResponse:
    html = templates.get_template("_webhook_attempts.html").render(**data)
    facts = templates.get_template("_webhook_delivery_facts.html").render(**data)
    return json_response({"delivery": data["delivery"], "attempts": html, "facts": facts}, status=status)


@bp.get("/ui/api/webhooks/deliveries/<delivery_id:uuid>", name="webhook_delivery_fragment")
async def delivery_fragment(request: Request, delivery_id: Any) -> HTTPResponse:
    return _delivery_answer(await db_run(request, delivery_page, _org(request), str(delivery_id)))


@bp.post("/ui/api/webhooks/deliveries/<delivery_id:uuid>/redeliver", name="webhook_redeliver")
async def redeliver(request: Request, delivery_id: Any) -> HTTPResponse:
    await db_run(request, outbox.redeliver, _org(request), str(delivery_id))
    return _delivery_answer(await db_run(request, delivery_page, _org(request), str(delivery_id)), status=202)


# --- endpoints ------------------------------------------------------------------------------

async def _endpoints_answer(request: Request, endpoint: dict[str, Any] | None, status: int = 200,
                            **extra: Any) -> HTTPResponse:
    rows = await db_run(request, _endpoint_rows, _org(request), _span(request))
    return json_response({"endpoint": endpoint, "rows": _endpoints_html(rows), "total": len(rows), **extra},
                         status=status)


@bp.post("/ui/api/webhooks/endpoints", name="webhook_create")
async def create_endpoint(request: Request) -> HTTPResponse:
    body = CREATE_BODY.validate(json_body(request))
    created = await db_run(request, endpoints.create, _org(request), body)
    return await _endpoints_answer(request, created, status=201)


@bp.get("/ui/api/webhooks/endpoints/<endpoint_id:uuid>", name="webhook_show")
async def show_endpoint(request: Request, endpoint_id: Any) -> HTTPResponse:
    return json_response({"endpoint": await db_run(request, endpoints.show, _org(request), str(endpoint_id))})


@bp.patch("/ui/api/webhooks/endpoints/<endpoint_id:uuid>", name="webhook_update")
async def update_endpoint(request: Request, endpoint_id: Any) -> HTTPResponse:
    body = UPDATE_BODY.validate(json_body(request))
    updated = await actions.update_endpoint(_ctx(request), _org(request), str(endpoint_id), body)
    return await _endpoints_answer(request, updated)


@bp.delete("/ui/api/webhooks/endpoints/<endpoint_id:uuid>", name="webhook_delete")
async def delete_endpoint(request: Request, endpoint_id: Any) -> HTTPResponse:
    await db_run(request, endpoints.delete, _org(request), str(endpoint_id))
    return await _endpoints_answer(request, None)


@bp.post("/ui/api/webhooks/endpoints/<endpoint_id:uuid>/rotate-secret", name="webhook_rotate")
async def rotate_secret(request: Request, endpoint_id: Any) -> HTTPResponse:
    body = ROTATE_BODY.validate(json_body(request) if request.body else {})
    rotated = await db_run(request, endpoints.rotate_secret, _org(request), str(endpoint_id),
                           body["grace_period_seconds"])
    return await _endpoints_answer(request, rotated)


@bp.post("/ui/api/webhooks/endpoints/<endpoint_id:uuid>/replay", name="webhook_replay")
async def replay_missed(request: Request, endpoint_id: Any) -> HTTPResponse:
    body = REPLAY_BODY.validate(json_body(request) if request.body else {})
    replayed = await db_run(request, outbox.replay_missed, _org(request), str(endpoint_id), body.get("since"))
    return await _endpoints_answer(request, replayed["endpoint"], status=202, replayed=replayed["replayed"])


@bp.post("/ui/api/webhooks/endpoints/<endpoint_id:uuid>/test", name="webhook_test")
async def send_test(request: Request, endpoint_id: Any) -> HTTPResponse:
    delivery = await actions.send_test(_ctx(request), _org(request), str(endpoint_id))
    return await _endpoints_answer(request, None, delivery=delivery)
