"""The deliverability score: 0-100 for the organization and for each sending domain (DB thread).

The score is the factors' points over the weights of the factors that could be measured, so a
factor with nothing to measure yet (no mail, no domains) neither helps nor hurts; with none
measured the score is null.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.deliverability import authentication, content, factors, measures
from gclap_sandbox.deliverability.judging import GOOD, NOT_MEASURED, POOR, WARNING

# The content checks look at the newest 20 emails, and at each domain's newest 10 among the
# newest 200 (so a score costs a bounded number of checks, however many domains send).
CHECKED_EMAILS, CHECKED_PER_DOMAIN, SCANNED_EMAILS = 20, 10, 200
GOOD_SCORE, POOR_SCORE = 80, 50


def total(factor_list: list[dict[str, Any]]) -> int | None:
    measured = [f for f in factor_list if f["points"] is not None]
    weights = sum(f["weight"] for f in measured)
    return round(100 * sum(f["points"] for f in measured) / weights) if weights else None


def status_of(score: int | None) -> str:
    if score is None:
        return NOT_MEASURED
    return GOOD if score >= GOOD_SCORE else WARNING if score >= POOR_SCORE else POOR


def _factors(measured: measures.Measured, states: dict[str, authentication.DomainAuth],
             domain: str | None, samples: dict[str | None, list[str]]) -> list[dict[str, Any]]:
    checks = content.checks_of(samples.get(domain, []))
    return [
        factors.authentication(states, factors.volumes_30d(measured), domain),
        factors.complaint_rate(measured, domain),
        factors.bounce_rate(measured, domain),
        factors.list_hygiene(measured, domain),
        factors.unsubscribe(measured, domain),
        factors.content(checks, content.verdict),
    ]


def _scored(factor_list: list[dict[str, Any]], **head: Any) -> dict[str, Any]:
    score = total(factor_list)
    return {**head, "score": score, "status": status_of(score), "factors": factor_list}


def compute(organization_id: str, now: datetime | None = None) -> dict[str, Any]:
    """The score now (or as of `now`): overall, and per sending domain (registered or seen in
    the last 30 days of mail)."""
    now = now or clock.now()
    measured = measures.measure(organization_id, now)
    states = authentication.domain_states(organization_id)
    names = sorted(set(measured.domains()) | set(states))
    samples = measures.recent_samples(organization_id, now, CHECKED_EMAILS, CHECKED_PER_DOMAIN, SCANNED_EMAILS)
    per_domain = [_scored(_factors(measured, states, name, samples), domain=name) for name in names]
    overall = _scored(_factors(measured, states, None, samples))
    return {**overall, "computed_at": clock.iso(now),
            "windows": {f"{days}d": {"days": days} for days in measures.WINDOWS},
            "domains": per_domain}
