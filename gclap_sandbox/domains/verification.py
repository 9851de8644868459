"""Checking a domain's records through a resolver: each is `verified`, `missing` or `wrong`,
with what was found and why, as a person reading the zone would judge it.

- SPF: exactly one `v=spf1` record at the domain, including the provider's SPF host.
- DKIM: a `v=DKIM1` record at `selector._domainkey.domain` whose `p=` is the domain's public key.
- DMARC: exactly one `v=DMARC1` record at `_dmarc.domain` with a valid `p=` (its policy is kept).
- Return path: a CNAME at the bounce host pointing at the provider's.
A failed lookup (timeout, server failure) counts as missing, and says so.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gclap_sandbox.domains import records, store
from gclap_sandbox.domains.records import MISSING, VERIFIED, WRONG, Expected
from gclap_sandbox.domains.resolver import Answer, Resolver, resolver_for

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

DMARC_POLICIES = ("none", "quarantine", "reject")


def _result(status: str, found: list[str], detail: str, **extra: Any) -> dict[str, Any]:
    return {"status": status, "found": found, "detail": detail, **extra}


def check_spf(expected: Expected, answer: Answer) -> dict[str, Any]:
    found = records.spf_records(list(answer.values))
    if answer.error:
        return _result(MISSING, found, f"No answer: {answer.error}.")
    if not found:
        return _result(MISSING, found, f"No v=spf1 TXT record at {expected.name}.")
    if len(found) > 1:
        return _result(WRONG, found, "More than one v=spf1 record: SPF then fails for every sender (permerror). "
                                     "Merge them into one.")
    terms = [term.lower() for term in found[0].split()]
    if f"include:{records.SPF_INCLUDE}" not in terms:
        return _result(WRONG, found, f"The SPF record does not include {records.SPF_INCLUDE}: add "
                                     f"include:{records.SPF_INCLUDE} before its all term.")
    return _result(VERIFIED, found, f"The SPF record includes {records.SPF_INCLUDE}.")


def check_dkim(expected: Expected, answer: Answer) -> dict[str, Any]:
    found = list(answer.values)
    if answer.error:
        return _result(MISSING, found, f"No answer: {answer.error}.")
    if not found:
        return _result(MISSING, found, f"No TXT record at {expected.name}.")
    wanted = records.tag_list(expected.value) or {}
    for value in found:
        tags = records.tag_list(value)
        if tags is not None and tags.get("p") == wanted["p"] and tags.get("v", "DKIM1") == "DKIM1" \
                and tags.get("k", "rsa") == "rsa":
            return _result(VERIFIED, found, "The record publishes this domain's public key.")
    return _result(WRONG, found, "The record does not publish this domain's public key "
                                 "(p= differs, or the record is malformed).")


def dmarc_policy(value: str) -> str | None:
    policy = (records.tag_list(value) or {}).get("p", "").lower()
    return policy if policy in DMARC_POLICIES else None


def check_dmarc(expected: Expected, answer: Answer) -> dict[str, Any]:
    found = records.dmarc_records(list(answer.values))
    if answer.error:
        return _result(MISSING, found, f"No answer: {answer.error}.", policy=None)
    if not found:
        return _result(MISSING, found, f"No v=DMARC1 TXT record at {expected.name}.", policy=None)
    if len(found) > 1:
        return _result(WRONG, found, "More than one v=DMARC1 record: receivers then ignore DMARC.", policy=None)
    policy = dmarc_policy(found[0])
    if policy is None:
        return _result(WRONG, found, "The DMARC record has no valid policy (p=none, p=quarantine or p=reject).",
                       policy=None)
    return _result(VERIFIED, found, f"DMARC policy p={policy}.", policy=policy)


def check_return_path(expected: Expected, answer: Answer) -> dict[str, Any]:
    found = [value.lower().removesuffix(".") for value in answer.values]
    if answer.error:
        return _result(MISSING, found, f"No answer: {answer.error}.")
    if not found:
        return _result(MISSING, found, f"No CNAME record at {expected.name}.")
    if expected.value not in found:
        return _result(WRONG, found, f"The CNAME points elsewhere; it should point at {expected.value}.")
    return _result(VERIFIED, found, f"The CNAME points at {expected.value}.")


CHECKS = {records.SPF: check_spf, records.DKIM: check_dkim, records.DMARC: check_dmarc,
          records.RETURN_PATH: check_return_path}


async def check_records(resolver: Resolver, expected: list[Expected]) -> dict[str, dict[str, Any]]:
    answers = await resolver.resolve([(e.name, e.type) for e in expected])
    results = {e.purpose: CHECKS[e.purpose](e, answers[(e.name, e.type)]) for e in expected}
    for result in results.values():
        result["resolver"] = resolver.description
    return results


async def verify_domain(ctx: AppContext, organization_id: str, domain_id: str) -> dict[str, Any]:
    """Check every record of the domain now, store the results and answer the domain."""
    domain = await ctx.db.run(store.get_domain, organization_id, domain_id)
    results = await check_records(resolver_for(ctx.settings.dns, ctx.db), store.expected(domain))
    return await ctx.db.run(store.save_check, organization_id, domain_id, results)
