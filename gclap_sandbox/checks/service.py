"""Content checks of one stored email: HTML compatibility, links and images, spam signals.

`checks_for_email(email_id)` (DB thread) parses the stored message once and keeps the report
in the sandbox's `checks` cache (a reset empties it; ids are never reused, so a report never
goes stale). The checks judge the message as the application sent it: the received bytes.
The opt-in network checks (`--link-check online`, `--spamassassin`) are added on top by
`online.py`, off the DB thread.
"""
from __future__ import annotations

from typing import Any

from gclap_sandbox.checks.html_compat import check_html
from gclap_sandbox.checks.html_content import read_html
from gclap_sandbox.checks.links import check_links
from gclap_sandbox.checks.spam_rules import Facts, check_spam
from gclap_sandbox.errors import NotFound
from gclap_sandbox.mail import message as mail
from gclap_sandbox.mail.headers import filled_headers, raw_header
from gclap_sandbox.models import Email, EmailContent
from gclap_sandbox.pipeline.incoming import CATEGORY_HEADER
from gclap_sandbox.storage.database import current

CACHE = "checks"
CACHE_LIMIT = 5000  # reports kept per sandbox; the oldest go first
VERDICTS = ("pass", "warn", "fail")
MARKETING_PRECEDENCE = ("bulk", "list")


def checks_for_email(email_id: str) -> dict[str, Any]:
    """`{"html": {...}, "links": {...}, "spam": {...}, "verdict": ...}` for a stored email (DB thread).

    Raises NotFound for an unknown id. Callers that act for an organization check ownership
    first (`inbox.queries.get_email`).
    """
    cache = current().cache(CACHE)
    report = cache.get(email_id)
    if report is None:
        email = Email.get_or_none(Email.id == email_id)
        if email is None:
            raise NotFound(f"No email with id {email_id}.")
        report = compute(email, EmailContent.get(EmailContent.email == email.id))
        if len(cache) >= CACHE_LIMIT:
            cache.pop(next(iter(cache)))
        cache[email_id] = report
    return report


def verdicts_for(email_ids: list[str]) -> dict[str, dict[str, str]]:
    """Email id -> the verdict of each section and overall, for list rows (DB thread)."""
    out = {}
    for email_id in email_ids:
        report = checks_for_email(email_id)
        out[email_id] = {"html": report["html"]["verdict"], "links": report["links"]["verdict"],
                         "spam": report["spam"]["verdict"], "overall": report["verdict"]}
    return out


def worst(verdicts: list[str]) -> str:
    return max(verdicts, key=VERDICTS.index) if verdicts else "pass"


def compute(email: Email, content: EmailContent) -> dict[str, Any]:
    raw = bytes(content.raw)
    msg, parsed = mail.parse_message(raw)
    html_content = read_html(parsed.html)
    links = check_links(html_content, parsed.text)
    header_names = filled_headers(raw)
    headers = {name: (raw_header(msg, name) or "") for name in
               ("list-unsubscribe", "list-unsubscribe-post", "precedence", CATEGORY_HEADER.lower())} \
        if msg is not None else {}
    added = {name.lower() for name, _ in (content.added_headers or [])}
    marketing = (headers.get(CATEGORY_HEADER.lower(), "").strip().lower() == "marketing"
                 or email.campaign_id is not None
                 or "list-unsubscribe" in added  # the sandbox adds it to category=marketing mail only
                 or headers.get("precedence", "").strip().lower() in MARKETING_PRECEDENCE)
    facts = Facts(
        subject=parsed.subject, has_html=parsed.html is not None, has_text=parsed.text is not None,
        html_bytes=len((parsed.html or "").encode("utf-8")), visible_text=html_content.visible_text,
        text=parsed.text or "",
        image_count=len(html_content.images), header_names=header_names, headers=headers, marketing=marketing,
        sandbox_adds_unsubscribe="list-unsubscribe" in added,
        link_codes=[p["code"] for item in (*links["links"], *links["images"]) for p in item["problems"]],
        has_from=bool(parsed.from_address), defects=parsed.defects)
    report = {"html": check_html(parsed.html), "links": links, "spam": check_spam(facts)}
    report["marketing"] = marketing
    report["verdict"] = worst([report[section]["verdict"] for section in ("html", "links", "spam")])
    return report
