"""Random (version 4) UUIDs as text, the ids of rows and Message-IDs.

`str(uuid.uuid4())` builds a UUID object (an int, checks, a format) for text that is all we
keep; formatting the random bytes directly gives the same kind of text in a quarter of the time,
which counts on the send path (an email, its event and its job each take one).
"""
from __future__ import annotations

import os

_VARIANT = "89ab89ab89ab89ab"  # RFC 9562 variant bits (10xx) for each hex digit's low two bits


def uuid4_text() -> str:
    """A random UUID in canonical text (8-4-4-4-12 lower-case hex), version 4, RFC 9562 variant."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[int(h[16], 16)]}{h[17:20]}-{h[20:]}"
