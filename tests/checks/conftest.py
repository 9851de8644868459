from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest
from spamd_server import Spamd, spamd_binary, start_spamd


@pytest.fixture(scope="session")
def spamd() -> Iterator[Spamd]:
    """A real spamd on 127.0.0.1 (skipped without the Debian package, unless GCLAP_REQUIRE_SPAMD=1)."""
    binary = spamd_binary()
    if binary is None:
        reason = "spamd is not installed (apt-get install --no-install-recommends spamd spamassassin)"
        if os.environ.get("GCLAP_REQUIRE_SPAMD") == "1":
            pytest.fail(f"GCLAP_REQUIRE_SPAMD=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    daemon = start_spamd(binary)
    yield daemon
    daemon.stop()


class LinkTarget:
    """A local web server the online link check requests: /ok answers 200, /moved redirects to
    /ok, /gone answers 404, /head-refused refuses HEAD but answers GET; requests are recorded."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        target = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                target.requests.append((self.command, self.path))
                if self.path == "/moved":
                    self.send_response(301)
                    self.send_header("Location", "/ok")
                elif self.path == "/head-refused" and self.command == "HEAD":
                    self.send_response(405)
                elif self.path in ("/ok", "/head-refused"):
                    self.send_response(200)
                else:
                    self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_HEAD = do_GET = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def link_target() -> Iterator[LinkTarget]:
    target = LinkTarget()
    yield target
    target.close()
