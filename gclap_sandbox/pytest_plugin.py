"""pytest fixtures for testing apps that send email (registered via the `pytest11` entry point).

    def test_signup_sends_welcome(gclap, app):
        app.signup("ana@example.com")
        email = gclap.wait_for_email(to="ana@example.com")
        assert "Welcome" in email.subject

`gclap_sandbox` (session): one throw-away sandbox per test session (per xdist worker), on
free ports with an in-memory database, started from this plugin's own settings (never the
shell's GCLAP_SANDBOX_* variables) and stopped at the end; or, with `--gclap-url`, a sandbox
that is already running; with `--gclap-organization-per-session` as well, an organization of
its own in that shared sandbox, made at session start and deleted at the end (one per xdist
worker). `gclap` (function): puts that sandbox back as it started (a full
reset) and hands the test its addresses, key, clients and helpers. Importing this module stays
cheap, as pytest loads it in every session of an environment where the package is installed.
"""
from __future__ import annotations

import os
import shlex
from typing import TYPE_CHECKING, Any, Iterator, NoReturn
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from gclap_sandbox.client import AsyncSandboxClient, Email, SandboxClient
    from gclap_sandbox.launcher import AttachedSandbox, RunningSandbox

# Where attach mode is configured outside the command line (deliberately not GCLAP_SANDBOX_*,
# which `serve` reads: a developer's shell settings must never redirect or change the fixture).
ATTACH_URL_ENV = "GCLAP_PYTEST_URL"
ATTACH_KEY_ENV = "GCLAP_PYTEST_API_KEY"
ATTACH_SMTP_ENV = "GCLAP_PYTEST_SMTP"
ATTACH_ORGANIZATION_ENV = "GCLAP_PYTEST_ORGANIZATION_PER_SESSION"
ORGANIZATIONS_PATH = "/api/v1/sandbox/organizations/"
DEFAULT_SMTP_PORT = 1025


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gclap-sandbox", "gclap-sandbox test fixture")
    group.addoption("--gclap-args", default=None, metavar="FLAGS",
                    help="`gclap-sandbox serve` flags for the test sandbox (overrides the ini's gclap_sandbox_args).")
    group.addoption("--gclap-url", default=None, metavar="URL",
                    help=f"Use the sandbox already running at URL instead of starting one [env {ATTACH_URL_ENV}]. "
                    "Each test resets it completely.")
    group.addoption("--gclap-api-key", default=None, metavar="KEY",
                    help=f"An API key (with every scope) of the sandbox at --gclap-url [env {ATTACH_KEY_ENV}].")
    group.addoption("--gclap-organization-per-session", action="store_true", default=False,
                    help="With --gclap-url: make an organization of this session's own (one per xdist "
                    "worker) in the shared sandbox, use its key, and delete it at the end; then only "
                    "that organization is ever reset. --gclap-api-key must then hold `sandbox:admin` "
                    f"[env {ATTACH_ORGANIZATION_ENV}=1].")
    group.addoption("--gclap-smtp", default=None, metavar="HOST:PORT",
                    help=f"Its SMTP address [env {ATTACH_SMTP_ENV}; default: the URL's host, port {DEFAULT_SMTP_PORT}].")
    parser.addini("gclap_sandbox_args", "Extra `gclap-sandbox serve` flags for the test sandbox, "
                  "e.g. `--simulate realistic --seed 1`.", default="")


class Gclap:
    """What a test gets from the `gclap` fixture."""

    def __init__(self, sandbox: RunningSandbox | AttachedSandbox, client: SandboxClient) -> None:
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
            self._fail_waiting({"to": to, "subject": subject, **filters}, timeout, self.client.emails(page_size=20))
        return email

    def async_client(self) -> AsyncSandboxClient:
        """A client for async code, e.g. `async with gclap.async_client() as sandbox: await sandbox.emails()`."""
        return self.sandbox.async_client()

    async def wait_for_email_async(self, *, to: str | None = None, subject: str | None = None,
                                   timeout: float = 5, **filters: Any) -> Email:
        """`wait_for_email` for async tests: awaiting it lets the event loop (and the app's own
        sending) run on; fails the test after `timeout` s."""
        async with self.async_client() as client:
            email = await client.wait(to=to, subject=subject, timeout=timeout, **filters)
            if email is None:
                self._fail_waiting({"to": to, "subject": subject, **filters}, timeout,
                                   await client.emails(page_size=20))
        return email

    @staticmethod
    def _fail_waiting(wanted: dict[str, Any], timeout: float, captured: list[Email]) -> NoReturn:
        described = ", ".join(f"{k}={v!r}" for k, v in wanted.items() if v is not None) or "any email"
        seen = [f"{e.subject!r} to {', '.join(e.to)}" for e in captured]
        pytest.fail(f"No email ({described}) arrived within {timeout} s. Captured: {'; '.join(seen) or 'nothing'}",
                    pytrace=False)

    def reset(self, *, all: bool = False) -> dict[str, Any]:
        """Reset again mid-test: captured data only, or (`all=True`) everything, as the fixture does."""
        result = self.client.reset(all=all)
        if "api_key" in result:
            self.sandbox.api_key = result["api_key"]
            self.client.use_key(result["api_key"])
        return result

    def events(self, **filters: Any) -> list[dict[str, Any]]:
        """Delivery events, newest first (filters as `GET /api/v1/events/`)."""
        return self.client.events(**filters)

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the sandbox clock forward, running everything that became due."""
        return self.client.advance_clock(seconds)


def _setting(config: pytest.Config, option: str, env: str) -> str | None:
    return config.getoption(option) or os.environ.get(env) or None


def _organization_per_session(config: pytest.Config) -> bool:
    return bool(config.getoption("gclap_organization_per_session")
                or os.environ.get(ATTACH_ORGANIZATION_ENV, "") not in ("", "0"))


def _attached(config: pytest.Config, url: str) -> AttachedSandbox:
    from gclap_sandbox.launcher import AttachedSandbox

    # xdist hands each worker its input; the env var would leak into pytest runs a test starts
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    if workers > 1 and not _organization_per_session(config):
        pytest.fail(f"--gclap-url: {workers} xdist workers would reset one shared sandbox under each "
                    "other's tests; run without -n, add --gclap-organization-per-session, or let each "
                    "worker start its own sandbox.", pytrace=False)
    key = _setting(config, "gclap_api_key", ATTACH_KEY_ENV)
    if not key:
        pytest.fail(f"--gclap-url needs the sandbox's API key: --gclap-api-key or {ATTACH_KEY_ENV}.", pytrace=False)
    host = urlsplit(url).hostname or "127.0.0.1"
    smtp = _setting(config, "gclap_smtp", ATTACH_SMTP_ENV)
    smtp_host, _, smtp_port = (smtp or f"{host}:{DEFAULT_SMTP_PORT}").rpartition(":")
    if not smtp_port.isdigit():
        pytest.fail(f"--gclap-smtp: expected HOST:PORT, got {smtp!r}.", pytrace=False)
    return AttachedSandbox(http_url=url.rstrip("/"), api_key=key, smtp_host=smtp_host or host,
                           smtp_port=int(smtp_port))


def _serve_flags(config: pytest.Config) -> list[str]:
    """The ini's / --gclap-args flags, plus a fixed key of our own unless they name one: a full
    reset keeps a fixed key valid, so the key an app was given at session start works in every test."""
    given = config.getoption("gclap_args")
    flags = shlex.split(config.getini("gclap_sandbox_args") if given is None else given)
    if not any(flag == "--api-key" or flag.startswith("--api-key=") for flag in flags):
        from gclap_sandbox.accounts.auth import generate_secret

        flags += ["--api-key", generate_secret()]
    return flags


def _session_organization(config: pytest.Config, shared: AttachedSandbox) -> tuple[str, str]:
    """Make this session's organization in the shared sandbox: (its id, its first key)."""
    worker = getattr(config, "workerinput", {}).get("workerid", "main")
    name = f"pytest session {os.getpid()} ({worker})"
    with shared.client() as admin:
        response = admin.post(ORGANIZATIONS_PATH, json={"name": name})
    if response.status_code != 201:
        pytest.fail(f"--gclap-organization-per-session: the sandbox at {shared.http_url} would not make an "
                    f"organization ({response.status_code}): {_detail(response)}", pytrace=False)
    created = response.json()
    return created["id"], created["api_key"]["key"]


def _drop_session_organization(shared: AttachedSandbox, organization_id: str) -> None:
    with shared.client() as admin:
        response = admin.delete(f"{ORGANIZATIONS_PATH}{organization_id}/")
    if response.status_code not in (200, 404):  # 404: someone deleted it already
        pytest.fail(f"--gclap-organization-per-session: could not delete organization {organization_id} "
                    f"({response.status_code}): {_detail(response)}", pytrace=False)


def _detail(response: Any) -> str:
    try:
        return str(response.json().get("detail") or response.text)
    except ValueError:
        return response.text[:500]


@pytest.fixture(scope="session")
def gclap_sandbox(pytestconfig: pytest.Config) -> Iterator[RunningSandbox | AttachedSandbox]:
    """A throw-away sandbox for the whole session (one per xdist worker), or the one at --gclap-url
    (with --gclap-organization-per-session: an organization of this session's own in it)."""
    url = _setting(pytestconfig, "gclap_url", ATTACH_URL_ENV)
    if url:
        shared = _attached(pytestconfig, url)
        if not _organization_per_session(pytestconfig):
            yield shared
            return
        from dataclasses import replace

        organization_id, key = _session_organization(pytestconfig, shared)
        try:
            yield replace(shared, api_key=key)
        finally:
            _drop_session_organization(shared, organization_id)
        return
    from gclap_sandbox.launcher import start_sandbox

    running = start_sandbox(*_serve_flags(pytestconfig), isolated_env=True)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def gclap(gclap_sandbox: RunningSandbox | AttachedSandbox) -> Iterator[Gclap]:
    """The session's sandbox, put back as it started (README: "What a test starts with")."""
    with gclap_sandbox.sandbox_client() as client:
        fixture = Gclap(gclap_sandbox, client)
        fixture.reset(all=True)
        yield fixture
