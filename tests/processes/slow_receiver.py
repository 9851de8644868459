"""A webhook receiver that takes its time over every request (a slow endpoint), so that deliveries
are still being posted when the other process looks for due work; it records every webhook-id."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from process_helpers import DEADLINE


class SlowReceiver:
    def __init__(self, hold: float) -> None:
        self.webhook_ids: list[str] = []
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver._changed:
                    receiver.webhook_ids.append(self.headers["webhook-id"])
                    receiver._changed.notify_all()
                receiver._stopping.wait(hold)  # a slow endpoint: the answer comes `hold` seconds later
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int) -> list[str]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.webhook_ids) >= count, timeout=DEADLINE):
                raise AssertionError(f"expected {count} webhook requests, got {len(self.webhook_ids)}")
            return list(self.webhook_ids)

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()
