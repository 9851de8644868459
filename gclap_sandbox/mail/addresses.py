"""Email addresses: split `Name <a@b>` into its parts and refuse what is not one address.

Pure (standard library only), so the MIME code and the HTTP validator (`schema.py`) share one
definition of what an address is.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from email.utils import getaddresses

# Pragmatic address check: a local part, an @, a domain with a dot or a single label such as localhost.
_ADDRESS_RE = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+$")

# Bidirectional formatting characters: an address holding one displays as something other than
# what it is (U+202E shows the rest of the text reversed).
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unsafe_character(value: str) -> str | None:
    """Why `value` may not be used in an address (control or bidi character), or None."""
    for ch in value:
        if ch in _BIDI_CONTROLS:
            return f"May not contain bidirectional control characters (U+{ord(ch):04X})."
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):  # NUL, line breaks, other controls
            return f"May not contain control characters or line breaks (U+{ord(ch):04X})."
    return None


def normalize_address(value: str) -> tuple[str, str] | None:
    """Split `Name <a@b>` or `a@b` into (name, address), or None when it is not an address."""
    if not isinstance(value, str):
        return None
    return _normalized(value)


# Pure, and asked of one address several times per send (validation, header, envelope, recipients).
@functools.lru_cache(maxsize=4096)
def _normalized(value: str) -> tuple[str, str] | None:
    if unsafe_character(value) is not None:
        return None
    pairs = getaddresses([value])
    if len(pairs) != 1:  # "a@x.com, b@y.com" is two addresses, not one
        return None
    name, address = pairs[0]
    # The parser quietly repairs some input ("ana@exam ple.com" -> "ana@example.com"): refuse it.
    if not address or not _ADDRESS_RE.match(address) or address not in value:
        return None
    domain = address.rsplit("@", 1)[1]
    if domain.startswith(".") or domain.endswith(".") or ".." in domain:
        return None
    return name, address
