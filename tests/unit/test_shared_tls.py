"""The tests' shared TLS context (tests/support/shared_tls.py) verifies exactly as httpx does."""
from __future__ import annotations

import ssl

import httpx
import httpx._transports.default as transport


def test_clients_with_default_settings_share_one_context_that_verifies_certificates():
    first, second = transport.create_ssl_context(), transport.create_ssl_context(verify=True)
    assert first is second
    assert first.verify_mode == ssl.CERT_REQUIRED and first.check_hostname
    assert first.cert_store_stats()["x509_ca"] > 0  # the CA bundle is loaded
    with httpx.Client() as client:
        assert client._transport._pool._ssl_context is first


def test_other_settings_still_get_a_context_of_their_own():
    unverified = transport.create_ssl_context(verify=False)
    assert unverified is not transport.create_ssl_context()
    assert unverified.verify_mode == ssl.CERT_NONE
