"""The score's factors: each measured value judged against a published limit, with advice.

Every factor is a dict: `name`, `label`, `weight` (its share of 100), `value` (what was
measured; null when nothing could be), `threshold` (target and limit), `status` (good,
warning, poor, not_measured), `points` (of `weight`), `summary` (what was seen) and
`recommendation` (what to do). Rate factors also give both windows (`windows`).

Limits: Gmail's and Yahoo's bulk-sender rules ask for a spam complaint rate under 0.3%, ideally
under 0.1%; SPF and DKIM on all mail and DMARC for bulk senders; one-click unsubscribe (RFC 8058)
on marketing mail. Hard bounces: ESPs review accounts past about 5% and advise staying under 2%.
"""
from __future__ import annotations

from typing import Any

from gclap_sandbox.deliverability.authentication import CHECKS, DomainAuth
from gclap_sandbox.deliverability.judging import (
    GOOD,
    NOT_MEASURED,
    POOR,
    WARNING,
    Threshold,
    judge,
)
from gclap_sandbox.deliverability.measures import WINDOWS, Counts, Measured

WEIGHTS = {"authentication": 25, "complaint_rate": 25, "bounce_rate": 15, "list_hygiene": 10,
           "unsubscribe": 10, "content": 15}
LABELS = {"authentication": "Authentication (SPF, DKIM, DMARC)", "complaint_rate": "Spam complaint rate",
          "bounce_rate": "Hard bounce rate", "list_hygiene": "List hygiene",
          "unsubscribe": "One-click unsubscribe on marketing mail", "content": "Content checks"}
THRESHOLDS = {
    "authentication": Threshold(target=1.0, limit=0.5, better="higher", unit="share of checks passed"),
    "complaint_rate": Threshold(target=0.001, limit=0.003, better="lower", unit="complaints per delivered"),
    "bounce_rate": Threshold(target=0.02, limit=0.05, better="lower", unit="hard bounces per sent"),
    "list_hygiene": Threshold(target=0.0, limit=0.01, better="lower",
                              unit="suppressed addresses per recipient mailed"),
    "unsubscribe": Threshold(target=1.0, limit=0.9, better="higher", unit="share of marketing email"),
    "content": Threshold(target=1.0, limit=0.8, better="higher", unit="share of email passing the checks"),
}


def _pct(value: float) -> str:
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def factor(name: str, value: float | None, summary: str, recommendations: dict[str, str],
           **extra: Any) -> dict[str, Any]:
    """One factor judged: `recommendations` maps a status to the advice shown with it."""
    threshold = THRESHOLDS[name]
    if value is None:
        status, points = NOT_MEASURED, None
    else:
        status, share = judge(value, threshold)
        points = round(WEIGHTS[name] * share, 1)
    return {"name": name, "label": LABELS[name], "weight": WEIGHTS[name],
            "value": None if value is None else round(value, 4), "threshold": threshold.as_dict(),
            "status": status, "points": points, "summary": summary,
            "recommendation": recommendations.get(status, ""), **extra}


def _windows(measured: Measured, domain: str | None, part: str, whole: str) -> dict[str, Any]:
    out = {}
    for days in WINDOWS:
        counts = measured.window(days, domain)
        count, of = getattr(counts, part), getattr(counts, whole)
        out[f"{days}d"] = {"count": count, "of": of, "rate": round(count / of, 4) if of else None}
    return out


def _worst_rate(windows: dict[str, Any]) -> tuple[float | None, str | None]:
    """The higher of the windows' rates (a recent spike or a long trend both count), and which."""
    rated = [(w["rate"], key) for key, w in windows.items() if w["rate"] is not None]
    if not rated:
        return None, None
    rate, key = max(rated)
    return rate, key


def complaint_rate(measured: Measured, domain: str | None) -> dict[str, Any]:
    windows = _windows(measured, domain, "complaints", "delivered")
    rate, key = _worst_rate(windows)
    if rate is None:
        summary = "No mail was delivered in the last 30 days, so there is no complaint rate yet."
    else:
        w = windows[key]
        summary = (f"{_pct(rate)} of delivered mail was reported as spam over the last {key[:-1]} days "
                   f"({w['count']} of {w['of']}); the limit is 0.3%, aim for under 0.1%.")
    return factor("complaint_rate", rate, summary, {
        GOOD: "Keep it this way: mail only people who asked for it, and keep unsubscribing easy.",
        WARNING: "Complaints are above 0.1%. Stop mailing people who have not opened in months, make the "
                 "sender name recognisable and the unsubscribe link easy to find.",
        POOR: "Complaints are at or past 0.3%: Gmail and Yahoo filter or refuse mail at this rate. Pause bulk "
              "sends, mail only recently engaged recipients, and confirm new sign-ups (double opt-in).",
    }, windows=windows)


def bounce_rate(measured: Measured, domain: str | None) -> dict[str, Any]:
    windows = _windows(measured, domain, "hard_bounced", "sent")
    rate, key = _worst_rate(windows)
    if rate is None:
        summary = "Nothing was sent in the last 30 days, so there is no bounce rate yet."
    else:
        w = windows[key]
        summary = (f"{_pct(rate)} of recipients hard-bounced over the last {key[:-1]} days "
                   f"({w['count']} of {w['of']}); stay under 2%, providers get wary past 5%.")
    return factor("bounce_rate", rate, summary, {
        GOOD: "Addresses are valid: keep checking them at sign-up.",
        WARNING: "More than 2% of recipients do not exist. Check addresses when they are entered (a "
                 "confirmation email) and remove old ones you have not mailed in a long time.",
        POOR: "5% or more of recipients do not exist, which looks like a bought or stale list. Stop "
              "mailing that list and confirm its addresses before sending again.",
    }, windows=windows)


def list_hygiene(measured: Measured, domain: str | None) -> dict[str, Any]:
    counts = measured.window(max(WINDOWS), domain)
    rate = counts.suppressed / counts.attempted if counts.attempted else None
    if rate is None:
        summary = "Nobody was mailed in the last 30 days."
    else:
        summary = (f"{counts.suppressed} of {counts.attempted} recipients mailed in the last 30 days were "
                   "addresses that had already bounced, complained or unsubscribed (held back by the "
                   "suppression list).")
    return factor("list_hygiene", rate, summary, {
        GOOD: "Your lists leave out addresses that bounced, complained or unsubscribed.",
        WARNING: "Some mail still goes to addresses that bounced, complained or unsubscribed. Remove them "
                 "from your own lists (GET /api/v1/suppressions/ lists them) instead of relying on the "
                 "suppression list.",
        POOR: "Much of your mail goes to addresses that bounced, complained or unsubscribed. Sync the "
              "suppression list into your own database before every send.",
    }, detail={"suppressed": counts.suppressed, "attempted": counts.attempted})


def unsubscribe(measured: Measured, domain: str | None) -> dict[str, Any]:
    counts = measured.window(max(WINDOWS), domain)
    share = counts.one_click / counts.marketing if counts.marketing else None
    if share is None:
        summary = "No marketing mail in the last 30 days (mail sent as `category: marketing`, campaigns, " \
                  "or mail with List-Unsubscribe / List-Id / Precedence: bulk headers)."
    else:
        missing = counts.marketing - counts.one_click
        summary = (f"{counts.one_click} of {counts.marketing} marketing emails in the last 30 days offered "
                   f"one-click unsubscribe; {missing} did not.")
    return factor("unsubscribe", share, summary, {
        GOOD: "Every marketing email can be unsubscribed from in one click.",
        WARNING: "Some marketing mail lacks one-click unsubscribe. Send it with `category: marketing` (the "
                 "sandbox adds the headers), or add `List-Unsubscribe: <https://...>` together with "
                 "`List-Unsubscribe-Post: List-Unsubscribe=One-Click` yourself.",
        POOR: "Most marketing mail lacks one-click unsubscribe (RFC 8058), which Gmail and Yahoo require "
              "from bulk senders. Send it with `category: marketing`, or add both `List-Unsubscribe` "
              "(an https link) and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.",
    }, detail={"marketing": counts.marketing, "one_click": counts.one_click})


def _domain_row(name: str, state: DomainAuth | None, recipients: int) -> dict[str, Any]:
    """One domain's authentication as the factor shows it; a domain not added fails all three."""
    if state is None:
        return {"domain": name, "registered": False, "passes": {check: False for check in CHECKS},
                "recipients_30d": recipients}
    return {**state.as_dict(), "registered": True, "recipients_30d": recipients}


def authentication(states: dict[str, DomainAuth], volumes: dict[str, int],
                   domain: str | None) -> dict[str, Any]:
    """`volumes`: recipients sent per From domain in the last 30 days (weights the overall value)."""
    names = [domain] if domain is not None else sorted(set(volumes) | set(states))
    names = [name for name in names if name]
    if not names:
        return factor("authentication", None, "No sending domain is set up and no mail was sent in the last "
                      "30 days.", {NOT_MEASURED: "Add your sending domain (POST /api/v1/domains/) and publish "
                                                  "its records."})
    rows, total, weight_sum = [], 0.0, 0.0
    for name in names:
        row = _domain_row(name, states.get(name), volumes.get(name, 0))
        share = sum(row["passes"].values()) / len(CHECKS)
        # Weighted by mail sent; with no mail at all (or one domain asked for), each domain counts once.
        weight = row["recipients_30d"] or (1 if domain is not None or not any(volumes.values()) else 0)
        total, weight_sum = total + share * weight, weight_sum + weight
        rows.append(row)
    value = total / weight_sum if weight_sum else 0.0
    failing = [f"{row['domain']}: " + ", ".join(c.upper() for c, ok in row["passes"].items() if not ok)
               for row in rows if not all(row["passes"].values())]
    unregistered = [row["domain"] for row in rows if not row["registered"]]
    summary = ("SPF, DKIM and DMARC all pass." if not failing
               else "Failing: " + "; ".join(failing) + ".")
    advice = []
    if unregistered:
        advice.append(f"Add {', '.join(unregistered)} as a sending domain (POST /api/v1/domains/) and publish "
                      "the records it gives")
    for row in rows:
        if row["registered"] and not row["passes"]["dmarc"]:
            advice.append(f"publish a DMARC record for {row['domain']} (_dmarc.{row['domain']}, e.g. "
                          "`v=DMARC1; p=none; rua=mailto:dmarc@" + row["domain"] + "`) and make sure DKIM "
                          "or SPF passes so it aligns")
        if row["registered"] and not (row["passes"]["spf"] and row["passes"]["dkim"]):
            missing = [c.upper() for c in ("spf", "dkim") if not row["passes"][c]]
            advice.append(f"publish the {' and '.join(missing)} record{'s' if len(missing) > 1 else ''} of "
                          f"{row['domain']} exactly as given, then verify the domain again")
    text = ("; ".join(advice) + ".") if advice else ""
    text = text[:1].upper() + text[1:]
    return factor("authentication", value, summary, {
        GOOD: "Mail is authenticated and aligned: keep the DNS records published.",
        WARNING: text, POOR: text}, domains=rows)


def content(checks: list[dict[str, Any]], verdict: Any) -> dict[str, Any]:
    """`verdict(checks) -> (passed: bool, problems: list[str])` for one email's checks."""
    if not checks:
        return factor("content", None, "No mail in the last 30 days to check.", {})
    results = [verdict(one) for one in checks]
    passed = sum(1 for ok, _ in results if ok)
    problems: dict[str, int] = {}
    for _, found in results:
        for problem in found:
            problems[problem] = problems.get(problem, 0) + 1
    common = sorted(problems.items(), key=lambda item: (-item[1], item[0]))[:5]
    summary = (f"{passed} of {len(checks)} recent emails pass the content checks."
               + (" Most common: " + "; ".join(f"{p} ({n})" for p, n in common) + "." if common else ""))
    return factor("content", passed / len(checks), summary, {
        GOOD: "Recent mail passes the content checks.",
        WARNING: "Some recent mail trips the content checks: open an email's Checks tab to see which rule "
                 "fired and fix it in the template.",
        POOR: "Most recent mail trips the content checks (spam rules, broken or misleading links, HTML "
              "that mail clients do not support). Open an email's Checks tab and fix the template.",
    }, detail={"checked": len(checks), "passed": passed, "problems": dict(common)})


def volumes_30d(measured: Measured) -> dict[str, int]:
    return {domain: windows.get(max(WINDOWS), Counts()).sent for domain, windows in measured.by_domain.items()}
