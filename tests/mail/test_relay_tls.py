"""Relaying over TLS (STARTTLS and smtps://) with SMTP AUTH, to a real sink with a self-signed cert."""
from __future__ import annotations

import ssl
import subprocess

import pytest
from smtp_sink import SmtpSink
from test_relay import RAW, smtp_send


@pytest.fixture(scope="module")
def tls_context(tmp_path_factory) -> ssl.SSLContext:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    return context


@pytest.mark.parametrize("tls, url", [
    ("starttls", "smtp://relay%40team:p%40ss@127.0.0.1:{port}?starttls=require&verify=false"),
    ("implicit", "smtps://relay%40team:p%40ss@127.0.0.1:{port}?verify=false"),
])
def test_relay_over_tls_with_login(launch, tls_context, tls, url):
    sink = SmtpSink(tls=tls, context=tls_context, login=("relay@team", "p@ss"))
    try:
        sandbox = launch("--relay", url.format(port=sink.port))
        smtp_send(sandbox, ["bob@team.test"])
        assert sink.wait_for(1)[0].data == RAW
        assert sink.logins == ["relay@team"]
    finally:
        sink.close()

