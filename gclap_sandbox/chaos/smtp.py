"""SMTP chaos glue: apply the chaos rules at connect, MAIL FROM, RCPT TO and DATA.

`ChaosSMTP` handles the connect stage (aiosmtpd has no handler hook before the greeting);
`ChaosHandler` wraps the capture handler and answers MAIL/RCPT/DATA itself when a rule fires.
"""
from __future__ import annotations

import functools
import logging
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from gclap_sandbox.chaos.rules import ChaosState, Verdict, wait_out

log = logging.getLogger("gclap_sandbox.chaos")


async def _apply(verdict: Verdict | None) -> str | None:
    """Wait out the delay; the SMTP reply to fail with, or None to carry on."""
    verdict = await wait_out(verdict)
    if verdict is None:
        return None
    log.info("chaos rule %s: replying %s %s", verdict.rule, verdict.code, verdict.message)
    return f"{verdict.code} {verdict.message}"


class ChaosSMTP(SMTP):
    """aiosmtpd's SMTP with a connect stage: a rule may delay the greeting or refuse it."""

    def __init__(self, handler: Any, *args: Any, chaos: ChaosState, **kw: Any) -> None:
        super().__init__(handler, *args, **kw)
        self.chaos = chaos

    async def _handle_client(self) -> None:
        peer = self.session.peer if self.session else None
        host = peer[0] if isinstance(peer, tuple) and peer else ""
        reply = await _apply(self.chaos.smtp("connect", [host]))
        if reply is not None:
            await self.push(reply)
            if self.transport is not None:
                self.transport.close()
            return
        await super()._handle_client()


class ChaosHandler:
    """Wraps a handler: MAIL/RCPT/DATA consult the rules before the wrapped handler acts."""

    def __init__(self, inner: Any, chaos: ChaosState) -> None:
        self.inner = inner
        self.chaos = chaos

    # aiosmtpd finds hooks such as auth_PLAIN with dir(handler): show and forward the inner ones.
    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def __dir__(self) -> list[str]:
        return _hooks(type(self), type(self.inner))

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> str:
        reply = await _apply(self.chaos.smtp("mail", [address]))
        if reply is not None:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        reply = await _apply(self.chaos.smtp("rcpt", [address]))
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        reply = await _apply(self.chaos.smtp("data", list(envelope.rcpt_tos)))
        if reply is not None:
            return reply
        return await self.inner.handle_DATA(server, session, envelope)


# aiosmtpd lists a handler's hooks with dir() and inspect.getmembers() for every connection:
# naming only the hooks, once per class, spares it a getattr of every other attribute each time.
HOOK_PREFIXES = ("handle_", "auth_")


@functools.cache
def _hooks(*classes: type) -> list[str]:
    return sorted({name for cls in classes for name in dir(cls) if name.startswith(HOOK_PREFIXES)})
