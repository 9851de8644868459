"""SPF, DKIM and DMARC results for one email, as a receiver's `Authentication-Results` would say.

Computed now, against the sandbox's resolver (its own zone, or real DNS with `--dns`), for the
version a recipient gets (the delivered one, with the sandbox's DKIM signature when its From
domain is verified):

- SPF: the envelope sender's domain (MAIL FROM; the From domain for the null sender) is
  checked for a `v=spf1` record that lets the sandbox send: the sandbox sends from the
  provider's servers, named by `include:spf.gclap.test` (or `redirect=`); other mechanisms name
  other senders, and the record's `all` term decides the rest (pass, fail, softfail, neutral).
- DKIM: every DKIM-Signature is verified with dkimpy against the key its selector publishes.
- DMARC: the From domain's record (or its organizational domain's, approximated as the last two
  labels) and alignment: relaxed (the same organizational domain) unless `adkim=s` / `aspf=s`.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gclap_sandbox.domains import names, records
from gclap_sandbox.domains.resolver import Answer, Query, resolver_for
from gclap_sandbox.inbox import queries as inbox
from gclap_sandbox.pipeline import outgoing

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

SPF_QUALIFIERS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}


@dataclass
class Facts:
    """What the checks need from the stored email (read on the DB thread)."""

    delivered: bytes
    from_domain: str | None
    mail_from_domain: str | None
    signatures: list[dict[str, str]] = field(default_factory=list)  # d, s of each DKIM-Signature


def _domain_of(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    domain = names.normalize(address.rpartition("@")[2].strip(" <>"))
    return domain or None


def _signatures(message: bytes) -> list[dict[str, str]]:
    import dkim
    from dkim.util import InvalidTagValueList, parse_tag_value

    try:
        headers, _ = dkim.rfc822_parse(message)
    except dkim.DKIMException:
        return []
    found = []
    for name, value in headers:
        if name.lower() != b"dkim-signature":
            continue
        try:
            tags = parse_tag_value(value)
        except InvalidTagValueList:
            tags = {}
        found.append({"domain": tags.get(b"d", b"").decode("ascii", "replace").lower(),
                      "selector": tags.get(b"s", b"").decode("ascii", "replace")})
    return found


def load_facts(organization_id: str, email_id: str) -> Facts:
    email = inbox.get_email(organization_id, email_id)
    delivered = outgoing.delivered_version(email, inbox.content_of(email_id))
    from_domain = _domain_of(email.from_address)
    envelope = None if email.envelope_from in (None, "", "<>") else email.envelope_from
    return Facts(delivered, from_domain, _domain_of(envelope) or from_domain, _signatures(delivered))


def _queries(facts: Facts) -> list[Query]:
    queries: list[Query] = []
    if facts.mail_from_domain:
        queries.append((facts.mail_from_domain, records.TXT))
    for sig in facts.signatures:
        if sig["domain"] and sig["selector"]:
            queries.append((f"{sig['selector']}._domainkey.{sig['domain']}", records.TXT))
    if facts.from_domain:
        queries.append((f"_dmarc.{facts.from_domain}", records.TXT))
        queries.append((f"_dmarc.{names.organizational(facts.from_domain)}", records.TXT))
    return queries


def spf_result(domain: str | None, answer: Answer | None) -> dict[str, Any]:
    if domain is None or answer is None:
        return {"result": "none", "domain": domain, "detail": "No sender domain to check."}
    if answer.error:
        return {"result": "temperror", "domain": domain, "detail": f"No answer: {answer.error}."}
    found = records.spf_records(list(answer.values))
    if not found:
        return {"result": "none", "domain": domain, "detail": f"{domain} publishes no SPF record."}
    if len(found) > 1:
        return {"result": "permerror", "domain": domain, "detail": f"{domain} publishes more than one SPF record."}
    for term in found[0].split()[1:]:
        qualifier = term[0] if term[0] in SPF_QUALIFIERS else "+"
        mechanism = term.lstrip("+-~?").lower()
        if mechanism in (f"include:{records.SPF_INCLUDE}", f"redirect={records.SPF_INCLUDE}"):
            return {"result": SPF_QUALIFIERS[qualifier], "domain": domain,
                    "detail": f"The SPF record of {domain} names the provider ({records.SPF_INCLUDE})."}
        if mechanism == "all":
            return {"result": SPF_QUALIFIERS[qualifier], "domain": domain,
                    "detail": f"The SPF record of {domain} does not name the provider; its {term} decides."}
    return {"result": "neutral", "domain": domain,
            "detail": f"The SPF record of {domain} neither names the provider nor ends with an all term."}


def dkim_results(message: bytes, signatures: list[dict[str, str]], answers: dict[Query, Answer]) -> dict[str, Any]:
    """Verify each signature with dkimpy, its key read from the answers already fetched."""
    import dkim

    if not signatures:
        return {"result": "none", "domain": None, "selector": None, "signatures": [],
                "detail": "The message is not signed."}
    results = []
    for index, sig in enumerate(signatures):
        name = f"{sig['selector']}._domainkey.{sig['domain']}"
        answer = answers.get((name, records.TXT), Answer())

        def lookup(qname: bytes, timeout: float = 5, _answer: Answer = answer) -> bytes | None:
            return _answer.values[0].encode("utf-8") if _answer.values else None

        if answer.error:
            outcome, detail = "temperror", f"No answer for the key: {answer.error}."
        elif not answer.values:
            outcome, detail = "fail", f"No key published at {name}."
        else:
            try:
                passed = dkim.DKIM(message).verify(idx=index, dnsfunc=lookup)
            except dkim.DKIMException as exc:
                passed, detail = False, f"The signature or key is malformed: {exc}."
            else:
                detail = ("The signature verifies with the published key." if passed
                          else "The signature does not verify: the message or the key differs.")
            outcome = "pass" if passed else "fail"
        results.append({"result": outcome, "domain": sig["domain"], "selector": sig["selector"], "detail": detail})
    best = next((r for r in results if r["result"] == "pass"), results[0])
    return {"result": best["result"], "domain": best["domain"], "selector": best["selector"],
            "signatures": results, "detail": best["detail"]}


def _aligned(domain: str | None, from_domain: str, strict: bool) -> bool:
    if not domain:
        return False
    return domain == from_domain if strict else names.organizational(domain) == names.organizational(from_domain)


def _dmarc(result: str, domain: str | None, detail: str, **known: Any) -> dict[str, Any]:
    return {"result": result, "domain": domain, "record_domain": None, "policy": None, "alignment": None,
            "disposition": "none", **known, "detail": detail}


def dmarc_result(from_domain: str | None, answers: dict[Query, Answer], spf: dict[str, Any],
                 dkim_: dict[str, Any]) -> dict[str, Any]:
    if from_domain is None:
        return _dmarc("none", None, "The message has no From domain.")
    record, record_domain = None, None
    for candidate in dict.fromkeys([from_domain, names.organizational(from_domain)]):
        answer = answers.get((f"_dmarc.{candidate}", records.TXT), Answer())
        if answer.error:
            return _dmarc("temperror", from_domain, f"No answer: {answer.error}.")
        found = records.dmarc_records(list(answer.values))
        if len(found) == 1:
            record, record_domain = records.tag_list(found[0]) or {}, candidate
            break
    if record is None:
        return _dmarc("none", from_domain, f"{from_domain} publishes no DMARC record.")
    policy = record.get("p", "").lower()
    if record_domain != from_domain and record.get("sp"):
        policy = record["sp"].lower()
    policy = policy if policy in ("none", "quarantine", "reject") else "none"
    spf_aligned = spf["result"] == "pass" and _aligned(spf["domain"], from_domain, record.get("aspf") == "s")
    dkim_aligned = any(sig["result"] == "pass" and _aligned(sig["domain"], from_domain, record.get("adkim") == "s")
                       for sig in dkim_["signatures"])
    passed = spf_aligned or dkim_aligned
    return _dmarc("pass" if passed else "fail", from_domain,
                  "An aligned SPF or DKIM pass." if passed
                  else "Neither SPF nor DKIM passed for a domain aligned with From.",
                  record_domain=record_domain, policy=policy, alignment={"spf": spf_aligned, "dkim": dkim_aligned},
                  disposition="none" if passed else policy)


def header_value(authserv_id: str, spf: dict[str, Any], dkim_: dict[str, Any], dmarc: dict[str, Any]) -> str:
    parts = [authserv_id, f"spf={spf['result']}" + (f" smtp.mailfrom={spf['domain']}" if spf["domain"] else "")]
    dkim_part = f"dkim={dkim_['result']}"
    if dkim_["domain"]:
        dkim_part += f" header.d={dkim_['domain']} header.s={dkim_['selector']}"
    parts.append(dkim_part)
    dmarc_part = f"dmarc={dmarc['result']}"
    if dmarc["policy"]:
        dmarc_part += f" (p={dmarc['policy']} dis={dmarc['disposition']})"
    if dmarc["domain"]:
        dmarc_part += f" header.from={dmarc['domain']}"
    parts.append(dmarc_part)
    return "; ".join(parts)


async def email_authentication(ctx: AppContext, organization_id: str, email_id: str) -> dict[str, Any]:
    """SPF, DKIM and DMARC for the email as delivered, with the `Authentication-Results` value."""
    facts = await ctx.db.run(load_facts, organization_id, email_id)
    resolver = resolver_for(ctx.settings.dns, ctx.db)
    answers = await resolver.resolve(_queries(facts))
    spf = spf_result(facts.mail_from_domain, answers.get((facts.mail_from_domain or "", records.TXT)))
    # Hashing a large body is CPU work: off the loop.
    dkim_ = await asyncio.get_running_loop().run_in_executor(
        None, dkim_results, facts.delivered, facts.signatures, answers)
    dmarc = dmarc_result(facts.from_domain, answers, spf, dkim_)
    authserv_id = ctx.settings.smtp_hostname
    return {"authserv_id": authserv_id, "resolver": resolver.description, "spf": spf, "dkim": dkim_,
            "dmarc": dmarc, "header": "Authentication-Results: " + header_value(authserv_id, spf, dkim_, dmarc)}
