"""/api/v1/webhooks/: endpoints (subscribe, change, rotate the secret, test) and the delivery log."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.pagination import (
    PAGE_FIELDS,
    envelope,
    envelope_schema,
    offset_limit,
)
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.schema import Obj
from gclap_sandbox.webhooks import actions, endpoints, outbox, schedule
from gclap_sandbox.webhooks.schemas import (
    CREATE_BODY,
    DELIVERY_FILTERS,
    REPLAY_BODY,
    ROTATE_BODY,
    UPDATE_BODY,
)

bp = Blueprint("webhooks", url_prefix=API_PREFIX, strict_slashes=False)
ENDPOINT_PATH = "/webhooks/endpoints/<endpoint_id:uuid>/"
DELIVERY_PATH = "/webhooks/deliveries/<delivery_id:uuid>/"


DELIVERY_QUERY = Obj({**PAGE_FIELDS, **DELIVERY_FILTERS})
LIST_QUERY = Obj(PAGE_FIELDS)

_TIME = {"type": ["string", "null"], "format": "date-time"}
ENDPOINT_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "url": {"type": "string", "format": "uri"},
    "events": {"type": "array", "items": {"type": "string"}}, "description": {"type": "string"},
    "active": {"type": "boolean"}, "disabled_reason": {"type": ["string", "null"]}, "disabled_at": _TIME,
    "failing_since": {**_TIME, "description": "The first failed attempt with no success after it; null when the "
                      "last attempt succeeded. Failing for the --webhook-disable-after span disables the endpoint."},
    "consecutive_failures": {"type": "integer", "description": "Failed attempts since the last success."},
    "missed_deliveries": {"type": "integer", "description": "Deliveries skipped while the endpoint was disabled "
                          "and not replayed yet (POST {id}/replay/ sends them)."},
    "secret": {"type": "string", "description": "The signing secret (`whsec_` + base64 key); not in lists."},
    "previous_secret_expires_at": {**_TIME, "description": "Until then the old secret also signs."},
    "created_at": _TIME, "updated_at": _TIME}}
DELIVERY_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"},
    "webhook_id": {"type": "string", "description": "The webhook-id header; the same on every attempt."},
    "endpoint_id": {"type": "string", "format": "uuid"}, "event_type": {"type": "string"},
    "event_id": {"type": ["string", "null"]}, "email_id": {"type": ["string", "null"]},
    "status": {"type": "string", "enum": list(outbox.STATUSES)}, "attempt_count": {"type": "integer"},
    "next_attempt_at": _TIME, "last_attempt_at": _TIME,
    "last_response_status": {"type": ["integer", "null"]}, "last_error": {"type": ["string", "null"]},
    "skipped_reason": {"type": ["string", "null"], "description": "Why a `skipped` delivery was not sent "
                       "(`endpoint disabled`)."},
    "replayed_at": {**_TIME, "description": "When a replay (or redelivery) queued this skipped delivery."},
    "created_at": _TIME}}
REPLAY_SCHEMA = {"type": "object", "properties": {
    "replayed": {"type": "integer", "description": "Skipped deliveries queued now."},
    "since": _TIME, "endpoint": ENDPOINT_SCHEMA}}
_MESSAGE = {"type": "object", "properties": {"headers": {"type": "object"}, "body": {"type": "string"}}}
ATTEMPT_SCHEMA = {"type": "object", "properties": {
    "number": {"type": "integer"}, "url": {"type": "string"}, "started_at": _TIME,
    "succeeded": {"type": "boolean"}, "duration_ms": {"type": "number"}, "error": {"type": ["string", "null"]},
    "request": {**_MESSAGE, "description": "Headers and body exactly as sent."},
    "response": {"type": ["object", "null"], "properties": {
        **_MESSAGE["properties"], "status": {"type": "integer"},
        "truncated": {"type": "boolean", "description": "The body was cut after 16 KiB."}}}}}
DELIVERY_DETAIL_SCHEMA = {"type": "object", "properties": {
    **DELIVERY_SCHEMA["properties"], "payload": {"type": "object", "description": "The body, parsed."},
    "attempts": {"type": "array", "items": ATTEMPT_SCHEMA}}}
_RETRIES = ", ".join(f"{d:g} s" for d in schedule.RETRY_DELAYS)


def _org(request: Request) -> str:
    return request.ctx.principal.organization_id


@endpoint(bp, "POST", "/webhooks/endpoints/", scope="webhooks:write", summary="Create a webhook endpoint",
          description="Subscribes a URL to event types. The answer carries the signing secret (`whsec_...`); "
          "deliveries follow the Standard Webhooks spec.", body=CREATE_BODY,
          responses={201: {"description": "The endpoint, with its secret.", "schema": ENDPOINT_SCHEMA}})
async def create_endpoint(request: Request) -> HTTPResponse:
    created = await request.app.ctx.sandbox.db.run(endpoints.create, _org(request), request.ctx.body)
    return json_response(created, status=201)


@endpoint(bp, "GET", "/webhooks/endpoints/", scope="webhooks:read", summary="List webhook endpoints",
          query=LIST_QUERY, responses={200: {"description": "A page of endpoints (without secrets).",
                                             "schema": envelope_schema(ENDPOINT_SCHEMA)}})
async def list_endpoints(request: Request) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(endpoints.list_endpoints, _org(request), offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "GET", ENDPOINT_PATH, scope="webhooks:read", summary="Get a webhook endpoint",
          responses={200: {"description": "The endpoint, with its secret.", "schema": ENDPOINT_SCHEMA},
                     404: {}})
async def get_endpoint(request: Request, endpoint_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(endpoints.show, _org(request), str(endpoint_id)))


@endpoint(bp, "PATCH", ENDPOINT_PATH, scope="webhooks:write", summary="Change a webhook endpoint",
          description="Change url, events, description, or `active` (re-enable a disabled endpoint).",
          body=UPDATE_BODY, responses={200: {"description": "The endpoint.", "schema": ENDPOINT_SCHEMA},
                                       404: {}})
async def update_endpoint(request: Request, endpoint_id: Any) -> HTTPResponse:
    return json_response(await actions.update_endpoint(request.app.ctx.sandbox, _org(request), str(endpoint_id),
                                                       request.ctx.body))


@endpoint(bp, "DELETE", ENDPOINT_PATH, scope="webhooks:write", summary="Delete a webhook endpoint",
          description="Its deliveries and their log go with it.",
          responses={204: {"description": "Deleted."}, 404: {}})
async def delete_endpoint(request: Request, endpoint_id: Any) -> HTTPResponse:
    await request.app.ctx.sandbox.db.run(endpoints.delete, _org(request), str(endpoint_id))
    return HTTPResponse(status=204)


@endpoint(bp, "POST", ENDPOINT_PATH + "rotate-secret/", scope="webhooks:write",
          summary="Rotate an endpoint's signing secret",
          description="A new secret signs from now on; the old one keeps signing beside it (two `v1,` "
          "signatures in webhook-signature) for the grace period, so receivers can switch without a gap.",
          body=ROTATE_BODY, responses={200: {"description": "The endpoint with its new secret.",
                                             "schema": ENDPOINT_SCHEMA}, 404: {}})
async def rotate_secret(request: Request, endpoint_id: Any) -> HTTPResponse:
    rotated = await request.app.ctx.sandbox.db.run(endpoints.rotate_secret, _org(request), str(endpoint_id),
                                                   request.ctx.body["grace_period_seconds"])
    return json_response(rotated)


@endpoint(bp, "POST", ENDPOINT_PATH + "test/", scope="webhooks:write", summary="Send a test event now",
          description="Posts a `webhook.test` event to the endpoint at once (even a disabled one) and "
          "answers with the delivery and its attempt. A failed test is retried like any delivery.",
          responses={200: {"description": "The delivery, with the attempt.", "schema": DELIVERY_DETAIL_SCHEMA},
                     404: {}})
async def test_endpoint(request: Request, endpoint_id: Any) -> HTTPResponse:
    return json_response(await actions.send_test(request.app.ctx.sandbox, _org(request), str(endpoint_id)))


@endpoint(bp, "POST", ENDPOINT_PATH + "replay/", scope="webhooks:write",
          summary="Replay what a disabled endpoint missed",
          description="Queues the endpoint's `skipped` deliveries (events raised while it was disabled), "
          "each exactly once and oldest first, with their original webhook-id and body, signed with the "
          "current secret and retried like new ones. With `since`, only those skipped at or after it. "
          "409 while the endpoint is disabled: re-enable it first (PATCH active=true).",
          body=REPLAY_BODY, responses={202: {"description": "Queued; `replayed` counts them.",
                                             "schema": REPLAY_SCHEMA}, 404: {}, 409: {}})
async def replay_missed(request: Request, endpoint_id: Any) -> HTTPResponse:
    replayed = await request.app.ctx.sandbox.db.run(outbox.replay_missed, _org(request), str(endpoint_id),
                                                    request.ctx.body.get("since"))
    return json_response(replayed, status=202)


@endpoint(bp, "GET", "/webhooks/deliveries/", scope="webhooks:read", summary="The webhook delivery log",
          description=f"Newest first. A failed attempt is retried after {_RETRIES} (sandbox clock; "
          "`Retry-After` is honoured), then the delivery is `failed`. Events raised while an endpoint is "
          "disabled are `skipped` deliveries, sent only by a replay.", query=DELIVERY_QUERY,
          responses={200: {"description": "A page of deliveries.", "schema": envelope_schema(DELIVERY_SCHEMA)}})
async def list_deliveries(request: Request) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(outbox.list_deliveries, _org(request),
                                                       request.ctx.query, offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "GET", DELIVERY_PATH, scope="webhooks:read", summary="A webhook delivery and its attempts",
          description="Every attempt: request headers and body exactly as sent, response status, headers "
          "and body (first 16 KiB), duration, error.",
          responses={200: {"description": "The delivery.", "schema": DELIVERY_DETAIL_SCHEMA}, 404: {}})
async def get_delivery(request: Request, delivery_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(outbox.show, _org(request), str(delivery_id)))


@endpoint(bp, "POST", DELIVERY_PATH + "redeliver/", scope="webhooks:write", summary="Redeliver",
          description="Queues the delivery again now, with the same webhook-id and body and a fresh retry "
          "schedule (a `skipped` one is sent for the first time). 409 when its endpoint is disabled.",
          responses={202: {"description": "Queued.", "schema": DELIVERY_SCHEMA}, 404: {}, 409: {}})
async def redeliver(request: Request, delivery_id: Any) -> HTTPResponse:
    queued = await request.app.ctx.sandbox.db.run(outbox.redeliver, _org(request), str(delivery_id))
    return json_response(queued, status=202)
