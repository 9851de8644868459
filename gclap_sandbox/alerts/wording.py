"""How an alert is put in words: values, conditions and the one-sentence summary (pure)."""
from __future__ import annotations

from typing import Any

from gclap_sandbox.analytics.metrics import METRICS, Metric


def value_text(metric: Metric, value: float | None) -> str:
    if value is None:
        return "no value"
    if metric.kind == "rate":
        return f"{value * 100:.1f}%"
    if metric.kind == "percent":
        return f"{value:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def condition_text(metric_name: str, condition: dict[str, Any]) -> str:
    """`above 5.0%`, `below 90.0%`, `more than 3 standard deviations from its baseline`."""
    metric = METRICS[metric_name]
    if condition["type"] in ("above", "below"):
        return f"{condition['type']} {value_text(metric, condition['threshold'])}"
    way = {"above": " above", "below": " below"}.get(condition.get("direction", "either"), "")
    return f"more than {condition['deviations']:g} standard deviations{way} its baseline"


def measured_text(metric: Metric, value: float | None, count: int, volume: int | None) -> str:
    if metric.kind == "rate":
        shown = value_text(metric, value)
        return f"{shown} ({count:,} of {volume or 0:,} {metric.volume_label})"
    if metric.kind == "percent":
        return f"{value_text(metric, value)} ({count:,} emails this month)"
    return value_text(metric, value)


def summary(metric_name: str, condition: dict[str, Any], state: str, value: float | None, count: int,
            volume: int | None, window: str) -> str:
    """`Bounce rate is 10.0% (10 of 100 emails sent) over the last 1h: above 5.0%.`"""
    metric = METRICS[metric_name]
    over = "this month" if metric.kind == "percent" else f"over the last {window}"
    said = condition_text(metric_name, condition)
    verdict = f"no longer {said}" if state == "resolved" else said
    return f"{metric.label} is {measured_text(metric, value, count, volume)} {over}: {verdict}."
