"""The sandbox's own DNS zone: records set through `PUT /api/v1/sandbox/dns/` (DB thread).

It answers the default resolver (resolver.py). Setting records replaces, for each name and type
given, every record of that name and type; other names keep theirs. A TXT lookup follows a
CNAME at the name, as DNS does (a DKIM key delegated to a provider is published that way).
"""
from __future__ import annotations

from typing import Any, Iterable

from gclap_sandbox.domains.records import CNAME, TXT
from gclap_sandbox.models import DnsRecord

TYPES = (TXT, CNAME)
MAX_CNAME_CHAIN = 8


def record_view(row: DnsRecord) -> dict[str, str]:
    return {"name": row.name, "type": row.type, "value": row.value}


def all_records() -> list[dict[str, str]]:
    return [record_view(row) for row in DnsRecord.select().order_by(DnsRecord.name, DnsRecord.type, DnsRecord.id)]


def set_records(given: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Replace the record sets named in `given` (name + type); answer the whole zone."""
    for name, rtype in dict.fromkeys((r["name"], r["type"]) for r in given):
        DnsRecord.delete().where((DnsRecord.name == name) & (DnsRecord.type == rtype)).execute()
    for record in given:
        DnsRecord.create(name=record["name"], type=record["type"], value=record["value"])
    return all_records()


def delete_records(name: str | None, rtype: str | None) -> int:
    """Delete the records matching the name and/or type given; every record when neither is."""
    query = DnsRecord.delete()
    if name is not None:
        query = query.where(DnsRecord.name == name)
    if rtype is not None:
        query = query.where(DnsRecord.type == rtype)
    return query.execute()


def _values(name: str, rtype: str) -> list[str]:
    rows = DnsRecord.select(DnsRecord.value).where((DnsRecord.name == name) & (DnsRecord.type == rtype))
    return [row.value for row in rows.order_by(DnsRecord.id)]


def lookup(name: str, rtype: str) -> list[str]:
    """The values of `name`'s records of `rtype`, following CNAMEs for other types."""
    for _ in range(MAX_CNAME_CHAIN):
        found = _values(name, rtype)
        if found or rtype == CNAME:
            return found
        alias = _values(name, CNAME)
        if not alias:
            return []
        name = alias[0].lower().removesuffix(".")
    return []


def lookup_many(queries: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    return {(name, rtype): lookup(name, rtype) for name, rtype in queries}
