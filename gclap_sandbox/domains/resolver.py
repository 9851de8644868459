"""Where DNS answers come from: the sandbox's own zone (the default), or real DNS (`--dns`).

A resolver answers a batch of (name, type) questions at once, as `Answer`s: the values found
(TXT strings joined as one value per record, as the DKIM and SPF specs read them), or an error
when the lookup itself failed (timeout, server failure). No record is an answer with no values.
"""
from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Protocol

from gclap_sandbox.domains import zone
from gclap_sandbox.domains.records import CNAME

if TYPE_CHECKING:
    import dns.asyncresolver

    from gclap_sandbox.storage.database import Database

SANDBOX, SYSTEM = "sandbox", "system"
LOOKUP_TIMEOUT = 3.0  # seconds one real lookup may take in all
Query = tuple[str, str]


@dataclass(frozen=True)
class Answer:
    values: tuple[str, ...] = ()
    error: str | None = None


class Resolver(Protocol):
    description: str

    async def resolve(self, queries: Iterable[Query]) -> dict[Query, Answer]: ...


class SandboxZone:
    """Answers from the records set with `PUT /api/v1/sandbox/dns/`."""

    description = "the sandbox's own DNS zone"

    def __init__(self, db: Database) -> None:
        self.db = db

    async def resolve(self, queries: Iterable[Query]) -> dict[Query, Answer]:
        found = await self.db.run(zone.lookup_many, list(dict.fromkeys(queries)))
        return {query: Answer(tuple(values)) for query, values in found.items()}


class RealDns:
    """Answers from real DNS: the system's resolver, or one given name server."""

    def __init__(self, nameserver: tuple[str, int] | None = None) -> None:
        self.nameserver = nameserver
        self.description = "real DNS" if nameserver is None else f"the name server {nameserver[0]}:{nameserver[1]}"

    def _resolver(self) -> dns.asyncresolver.Resolver:
        import dns.asyncresolver  # only when real DNS is asked for: it takes a while to import

        if self.nameserver is None:
            resolver = dns.asyncresolver.Resolver()
        else:
            resolver = dns.asyncresolver.Resolver(configure=False)
            resolver.nameservers = [self.nameserver[0]]
            resolver.port = self.nameserver[1]
        resolver.lifetime = LOOKUP_TIMEOUT
        return resolver

    async def resolve(self, queries: Iterable[Query]) -> dict[Query, Answer]:
        resolver = self._resolver()
        unique = list(dict.fromkeys(queries))
        answers = await asyncio.gather(*(self._one(resolver, name, rtype) for name, rtype in unique))
        return dict(zip(unique, answers))

    @staticmethod
    async def _one(resolver: dns.asyncresolver.Resolver, name: str, rtype: str) -> Answer:
        import dns.exception
        import dns.resolver

        try:
            result = await resolver.resolve(name, rtype, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return Answer()
        except dns.exception.Timeout:
            return Answer(error=f"the lookup of {name} timed out")
        except dns.exception.DNSException as exc:
            return Answer(error=f"the lookup of {name} failed: {exc}")
        if rtype == CNAME:
            values = [rdata.target.to_text(omit_final_dot=True).lower() for rdata in result]
        else:
            values = [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in result]
        return Answer(tuple(values))


def parse_dns_setting(value: str) -> str:
    """`sandbox`, `system` or a name server `HOST[:PORT]`, checked; raises ValueError."""
    text = value.strip()
    if text.lower() in (SANDBOX, SYSTEM):
        return text.lower()
    nameserver_of(text)
    return text


def nameserver_of(text: str) -> tuple[str, int]:
    """`IP`, `IP:PORT`, `[IPv6]:PORT` -> (ip, port); port 53 when not given."""
    if text.count(":") == 1 or (text.startswith("[") and not text.endswith("]")):
        host, _, port = text.rpartition(":")
    else:
        host, port = text, "53"
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"--dns must be sandbox, system or a name server's IP[:PORT], got {text!r}") from None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--dns name server port must be 1-65535, got {port!r}")
    return host, int(port)


def resolver_for(setting: str, db: Database) -> Resolver:
    if setting == SANDBOX:
        return SandboxZone(db)
    if setting == SYSTEM:
        return RealDns()
    return RealDns(nameserver_of(setting))
