"""DKIM key pairs: RSA 2048, the private key as PKCS#1 PEM (what dkimpy reads), the public key
as the base64 SubjectPublicKeyInfo a DKIM record's `p=` carries."""
from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 2048


@dataclass(frozen=True)
class KeyPair:
    selector: str
    private_pem: str
    public_b64: str


def new_key_pair() -> KeyPair:
    """A fresh key pair and selector (CPU-bound: call it off the loop and the DB thread)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                    serialization.NoEncryption()).decode("ascii")
    public_der = key.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    # A selector of its own per key, so a domain added again never meets a cached old key.
    selector = "gclap" + secrets.token_hex(4)
    return KeyPair(selector, private_pem, base64.b64encode(public_der).decode("ascii"))
