"""Who may use the web UI: the optional password, session cookies and CSRF tokens.

- Bound to loopback without `--ui-password`: open, as dev mail catchers are.
- With `--ui-password` (anywhere): a login page sets an HttpOnly, SameSite=Strict cookie;
  failed sign-ins are throttled per client (login_throttle.py).
- Bound to a non-loopback address without a password: the UI stays locked, because anyone
  on the network could otherwise read every captured email.
State-changing requests always need the CSRF token of the page (header `X-CSRF-Token` or
form field `csrf_token`) and, when the browser sends one, an `Origin` naming one of the hosts
the sandbox answers to (hosts.py), never merely the `Host` the request itself claims.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from gclap_sandbox.server.hosts import HostPolicy
from gclap_sandbox.settings import Settings, is_loopback
from gclap_sandbox.ui.login_throttle import LoginThrottle

COOKIE = "gclap_ui_session"
SESSION_SECONDS = 7 * 24 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class UiGuard:
    def __init__(self, settings: Settings) -> None:
        self.password = settings.ui_password or None
        self.locked = self.password is None and not is_loopback(settings.http_host)
        self._secret = secrets.token_bytes(32)  # sessions and tokens last one process run
        self._sessions: dict[str, float] = {}
        # session id -> the organization it chose at sign-in (the UI shows one at a time)
        self._organizations: dict[str, str] = {}

    @property
    def needs_login(self) -> bool:
        return self.password is not None

    def password_matches(self, given: str) -> bool:
        if self.password is None:
            return False
        return hmac.compare_digest(given.encode("utf-8"), self.password.encode("utf-8"))

    def start_session(self, organization_id: str | None = None) -> str:
        session_id = secrets.token_urlsafe(32)
        self._sessions[session_id] = time.monotonic() + SESSION_SECONDS
        if organization_id:
            self._organizations[session_id] = organization_id
        return session_id

    def end_session(self, session_id: str | None) -> None:
        if session_id:
            self._sessions.pop(session_id, None)
            self._organizations.pop(session_id, None)

    def organization(self, session_id: str | None) -> str | None:
        """The organization this session chose at sign-in, if it is still signed in."""
        return self._organizations.get(session_id or "") if self.session_valid(session_id) else None

    def session_valid(self, session_id: str | None) -> bool:
        expires = self._sessions.get(session_id or "")
        return expires is not None and expires > time.monotonic()

    def csrf_token(self, session_id: str | None) -> str:
        """Bound to the session (or to this process when there is none)."""
        message = f"csrf:{session_id or '-'}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def csrf_valid(self, session_id: str | None, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf_token(session_id), given or "")


@dataclass(frozen=True)
class SignIn:
    ok: bool
    wrong_password: bool  # the password was checked and did not match
    wait: int | None  # seconds before this client's next attempt is checked (429)


def attempt_sign_in(guard: UiGuard, throttle: LoginThrottle, client: str, password: str) -> SignIn:
    """Check a password unless the client must still wait after failed sign-ins (without a
    password set, signing in only chooses an organization)."""
    if not guard.needs_login:
        return SignIn(ok=True, wrong_password=False, wait=None)
    wait = throttle.refuse(client)
    if wait is not None:
        return SignIn(ok=False, wrong_password=False, wait=wait)
    if guard.password_matches(password):
        throttle.succeeded(client)
        return SignIn(ok=True, wrong_password=False, wait=None)
    return SignIn(ok=False, wrong_password=True, wait=throttle.failed(client))


def origin_allowed(origin: str | None, hosts: HostPolicy, host_header: str | None) -> bool:
    """A missing Origin passes (old browsers, curl); a present one must name an allowed host.
    With every host allowed (`--allowed-host '*'`) it must at least match the request's Host."""
    if not origin:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https"):
        return False  # includes the opaque origin "null" (sandboxed frames, file: pages)
    if hosts.allow_all:
        return parts.netloc.lower() == (host_header or "").lower()
    return hosts.allows_header(parts.netloc)


def safe_next(target: str | None) -> str:
    """Only same-site paths after login: never `//evil` or `https://evil`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
