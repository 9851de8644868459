"""/api/v1/analytics/alert-configs/: alerts on a metric over a window, their state, history and a test."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.alerts import definition, store
from gclap_sandbox.api.pagination import (
    PAGE_FIELDS,
    envelope,
    envelope_schema,
    offset_limit,
)
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.models.alerts import ALERT_STATES
from gclap_sandbox.schema import Obj, Str

bp = Blueprint("alert_configs", url_prefix=API_PREFIX, strict_slashes=False)

BASE = "/analytics/alert-configs/"
CONFIG_PATH = BASE + "<config_id:uuid>/"
LIST_QUERY = Obj({**PAGE_FIELDS, "state": Str(choices=list(ALERT_STATES), description="Only configs in this state.")})
HISTORY_QUERY = Obj(PAGE_FIELDS)

_STR, _INT = {"type": "string"}, {"type": "integer"}
_WHEN = {"type": ["string", "null"], "format": "date-time"}
_STATE = {"type": "string", "enum": list(ALERT_STATES)}
CONFIG_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "name": _STR,
    "metric": {"type": "string", "enum": list(definition.CREATE_BODY.fields["metric"].choices or [])},
    "condition": {"$ref": "#/components/schemas/AlertCondition"},
    "window": {"type": "string", "enum": list(definition.WINDOWS)}, "window_seconds": _INT,
    "min_volume": _INT, "cooldown_seconds": _INT,
    "filters": {"type": "object", "properties": {"tag": _STR, "campaign_id": _STR, "sending_domain": _STR}},
    "channels": {"type": "object", "properties": {
        "emails": {"type": "array", "items": _STR}, "webhook_endpoint_ids": {"type": "array", "items": _STR}}},
    "enabled": {"type": "boolean"},
    "state": {**_STATE, "description": "`ok` (never fired), `triggered` or `resolved`."},
    "state_changed_at": _WHEN,
    "last_value": {"type": ["number", "null"], "description": "At the last evaluation; null: no value "
                                                                "(nothing measured, or below `min_volume`)."},
    "last_volume": {"type": ["integer", "null"]}, "last_evaluated_at": _WHEN, "last_triggered_at": _WHEN,
    "next_evaluation_at": {**_WHEN, "description": "The next evaluation already planned (events arriving "
                                                   "bring it forward)."},
    "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
}}
TRANSITION_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "number": _INT, "from_state": _STATE, "to_state": _STATE,
    "value": {"type": ["number", "null"]}, "volume": {"type": ["integer", "null"]},
    "count": _INT, "occurred_at": {"type": "string", "format": "date-time"},
    "window": _STR, "window_start": {"type": "string", "format": "date-time"},
    "window_end": {"type": "string", "format": "date-time"},
    "threshold": {"type": "number"}, "baseline": {"type": ["object", "null"]}}}
TEST_SCHEMA = {"type": "object", "properties": {
    "alert_config_id": {"type": "string", "format": "uuid"},
    "payload": {"$ref": "#/components/schemas/SandboxAlertTriggeredPayload"},
    "email_ids": {"type": "array", "items": {"type": "string", "format": "uuid"}},
    "webhook_delivery_ids": {"type": "array", "items": {"type": "string", "format": "uuid"}}}}
_UNKNOWN = {404: {"description": "The config, or a campaign or webhook endpoint it names, does not exist "
                                 "(`unknown-reference` names the field)."}}


def _org(request: Request) -> str:
    return request.ctx.principal.organization_id


@endpoint(bp, "GET", BASE, scope="analytics:read", summary="List alert configs", query=LIST_QUERY,
          description="Newest first, each with its state.",
          responses={200: {"description": "A page of alert configs.", "schema": envelope_schema(CONFIG_SCHEMA)}})
async def list_configs(request: Request) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(store.list_configs, _org(request), request.ctx.query,
                                                       offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "POST", BASE, scope="analytics:write", summary="Create an alert config",
          description="Watch a metric over a window of the sandbox clock: above or below a threshold, or an "
                      "anomaly against its own trailing baseline. It is evaluated at once, soon after each event "
                      "that moves its metric, and as data leaves its window; firing and resolving are announced "
                      "as `sandbox.alert.triggered` / `sandbox.alert.resolved` webhooks and as an email.",
          body=definition.CREATE_BODY,
          responses={201: {"description": "Created.", "schema": CONFIG_SCHEMA}, **_UNKNOWN})
async def create_config(request: Request) -> HTTPResponse:
    data = await request.app.ctx.sandbox.db.run(store.create_config, _org(request), request.ctx.body)
    return json_response(data, status=201)


@endpoint(bp, "GET", CONFIG_PATH, scope="analytics:read", summary="Get an alert config",
          responses={200: {"description": "The config with its state.", "schema": CONFIG_SCHEMA}, 404: {}})
async def get_config(request: Request, config_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(store.detail, _org(request), str(config_id)))


@endpoint(bp, "PATCH", CONFIG_PATH, scope="analytics:write", summary="Change an alert config",
          description="Fields given replace the stored ones (`filters` and `channels` as a whole); the config is "
                      "evaluated again at once. Its state and history stay.",
          body=definition.UPDATE_BODY,
          responses={200: {"description": "The changed config.", "schema": CONFIG_SCHEMA}, **_UNKNOWN,
                     409: {"description": "The change is valid alone but not with the stored fields (e.g. a "
                                          "threshold above 1 for a stored rate metric): `alert-config-conflict`, "
                                          "naming them."}})
async def update_config(request: Request, config_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(store.update_config, _org(request), str(config_id),
                                                              request.ctx.body))


@endpoint(bp, "DELETE", CONFIG_PATH, scope="analytics:write", summary="Delete an alert config",
          description="With its state and history.", responses={204: {"description": "Deleted."}, 404: {}})
async def delete_config(request: Request, config_id: Any) -> HTTPResponse:
    await request.app.ctx.sandbox.db.run(store.delete_config, _org(request), str(config_id))
    return HTTPResponse(status=204)


@endpoint(bp, "GET", CONFIG_PATH + "history/", scope="analytics:read", summary="An alert config's history",
          description="Its changes of state, newest first, each with the value measured then.",
          query=HISTORY_QUERY,
          responses={200: {"description": "A page of transitions.", "schema": envelope_schema(TRANSITION_SCHEMA)},
                     404: {}})
async def config_history(request: Request, config_id: Any) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(store.history, _org(request), str(config_id), offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "POST", CONFIG_PATH + "test/", scope="analytics:write", summary="Send a test alert",
          description="A sample `sandbox.alert.triggered` (with `test: true` and the value measured now) to the "
                      "config's webhook endpoints, and the alert email to its addresses. Its state and history "
                      "do not change.",
          responses={202: {"description": "What was sent.", "schema": TEST_SCHEMA}, 404: {}})
async def test_config(request: Request, config_id: Any) -> HTTPResponse:
    data = await request.app.ctx.sandbox.db.run(store.send_test, _org(request), str(config_id))
    return json_response(data, status=202)
