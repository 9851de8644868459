"""CLI commands that control a running sandbox over HTTP: `trigger`, `clock` and `reset`.

Each takes `--url` and `--api-key` (cli/connection.py). Exit codes as `messages`: 0 success,
2 the sandbox could not be reached or refused the request (or bad usage).
"""
from __future__ import annotations

import json
from typing import Any

import click

from gclap_sandbox.cli.connection import client_options, connect


def _show(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _call(ctx: click.Context, method: str, path: str, body: Any = None) -> Any:
    return connect(ctx, lambda client: client.call_api(method, path, body))


@click.command()
@click.argument("event")
@click.option("--email", "email_id", required=True, help="The email's id.")
@click.option("--recipient", default=None, help="One recipient (default: every recipient).")
@click.option("--link", default=None, help="For `clicked`: the link that was followed.")
@client_options
@click.pass_context
def trigger(ctx: click.Context, event: str, email_id: str, recipient: str | None, link: str | None) -> None:
    """Make EVENT happen now for an email: delivered, bounced, softbounce, deferred, opened,
    clicked, unsubscribed or spam."""
    body: dict[str, Any] = {"event": event}
    if recipient:
        body["recipient"] = recipient
    if link:
        body["url"] = link
    _show(_call(ctx, "POST", f"/emails/{email_id}/simulate/", body))


@click.group()
@client_options
def clock() -> None:
    """Read and move the sandbox clock."""


@clock.command("show")
@client_options
@click.pass_context
def clock_show(ctx: click.Context) -> None:
    """Print the sandbox's time, offset and pending jobs."""
    _show(_call(ctx, "GET", "/sandbox/clock/"))


@clock.command("advance")
@click.argument("duration", required=False)
@click.option("--to", "to", default=None, help="Move to this ISO 8601 time instead.")
@client_options
@click.pass_context
def clock_advance(ctx: click.Context, duration: str | None, to: str | None) -> None:
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
    _show(_call(ctx, "POST", "/sandbox/clock/advance/", body))


@clock.command("reset")
@client_options
@click.pass_context
def clock_reset(ctx: click.Context) -> None:
    """Set the clock back to real time."""
    _show(_call(ctx, "POST", "/sandbox/clock/reset/"))


@click.command()
@click.option("--all", "everything", is_flag=True,
              help="Put the sandbox back as it started: keys, settings, webhook endpoints, templates "
              "and the rest go too (a key given to `serve --api-key` keeps working).")
@client_options
@click.pass_context
def reset(ctx: click.Context, everything: bool) -> None:
    """Delete captured mail and other data (keys and settings stay) and set the clock back to
    real time; print what was deleted."""
    _show(connect(ctx, lambda client: client.reset(all=everything)))


COMMANDS = [trigger, clock, reset]
__all__ = ["COMMANDS"]
