"""Relaying captured mail to a real SMTP server: what to relay, where, and how one attempt goes.

The decisions are pure (`RelayConfig.auto_recipients`, `release_recipients`, `classify`);
`send_upstream` is the one place that talks SMTP (aiosmtplib). Storage of relay jobs lives
in `relay_store.py`, the background retries in `relay_worker.py`.

What is sent is the message's original source, byte for byte as captured (see
`relay_store.original_source`), with the captured envelope sender.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from gclap_sandbox.patterns import Pattern, any_match, compile_patterns

log = logging.getLogger("gclap_sandbox.relay")

MODES = ("all", "matching", "manual")
DEFAULT_RETRY_DELAYS: tuple[float, ...] = (5, 30, 120, 600, 1800)
_STARTTLS = {"auto": None, "require": True, "off": False}


@dataclass(frozen=True)
class RelayTarget:
    """Where relayed mail goes, parsed from `smtp://[user:pass@]host:port` or `smtps://...`."""

    host: str
    port: int
    implicit_tls: bool = False
    starttls: bool | None = None  # None: upgrade when the server offers it
    username: str | None = None
    password: str | None = None
    verify_tls: bool = True

    @property
    def display(self) -> str:
        """The URL without its password, safe for logs and the API."""
        user = f"{self.username}@" if self.username else ""
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{user}{self.host}:{self.port}"


def parse_relay_url(url: str) -> RelayTarget:
    """Parse a relay URL; raises ValueError saying what is wrong.

    Query options: `starttls=auto|require|off` (smtp:// only) and `verify=false` to accept
    a self-signed certificate.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"relay URL must start with smtp:// or smtps://, got {url!r}")
    if not parts.hostname:
        raise ValueError(f"relay URL has no host: {url!r}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"relay URL has a bad port: {url!r}") from None
    implicit = parts.scheme == "smtps"
    options = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    unknown = set(options) - {"starttls", "verify"}
    if unknown:
        raise ValueError(f"unknown relay URL option(s): {', '.join(sorted(unknown))}")
    starttls_text = options.get("starttls", "auto")
    if starttls_text not in _STARTTLS:
        raise ValueError("starttls must be auto, require or off")
    if implicit and starttls_text != "auto":
        raise ValueError("starttls does not apply to smtps:// (TLS from the start)")
    verify_text = options.get("verify", "true")
    if verify_text not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError("verify must be true or false")
    return RelayTarget(
        host=parts.hostname, port=port or (465 if implicit else 25), implicit_tls=implicit,
        starttls=_STARTTLS[starttls_text],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        verify_tls=verify_text in ("true", "1", "yes"),
    )


@dataclass(frozen=True)
class RelayConfig:
    """Relaying as configured at start: target, which recipients, retry schedule."""

    target: RelayTarget
    mode: str = "all"
    allow: tuple[Pattern, ...] = ()
    deny: tuple[Pattern, ...] = ()
    retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS
    timeout: float = 30.0

    @classmethod
    def build(cls, url: str, *, mode: str | None = None, allow: Iterable[str] = (),
              deny: Iterable[str] = (), retry_delays: Iterable[float] = DEFAULT_RETRY_DELAYS,
              timeout: float = 30.0) -> "RelayConfig":
        """Validate the relay flags together; raises ValueError naming the bad one."""
        target = parse_relay_url(url)
        allow, deny = tuple(allow), tuple(deny)
        try:
            allow_patterns = compile_patterns(allow)
        except ValueError as exc:
            raise ValueError(f"--relay-allow: {exc}") from None
        try:
            deny_patterns = compile_patterns(deny)
        except ValueError as exc:
            raise ValueError(f"--relay-deny: {exc}") from None
        chosen = mode or ("matching" if allow else "all")
        if chosen not in MODES:
            raise ValueError(f"--relay-mode must be one of {', '.join(MODES)}")
        if chosen == "matching" and not allow:
            raise ValueError("--relay-mode matching needs at least one --relay-allow pattern")
        delays = tuple(float(d) for d in retry_delays)
        if any(d < 0 for d in delays):
            raise ValueError("--relay-retry-delays may not be negative")
        return cls(target=target, mode=chosen, allow=allow_patterns, deny=deny_patterns,
                   retry_delays=delays, timeout=timeout)

    @classmethod
    def from_settings(cls, settings: Any) -> "RelayConfig | None":
        if not settings.relay_url:
            return None
        return cls.build(settings.relay_url, mode=settings.relay_mode, allow=settings.relay_allow,
                         deny=settings.relay_deny, retry_delays=settings.relay_retry_delays)

    def denied(self, address: str) -> bool:
        return any_match(self.deny, address)

    def auto_recipients(self, recipients: Iterable[str]) -> list[str]:
        """Which of a just-captured email's recipients are relayed without being asked."""
        if self.mode == "manual":
            return []
        chosen = [r for r in recipients if not self.denied(r)]
        if self.mode == "matching":
            chosen = [r for r in chosen if any_match(self.allow, r)]
        return chosen

    def release_recipients(self, recipients: Iterable[str]) -> tuple[list[str], list[str]]:
        """(relayed, skipped) for a release: asked for explicitly, so only deny applies."""
        relayed: list[str] = []
        skipped: list[str] = []
        for r in recipients:
            (skipped if self.denied(r) else relayed).append(r)
        return relayed, skipped

    def retry_delay(self, attempts_made: int) -> float | None:
        """Seconds before the next try after `attempts_made` tries, or None to give up."""
        index = attempts_made - 1
        return self.retry_delays[index] if 0 <= index < len(self.retry_delays) else None

    def describe(self) -> dict[str, Any]:
        return {"target": self.target.display, "mode": self.mode,
                "allow": [p.text for p in self.allow], "deny": [p.text for p in self.deny],
                "retry_delays": list(self.retry_delays)}


@dataclass
class RelayOutcome:
    """How one attempt went: the upstream reply and what happened to each recipient."""

    code: int | None  # None when no SMTP reply came (refused connection, timeout, TLS)
    message: str
    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # address -> "code message"
    retry: list[str] = field(default_factory=list)  # recipients worth another try

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "accepted": self.accepted,
                "refused": self.refused}


def is_temporary(code: int | None) -> bool:
    """No reply or a 4xx reply may succeed later; a 5xx reply will not."""
    return code is None or 400 <= code < 500


def classify(recipients: list[str], error: Exception | None,
             per_recipient: dict[str, tuple[int, str]] | None = None,
             reply: tuple[int, str] | None = None) -> RelayOutcome:
    """Turn an aiosmtplib result or exception into an outcome (pure)."""
    if error is None:
        refused = {a: f"{c} {m}" for a, (c, m) in (per_recipient or {}).items()}
        code, message = reply or (250, "OK")
        return RelayOutcome(code=code, message=message,
                            accepted=[r for r in recipients if r not in refused], refused=refused,
                            retry=[a for a, (c, _) in (per_recipient or {}).items() if is_temporary(c)])
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        refused = {e.recipient: f"{e.code} {e.message}" for e in error.recipients}
        temporary = [e.recipient for e in error.recipients if is_temporary(e.code)]
        first = error.recipients[0] if error.recipients else None
        return RelayOutcome(code=first.code if first else None,
                            message=first.message if first else str(error),
                            refused=refused, retry=temporary)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return RelayOutcome(code=error.code, message=error.message,
                            refused={r: f"{error.code} {error.message}" for r in recipients},
                            retry=list(recipients) if is_temporary(error.code) else [])
    # aiosmtplib raises ValueError for addresses it cannot put on the wire: retrying cannot help.
    retry = [] if isinstance(error, ValueError) else list(recipients)
    return RelayOutcome(code=None, message=f"{type(error).__name__}: {error}".strip(), retry=retry)


async def send_upstream(target: RelayTarget, sender: str, recipients: list[str], raw: bytes,
                        timeout: float = 30.0) -> RelayOutcome:
    """One relay attempt. Never raises for SMTP or network trouble: the outcome says it."""
    client = aiosmtplib.SMTP(
        hostname=target.host, port=target.port, use_tls=target.implicit_tls, start_tls=target.starttls,
        validate_certs=target.verify_tls, username=target.username, password=target.password,
        timeout=timeout, local_hostname="gclap-sandbox",
    )
    try:
        async with client:  # connect, EHLO, STARTTLS and AUTH as configured; QUIT at the end
            # The client (not aiosmtplib.send) so a null sender `<>` (bounces) can be relayed too.
            per_recipient, reply = await client.sendmail(sender, recipients, raw)
    except Exception as exc:  # noqa: BLE001  any failure becomes a recorded outcome, never a crash
        return classify(recipients, exc)
    refused = {a: (r.code, r.message) for a, r in per_recipient.items()}
    return classify(recipients, None, refused, _reply(reply))


def _reply(text: str) -> tuple[int, str]:
    """aiosmtplib gives the final DATA reply as text, e.g. '2.0.0 OK: queued as 12'."""
    return 250, text
