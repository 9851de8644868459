"""The simulated mailbox providers of the placement seed list, and how each one filters.

Pure: `place(provider, signals, noise)` turns what is known about the sender and the email into
inbox / spam / missing with the reasons. The rules follow what the big providers publish
(Gmail's and Yahoo's bulk-sender requirements, Outlook's for high-volume senders): they refuse
unauthenticated mail outright; the others weigh the same signals, less strictly.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INBOX, SPAM, MISSING = "inbox", "spam", "missing"
SPAM_AT, MISSING_AT = 30.0, 90.0  # total penalty from which mail lands in spam / is dropped
NOISE = 10  # each provider's own filtering adds 0..NOISE, fixed by --seed and the email


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    strictness: float  # multiplies every penalty
    refuses_unauthenticated: bool  # neither SPF nor DKIM passes: refused, not delivered
    bulk_rules: bool  # enforces DMARC and one-click unsubscribe for bulk senders


PROVIDERS = (
    Provider("gmail", "Gmail", 1.2, True, True),
    Provider("outlook", "Outlook.com", 1.0, True, False),
    Provider("yahoo", "Yahoo Mail", 1.1, True, True),
    Provider("aol", "AOL Mail", 1.1, True, True),
    Provider("apple", "iCloud Mail", 0.8, False, False),
    Provider("proton", "Proton Mail", 0.9, False, False),
    Provider("gmx", "GMX", 1.0, False, False),
    Provider("zoho", "Zoho Mail", 0.8, False, False),
)
BY_NAME = {p.name: p for p in PROVIDERS}


def _reason(factor: str, effect: float | None, text: str) -> dict[str, Any]:
    return {"factor": factor, "effect": None if effect is None else round(effect, 1), "text": text}


def _authentication(provider: Provider, auth: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    """(penalties, why it is refused or None)."""
    domain, passes = auth["domain"], auth["passes"]
    if not auth.get("registered", True):
        passes = {"spf": False, "dkim": False, "dmarc": False}
    policy = str(auth.get("dmarc_policy") or "").lower()
    if not passes["spf"] and not passes["dkim"]:
        if policy == "reject" or provider.refuses_unauthenticated:
            why = (f"{domain}'s DMARC policy is reject and the mail is not aligned" if policy == "reject"
                   else f"{provider.label} refuses mail that neither SPF nor DKIM authenticates ({domain})")
            return [], why
        return [_reason("authentication", 40 * provider.strictness,
                        f"Neither SPF nor DKIM authenticates {domain}.")], None
    found = []
    if not (passes["spf"] and passes["dkim"]):
        missing = "SPF" if not passes["spf"] else "DKIM"
        found.append(_reason("authentication", 15 * provider.strictness, f"{missing} does not pass for {domain}."))
    if not passes["dmarc"]:
        required = f" ({provider.label} requires one from bulk senders)." if provider.bulk_rules else "."
        found.append(_reason("authentication", (20 if provider.bulk_rules else 8) * provider.strictness,
                             f"No passing DMARC record for {domain}{required}"))
    return found, None


RATE_PENALTIES = {  # factor -> {status: base penalty}
    "complaint_rate": {"poor": 45, "warning": 20},
    "bounce_rate": {"poor": 20, "warning": 8},
    "list_hygiene": {"poor": 10, "warning": 4},
}


def place(provider: Provider, signals: dict[str, Any], noise: int) -> dict[str, Any]:
    """One provider's verdict. `signals`: authentication (the From domain's state), the
    reputation factors' status and summary, the email's unsubscribe kind when it is marketing
    mail, and its content problems."""
    reasons, refused = _authentication(provider, signals["authentication"])
    for name, penalties in RATE_PENALTIES.items():
        seen = signals.get(name) or {}
        base = penalties.get(seen.get("status", ""))
        if base:
            reasons.append(_reason(name, base * provider.strictness, seen.get("summary", "")))
    unsubscribe = signals.get("unsubscribe")
    if unsubscribe is not None and unsubscribe != "one_click":
        base = 25 if provider.bulk_rules else 10
        reasons.append(_reason("unsubscribe", base * provider.strictness,
                               "Marketing mail without one-click unsubscribe (List-Unsubscribe with "
                               "List-Unsubscribe-Post)" + (f", which {provider.label} requires from bulk "
                                                           "senders." if provider.bulk_rules else ".")))
    problems = signals.get("content")
    if problems:
        reasons.append(_reason("content", min(40, 10 * len(problems)) * provider.strictness,
                               "Content checks: " + "; ".join(problems[:5]) + "."))
    penalty = sum(r["effect"] or 0 for r in reasons)
    reasons.append(_reason("filtering", float(noise), f"{provider.label}'s own filtering for this email "
                                                        "(fixed by --seed)."))
    total = penalty + noise
    if refused:
        placement = MISSING
        reasons.insert(0, _reason("authentication", None, f"Refused: {why_text(refused)}."))
    else:
        placement = INBOX if total < SPAM_AT else SPAM if total < MISSING_AT else MISSING
    return {"provider": provider.name, "label": provider.label, "placement": placement,
            "penalty": round(total, 1), "reasons": reasons}


def why_text(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text
