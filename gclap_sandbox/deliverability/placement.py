"""Inbox placement tests: one email to a seed list of simulated mailbox providers.

The email is captured through the one pipeline as the sandbox's own mail (like a bounce report:
in the inbox, tagged with the test, but no events, no quota, no analytics, never relayed). Where
it lands at each provider is derived from the sender's score factors (its From domain's
authentication, complaint and bounce rates, list hygiene), the email itself (one-click
unsubscribe on marketing mail, its content checks) and a per-provider noise fixed by `--seed`
and the email's content: the same email, state and seed give the same verdicts.
"""
from __future__ import annotations

import hashlib
from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.deliverability import content, marketing
from gclap_sandbox.deliverability import score as scoring
from gclap_sandbox.deliverability.providers import BY_NAME, NOISE, PROVIDERS, place
from gclap_sandbox.models import PlacementTest, owned
from gclap_sandbox.pipeline.capture import capture_email
from gclap_sandbox.pipeline.incoming import Incoming

SEED_DOMAIN = "seeds.gclap.test"
REPUTATION = ("complaint_rate", "bounce_rate", "list_hygiene")


def seed_address(provider: str, test_id: str) -> str:
    return f"{provider}-{test_id[:8]}@{SEED_DOMAIN}"


def providers_for(names: list[str] | None) -> list[str]:
    return list(dict.fromkeys(names)) if names else [p.name for p in PROVIDERS]


def email_unsubscribe(category: str | None, headers: dict[str, str]) -> str | None:
    """The email's unsubscribe kind when it is marketing mail (else None). Marketing mail without
    its own List-Unsubscribe gets the one-click headers from the pipeline, as any send would."""
    pairs = list(headers.items())
    names = {name.lower(): value for name, value in pairs}
    bulk = bool(names.get("list-unsubscribe") or names.get("list-id")
                or names.get("precedence", "").strip().lower() in ("bulk", "list"))
    if category != marketing.MARKETING and not bulk:
        return None
    if not names.get("list-unsubscribe") and category == marketing.MARKETING:
        return marketing.ONE_CLICK
    return marketing.unsubscribe_kind(pairs)


def noise(seed: int, provider: str, raw_fingerprint: str) -> int:
    digest = hashlib.sha256(f"{seed}:{provider}:{raw_fingerprint}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % (NOISE + 1)


def fingerprint(data: dict[str, Any]) -> str:
    """What makes two tests "the same email": sender, subject and bodies (not the seed addresses)."""
    parts = [str(data.get(name) or "") for name in ("from_email", "subject", "html", "text", "category")]
    parts += [f"{k}:{v}" for k, v in sorted((data.get("headers") or {}).items())]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _signals(organization_id: str, domain: str, category: str | None, headers: dict[str, str],
             email_id: str) -> dict[str, Any]:
    scored = scoring.compute(organization_id)
    own = next((d for d in scored["domains"] if d["domain"] == domain), None)
    source = {f["name"]: f for f in (own or scored)["factors"]}
    auth_factor = source["authentication"]
    auth = next((row for row in auth_factor.get("domains") or [] if row["domain"] == domain),
                {"domain": domain, "registered": False, "passes": {"spf": False, "dkim": False, "dmarc": False}})
    problems = content.verdict(content.checks_of([email_id])[0])[1]
    return {"authentication": auth,
            **{name: {"status": source[name]["status"], "summary": source[name]["summary"]} for name in REPUTATION},
            "unsubscribe": email_unsubscribe(category, headers), "content": problems,
            "score": scored["score"]}


def run(incoming: Incoming, data: dict[str, Any], providers: list[str], seed: int) -> dict[str, Any]:
    """Capture the seed email and judge it at each provider (DB thread, one unit of work)."""
    test_id = incoming.metadata["placement_test_id"]
    email = capture_email(incoming)
    domain = (email.from_address or "").rpartition("@")[2].lower()
    signals = _signals(incoming.organization_id, domain, data.get("category"), data.get("headers") or {}, email.id)
    same_email = fingerprint(data)
    results = [{**place(BY_NAME[name], signals, noise(seed, name, same_email)),
                "seed_address": seed_address(name, test_id)} for name in providers]
    row = PlacementTest.create(id=test_id, organization=incoming.organization_id, email_id=email.id,
                               subject=email.subject, from_address=email.from_address, domain=domain, seed=seed,
                               results=results, signals=signals, created_at=clock.now())
    return serialize(row)


def summary_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    counts = {"inbox": 0, "spam": 0, "missing": 0}
    for result in results:
        counts[result["placement"]] += 1
    return {**counts, "inbox_rate": round(counts["inbox"] / len(results), 4) if results else None}


def serialize(row: PlacementTest) -> dict[str, Any]:
    return {"id": row.id, "email_id": row.email_id, "subject": row.subject, "from_email": row.from_address,
            "domain": row.domain, "seed": row.seed, "created_at": clock.iso(row.created_at),
            "summary": summary_of(row.results), "results": row.results, "signals": row.signals}


def get_test(organization_id: str, test_id: str) -> dict[str, Any]:
    return serialize(owned(PlacementTest, organization_id, test_id, f"No placement test with id {test_id}."))


def list_tests(organization_id: str, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    query = PlacementTest.select().where(PlacementTest.organization == organization_id)
    rows = query.order_by(PlacementTest.created_at.desc(), PlacementTest.id).offset(offset).limit(limit)
    return query.count(), [serialize(row) for row in rows]

