"""STARTTLS for the SMTP server: a given certificate, or a self-signed one made at start."""
from __future__ import annotations

import os
import ssl
import tempfile
from datetime import timedelta

from gclap_sandbox import clock
from gclap_sandbox.settings import Settings


def self_signed_pem(hostname: str) -> tuple[bytes, bytes]:
    """(certificate, private key) in PEM for `hostname`, localhost and 127.0.0.1, valid a year."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = clock.now()
    san = x509.SubjectAlternativeName([x509.DNSName(hostname), x509.DNSName("localhost"),
                                       x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=365))
            .add_extension(san, critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def server_context(settings: Settings) -> ssl.SSLContext | None:
    """The SSL context for STARTTLS, or None when no certificate is configured."""
    if settings.smtp_tls_cert and settings.smtp_tls_key:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(settings.smtp_tls_cert, settings.smtp_tls_key)
        return context
    if settings.smtp_tls_self_signed:
        cert_pem, key_pem = self_signed_pem(settings.smtp_hostname)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        with tempfile.TemporaryDirectory(prefix="gclap-tls-") as folder:  # ssl loads only from files
            cert_path, key_path = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
            with open(cert_path, "wb") as fh:
                fh.write(cert_pem)
            with open(key_path, "wb") as fh:
                fh.write(key_pem)
            context.load_cert_chain(cert_path, key_path)
        return context
    return None
