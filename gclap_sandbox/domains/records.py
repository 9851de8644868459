"""The DNS records a sending domain publishes, and what each check expects of what it finds.

SPF authorizes the provider to send for the domain (`include:` of its SPF host), DKIM
publishes the domain's public key under its selector, DMARC states the domain's policy, and a
CNAME points the return path (bounces) and tracking host at the provider. SPF and DKIM are
required for a domain to be verified (and its mail signed); DMARC and the CNAME are
recommended, and reported the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The provider's side of the records. `.test` is reserved (RFC 2606): never a real domain.
SPF_INCLUDE = "spf.gclap.test"
RETURN_PATH_LABEL = "gclap-bounces"
RETURN_PATH_TARGET = "bounces.gclap.test"

SPF, DKIM, DMARC, RETURN_PATH = "spf", "dkim", "dmarc", "return_path"
PURPOSES = (SPF, DKIM, DMARC, RETURN_PATH)
REQUIRED = frozenset({SPF, DKIM})
TXT, CNAME = "TXT", "CNAME"

# What a check reports for one record.
VERIFIED, MISSING, WRONG, PENDING = "verified", "missing", "wrong", "pending"


@dataclass(frozen=True)
class Expected:
    purpose: str
    type: str
    name: str
    value: str

    @property
    def required(self) -> bool:
        return self.purpose in REQUIRED


def expected_records(domain: str, selector: str, public_key: str) -> list[Expected]:
    return [
        Expected(SPF, TXT, domain, f"v=spf1 include:{SPF_INCLUDE} ~all"),
        Expected(DKIM, TXT, f"{selector}._domainkey.{domain}", f"v=DKIM1; k=rsa; p={public_key}"),
        Expected(DMARC, TXT, f"_dmarc.{domain}", "v=DMARC1; p=none; adkim=r; aspf=r"),
        Expected(RETURN_PATH, CNAME, f"{RETURN_PATH_LABEL}.{domain}", RETURN_PATH_TARGET),
    ]


def tag_list(value: str) -> dict[str, str] | None:
    """A DKIM/DMARC tag list (`v=DKIM1; k=rsa; p=...`) as a dict, or None when malformed."""
    tags: dict[str, str] = {}
    for item in value.split(";"):
        if not item.strip():
            continue
        name, sep, tag_value = item.partition("=")
        if not sep or not name.strip():
            return None
        tags[name.strip().lower()] = "".join(tag_value.split())  # folding whitespace is not part of it
    return tags


def spf_records(values: list[str]) -> list[str]:
    return [v for v in values if v.strip().lower().split(" ", 1)[0] == "v=spf1"]


def dmarc_records(values: list[str]) -> list[str]:
    return [v for v in values if (tag_list(v) or {}).get("v", "").upper() == "DMARC1"]


def record_view(expected: Expected, result: dict[str, Any] | None) -> dict[str, Any]:
    """A record as the API shows it: what to publish and what the last check found."""
    result = result or {}
    view = {"purpose": expected.purpose, "type": expected.type, "name": expected.name,
            "value": expected.value, "required": expected.required,
            "status": result.get("status", PENDING), "found": result.get("found", []),
            "detail": result.get("detail", "Not checked yet: verify the domain."),
            "resolver": result.get("resolver")}
    if expected.purpose == DMARC:
        view["policy"] = result.get("policy")
    return view
