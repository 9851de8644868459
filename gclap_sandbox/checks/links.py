"""Links and images: each one listed, with what a mailbox provider or a reader would object to.

Problems (each with a severity; `error` fails the section, `warning` only warns):
- `insecure` (warning): a plain `http://` link or image;
- `ip-host` (error): the host is a bare IP address instead of a name;
- `shortener` (warning): the host is a public URL shortener (SHORTENERS), which hides the target;
- `mismatched-text` (error): the link text shows a domain other than the one the link goes to;
- `unsafe-scheme` (error): a `javascript:`, `data:` or `vbscript:` link;
- `malformed` (error): a web link without a host;
- `missing-alt` (warning): an image without an `alt` attribute (`alt=""` marks a decorative one);
- `no-dimensions` (warning): an image without width and height (attributes or inline style).
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from gclap_sandbox.checks.html_content import HtmlContent, Link, text_links

# Public URL shorteners (the hosts most often seen in mail; subdomains count too).
SHORTENERS = frozenset({
    "bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "v.gd", "buff.ly", "rebrand.ly",
    "cutt.ly", "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "bl.ink", "lnkd.in", "s.id", "soo.gd", "x.co",
    "qr.ae", "adf.ly", "shorte.st", "tr.im", "po.st", "db.tt", "amzn.to", "youtu.be", "fb.me", "tiny.one"})
# Second-level labels under which names are registered (example.co.uk): a coarse stand-in for
# the public suffix list, enough to tell `shop.example.co.uk` and `example.co.uk` apart from `co.uk`.
SECOND_LEVELS = frozenset({"co", "com", "net", "org", "gov", "edu", "ac", "ne", "or", "go", "gob", "mil"})
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")
ERROR, WARNING = "error", "warning"
# A domain shown in link text: labels and a letter-only top-level domain.
_DOMAIN_IN_TEXT = re.compile(r"(?<![\w@.-])(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})"
                             r"(?![\w-])", re.I)
_FILE_LIKE = frozenset({"html", "htm", "php", "pdf", "png", "jpg", "jpeg", "gif", "txt", "csv", "zip"})


def host_of(url: str) -> str | None:
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower() or None
    except ValueError:
        return None


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def base_domain(host: str) -> str:
    """The registered name of a host: `mail.shop.example.com` -> `example.com`."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in SECOND_LEVELS and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def shown_domain(text: str) -> str | None:
    """The domain a link's text presents to the reader, if it shows one."""
    for match in _DOMAIN_IN_TEXT.finditer(text):
        domain = match.group(1).lower()
        if domain.rsplit(".", 1)[-1] not in _FILE_LIKE:
            return domain
    return None


def _problem(code: str, severity: str, message: str) -> dict[str, str]:
    return {"code": code, "severity": severity, "message": message}


def url_problems(url: str) -> list[dict[str, str]]:
    """What is wrong with a link or image address on its own."""
    lowered = url.lower()
    if lowered.startswith(UNSAFE_SCHEMES):
        return [_problem("unsafe-scheme", ERROR, "Runs code or embeds data: mail clients strip such links.")]
    if not lowered.startswith(("http://", "https://")):
        return []  # mailto:, tel:, cid:, anchors: nothing to judge
    problems = []
    host = host_of(url)
    if host is None:
        return [_problem("malformed", ERROR, "A web address without a host.")]
    if lowered.startswith("http://"):
        problems.append(_problem("insecure", WARNING, "Plain http: use https."))
    if is_ip(host.strip("[]")):
        problems.append(_problem("ip-host", ERROR, f"Points at a bare IP address ({host}), a classic phishing sign."))
    if any(host == s or host.endswith("." + s) for s in SHORTENERS):
        problems.append(_problem("shortener", WARNING, f"{host} is a URL shortener: it hides where the link goes, "
                                                       "and filters distrust it."))
    return problems


def link_problems(link: Link) -> list[dict[str, str]]:
    problems = url_problems(link.url)
    host = host_of(link.url) if link.url.lower().startswith(("http://", "https://")) else None
    shown = shown_domain(link.text) if link.text else None
    if host and shown and base_domain(shown) != base_domain(host.strip("[]")):
        problems.append(_problem("mismatched-text", ERROR,
                                 f"The text shows {shown} but the link goes to {host}."))
    return problems


def check_links(content: HtmlContent, text: str | None) -> dict[str, Any]:
    """Every link (HTML, then plain text) and image, with its problems, and the section verdict."""
    links = []
    for link in [*content.links, *text_links(text)]:
        if link.url.startswith("#"):
            continue  # a jump inside the message
        links.append({"url": link.url, "text": link.text, "part": link.part, "line": link.line,
                      "problems": link_problems(link)})
    images = []
    for image in content.images:
        problems = url_problems(image.src) if image.src else [
            _problem("malformed", ERROR, "An image without a src.")]
        if image.alt is None:
            problems.append(_problem("missing-alt", WARNING, "No alt text: readers with images off or a "
                                                             "screen reader get nothing."))
        if not (image.has_width and image.has_height):
            problems.append(_problem("no-dimensions", WARNING, "No width and height: the layout jumps "
                                                               "when images load, or breaks when they are off."))
        images.append({"src": image.src, "alt": image.alt, "line": image.line, "problems": problems})
    every = [p for item in (*links, *images) for p in item["problems"]]
    errors = sum(1 for p in every if p["severity"] == ERROR)
    return {
        "verdict": "fail" if errors else "warn" if every else "pass",
        "problems": len(every),
        "errors": errors,
        "warnings": len(every) - errors,
        "links": links,
        "images": images,
        "online": None,  # filled by the online check when --link-check online is on
    }
