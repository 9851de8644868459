"""Failed sign-ins to the web UI, throttled per client with a doubling wait.

A client may get the password wrong FREE_FAILURES times. After that, every attempt costs: a
wrong password, or any attempt made while the client must still wait (its password is then
not even checked), doubles the wait (2 s, 4 s, 8 s ... at most MAX_DELAY) and is answered
429 with Retry-After. A correct password clears the client's record; so does FORGET_SECONDS
without any attempt. A client is an IPv4 address, or an IPv6 /64 network (one machine can
use any address of its /64).

The wait runs on real monotonic time, not the sandbox clock: anyone with an API key can move
the sandbox clock forward, and that must not wipe out the wait.
"""
from __future__ import annotations

import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Callable

FREE_FAILURES = 5
FIRST_DELAY = 2.0
MAX_DELAY = 15 * 60.0
FORGET_SECONDS = 60 * 60.0  # longer than MAX_DELAY, so waiting out each delay keeps it growing
MAX_CLIENTS = 10_000  # the records kept; the least recently seen go first


@dataclass
class _Record:
    failures: int = 0
    delay: float = 0.0
    blocked_until: float = 0.0
    last_attempt: float = 0.0


def client_key(ip: str) -> str:
    """Whom a sign-in attempt counts against: the address, or its /64 for IPv6."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


class LoginThrottle:
    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._clients: dict[str, _Record] = {}  # oldest attempt first

    def refuse(self, client: str) -> int | None:
        """Before checking a password: the seconds to wait if the client must still wait
        (this attempt then counts against it too), else None."""
        now = self._now()
        record = self._current(client, now)
        if record is None or now >= record.blocked_until:
            return None
        return self._strike(client, record, now)

    def failed(self, client: str) -> int | None:
        """After a wrong password: the seconds to wait before the next attempt, or None."""
        now = self._now()
        record = self._current(client, now) or _Record()
        record.failures += 1
        if record.failures <= FREE_FAILURES:
            record.last_attempt = now
            self._keep(client, record)
            return None
        return self._strike(client, record, now)

    def succeeded(self, client: str) -> None:
        self._clients.pop(client, None)

    def _current(self, client: str, now: float) -> _Record | None:
        record = self._clients.get(client)
        if record is not None and now - record.last_attempt > FORGET_SECONDS:
            del self._clients[client]
            return None
        return record

    def _strike(self, client: str, record: _Record, now: float) -> int:
        record.delay = min(MAX_DELAY, record.delay * 2 if record.delay else FIRST_DELAY)
        record.blocked_until = now + record.delay
        record.last_attempt = now
        self._keep(client, record)
        return math.ceil(record.delay)

    def _keep(self, client: str, record: _Record) -> None:
        self._clients.pop(client, None)
        self._clients[client] = record
        while len(self._clients) > MAX_CLIENTS:
            del self._clients[next(iter(self._clients))]
