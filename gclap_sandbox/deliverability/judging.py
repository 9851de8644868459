"""How a measured value is judged against its threshold: a status and a share of the factor's points.

A threshold has a `target` (what a careful sender achieves) and a `limit` (where mailbox
providers start filtering or refusing mail). At or better than the target a factor earns all
its points; between the two, from all of them down to half; past the limit, from half down to
none at twice the distance.
"""
from __future__ import annotations

from dataclasses import dataclass

GOOD, WARNING, POOR, NOT_MEASURED = "good", "warning", "poor", "not_measured"
STATUSES = (GOOD, WARNING, POOR, NOT_MEASURED)


@dataclass(frozen=True)
class Threshold:
    target: float
    limit: float
    better: str  # "lower" or "higher"
    unit: str = "ratio"  # ratio (0..1) of what is counted

    def as_dict(self) -> dict[str, object]:
        return {"target": self.target, "limit": self.limit, "better": self.better, "unit": self.unit}


def judge(value: float, threshold: Threshold) -> tuple[str, float]:
    """(status, share of the points between 0 and 1) for `value`."""
    target, limit = threshold.target, threshold.limit
    if threshold.better == "higher":  # mirror it: distance below the target
        value, target, limit = 1.0 - value, 1.0 - target, 1.0 - limit
    if value <= target:
        return GOOD, 1.0
    if value < limit:
        return WARNING, 1.0 - 0.5 * (value - target) / (limit - target)
    overshoot = (value - limit) / limit if limit > 0 else 1.0
    return POOR, max(0.0, 0.5 * (1.0 - overshoot))
