"""What an alert config is made of, declared once (pure): the request schemas, and the rules
between its fields, each checked and stated in the OpenAPI document.

    {"name": "Bounces", "metric": "bounce_rate", "condition": {"type": "above", "threshold": 0.05},
     "window": "1h", "min_volume": 50, "cooldown_seconds": 3600,
     "filters": {"tag": "signup", "campaign_id": "...", "sending_domain": "shop.example"},
     "channels": {"emails": ["oncall@shop.example"], "webhook_endpoint_ids": ["..."]}, "enabled": true}
"""
from __future__ import annotations

from typing import Any, Callable

from gclap_sandbox.analytics.metrics import EMAIL_METRICS, METRICS, RATE_METRICS
from gclap_sandbox.schema import (
    Address,
    Bool,
    Int,
    ListOf,
    Number,
    Obj,
    Str,
    TaggedUnion,
    Uuid,
)
from gclap_sandbox.schema_rules import AnyOf, NotEmpty, Rule, Sent

# The windows a metric is measured over, as people write them.
WINDOWS: dict[str, int] = {"5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "3h": 10800, "6h": 21600,
                           "12h": 43200, "24h": 86400, "7d": 604800, "30d": 2592000}
DIRECTIONS = ("above", "below", "either")
MAX_COOLDOWN = 30 * 86400
MAX_EMAILS = 20
MAX_ENDPOINTS = 10
MAX_THRESHOLD = 1_000_000_000
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"


def window_label(seconds: int) -> str:
    return next((label for label, length in WINDOWS.items() if length == seconds), f"{seconds}s")


CONDITION_SHAPES = {
    "above": Obj({"threshold": Number(required=True, minimum=0, maximum=MAX_THRESHOLD,
                                      description="Fires when the metric is above this.")},
                 description="The metric is above `threshold`."),
    "below": Obj({"threshold": Number(required=True, minimum=0, maximum=MAX_THRESHOLD,
                                      description="Fires when the metric is below this.")},
                 description="The metric is below `threshold`."),
    "anomaly": Obj({
        "deviations": Number(required=True, minimum=0.5, maximum=10,
                             description="How many standard deviations from the baseline's mean count as a departure."),
        "direction": Str(choices=list(DIRECTIONS), default="either",
                         description="Which departures count (default: either)."),
        "baseline_windows": Int(minimum=3, maximum=48, default=24,
                                description="How many windows before the current one make the baseline (default 24)."),
    }, description="The metric departs from its trailing baseline (the same metric over the windows before) by more "
                   "than `deviations` standard deviations. At least 3 of those windows need data (`min_volume`)."),
}

FILTERS = {
    "tag": Str(min_length=1, max_length=200, single_line=True, description="Only email carrying this tag."),
    "campaign_id": Uuid(description="Only email of this campaign."),
    "sending_domain": Str(max_length=253, pattern=_DOMAIN, pattern_hint="Must be a domain name, e.g. shop.example.",
                          description="Only email whose From address is at this domain."),
}

CHANNELS = {
    "emails": ListOf(Address(), max_items=MAX_EMAILS,
                     description="Who gets the alert email (captured in this sandbox's inbox)."),
    "webhook_endpoint_ids": ListOf(Uuid(), max_items=MAX_ENDPOINTS,
                                   description="Webhook endpoints that get `sandbox.alert.triggered` and "
                                               "`sandbox.alert.resolved`, whatever events they subscribe to."),
}
CHANNEL_NEEDED = AnyOf("emails", "webhook_endpoint_ids",
                       message="Give at least one channel: `emails` and/or `webhook_endpoint_ids`.")


class ForMetrics(Rule):
    """For some metrics a field has narrower bounds: `check(value)` names what breaks them."""

    def __init__(self, metrics: tuple[str, ...], field: str, schema: dict[str, Any],
                 check: Callable[[Any], str | None], message: str) -> None:
        self.metrics, self.field, self.schema, self.check = metrics, field, schema, check
        self.message = message
        self.summary = f"With metric {', '.join(metrics)}: {message}"

    def problems(self, sent: Sent) -> dict[str, str]:
        value = sent.value(self.field)
        if sent.value("metric") not in self.metrics or value is None:
            return {}
        path = self.check(value)
        return {} if path is None else {path: self.message}

    def json_schema(self, obj: Obj) -> dict[str, Any]:
        return {"if": {"required": ["metric"], "properties": {"metric": {"enum": list(self.metrics)}}},
                "then": {"properties": {self.field: self.schema}}}


def _threshold_over(limit: float) -> Callable[[Any], str | None]:
    def check(condition: Any) -> str | None:
        threshold = condition.get("threshold") if isinstance(condition, dict) else None
        number = isinstance(threshold, (int, float)) and not isinstance(threshold, bool)
        return "condition.threshold" if number and threshold > limit else None
    return check


def _anomaly(condition: Any) -> str | None:
    return "condition.type" if isinstance(condition, dict) and condition.get("type") == "anomaly" else None


def _any_filter(filters: Any) -> str | None:
    return "filters" if isinstance(filters, dict) and filters else None


_QUOTA = ("quota_used_percent",)
RULES = [
    ForMetrics(RATE_METRICS, "condition", {"properties": {"threshold": {"maximum": 1}}}, _threshold_over(1),
               "A rate's threshold is a fraction from 0 to 1 (0.05 is 5%)."),
    ForMetrics(_QUOTA, "condition", {"properties": {"threshold": {"maximum": 100}}}, _threshold_over(100),
               "The quota's threshold is a percentage from 0 to 100."),
    ForMetrics(_QUOTA, "condition", {"properties": {"type": {"enum": ["above", "below"]}}}, _anomaly,
               "The monthly quota takes `above` or `below`, not `anomaly`."),
    ForMetrics(tuple(name for name in METRICS if name not in EMAIL_METRICS), "filters", {"maxProperties": 0},
               _any_filter, "Filters apply to email metrics only."),
]


def _fields(create: bool) -> dict[str, Any]:
    """A create's fields (required ones, defaults); a change's are all optional, without defaults."""
    def default(value: Any) -> dict[str, Any]:
        return {"default": value} if create else {}

    return {
        "name": Str(required=create, min_length=1, max_length=200, single_line=True),
        "metric": Str(required=create, choices=list(METRICS), description="What is measured: " + ", ".join(
            f"`{name}` ({metric.label.lower()})" for name, metric in METRICS.items())
            + ". Rates are fractions (0.05 is 5%); `quota_used_percent` is a percentage."),
        "condition": TaggedUnion("type", CONDITION_SHAPES, name="AlertCondition", required=create),
        "window": Str(choices=list(WINDOWS), **default("1h"),
                      description="How far back the metric looks from each evaluation (default 1h)."),
        "min_volume": Int(minimum=0, maximum=MAX_THRESHOLD, **default(0),
                          description="Below this many emails (a rate's emails sent or delivered, webhook attempts, "
                                      "emails sent, or this month's recipients) the metric has no value: it never "
                                      "fires, and a firing alert resolves (default 0)."),
        "cooldown_seconds": Int(minimum=0, maximum=MAX_COOLDOWN, **default(0),
                                description="After firing, it does not fire again for this long (default 0)."),
        "filters": Obj(FILTERS, **default(dict), description="Narrow an email metric to some of the "
                                                             "organization's email (all given must match)."),
        "channels": Obj(CHANNELS, rules=[CHANNEL_NEEDED], required=create,
                        description="Where firing and resolving are announced."),
        "enabled": Bool(**default(True), description="A disabled alert is not evaluated."),
    }


CREATE_BODY = Obj(_fields(create=True), rules=RULES)
UPDATE_BODY = Obj(_fields(create=False), rules=[NotEmpty(), *RULES])
