"""DNS names as the sandbox takes them: patterns (stated in the API document), normal form, parents."""
from __future__ import annotations

_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ANY_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
# A domain mail is sent from: letters, digits and inner hyphens, two labels or more, the last
# starting with a letter (so never an IP address); at most 253 characters; a final dot allowed.
DOMAIN_PATTERN = rf"(?=.{{1,253}}\.?$)(?:{_HOST_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.?"
DOMAIN_HINT = "Must be a domain name such as example.com (letters, digits and hyphens; no IP address)."
# Any DNS name a record may have: underscores allowed (_dmarc, selector._domainkey).
RECORD_NAME_PATTERN = rf"(?=.{{1,253}}\.?$)(?:{_ANY_LABEL}\.)*{_ANY_LABEL}\.?"
RECORD_NAME_HINT = "Must be a DNS name: labels of letters, digits, hyphens and underscores, separated by dots."


def normalize(name: str) -> str:
    return name.strip().lower().removesuffix(".")


def parents(domain: str) -> list[str]:
    """`a.b.example.com` -> [a.b.example.com, b.example.com, example.com] (two labels at least)."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(max(len(labels) - 1, 1))]


def organizational(domain: str) -> str:
    """The registrable domain, approximated as the last two labels (no public suffix list)."""
    return ".".join(domain.split(".")[-2:])
