"""The sending domains' SPF, DKIM and DMARC state, as the domains package verified it.

`domain_states()` is None when this build has no sending domains to ask (the factor is then
"not measured", never guessed). DMARC passes when its record is published and the mail is
aligned: the sandbox signs a verified domain's mail with its own key (DKIM d= is the From
domain) and its return path sits under it (SPF), so a verified DKIM or SPF record aligns.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

VERIFIED = "verified"
CHECKS = ("spf", "dkim", "dmarc")


@dataclass(frozen=True)
class DomainAuth:
    domain: str
    verified: bool
    spf: str  # verified, missing, wrong (or unchecked)
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


def _status_source() -> Callable[[str], list[dict[str, Any]]] | None:
    try:
        module = importlib.import_module("gclap_sandbox.domains.status")
    except ModuleNotFoundError:
        return None
    return getattr(module, "authentication_status", None)


def _state(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("status")
    return str(value or "missing").lower()


def domain_states(organization_id: str) -> dict[str, DomainAuth] | None:
    """Registered domain -> its state (DB thread); None when domains cannot be asked."""
    source = _status_source()
    if source is None:
        return None
    states = {}
    for row in source(organization_id):
        name = str(row.get("domain") or row.get("name") or "").lower()
        if name:
            states[name] = DomainAuth(domain=name, verified=bool(row.get("verified")), spf=_state(row.get("spf")),
                                      dkim=_state(row.get("dkim")), dmarc=_state(row.get("dmarc")),
                                      dmarc_policy=row.get("dmarc_policy"))
    return states
