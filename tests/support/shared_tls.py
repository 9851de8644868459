"""One TLS context for every httpx client made in the test process.

httpx builds a new `ssl.SSLContext` for each client and loads the whole CA bundle into it
(tens of milliseconds, far more on a busy machine). The suite makes a client in nearly every
test (the `api` fixture, `sandbox.client()`), and each in-process sandbox makes its own for
webhooks and automation, so that adds up to a good share of the run. With the default settings
(verify against certifi's bundle, no client certificate, no SSL_CERT_* variables) the context
is the same every time, so it is built once and shared; any other setting goes to httpx as
before. Connections are unchanged: the same verification, the same CA bundle.
"""
from __future__ import annotations

import os
import ssl
from typing import Any

import httpx._transports.default as transport  # where clients call create_ssl_context


def share_the_default_tls_context() -> None:
    build = transport.create_ssl_context
    if getattr(build, "shares_the_default", False):
        return
    built: dict[tuple[Any, ...], ssl.SSLContext] = {}

    def create_ssl_context(verify: Any = True, cert: Any = None, trust_env: bool = True) -> ssl.SSLContext:
        if verify is not True or cert is not None:
            return build(verify=verify, cert=cert, trust_env=trust_env)
        source = (trust_env and os.environ.get("SSL_CERT_FILE"), trust_env and os.environ.get("SSL_CERT_DIR"))
        if source not in built:  # two threads racing here build two equal contexts; either will do
            built[source] = build(verify=True, cert=None, trust_env=trust_env)
        return built[source]

    create_ssl_context.shares_the_default = True  # type: ignore[attr-defined]
    transport.create_ssl_context = create_ssl_context
