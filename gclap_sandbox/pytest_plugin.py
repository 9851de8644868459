"""pytest fixtures for testing apps that send email (registered via the `pytest11` entry point).

    def test_signup_sends_welcome(gclap, app):
        app.signup("ana@example.com")
        email = gclap.wait_for_email(to="ana@example.com")
        assert "Welcome" in email.subject

`gclap_sandbox` (session): one throw-away sandbox per test session (per xdist worker), on
free ports with an in-memory database, stopped at the end. `gclap` (function): resets it and
hands the test its addresses, key, client and helpers. Importing this module stays cheap, as
pytest loads it in every session of an environment where the package is installed.
"""
from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any, Iterator

import pytest

if TYPE_CHECKING:
    from gclap_sandbox.client import Email, SandboxClient
    from gclap_sandbox.launcher import RunningSandbox


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("gclap_sandbox_args", "Extra `gclap-sandbox serve` flags for the test sandbox, "
                  "e.g. `--simulate realistic --seed 1`.", default="")


class Gclap:
    """What a test gets from the `gclap` fixture."""

    def __init__(self, sandbox: RunningSandbox, client: SandboxClient) -> None:
        self.sandbox = sandbox
        self.client = client

    @property
    def api_url(self) -> str:
        """Base URL of the sandbox, e.g. http://127.0.0.1:54321 (the API is under /api/v1/)."""
        return self.sandbox.http_url

    @property
    def smtp_host(self) -> str:
        return self.sandbox.smtp_host

    @property
    def smtp_port(self) -> int:
        return self.sandbox.smtp_port

    @property
    def api_key(self) -> str:
        return self.sandbox.api_key

    def emails(self, **filters: Any) -> list[Email]:
        """Email captured so far, newest first (`to=`, `subject=`, `search=`, `tag=`, `from_=`...)."""
        return self.client.emails(**filters)

    def wait_for_email(self, *, to: str | None = None, subject: str | None = None, timeout: float = 5,
                       **filters: Any) -> Email:
        """The newest matching email, in full, as soon as it arrives; fails the test after `timeout` s."""
        email = self.client.wait(to=to, subject=subject, timeout=timeout, **filters)
        if email is None:
            wanted = ", ".join(f"{k}={v!r}" for k, v in {"to": to, "subject": subject, **filters}.items()
                               if v is not None) or "any email"
            seen = [f"{e.subject!r} to {', '.join(e.to)}" for e in self.client.emails(page_size=20)]
            pytest.fail(f"No email ({wanted}) arrived within {timeout} s. Captured: {'; '.join(seen) or 'nothing'}",
                        pytrace=False)
        return email

    def reset(self, *, all: bool = False) -> dict[str, Any]:
        """Reset again mid-test; after `all=True` the new default key is used from then on."""
        result = self.client.reset(all=all)
        if "api_key" in result:
            self.sandbox.api_key = result["api_key"]
            self.client.http.headers["Authorization"] = f"Bearer {result['api_key']}"
        return result

    def events(self, **filters: Any) -> list[dict[str, Any]]:
        """Delivery events, newest first (filters as `GET /api/v1/events/`)."""
        return self.client.events(**filters)

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the sandbox clock forward, running everything that became due."""
        return self.client.advance_clock(seconds)


@pytest.fixture(scope="session")
def gclap_sandbox(pytestconfig: pytest.Config) -> Iterator[RunningSandbox]:
    """A throw-away sandbox for the whole session (one per xdist worker)."""
    from gclap_sandbox.launcher import start_sandbox

    running = start_sandbox(*shlex.split(pytestconfig.getini("gclap_sandbox_args")))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def gclap(gclap_sandbox: RunningSandbox) -> Iterator[Gclap]:
    """The session's sandbox, reset (captured data wiped; keys and settings kept) for this test."""
    with gclap_sandbox.sandbox_client() as client:
        client.reset()
        yield Gclap(gclap_sandbox, client)
