"""CLI commands that talk to a running sandbox over HTTP: `trigger` and `clock`.

Each takes `--url` (GCLAP_SANDBOX_URL) and `--api-key` (GCLAP_SANDBOX_API_KEY). Exit codes as
`messages`: 0 success, 2 the sandbox could not be reached or refused the request (or bad usage).
"""
from __future__ import annotations

import json
from typing import Any

import click

from gclap_sandbox.cli.messages import RequestFailed
from gclap_sandbox.settings import DEFAULT_HTTP

ENV = "GCLAP_SANDBOX_"


def _connection(fn: Any) -> Any:
    fn = click.option("--api-key", envvar=ENV + "API_KEY", required=True,
                      help="An API key of the sandbox (printed by `serve`).")(fn)
    fn = click.option("--url", "base_url", envvar=ENV + "URL", default=f"http://{DEFAULT_HTTP}",
                      show_default=True, help="The sandbox's HTTP address.")(fn)
    return fn


def _call(base_url: str, api_key: str, method: str, path: str, body: Any = None) -> Any:
    import httpx  # here, not at the top: `serve` starts faster without it

    try:
        with httpx.Client(base_url=base_url.rstrip("/"), timeout=60,
                          headers={"Authorization": f"Bearer {api_key}"}) as client:
            response = client.request(method, path, json=body)
    except httpx.HTTPError as exc:
        raise RequestFailed(f"cannot reach the sandbox at {base_url}: {exc}") from None
    try:
        data = response.json()
    except ValueError:
        data = response.text
    if response.status_code >= 400:
        detail = data.get("detail") if isinstance(data, dict) else data
        errors = data.get("errors") if isinstance(data, dict) else None
        message = f"{response.status_code}: {detail}"
        if errors:
            message += "\n" + "\n".join(f"  {field}: {' '.join(msgs)}" for field, msgs in errors.items())
        raise RequestFailed(message)
    return data


def _show(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.command()
@click.argument("event")
@click.option("--email", "email_id", required=True, help="The email's id.")
@click.option("--recipient", default=None, help="One recipient (default: every recipient).")
@click.option("--link", default=None, help="For `clicked`: the link that was followed.")
@_connection
def trigger(event: str, email_id: str, recipient: str | None, link: str | None, base_url: str, api_key: str) -> None:
    """Make EVENT happen now for an email: delivered, bounced, softbounce, deferred, opened,
    clicked, unsubscribed or spam."""
    body: dict[str, Any] = {"event": event}
    if recipient:
        body["recipient"] = recipient
    if link:
        body["url"] = link
    _show(_call(base_url, api_key, "POST", f"/api/v1/emails/{email_id}/simulate/", body))


@click.group()
def clock() -> None:
    """Read and move the sandbox clock."""


@clock.command("show")
@_connection
def clock_show(base_url: str, api_key: str) -> None:
    """Print the sandbox's time, offset and pending jobs."""
    _show(_call(base_url, api_key, "GET", "/api/v1/sandbox/clock/"))


@clock.command("advance")
@click.argument("duration", required=False)
@click.option("--to", "to", default=None, help="Move to this ISO 8601 time instead.")
@_connection
def clock_advance(duration: str | None, to: str | None, base_url: str, api_key: str) -> None:
    """Move time forward by DURATION (3d, 1h30m, 90s, 2w or seconds), running due jobs."""
    from gclap_sandbox.events.timeline import parse_duration

    if (duration is None) == (to is None):
        raise click.UsageError("give a DURATION or --to, not both")
    if to is not None:
        body: dict[str, Any] = {"to": to}
    else:
        try:
            body = {"seconds": parse_duration(duration or "")}
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="DURATION") from None
    _show(_call(base_url, api_key, "POST", "/api/v1/sandbox/clock/advance/", body))


@clock.command("reset")
@_connection
def clock_reset(base_url: str, api_key: str) -> None:
    """Set the clock back to real time."""
    _show(_call(base_url, api_key, "POST", "/api/v1/sandbox/clock/reset/"))


COMMANDS = [trigger, clock]
__all__ = ["COMMANDS"]
