"""Random (version 4) UUIDs as text, the ids of rows and Message-IDs, and time-ordered (version 7)
ones for the rows every email adds (emails, events).

`str(uuid.uuid4())` builds a UUID object (an int, checks, a format) for text that is all we
keep; formatting the random bytes directly gives the same kind of text in a quarter of the time,
which counts on the send path (an email, its event and its job each take one).
"""
from __future__ import annotations

import os
import time

_VARIANT = "89ab89ab89ab89ab"  # RFC 9562 variant bits (10xx) for each hex digit's low two bits


def uuid4_text() -> str:
    """A random UUID in canonical text (8-4-4-4-12 lower-case hex), version 4, RFC 9562 variant."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[int(h[16], 16)]}{h[17:20]}-{h[20:]}"


def uuid7_text() -> str:
    """A time-ordered UUID in canonical text, version 7 (RFC 9562): the Unix time in milliseconds,
    then 74 random bits. Rows keyed by these go in at the end of their indexes, so a stream of mail
    rewrites a few index pages per commit instead of a page per row (random keys). Real time, not
    the sandbox clock: the order only serves the indexes and means nothing to the domain."""
    ms = f"{time.time_ns() // 1_000_000:012x}"
    h = os.urandom(10).hex()
    return f"{ms[:8]}-{ms[8:]}-7{h[:3]}-{_VARIANT[int(h[3], 16)]}{h[4:7]}-{h[7:19]}"
