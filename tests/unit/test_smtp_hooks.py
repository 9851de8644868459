"""The SMTP session names only its commands and hooks to aiosmtpd (a speed-up per connection):
aiosmtpd must still find every one of them, the handler's own AUTH checks above its built-in ones."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gclap_sandbox.chaos.smtp import ChaosHandler
from gclap_sandbox.server.smtp import AuthCaptureHandler, SandboxSMTP
from gclap_sandbox.server.smtp_auth import collect_credentials


@pytest.fixture
def session() -> Any:
    loop = asyncio.new_event_loop()
    handler = ChaosHandler(AuthCaptureHandler(ctx=None), chaos=None)  # type: ignore[arg-type]
    yield SandboxSMTP(handler, chaos=None, max_recipients=10, hostname="sandbox.test", loop=loop,
                      authenticator=collect_credentials, auth_require_tls=False)
    loop.close()


def full_listing(obj: Any, prefix: str) -> set[str]:
    """The names with `prefix` that the default dir() would show."""
    return {name.removeprefix(prefix) for name in object.__dir__(obj) if name.startswith(prefix)}


def test_every_smtp_command_is_found_including_bdat(session):
    assert set(session._smtp_methods) == full_listing(session, "smtp_")
    assert {"EHLO", "MAIL", "RCPT", "DATA", "BDAT", "AUTH", "QUIT"} <= set(session._smtp_methods)


def test_the_chaos_hooks_and_the_capture_hook_are_found(session):
    handler = session.event_handler
    expected = full_listing(handler, "handle_") | full_listing(handler.inner, "handle_")
    assert set(session._handle_hooks) == expected == {"MAIL", "RCPT", "DATA"}


def test_auth_uses_the_api_key_checks_of_the_handler_not_the_built_in_ones(session):
    assert {name: method.is_builtin for name, method in session._auth_methods.items()} == {
        "PLAIN": False, "LOGIN": False}
