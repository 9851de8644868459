"""The SMTP server: aiosmtpd on the app's own loop, handing every message to the pipeline.

Its limits work as real servers' do: RCPT TO beyond `--max-recipients` gets `452 4.5.3`
while the message still goes to the recipients accepted before (as Postfix does), and
`--max-message-size` is the size RFC 1870 means, without the dots that dot-stuffing adds.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import socket
import sys
from functools import partial
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from gclap_sandbox import clock
from gclap_sandbox.accounts import limits
from gclap_sandbox.accounts.auth import Principal
from gclap_sandbox.chaos.smtp import ChaosHandler, ChaosSMTP
from gclap_sandbox.errors import QuotaExceeded, TooManyRequests
from gclap_sandbox.pipeline.capture import receive
from gclap_sandbox.pipeline.incoming import Incoming
from gclap_sandbox.server import tls
from gclap_sandbox.server.context import AppContext
from gclap_sandbox.server.smtp_addresses import CachedAddressSMTP
from gclap_sandbox.server.smtp_auth import MECHANISMS, ApiKeyAuth, collect_credentials
from gclap_sandbox.server.smtp_chunking import ChunkingSMTP
from gclap_sandbox.server.smtp_data import WholeDataSMTP
from gclap_sandbox.storage import database as db

log = logging.getLogger("gclap_sandbox.smtp")


class CaptureHandler:
    """aiosmtpd handler: keep it thin; the pipeline does the work."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        limit = self.ctx.settings.max_message_size
        if len(raw) > limit:  # the message without the transparency dots (RFC 1870)
            return f"552 5.3.4 Message size exceeds fixed limit of {limit} bytes"
        # Authenticated mail belongs to the key's organization; the rest to the default one.
        principal = session.auth_data if isinstance(session.auth_data, Principal) else None
        organization_id = principal.organization_id if principal else self.ctx.default_org_id
        if principal is not None:
            self.ctx.key_last_used[principal.key_id] = clock.now()
        incoming = Incoming(
            raw=raw, source="smtp", organization_id=organization_id,
            envelope_from=envelope.mail_from, envelope_to=list(envelope.rcpt_tos),
        )
        limiter = self.ctx.limiter
        if limiter.shared:  # counted in the database, by the transaction that accepts the message
            incoming.rate_limit = (await limits.organization_plan(self.ctx, organization_id)).requests_per_minute
        else:
            verdict = await limits.check_rate(self.ctx, organization_id)
            if not verdict.allowed:
                return _rate_refusal(verdict.limit, verdict.reset_after)
        try:
            # Answered once the bytes and envelope are committed; filed moments later.
            email_id = await receive(self.ctx, incoming)
        except QuotaExceeded as error:
            return f"554 5.7.0 {error.title}: {error.detail}"
        except TooManyRequests as error:  # over the rate limit: counted, nothing stored
            self.ctx.bus.rate_limited.publish(organization_id)
            return _rate_refusal(error.extra["limit"], error.extra["retry_after"])
        except Exception:  # storage trouble must never take the server down
            log.exception("could not store a message from %s", session.peer)
            return "451 4.3.0 Could not store the message; try again"
        finally:
            if incoming.rate_window is not None:
                limiter.saw(organization_id, incoming.rate_window)
        return f"250 2.0.0 OK: captured as {email_id}"


def _rate_refusal(limit: int, retry_after: int) -> str:
    return f"451 4.7.1 Rate limit of {limit} requests per minute exceeded; retry in {retry_after} s"


def stuffed_size_bound(size: int) -> int:
    """The most a message of `size` bytes can take on the wire once dot-stuffed: every line
    may gain a dot, and the shortest line that needs one (`.` CRLF) is three bytes."""
    return size + size // 3 + 1


class SandboxSMTP(ChunkingSMTP, ChaosSMTP, CachedAddressSMTP, WholeDataSMTP):
    """aiosmtpd's SMTP (with chaos, BDAT, addresses parsed once and DATA read in one piece) and
    the sandbox's recipient and size limits."""

    def __init__(self, handler: Any, *args: Any, max_recipients: int, **kw: Any) -> None:
        super().__init__(handler, *args, **kw)
        self.max_recipients = max_recipients
        self.message_size_limit = self.data_size_limit

    async def _handle_client(self) -> None:
        db.serving_client()  # in the session's own task: its units of work go before background work
        await super()._handle_client()

    def __dir__(self) -> list[str]:
        # aiosmtpd's __init__ finds the commands and AUTH mechanisms with dir() and
        # inspect.getmembers() on every connection: name only those, listed once per class.
        return _commands(type(self))

    async def smtp_RCPT(self, arg: str) -> None:
        # Only once MAIL FROM was accepted, so aiosmtpd still answers out-of-order commands.
        if self.envelope is not None and self.envelope.mail_from \
                and len(self.envelope.rcpt_tos) >= self.max_recipients:
            await self.push("452 4.5.3 Too many recipients")
            return
        await super().smtp_RCPT(arg)

    async def smtp_DATA(self, arg: str) -> None:
        # aiosmtpd counts the lines as received, stuffing dots included: let it take what a
        # message within the limit can grow to, and let the handler measure the message itself.
        limit = self.data_size_limit
        self.data_size_limit = None if limit is None else stuffed_size_bound(limit)
        try:
            await super().smtp_DATA(arg)
        finally:
            self.data_size_limit = limit


@functools.cache
def _commands(cls: type) -> list[str]:
    return sorted(name for name in dir(cls) if name.startswith(("smtp_", "auth_")))


class AuthCaptureHandler(ApiKeyAuth, CaptureHandler):
    """The capture handler with SMTP AUTH (`--smtp-auth optional|required`)."""


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind now (port 0 picks a free port) so the real port is known before serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=512)
    sock.setblocking(False)
    return sock


# The loop thread waits for the GIL after every poll while the DB thread files mail in Python;
# with CPython's default 5 ms switch interval each SMTP reply could wait that long.
SWITCH_INTERVAL = 0.0005


async def start_smtp_server(ctx: AppContext, sock: socket.socket) -> asyncio.AbstractServer:
    settings = ctx.settings
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
    auth_on = settings.smtp_auth != "off"
    factory = partial(
        SandboxSMTP, ChaosHandler(AuthCaptureHandler(ctx) if auth_on else CaptureHandler(ctx), ctx.chaos),
        chaos=ctx.chaos,
        hostname=settings.smtp_hostname,  # given, so no DNS lookup happens per connection
        ident="gclap-sandbox ESMTP",
        data_size_limit=settings.max_message_size,
        max_recipients=settings.max_recipients,
        enable_SMTPUTF8=True,
        decode_data=False,
        tls_context=tls.server_context(settings),
        authenticator=collect_credentials if auth_on else None,
        auth_required=settings.smtp_auth == "required",
        auth_require_tls=not auth_on,  # a local sandbox accepts AUTH without TLS
        auth_exclude_mechanism=[] if auth_on else MECHANISMS,
    )

    def connection() -> SandboxSMTP:
        session = factory()
        ctx.smtp_sessions.add(session)  # so stopping can end the connections still open
        ctx.metrics.smtp_sessions.inc()
        return session

    loop = asyncio.get_running_loop()
    return await loop.create_server(connection, sock=sock)


async def stop_smtp_server(ctx: AppContext) -> None:
    """Stop listening, then end the connections still open (as the HTTP server does)."""
    if ctx.smtp_server is None:
        return
    ctx.smtp_server.close()
    await ctx.smtp_server.wait_closed()
    for session in list(ctx.smtp_sessions):
        if session.transport is not None:
            session.transport.abort()
    await asyncio.sleep(0)  # let each connection_lost run while the loop is still open
