"""Pure helpers that prepare a captured email for the UI: its HTML for the sandboxed
frame (inline `cid:` images resolved, links opening outside the frame), and its links."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Callable
from urllib.parse import quote

# Directives for everything served from an email (HTML body, inline parts, attachments):
# `sandbox` without allow-scripts/allow-same-origin applies even if the URL is opened directly.
EMAIL_CSP = ("sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; "
             "img-src 'self' data: http: https:; style-src 'unsafe-inline' http: https:; "
             "font-src data: http: https:; media-src 'self' data: http: https:; "
             "script-src 'none'; object-src 'none'; frame-src 'none'; form-action 'none'; "
             "base-uri 'none'")
FRAME_SANDBOX = "allow-popups allow-popups-to-escape-sandbox"

_CID = re.compile(r"""(?P<lead>["'(=\s])cid:(?P<cid>[^"')\s>]+)""", re.I)
_URL_IN_TEXT = re.compile(r"""https?://[^\s<>"')\]]+""", re.I)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)


def rewrite_cids(html: str, url_for: Callable[[str], str]) -> str:
    """Point every `cid:x` reference at the URL that serves the inline part `x`."""
    return _CID.sub(lambda m: m.group("lead") + url_for(m.group("cid")), html)


def frame_document(html: str, cid_url: Callable[[str], str]) -> str:
    """The HTML as shown in the frame: cids resolved, links opening in a new tab."""
    prepared = rewrite_cids(html, cid_url)
    base = '<base target="_blank">'
    match = _HEAD.search(prepared)
    if match:
        return prepared[:match.end()] + base + prepared[match.end():]
    return base + prepared


def cid_path(email_id: str, content_id: str) -> str:
    return f"/ui/emails/{email_id}/cid/{quote(content_id.strip('<>'), safe='')}"


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._open: list[int] = []  # indexes of <a> still collecting their text
        self._texts: dict[int, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "area"):
            href = dict(attrs).get("href")
            if href and href.strip() and not href.strip().startswith("#"):
                self.links.append((href.strip(), ""))
                if tag == "a":
                    self._open.append(len(self.links) - 1)
                    self._texts[len(self.links) - 1] = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            index = self._open.pop()
            text = " ".join("".join(self._texts.pop(index, [])).split())
            self.links[index] = (self.links[index][0], text)

    def handle_data(self, data: str) -> None:
        for index in self._open:
            self._texts[index].append(data)


def extract_links(html: str | None, text: str | None) -> list[dict[str, str]]:
    """Distinct links in the email: every href in the HTML, then bare URLs in the text."""
    found: list[tuple[str, str, str]] = []
    if html:
        collector = _LinkCollector()
        try:
            collector.feed(html)
            collector.close()
        except Exception:  # malformed HTML: keep what was collected
            pass
        found.extend((href, label, "html") for href, label in collector.links)
    if text:
        found.extend((m.group(0).rstrip(".,;:!?"), "", "text") for m in _URL_IN_TEXT.finditer(text))
    seen: set[str] = set()
    links = []
    for href, label, where in found:
        if href.lower().startswith("cid:") or href in seen:
            continue
        seen.add(href)
        # Only these open from the UI: a `javascript:` link must never run in its origin.
        openable = href.lower().startswith(("http://", "https://", "mailto:"))
        links.append({"url": href, "text": label, "part": where, "openable": openable})
    return links
