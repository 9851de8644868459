"""A campaign's stats: who it was for, and what happened to each recipient's email (DB thread).

Counts after sending come from the events of the campaign's emails (one email per recipient),
kept as running counts while events are recorded and recipients sent (counting.py), so they agree with
`GET /events/?campaign=` and cost a few row reads at any size. Opens and clicks are counted in
total and per recipient (`unique`); rates are per delivered email (bounces per sent one).
"""
from __future__ import annotations

from typing import Any

from gclap_sandbox.campaigns import counting
from gclap_sandbox.campaigns.audience import SKIP_REASONS
from gclap_sandbox.events import record as events
from gclap_sandbox.models import Campaign

COUNTED = {"sent": events.SENT, "delivered": events.DELIVERED, "bounced": events.BOUNCED,
           "unsubscribed": events.UNSUBSCRIBED, "spam": events.SPAM, "suppressed": events.SUPPRESSED}
ENGAGEMENT = {"opened": events.OPENED, "clicked": events.CLICKED}


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def rates(stats: dict[str, Any]) -> dict[str, float]:
    delivered, sent = stats["delivered"], stats["sent"]
    return {"delivery_rate": _rate(delivered, sent), "bounce_rate": _rate(stats["bounced"], sent),
            "open_rate": _rate(stats["opened"]["unique"], delivered),
            "click_rate": _rate(stats["clicked"]["unique"], delivered),
            "unsubscribe_rate": _rate(stats["unsubscribed"], delivered),
            "spam_rate": _rate(stats["spam"], delivered)}


def compute(campaign: Campaign) -> dict[str, Any]:
    counts = counting.read(campaign.id)
    recipients = {status: total for status, (total, _) in counts.get(counting.RECIPIENTS, {}).items()}
    reasons = {reason: 0 for reason in SKIP_REASONS}
    reasons.update({reason: total for reason, (total, _) in counts.get(counting.SKIPPED, {}).items()})

    def of(kind: str) -> tuple[int, int]:
        return counts.get(kind, {}).get("", (0, 0))

    stats: dict[str, Any] = {
        "recipients": sum(recipients.values()),
        "pending": recipients.get("pending", 0),
        "skipped": recipients.get("skipped", 0),
        "skipped_reasons": reasons,
        **{name: of(kind)[1] for name, kind in COUNTED.items()},
        **{name: {"unique": of(kind)[1], "total": of(kind)[0]} for name, kind in ENGAGEMENT.items()},
    }
    stats.update(rates(stats))
    stats["links"] = sorted(({"url": url, "total": total, "unique": unique}
                             for url, (total, unique) in counts.get(events.CLICKED, {}).items() if url),
                            key=lambda row: (-row["total"], row["url"]))
    return stats
