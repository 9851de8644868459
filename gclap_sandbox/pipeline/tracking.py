"""Open pixel, click links and unsubscribe URLs: HTML rewriting and token handling.

`rewrite_html()` is pure: a real HTML parser finds the `<a href>` tags and the end of
`<body>`; only those attribute values are replaced and the pixel inserted, so every other
byte of the markup stays as it was. Links are not rewritten when they are not http(s)
(`mailto:`, `tel:`, `#anchor`) or carry `data-gclap-track="off"` (or `clicktracking=off`).
"""
from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Callable

from gclap_sandbox.models import TrackingToken

OPEN, CLICK, UNSUBSCRIBE = "open", "click", "unsubscribe"
PATHS = {OPEN: "/t/open/", CLICK: "/t/click/", UNSUBSCRIBE: "/t/unsubscribe/"}
_HREF = re.compile(r"""(?<![\w-])(href\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)""", re.I)
_SKIP_ATTRS = {("data-gclap-track", "off"), ("data-gclap-track", "false"), ("clicktracking", "off")}


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits: unguessable


def tracking_url(base_url: str, kind: str, token: str) -> str:
    return f"{base_url}{PATHS[kind]}{token}"


def is_trackable(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://"))


@dataclass
class _Edit:
    start: int
    end: int
    text: str


class _Finder(HTMLParser):
    """Collects (offset, raw start tag, attrs) of <a> tags and the offset of </body>."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self._line_starts = [0]
        for line in source.split("\n")[:-1]:
            self._line_starts.append(self._line_starts[-1] + len(line) + 1)
        self.anchors: list[tuple[int, str, list[tuple[str, str | None]]]] = []
        self.body_end: int | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.anchors.append((self._offset(), self.get_starttag_text() or "", attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "body":
            self.body_end = self._offset()


@dataclass
class Rewritten:
    html: str
    links: list[str] = field(default_factory=list)  # original URLs, in order


def find_links(source: str) -> list[str]:
    """The trackable links of an HTML body, in order."""
    finder = _Finder(source)
    finder.feed(source)
    finder.close()
    links = []
    for _, _, attrs in finder.anchors:
        href = dict(attrs).get("href")
        if href and is_trackable(href) and not _skipped(attrs):
            links.append(href.strip())
    return links


def _skipped(attrs: list[tuple[str, str | None]]) -> bool:
    return any((name, (value or "").strip().lower()) in _SKIP_ATTRS for name, value in attrs)


def rewrite_html(source: str, *, click_url: Callable[[str], str] | None = None,
                 pixel_url: str | None = None) -> Rewritten:
    """Point trackable links at `click_url(original)` and add the pixel before </body>."""
    finder = _Finder(source)
    finder.feed(source)
    finder.close()
    edits: list[_Edit] = []
    links: list[str] = []
    if click_url is not None:
        for offset, tag_text, attrs in finder.anchors:
            href = dict(attrs).get("href")
            if not href or not is_trackable(href) or _skipped(attrs):
                continue
            match = _HREF.search(tag_text)
            if match is None or source[offset:offset + len(tag_text)] != tag_text:
                continue
            links.append(href.strip())
            quoted = '"' + html.escape(click_url(href.strip()), quote=True) + '"'
            edits.append(_Edit(offset + match.start(2), offset + match.end(2), quoted))
    if pixel_url is not None:
        pixel = (f'<img src="{html.escape(pixel_url, quote=True)}" width="1" height="1" alt="" '
                 'style="display:block;border:0;width:1px;height:1px" />')
        at = finder.body_end if finder.body_end is not None else len(source)
        edits.append(_Edit(at, at, pixel))
    out = source
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        out = out[:edit.start] + edit.text + out[edit.end:]
    return Rewritten(out, links)


# --- tokens (DB thread) -------------------------------------------------------------------

def store_token(token: str, kind: str, email_id: str, recipient: str | None, url: str | None = None) -> None:
    TrackingToken.create(token=token, kind=kind, email=email_id, recipient=recipient, url=url)


def resolve(token: str, kind: str) -> TrackingToken | None:
    return TrackingToken.get_or_none((TrackingToken.token == token) & (TrackingToken.kind == kind))
