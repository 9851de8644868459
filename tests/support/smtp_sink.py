"""A second, real SMTP server for relay tests: aiosmtpd on its own loop in a thread.

It records every message it accepts and can be told to refuse recipients or answer DATA
with chosen replies first (to exercise the sandbox's retries).
"""
from __future__ import annotations

import asyncio
import ssl
import threading
import time
from dataclasses import dataclass, field
from functools import partial

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class SinkHandler:
    messages: list[Received] = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)  # answered to DATA, in order, before accepting
    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> reply
    data_calls: int = 0

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address.lower() in self.refuse_rcpt:
            return self.refuse_rcpt[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.data_calls += 1
        if self.data_replies:
            return self.data_replies.pop(0)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return f"250 2.0.0 Queued as sink-{len(self.messages)}"


class _TrackedSMTP(SMTP):
    """aiosmtpd's SMTP that tells when its connection is gone, so closing can wait for it."""

    def __init__(self, *args, **kw) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kw)
        self.gone = asyncio.Event()

    def connection_lost(self, error: Exception | None) -> None:
        super().connection_lost(error)
        self.gone.set()


class SmtpSink:
    """`tls`: None (plain), "starttls" (required before MAIL) or "implicit" (smtps).
    `login`: (user, password) the sink requires over AUTH."""

    def __init__(self, tls: str | None = None, context: ssl.SSLContext | None = None,
                 login: tuple[str, str] | None = None) -> None:
        self.handler = SinkHandler()
        self.tls, self.context, self.login = tls, context, login
        self.logins: list[str] = []
        self._connections: list[_TrackedSMTP] = []
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        options: dict = {"hostname": "sink.test", "decode_data": False}
        if self.tls == "starttls":
            options.update(tls_context=self.context, require_starttls=True)
        if self.login:
            # aiosmtpd cannot tell an smtps connection is encrypted: there, offer AUTH without requiring it.
            required = self.tls == "starttls"
            options.update(authenticator=self._authenticate, auth_required=required, auth_require_tls=required)
        make = partial(_TrackedSMTP, self.handler, **options)

        def factory() -> _TrackedSMTP:
            self._connections.append(make())
            return self._connections[-1]

        ssl_context = self.context if self.tls == "implicit" else None
        self.server = self.loop.run_until_complete(
            self.loop.create_server(factory, "127.0.0.1", 0, ssl=ssl_context))
        self.port = self.server.sockets[0].getsockname()[1]
        self._ready.set()
        self.loop.run_forever()

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
        user = auth_data.login.decode()
        ok = self.login is not None and (user, auth_data.password.decode()) == self.login
        if ok:
            self.logins.append(user)
        return AuthResult(success=ok)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def wait_for(self, count: int = 1, within: float = 30.0) -> list[Received]:
        """Messages received once there are `count` (a safety net, not a timing assertion)."""
        deadline = time.monotonic() + within
        while len(self.handler.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"sink got {len(self.handler.messages)} messages, expected {count}")
            time.sleep(0.02)
        return list(self.handler.messages)

    def close(self) -> None:
        async def _close() -> None:
            self.server.close()
            # Connections the sandbox keeps open would outlive the loop and warn (ResourceWarning)
            # in whichever later test the garbage collector happens to run.
            open_ones = [c for c in self._connections if c.transport is not None]  # handshake done
            for connection in open_ones:
                connection.transport.close()
            await self.server.wait_closed()
            await asyncio.wait_for(asyncio.gather(*(c.gone.wait() for c in open_ones)), timeout=30)

        asyncio.run_coroutine_threadsafe(_close(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()
