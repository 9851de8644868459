"""Each sending domain's authentication state, as the last verification found it (DB thread).

The deliverability score reads this: one dict per domain of the organization,
`{"domain", "verified", "spf": {"status"}, "dkim": {"status", "selector"},
"dmarc": {"status", "policy"}}`, statuses being `verified`, `missing`, `wrong` or `pending`
(never checked), and `policy` the DMARC `p=` found (None when none was).
"""
from __future__ import annotations

from typing import Any

from gclap_sandbox.domains import records
from gclap_sandbox.models import SendingDomain


def authentication_status(organization_id: str) -> list[dict[str, Any]]:
    rows = (SendingDomain.select().where(SendingDomain.organization == organization_id)
            .order_by(SendingDomain.name))
    statuses = []
    for domain in rows:
        results = domain.results or {}

        def status_of(purpose: str) -> str:
            return (results.get(purpose) or {}).get("status", records.PENDING)

        statuses.append({
            "domain": domain.name,
            "verified": domain.status == "verified",
            "spf": {"status": status_of(records.SPF)},
            "dkim": {"status": status_of(records.DKIM), "selector": domain.dkim_selector},
            "dmarc": {"status": status_of(records.DMARC),
                      "policy": (results.get(records.DMARC) or {}).get("policy")},
        })
    return statuses
