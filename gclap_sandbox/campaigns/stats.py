"""A campaign's stats: who it was for, and what happened to each recipient's email (DB thread).

Counts after sending come from the events of the campaign's emails (one email per recipient),
kept as running counts while events are recorded (counting.py), so they agree with
`GET /events/?campaign=` and cost a few row reads at any size. Opens and clicks are counted in
total and per recipient (`unique`); rates are per delivered email (bounces per sent one).
"""
from __future__ import annotations

from typing import Any

import peewee

from gclap_sandbox.campaigns import counting
from gclap_sandbox.campaigns.audience import SKIP_REASONS
from gclap_sandbox.events import record as events
from gclap_sandbox.models import Campaign, CampaignRecipient

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
    by_type, links = counting.read(campaign.id)
    statuses = dict(CampaignRecipient.select(CampaignRecipient.status, peewee.fn.COUNT(CampaignRecipient.id))
                    .where(CampaignRecipient.campaign == campaign.id).group_by(CampaignRecipient.status).tuples())
    reasons = {reason: 0 for reason in SKIP_REASONS}
    reasons.update(dict(CampaignRecipient.select(CampaignRecipient.reason, peewee.fn.COUNT(CampaignRecipient.id))
                        .where((CampaignRecipient.campaign == campaign.id) & (CampaignRecipient.status == "skipped"))
                        .group_by(CampaignRecipient.reason).tuples()))
    stats: dict[str, Any] = {
        "recipients": sum(statuses.values()),
        "pending": statuses.get("pending", 0),
        "skipped": statuses.get("skipped", 0),
        "skipped_reasons": reasons,
        **{name: by_type.get(kind, (0, 0))[1] for name, kind in COUNTED.items()},
        **{name: {"unique": by_type.get(kind, (0, 0))[1], "total": by_type.get(kind, (0, 0))[0]}
           for name, kind in ENGAGEMENT.items()},
    }
    stats.update(rates(stats))
    stats["links"] = links
    return stats

