"""Sending domains in the database (call everything here on the DB thread, via `Database.run`).

The private key never leaves this package: `domain_view` is the only shape a domain is shown in.
"""
from __future__ import annotations

from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.domains import records
from gclap_sandbox.domains.keys import KeyPair
from gclap_sandbox.errors import Conflict
from gclap_sandbox.models import SendingDomain
from gclap_sandbox.storage.connection import current
from gclap_sandbox.storage.database import owned

SIGNERS_CACHE = "dkim_signers"  # organization id -> its verified domains' signers (signing.py)


def expected(domain: SendingDomain) -> list[records.Expected]:
    return records.expected_records(domain.name, domain.dkim_selector, domain.dkim_public_key)


def domain_view(domain: SendingDomain) -> dict[str, Any]:
    results = domain.results or {}
    return {
        "id": domain.id,
        "domain": domain.name,
        "status": domain.status,
        "verified": domain.status == "verified",
        "dkim_selector": domain.dkim_selector,
        "records": [records.record_view(e, results.get(e.purpose)) for e in expected(domain)],
        "created_at": clock.iso(domain.created_at),
        "checked_at": clock.iso(domain.checked_at),
        "verified_at": clock.iso(domain.verified_at),
    }


def forget_signers(organization_id: str) -> None:
    current().cache(SIGNERS_CACHE).pop(organization_id, None)


def get_domain(organization_id: str, domain_id: str) -> SendingDomain:
    return owned(SendingDomain, organization_id, domain_id, f"No sending domain with id {domain_id}.")


def add_domain(organization_id: str, name: str, keys: KeyPair) -> dict[str, Any]:
    taken = SendingDomain.get_or_none((SendingDomain.organization == organization_id) & (SendingDomain.name == name))
    if taken is not None:
        raise Conflict(f"The domain {name} is already added (id {taken.id}).", slug="domain-exists",
                       errors={"domain": ["Already added."]}, domain_id=taken.id)
    domain = SendingDomain.create(organization=organization_id, name=name, dkim_selector=keys.selector,
                                  dkim_private_key=keys.private_pem, dkim_public_key=keys.public_b64,
                                  created_at=clock.now())
    return domain_view(domain)


def list_domains(organization_id: str, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    query = SendingDomain.select().where(SendingDomain.organization == organization_id)
    rows = query.order_by(SendingDomain.name, SendingDomain.id).offset(offset).limit(limit)
    return query.count(), [domain_view(row) for row in rows]


def detail(organization_id: str, domain_id: str) -> dict[str, Any]:
    return domain_view(get_domain(organization_id, domain_id))


def delete_domain(organization_id: str, domain_id: str) -> None:
    get_domain(organization_id, domain_id).delete_instance()
    forget_signers(organization_id)


def save_check(organization_id: str, domain_id: str, results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Store a verification's results; the domain is verified when every required record passed."""
    domain = get_domain(organization_id, domain_id)
    passed = all(results[p]["status"] == records.VERIFIED for p in records.REQUIRED)
    now = clock.now()
    domain.results = results
    domain.checked_at = now
    if passed and domain.status != "verified":
        domain.verified_at = now
    domain.status = "verified" if passed else "failed"
    if not passed:
        domain.verified_at = None
    domain.save()
    forget_signers(organization_id)
    return domain_view(domain)
