"""A real local HTTP receiver for webhook tests: records every request, answers as told.

Each endpoint is a path (`receiver.url("name")`). `plan(name, *responses)` queues answers for
that path, used in order (then 200); a response is a status, `(status, headers)`, or HANG
(never answer until the receiver stops). `down(name)` answers 503 to everything until
`up(name)`, as a receiver in an outage does.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Union

HANG = "hang"
Planned = Union[int, tuple[int, dict[str, str]], str]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str
    status: int  # what the receiver answered

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The listen backlog (socketserver's default is 5): a burst of deliveries from two sandboxes
    # at once overflowed it, and the connections it dropped came back as failed attempts.
    request_queue_size = 128


class Receiver:
    def __init__(self) -> None:
        self.requests: dict[str, list[Received]] = defaultdict(list)
        self.arrived: dict[str, int] = defaultdict(int)  # requests that arrived, answered or not
        self._plans: dict[str, list[Planned]] = defaultdict(list)
        self._down: dict[str, Planned] = {}
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once, no delayed-ACK stall

            def do_POST(self) -> None:  # noqa: N802
                name = self.path.strip("/")
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                answer = receiver._arrive(name)
                if answer == HANG:
                    receiver._stopping.wait()
                    return
                status, headers = answer if isinstance(answer, tuple) else (answer, {})
                receiver._record(name, Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                                                status))
                reply = b'{"ok": true}' if status < 300 else b'{"error": "planned failure"}'
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def plan(self, name: str, *responses: Planned) -> None:
        with self._changed:
            self._plans[name].extend(responses)

    def down(self, name: str, answer: Planned = 503) -> None:
        with self._changed:
            self._down[name] = answer

    def up(self, name: str) -> None:
        with self._changed:
            self._down.pop(name, None)

    def _arrive(self, name: str) -> Planned:
        with self._changed:
            self.arrived[name] += 1
            self._changed.notify_all()
            if name in self._down:
                return self._down[name]
            return self._plans[name].pop(0) if self._plans[name] else 200

    def _record(self, name: str, received: Received) -> None:
        with self._changed:
            self.requests[name].append(received)
            self._changed.notify_all()

    def wait_for(self, name: str, count: int, *, answered: bool = True) -> list[Received]:
        """Block until `count` requests reached `name` (a safety net fails the test if they never do)."""
        def enough() -> bool:
            return (len(self.requests[name]) if answered else self.arrived[name]) >= count
        with self._changed:
            if not self._changed.wait_for(enough, timeout=60):
                raise AssertionError(f"{name}: expected {count} requests, got {len(self.requests[name])}")
            return list(self.requests[name])

    def wait_for_accepted(self, name: str, count: int) -> list[Received]:
        """Block until `count` requests to `name` were answered with a 2xx; those requests, in arrival order."""
        def accepted() -> list[Received]:
            return [r for r in self.requests[name] if r.accepted]
        with self._changed:
            if not self._changed.wait_for(lambda: len(accepted()) >= count, timeout=60):
                raise AssertionError(f"{name}: expected {count} accepted requests, got {len(accepted())}")
            return accepted()

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()
