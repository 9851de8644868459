"""Pure helpers that prepare a captured email for the UI: its HTML for the sandboxed
frame (inline `cid:` images resolved, links opening outside the frame), and how each
attachment can be previewed."""
from __future__ import annotations

import re
from typing import Callable
from urllib.parse import quote

from gclap_sandbox.mail.decoded import is_textual

# Directives for everything served from an email (HTML body, inline parts, attachments):
# `sandbox` without allow-scripts/allow-same-origin applies even if the URL is opened directly.
EMAIL_CSP = ("sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; "
             "img-src 'self' data: http: https:; style-src 'unsafe-inline' http: https:; "
             "font-src data: http: https:; media-src 'self' data: http: https:; "
             "script-src 'none'; object-src 'none'; frame-src 'none'; form-action 'none'; "
             "base-uri 'none'")
FRAME_SANDBOX = "allow-popups allow-popups-to-escape-sandbox"

_CID = re.compile(r"""(?P<lead>["'(=\s])cid:(?P<cid>[^"')\s>]+)""", re.I)
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


# Attachments the page shows as a thumbnail (raster images only: an SVG is a document).
THUMBNAIL_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp"})
# Served to a preview frame: `sandbox` with nothing allowed, no scripts, nothing loaded.
PREVIEW_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
# A PDF is drawn by the browser's own viewer, which a `sandbox` directive would block; it runs
# no script of ours and reaches nothing of this origin.
PDF_CSP = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"


def preview_kind(content_type: str) -> str | None:
    """How the page previews an attachment: "image", "text" (always shown as plain text, so
    HTML, SVG or script in it is never run), "pdf", or None (download only)."""
    if content_type in THUMBNAIL_TYPES:
        return "image"
    if content_type == "application/pdf":
        return "pdf"
    if is_textual(content_type) or content_type == "image/svg+xml":
        return "text"
    return None


def as_text(content: bytes) -> tuple[bytes, str]:
    """The bytes of a text attachment and the charset to declare: UTF-8 when they are, else
    windows-1252 (which decodes any byte), never letting the browser guess."""
    try:
        content.decode("utf-8")
        return content, "utf-8"
    except UnicodeDecodeError:
        return content, "windows-1252"
