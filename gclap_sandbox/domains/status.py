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


def _status(results: dict[str, Any], purpose: str) -> str:
    return (results.get(purpose) or {}).get("status", records.PENDING)


def authentication_status(organization_id: str) -> list[dict[str, Any]]:
    rows = (SendingDomain.select().where(SendingDomain.organization == organization_id)
            .order_by(SendingDomain.name))
    return [{
        "domain": domain.name,
        "verified": domain.status == "verified",
        "spf": {"status": _status(domain.results or {}, records.SPF)},
        "dkim": {"status": _status(domain.results or {}, records.DKIM), "selector": domain.dkim_selector},
        "dmarc": {"status": _status(domain.results or {}, records.DMARC),
                  "policy": ((domain.results or {}).get(records.DMARC) or {}).get("policy")},
    } for domain in rows]
