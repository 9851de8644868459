"""The sending domains' SPF, DKIM and DMARC state, as their last verification found it
(domains/status.py).

DMARC passes when its record is published and the mail is aligned: the sandbox signs a
verified domain's mail with that domain's own key (DKIM d= is the From domain) and its return
path sits under it (SPF), so a verified DKIM or SPF record aligns.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gclap_sandbox.domains.status import authentication_status

VERIFIED = "verified"
CHECKS = ("spf", "dkim", "dmarc")


@dataclass(frozen=True)
class DomainAuth:
    domain: str
    verified: bool
    spf: str  # verified, missing, wrong or pending (never checked)
    dkim: str
    dmarc: str
    dmarc_policy: str | None

    def passes(self) -> dict[str, bool]:
        aligned = self.dkim == VERIFIED or self.spf == VERIFIED
        return {"spf": self.spf == VERIFIED, "dkim": self.dkim == VERIFIED,
                "dmarc": self.dmarc == VERIFIED and aligned}

    def as_dict(self) -> dict[str, Any]:
        return {"domain": self.domain, "verified": self.verified, "spf": self.spf, "dkim": self.dkim,
                "dmarc": self.dmarc, "dmarc_policy": self.dmarc_policy, "passes": self.passes()}


def domain_states(organization_id: str) -> dict[str, DomainAuth]:
    """Registered domain -> its state (DB thread)."""
    return {row["domain"]: DomainAuth(domain=row["domain"], verified=bool(row["verified"]),
                                      spf=row["spf"]["status"], dkim=row["dkim"]["status"],
                                      dmarc=row["dmarc"]["status"], dmarc_policy=row["dmarc"].get("policy"))
            for row in authentication_status(organization_id)}
