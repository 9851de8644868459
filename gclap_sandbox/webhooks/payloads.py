"""What a delivery posts: `{type, timestamp, data}`, and the JSON Schema of each event type.

`data` carries the email's identity (id, recipient, from, subject, tags, metadata) and the
event's own fields (bounce type/code/reason, url, user agent and IP, ...). `timestamp` is
when the event happened, on the sandbox clock.
"""
from __future__ import annotations

import json
from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.events import record as events
from gclap_sandbox.models import Email, Event

CAMPAIGN_COMPLETED = "campaign.completed"
# The sandbox's own events (not the provider's): an alert config fired or resolved (alerts/).
ALERT_TRIGGERED = "sandbox.alert.triggered"
ALERT_RESOLVED = "sandbox.alert.resolved"
TEST_EVENT = "webhook.test"

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_TRACKING = {"user_agent": {**_STRING, "description": "The recipient's User-Agent (real opens and clicks)."},
             "ip": {**_STRING, "description": "The recipient's IP address (real opens and clicks)."},
             "simulated": {"type": "boolean", "description": "True when the event was simulated."}}
_SMTP = {"smtp_code": {"type": "integer"}, "enhanced_code": _STRING, "reason": _STRING}

# Each event type's own fields inside `data` (beside the common email fields).
EVENT_FIELDS: dict[str, dict[str, Any]] = {
    events.SENT: {},
    events.DELIVERED: {"smtp_code": {"type": "integer"}, "response": _STRING},
    events.DEFERRED: _SMTP,
    events.BOUNCED: {"bounce_type": {"type": "string", "enum": ["hard", "soft"]}, **_SMTP},
    events.OPENED: {**_TRACKING, "unique": {"type": "boolean", "description": "The recipient's first open."}},
    events.CLICKED: {**_TRACKING, "url": {**_STRING, "format": "uri", "description": "The original link."},
                     "unique": {"type": "boolean", "description": "The recipient's first click."}},
    events.UNSUBSCRIBED: {**_TRACKING, "method": _STRING},
    events.SPAM: {"simulated": {"type": "boolean"}, "feedback_type": _STRING},
    events.SUPPRESSED: {"reason": {**_STRING, "description": "Why the address is suppressed."}},
}


def subscribable_types() -> dict[str, str]:
    """Every type an endpoint may subscribe to (read at call time, so later types join)."""
    return {**events.EVENT_TYPES,
            CAMPAIGN_COMPLETED: "A campaign was sent to every recipient: its id, timestamps and stats then.",
            ALERT_TRIGGERED: "The sandbox's own: an alert config's condition holds (also sent by its test action, "
                             "with `test: true`).",
            ALERT_RESOLVED: "The sandbox's own: a triggered alert config's condition no longer holds."}


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def email_fields(email: Email, recipient: str | None) -> dict[str, Any]:
    sender = email.from_address
    return {"email_id": email.id, "recipient": recipient,
            "from": f"{email.from_name} <{sender}>" if email.from_name and sender else sender,
            "subject": email.subject, "tags": list(email.tags or []), "metadata": dict(email.metadata or {})}


def event_body(event: Event, email: Email) -> str:
    data = {**(event.data or {}), "event_id": event.id, **email_fields(email, event.recipient)}
    return dumps({"type": event.type, "timestamp": clock.iso(event.occurred_at), "data": data})


def test_body(endpoint_id: str) -> str:
    return dumps({"type": TEST_EVENT, "timestamp": clock.iso(clock.now()),
                  "data": {"endpoint_id": endpoint_id, "message": "A test event from gclap-sandbox."}})


_COUNT = {"type": "integer"}
CAMPAIGN_DATA: dict[str, Any] = {"type": "object", "required": ["campaign_id", "name", "stats"], "properties": {
    "campaign_id": {"type": "string", "format": "uuid"},
    "name": _STRING,
    "tags": {"type": "array", "items": _STRING},
    "scheduled_for": {**_NULLABLE_STRING, "format": "date-time", "description": "The `send_at` asked for."},
    "started_at": {"type": "string", "format": "date-time", "description": "When sending began."},
    "completed_at": {"type": "string", "format": "date-time", "description": "When the last recipient's email was sent."},
    "stats": {"type": "object", "description": "The campaign's stats at that moment (as GET /campaigns/{id}/stats/).",
              "properties": {"recipients": _COUNT, "skipped": _COUNT, "sent": _COUNT, "delivered": _COUNT,
                             "skipped_reasons": {"type": "object", "additionalProperties": _COUNT}}},
}}

_NUMBER_OR_NULL = {"type": ["number", "null"]}
ALERT_DATA: dict[str, Any] = {"type": "object", "required": ["alert_config_id", "name", "metric", "state", "value"],
                              "properties": {
    "alert_config_id": {"type": "string", "format": "uuid"},
    "name": _STRING,
    "metric": {**_STRING, "description": "As in the config, e.g. bounce_rate."},
    "condition": {"type": "object", "description": "As in the config."},
    "window": {**_STRING, "description": "As in the config, e.g. 1h."},
    "filters": {"type": "object"},
    "state": {"type": "string", "enum": ["triggered", "resolved"]},
    "previous_state": {"type": "string", "enum": ["ok", "triggered", "resolved"]},
    "value": {**_NUMBER_OR_NULL, "description": "The measured value (rates as fractions); null: no value."},
    "count": {**_COUNT, "description": "What was counted (a rate's numerator)."},
    "volume": {"type": ["integer", "null"], "description": "What a rate is a share of (e.g. emails sent)."},
    "threshold": {**_NUMBER_OR_NULL, "description": "Above/below conditions."},
    "baseline": {"type": ["object", "null"], "description": "Anomaly conditions: mean, stddev, windows, "
                                                             "deviations (null: infinitely many)."},
    "window_start": {"type": "string", "format": "date-time"},
    "window_end": {"type": "string", "format": "date-time"},
    "summary": {**_STRING, "description": "One sentence saying what happened."},
    "transition_id": {"type": ["string", "null"], "format": "uuid",
                      "description": "The history entry (GET .../alert-configs/{id}/history/); null for a test."},
    "test": {"type": "boolean", "description": "True when sent by the test action."},
}}

_COMMON = {
    "event_id": {"type": "string", "format": "uuid"},
    "email_id": {"type": "string", "format": "uuid"},
    "recipient": {**_NULLABLE_STRING, "format": "email"},
    "from": {**_NULLABLE_STRING, "description": "The sender, `Name <address>` when it has a name."},
    "subject": _STRING,
    "tags": {"type": "array", "items": _STRING},
    "metadata": {"type": "object"},
}


def _envelope(type_: str, description: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "description": description, "required": ["type", "timestamp", "data"],
            "properties": {"type": {"const": type_},
                           "timestamp": {"type": "string", "format": "date-time",
                                         "description": "When it happened (sandbox clock)."},
                           "data": data}}


def schema_name(type_: str) -> str:
    return "".join(part.capitalize() for part in type_.replace("_", ".").split(".")) + "Payload"


def payload_schemas() -> dict[str, dict[str, Any]]:
    """Component schemas: one per event type a webhook can carry."""
    schemas: dict[str, dict[str, Any]] = {}
    for type_, description in subscribable_types().items():
        if type_ == CAMPAIGN_COMPLETED:
            data = CAMPAIGN_DATA
        elif type_ in (ALERT_TRIGGERED, ALERT_RESOLVED):
            data = ALERT_DATA
        else:
            data = {"type": "object", "required": list(_COMMON),
                    "properties": {**_COMMON, **EVENT_FIELDS.get(type_, {})}}
        schemas[schema_name(type_)] = _envelope(type_, description, data)
    schemas[schema_name(TEST_EVENT)] = _envelope(
        TEST_EVENT, "Sent by POST /webhooks/endpoints/{id}/test/.",
        {"type": "object", "properties": {"endpoint_id": {"type": "string", "format": "uuid"}, "message": _STRING}})
    return schemas
