"""Spam signals: a fixed, documented rule set, each rule with its score (SpamAssassin-style points).

The rules judge the message as the application sent it (the received bytes). The scores add
up; from SPAM_THRESHOLD (SpamAssassin's default `required_score`) the verdict is `fail`, from
WARN_THRESHOLD `warn`. `RULES` is the one list: the README table and the API description are
made from it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

SPAM_THRESHOLD = 5.0
WARN_THRESHOLD = 2.5
GMAIL_CLIP_BYTES = 102 * 1024  # Gmail shows "[Message clipped]" past this much HTML
IMAGE_ONLY_TEXT = 200  # visible characters under which an HTML body with images counts as image-only
ONE_CLICK = "list-unsubscribe=one-click"
# Phrases bulk-mail filters weigh; two or more fire the rule.
SPAM_PHRASES = ("act now", "100% free", "risk-free", "risk free", "you are a winner", "you have been selected",
                "click here", "limited time", "no credit check", "cash bonus", "guaranteed", "earn money",
                "double your", "lowest price", "once in a lifetime", "urgent response", "congratulations",
                "free gift", "order now", "buy now")


@dataclass
class Facts:
    """What the rules look at, read once from the stored message."""

    subject: str
    has_html: bool
    has_text: bool
    html_bytes: int
    visible_text: str  # the HTML body's, as shown
    text: str  # the plain-text body
    image_count: int
    header_names: set[str]  # lower-cased names of the top-level header fields present (non-blank)
    headers: dict[str, str]  # lower-cased name -> first value
    marketing: bool
    sandbox_adds_unsubscribe: bool  # the delivered version gets List-Unsubscribe from the sandbox
    link_codes: list[str]  # problem codes of the links (links.py)
    has_from: bool
    defects: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    code: str
    score: float
    description: str
    test: Callable[[Facts], str | None]  # a detail when the rule fires, else None


def _letters(text: str) -> list[str]:
    return [ch for ch in text if ch.isalpha()]


def _shouting(f: Facts) -> str | None:
    letters = _letters(f.subject)
    upper = sum(1 for ch in letters if ch.isupper())
    caps_words = [w for w in re.findall(r"\b[^\W\d_]{3,}\b", f.subject) if w.isupper()]
    if (len(letters) >= 8 and upper / len(letters) >= 0.6) or len(caps_words) >= 3:
        return f"{upper} of {len(letters)} letters are capitals."
    return None


def _punctuation(f: Facts) -> str | None:
    marks = sum(f.subject.count(ch) for ch in "!?")
    run = re.search(r"[!?]{2,}|\${2,}", f.subject)
    if run or marks >= 3:
        return f"“{run.group(0)}” in the subject." if run else f"{marks} exclamation or question marks."
    return None


def _image_only(f: Facts) -> str | None:
    if f.has_html and f.image_count and len(f.visible_text) < IMAGE_ONLY_TEXT:
        return (f"{f.image_count} image{'s' if f.image_count != 1 else ''} and {len(f.visible_text)} "
                f"characters of text.")
    return None


def _missing_unsubscribe(f: Facts) -> str | None:
    if not f.marketing or "list-unsubscribe" in f.header_names:
        return None
    if f.sandbox_adds_unsubscribe:
        return "The message as sent has none; the sandbox adds one on delivery, as Gclap does for marketing mail."
    return "Marketing mail without a List-Unsubscribe header."


def _no_one_click(f: Facts) -> str | None:
    if not f.marketing or "list-unsubscribe" not in f.header_names:
        return None
    if ONE_CLICK not in f.headers.get("list-unsubscribe-post", "").lower().replace(" ", ""):
        return "List-Unsubscribe without `List-Unsubscribe-Post: List-Unsubscribe=One-Click`."
    if "<https://" not in f.headers.get("list-unsubscribe", "").lower():
        return "One-click unsubscribe needs an https URL in List-Unsubscribe."
    return None


def _phrases(f: Facts) -> str | None:
    haystack = " ".join(f"{f.subject} {f.visible_text} {f.text}".split()).lower()
    found = [p for p in SPAM_PHRASES if p in haystack]
    return f"Found: {', '.join(found)}." if len(found) >= 2 else None


def _count(codes: list[str], code: str, what: str) -> str | None:
    n = codes.count(code)
    return f"{n} {what}{'s' if n != 1 else ''}." if n else None


RULES: tuple[Rule, ...] = (
    Rule("no-text-part", 1.5, "HTML without a plain-text alternative.",
         lambda f: "Only an HTML part." if f.has_html and not f.has_text else None),
    Rule("image-only", 2.5, f"HTML that is mostly images (under {IMAGE_ONLY_TEXT} characters of visible text).",
         _image_only),
    Rule("subject-shouting", 1.5, "Subject in capitals (60% of its letters, or three words in capitals).",
         _shouting),
    Rule("subject-punctuation", 1.0, "Subject with repeated !, ? or $, or three or more ! and ? in all.",
         _punctuation),
    Rule("mismatched-links", 2.5, "Link text showing a different domain than the link's target.",
         lambda f: _count(f.link_codes, "mismatched-text", "mismatched link")),
    Rule("ip-links", 1.5, "Links or images at bare IP addresses.", lambda f: _count(f.link_codes, "ip-host", "IP link")),
    Rule("shortened-links", 1.0, "Links or images through public URL shorteners.",
         lambda f: _count(f.link_codes, "shortener", "shortened link")),
    Rule("missing-list-unsubscribe", 2.0, "Marketing mail (category marketing, or a campaign) without "
         "List-Unsubscribe.", _missing_unsubscribe),
    Rule("no-one-click-unsubscribe", 1.0, "Marketing mail whose List-Unsubscribe lacks RFC 8058 one-click "
         "(required by Gmail and Yahoo for bulk senders).", _no_one_click),
    Rule("gmail-clipping", 1.0, f"HTML over {GMAIL_CLIP_BYTES // 1024} KB: Gmail clips the rest (and its "
         "unsubscribe link and open pixel with it).",
         lambda f: f"{f.html_bytes} bytes of HTML." if f.html_bytes > GMAIL_CLIP_BYTES else None),
    Rule("missing-message-id", 1.0, "No Message-ID header.",
         lambda f: None if "message-id" in f.header_names else "Not set by the sender."),
    Rule("missing-date", 1.0, "No Date header.",
         lambda f: None if "date" in f.header_names else "Not set by the sender."),
    Rule("missing-subject", 1.0, "Empty or missing subject.",
         lambda f: None if f.subject.strip() else "No subject."),
    Rule("missing-from", 2.0, "No sender address in From.", lambda f: None if f.has_from else "No From address."),
    Rule("spam-phrases", 1.0, "Two or more phrases bulk-mail filters weigh (\"act now\", \"100% free\", ...).",
         _phrases),
    Rule("malformed-mime", 1.0, "MIME structure the parser had to repair.",
         lambda f: ", ".join(sorted(set(f.defects))) if f.defects else None),
)


def check_spam(facts: Facts) -> dict[str, Any]:
    fired = []
    for rule in RULES:
        detail = rule.test(facts)
        if detail is not None:
            fired.append({"rule": rule.code, "score": rule.score, "description": rule.description, "detail": detail})
    score = round(sum(item["score"] for item in fired), 1)
    return {
        "verdict": "fail" if score >= SPAM_THRESHOLD else "warn" if score >= WARN_THRESHOLD else "pass",
        "score": score,
        "threshold": SPAM_THRESHOLD,
        "rules": fired,
        "rules_checked": len(RULES),
        "spamassassin": None,  # filled when --spamassassin is given
    }


def rules_table() -> str:
    """The rule set as a Markdown table (README, API description)."""
    rows = [f"| `{rule.code}` | {rule.score:g} | {rule.description} |" for rule in RULES]
    return "\n".join(["| rule | score | fires on |", "| --- | --- | --- |", *rows])
