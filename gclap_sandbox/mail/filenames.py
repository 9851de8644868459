"""Names for downloads of captured parts and sources (the API and the UI answer the same).

RFC 6266: `filename*=UTF-8''...` carries any name exactly; a plain `filename="..."` with an
ASCII stand-in comes first for clients that do not read the extended form.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from gclap_sandbox.mail.parts import DEFAULT_NAMES

# RFC 8187 attr-char beyond letters, digits and "-._~" (which quote() never escapes).
_ATTR_CHARS = "!#$&+^`|"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]')


def part_name(filename: str | None, content_type: str, position: int) -> str:
    """The name a part is saved under: its own, else one that says what it is."""
    return filename or DEFAULT_NAMES.get(content_type) or f"attachment-{position}"


def content_disposition(name: str, disposition: str = "attachment") -> str:
    # Path separators and control characters never reach the saved file's name.
    safe = _UNSAFE.sub("_", name).strip() or "download"
    fallback = unicodedata.normalize("NFKD", safe).encode("ascii", "ignore").decode("ascii").strip() or "download"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe, safe=_ATTR_CHARS)}"
