"""Webhook endpoint request bodies and delivery-log filters, shared by the API (api/webhooks.py)
and the webhooks pages (ui/webhooks.py)."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from gclap_sandbox.schema import Bool, DateTime, Errors, ListOf, Number, Obj, Str, Uuid
from gclap_sandbox.schema_rules import NotEmpty
from gclap_sandbox.webhooks import endpoints, outbox, payloads

class Url(Str):
    """An http(s) URL with a host; localhost and private addresses are fine (a dev tool)."""

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        value = super().clean(value, path, errors)
        if not isinstance(value, str):
            return value
        try:
            parts = urlsplit(value.strip())
            parts.port  # noqa: B018  (raises on a bad port)
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            errors.setdefault(path, []).append("Must be an http:// or https:// URL with a host.")
            return None
        return value.strip()

    def own_schema(self) -> dict[str, Any]:
        return {**super().own_schema(), "format": "uri"}


class EventType(Str):
    """A subscribable event type, or `*` for all; checked against the catalogue when validating."""

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        value = super().clean(value, path, errors)
        valid = payloads.subscribable_types()
        if isinstance(value, str) and value != "*" and value not in valid:
            errors.setdefault(path, []).append(
                f"Unknown event type {value!r}. Valid types: {', '.join(valid)}, or * for all.")
        return value

    def own_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": [*payloads.subscribable_types(), "*"]}


def _events_field(required: bool) -> ListOf:
    return ListOf(EventType(), min_items=1, max_items=50, required=required,
                  description="Event types to subscribe to; [\"*\"] for every type (present and future).")


URL = Url(max_length=2000, required=True, description="Where events are posted.")
DESCRIPTION = Str(max_length=500, nullable=True, description="What the endpoint is for.")
CREATE_BODY = Obj({"url": URL, "events": _events_field(True), "description": DESCRIPTION})


UPDATE_BODY = Obj({"url": Url(max_length=2000), "events": _events_field(False), "description": DESCRIPTION,
                   "active": Bool(description="false disables the endpoint; true re-enables it (its waiting "
                                              "deliveries resume; replay the skipped ones with POST {id}/replay/).")},
                  rules=[NotEmpty("Give at least one of: url, events, description, active.")])
REPLAY_BODY = Obj({"since": DateTime(nullable=True, description=(
    "Only deliveries skipped at or after this time; leave it out for every skipped delivery."))})
ROTATE_BODY = Obj({"grace_period_seconds": Number(
    minimum=0, maximum=7 * 86400, default=endpoints.DEFAULT_ROTATION_GRACE,
    description="How long the old secret keeps signing beside the new one (sandbox clock).")})
# The delivery log's filters; the API adds its paging fields, the log page its own.
DELIVERY_FILTERS: dict[str, Any] = {
    "endpoint": Uuid(description="Only this endpoint's deliveries."),
    "event_type": Str(max_length=64, description="Only this event type."),
    "status": Str(choices=list(outbox.STATUSES)),
    "email": Uuid(description="Only deliveries about this email."),
}
