"""DKIM-signing what leaves the sandbox: the delivered and relayed versions (pipeline/outgoing.py).

Mail whose From domain (or a parent of it) is a verified sending domain of its organization is
signed with that domain's key (rsa-sha256, relaxed/relaxed, d= the domain, s= its selector).
The signature's time (t=) is the email's capture time on the sandbox clock, so a version reads
back byte for byte the same every time. The received bytes are never signed or changed.

Each organization's signers (the parsed keys of its verified domains) are cached on the
sandbox's Database (`store.SIGNERS_CACHE`), forgotten when a domain is added, verified or
deleted, and by a reset; mail from any other domain costs one dictionary lookup.
"""
from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING, Any

from gclap_sandbox.domains import names
from gclap_sandbox.domains.store import SIGNERS_CACHE
from gclap_sandbox.models import SendingDomain
from gclap_sandbox.storage.connection import current

if TYPE_CHECKING:
    from gclap_sandbox.models import Email

CANONICALIZATION = b"relaxed/relaxed"  # survives the re-folding and line-ending changes of SMTP hops
# Signed beside dkimpy's RFC 6376 list, so one-click unsubscribe (RFC 8058) cannot be forged.
EXTRA_SIGNED = (b"list-unsubscribe-post",)
_HEADER_END = re.compile(rb"\r?\n\r?\n")


class Signer:
    """One verified domain's key, parsed once."""

    def __init__(self, domain: str, selector: str, private_pem: str) -> None:
        from dkim.crypto import parse_pem_private_key  # dkimpy loads only once something is signed

        self.domain = domain.encode("ascii")
        self.selector = selector.encode("ascii")
        self.key = parse_pem_private_key(private_pem.encode("ascii"))

    def sign(self, message: bytes, timestamp: int) -> bytes:
        """The DKIM-Signature field for `message` (ending with the message's line separator)."""
        import dkim

        head = _HEADER_END.search(message)
        linesep = b"\r\n" if b"\r\n" in message[:head.end() if head else len(message)] else b"\n"
        try:
            signer = dkim.DKIM(message, linesep=linesep)
        except dkim.DKIMException as exc:  # headers dkimpy cannot read
            raise ValueError(str(exc)) from None
        include = [name.lower() for name in signer.default_sign_headers()]
        include += [name.lower() for name, _ in signer.headers if name.lower() in EXTRA_SIGNED]
        if b"from" not in include:
            raise ValueError("a message without a From field cannot be signed")
        policy = dkim.CanonicalizationPolicy.from_c_value(CANONICALIZATION)
        body_hash = base64.b64encode(hashlib.sha256(policy.canonicalize_body(signer.body)).digest())
        fields = [(b"v", b"1"), (b"a", b"rsa-sha256"), (b"c", CANONICALIZATION), (b"d", self.domain),
                  (b"i", b"@" + self.domain), (b"q", b"dns/txt"), (b"s", self.selector),
                  (b"t", str(timestamp).encode("ascii")), (b"h", b" : ".join(include)), (b"bh", body_hash),
                  (b"b", b"0" * 60)]  # a placeholder as dkimpy writes it, so b= folds onto its own line
        signer.hasher = hashlib.sha256
        return b"DKIM-Signature: " + signer.gen_header(fields, include, policy, b"DKIM-Signature", self.key)


def _signers(organization_id: str) -> dict[str, Signer]:
    cache = current().cache(SIGNERS_CACHE)
    signers = cache.get(organization_id)
    if signers is None:
        rows = SendingDomain.select().where((SendingDomain.organization == organization_id)
                                            & (SendingDomain.status == "verified"))
        signers = cache[organization_id] = {row.name: Signer(row.name, row.dkim_selector, row.dkim_private_key)
                                            for row in rows}
    return signers


def signer_for(organization_id: str, from_address: str | None) -> Signer | None:
    """The signer of the From address's domain, or of its closest verified parent (DB thread)."""
    if not from_address or "@" not in from_address:
        return None
    signers = _signers(organization_id)
    if not signers:
        return None
    domain = names.normalize(from_address.rpartition("@")[2])
    return next((signers[name] for name in names.parents(domain) if name in signers), None)


def signed(email: Email | Any, message: bytes) -> bytes:
    """`message` (a version of `email` leaving the sandbox) with a DKIM signature in front
    when its From domain is verified; unchanged otherwise (DB thread)."""
    signer = signer_for(str(email.organization_id), email.from_address)
    if signer is None:
        return message
    try:
        return signer.sign(message, int(email.created_at.timestamp())) + message
    except ValueError:  # no From, or headers dkimpy cannot read: it goes out as it is, unsigned
        return message
