"""How every client command finds the sandbox: `--url` and `--api-key`, in one place.

`client_options` puts both on a command or group; the value given nearest the command wins
(`gclap-sandbox messages wait --url U` over `gclap-sandbox messages --url U wait`), then the
env vars GCLAP_SANDBOX_URL / GCLAP_SANDBOX_API_KEY, then http://127.0.0.1:8000 and no key.
`connect()` runs a call with the typed client and turns every failure into one line and exit 2.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import click

if TYPE_CHECKING:
    from gclap_sandbox.client import SandboxClient

ENV = "GCLAP_SANDBOX_"
DEFAULT_URL = "http://127.0.0.1:8000"
_GIVEN = "gclap_sandbox.connection"  # ctx.meta key: the values given on the command line so far
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class RequestFailed(click.ClickException):
    """The sandbox could not be reached or refused the request: exit 2."""

    exit_code = 2


def _remember(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta.setdefault(_GIVEN, {})[param.name] = value  # meta is shared with subcommands


def client_options(fn: F) -> F:
    fn = click.option("--api-key", default=None, expose_value=False, callback=_remember, is_eager=True,
                      help=f"An API key of the sandbox (`serve` prints it) [env {ENV}API_KEY].")(fn)
    return click.option("--url", default=None, expose_value=False, callback=_remember, is_eager=True,
                        help=f"The sandbox's base URL [env {ENV}URL; default {DEFAULT_URL}].")(fn)


def connect(ctx: click.Context, action: Callable[[SandboxClient], T]) -> T:
    """Run `action(client)` against the sandbox the options name."""
    import httpx

    from gclap_sandbox.client import SandboxClient, SandboxError

    given = ctx.meta.get(_GIVEN, {})
    url = (given.get("url") or os.environ.get(ENV + "URL") or DEFAULT_URL).rstrip("/")
    api_key = given.get("api_key") or os.environ.get(ENV + "API_KEY")
    if not api_key:
        raise RequestFailed(f"No API key: pass --api-key or set {ENV}API_KEY (`serve` prints the key on start-up).")
    try:
        with SandboxClient(url, api_key, timeout=60) as client:
            return action(client)
    except SandboxError as exc:
        errors = exc.problem.get("errors") if isinstance(exc.problem, dict) else None
        lines = [f"The sandbox at {url} answered {exc}"]
        lines += [f"  {field}: {' '.join(messages)}" for field, messages in (errors or {}).items()]
        raise RequestFailed("\n".join(lines)) from None
    except httpx.HTTPError as exc:
        raise RequestFailed(f"Could not reach the sandbox at {url}: {exc}") from None
