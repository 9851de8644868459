"""Measuring one alert config at one moment: its metric over its window, the verdict of its
condition, and when the value could next change with no new data (DB thread, reads only).

A value below `min_volume` counts as none: nothing fires on three emails, and a firing alert
resolves once its window holds too little. An anomaly compares the value with the same metric
over each of the `baseline_windows` windows just before (each measured as of its own end, so
late opens do not flatter the past): it departs when it is more than `deviations` standard
deviations from their mean (with a flat baseline, any difference is a departure).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.accounts import limits
from gclap_sandbox.alerts.definition import window_label
from gclap_sandbox.analytics.metrics import METRICS, Filters, Measurement, Metric, measure
from gclap_sandbox.models import AlertConfig

MIN_BASELINE_WINDOWS = 3  # an anomaly needs this many earlier windows with a value


@dataclass(frozen=True)
class Verdict:
    breached: bool
    value: float | None  # None: no value (nothing measured, or below the minimum volume)
    measurement: Measurement
    baseline: dict[str, Any] | None  # for an anomaly: mean, stddev, windows, deviations
    next_change: datetime | None  # when the value may change by itself (data leaving a window)

    def details(self, config: AlertConfig) -> dict[str, Any]:
        """What a transition records and an announcement says, beside the value."""
        m = self.measurement
        out: dict[str, Any] = {"count": m.count, "window": window_label(config.window_seconds),
                               "window_start": clock.iso(m.start), "window_end": clock.iso(m.end)}
        if config.condition["type"] in ("above", "below"):
            out["threshold"] = config.condition["threshold"]
        else:
            out["baseline"] = self.baseline
        return out


def volume_of(metric: Metric, m: Measurement) -> int:
    """What `min_volume` is compared with: a rate's volume, or the count itself."""
    return m.volume if m.volume is not None else m.count


def value_of(metric: Metric, m: Measurement, min_volume: int) -> float | None:
    if m.value is None or volume_of(metric, m) < min_volume:
        return None
    return m.value


def evaluate(config: AlertConfig, now: datetime) -> Verdict:
    metric = METRICS[config.metric]
    window = timedelta(seconds=config.window_seconds)
    filters = Filters.of(config.filters)
    current = measure(config.organization_id, metric, now - window, now, filters)
    value = value_of(metric, current, config.min_volume)
    condition = config.condition
    if condition["type"] == "above":
        return Verdict(value is not None and value > condition["threshold"], value, current, None,
                       _next_change(metric, current, window, now))
    if condition["type"] == "below":
        return Verdict(value is not None and value < condition["threshold"], value, current, None,
                       _next_change(metric, current, window, now))
    earlier = [measure(config.organization_id, metric, now - window * (n + 1), now - window * n, filters)
               for n in range(1, condition["baseline_windows"] + 1)]
    baseline = _baseline([v for m in earlier if (v := value_of(metric, m, config.min_volume)) is not None])
    breached = False
    if baseline is not None and value is not None:
        deviations = _deviations(value, baseline["mean"], baseline["stddev"])
        breached = _departs(deviations, condition["deviations"], condition["direction"])
        baseline["deviations"] = None if math.isinf(deviations) else deviations
    # Any data in the current window or the baseline: look again a window later, as the baseline moves.
    has_data = current.oldest is not None or any(m.oldest is not None for m in earlier)
    return Verdict(breached, value, current, baseline, now + window if has_data else None)


def _baseline(values: list[float]) -> dict[str, Any] | None:
    if len(values) < MIN_BASELINE_WINDOWS:
        return None
    mean = sum(values) / len(values)
    stddev = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return {"mean": mean, "stddev": stddev, "windows": len(values)}


def _deviations(value: float, mean: float, stddev: float) -> float:
    """How many standard deviations `value` is from `mean`, signed (a flat baseline: 0 or infinitely many)."""
    if stddev == 0:
        return 0.0 if value == mean else math.copysign(math.inf, value - mean)
    return (value - mean) / stddev


def _departs(deviations: float, limit: float, direction: str) -> bool:
    if direction == "above":
        return deviations > limit
    if direction == "below":
        return deviations < -limit
    return abs(deviations) > limit


def _next_change(metric: Metric, m: Measurement, window: timedelta, now: datetime) -> datetime | None:
    if metric.name == "quota_used_percent":  # the count starts again with the month
        return limits.next_month(now) if m.count else None
    return m.oldest + window if m.oldest is not None else None
