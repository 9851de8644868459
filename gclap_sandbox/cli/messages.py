"""`gclap-sandbox messages ...`: read, wait for and clear captured mail of a running sandbox.

Thin HTTP clients over `client.py`, for shell scripts and CI jobs. Exit codes: 0 success,
1 `wait` timed out, 2 the sandbox could not be reached or refused the request.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import click

from gclap_sandbox.cli.connection import RequestFailed, client_options, connect

if TYPE_CHECKING:
    from gclap_sandbox.client import SandboxClient

F = TypeVar("F", bound=Callable[..., Any])
ALL_TIME = "all"

__all__ = ["RequestFailed", "messages"]


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _filter_options(fn: F) -> F:
    """--to, --from, --subject, --tag: any combination narrows the mail (all must match)."""
    for option in reversed([
        click.option("--to", help="Only email sent to this address (to, cc or bcc)."),
        click.option("--from", "from_", help="Only email from this address."),
        click.option("--subject", help="Only email whose subject contains this text (any case)."),
        click.option("--tag", help="Only email with this tag."),
    ]):
        fn = option(fn)
    return fn


def _filters(to: str | None, from_: str | None, subject: str | None, tag: str | None) -> dict[str, Any]:
    return {"to": to, "from_": from_, "subject": subject, "tag": tag}


@click.group()
@client_options
def messages() -> None:
    """Read, wait for and clear the mail a running sandbox captured."""


@messages.command("list")
@_filter_options
@click.option("--search", help="Words matched against sender, recipients and subject.")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the emails as a JSON array.")
@client_options
@click.pass_context
def list_messages(ctx: click.Context, to: str | None, from_: str | None, subject: str | None, tag: str | None,
                  search: str | None, limit: int, as_json: bool) -> None:
    """List captured email, newest first."""
    filters = {**_filters(to, from_, subject, tag), "search": search}
    emails = connect(ctx, lambda c: c.emails(**filters, page_size=limit))
    if as_json:
        _echo_json([e.data for e in emails])
        return
    for e in emails:
        click.echo(f"{e.id}  {e.created_at}  {e.from_email or '-'} -> {', '.join(e.to) or '-'}  {e.subject}")
    if not emails:
        click.echo("No email captured.", err=True)


@messages.command("show")
@click.argument("email_id")
@click.option("--raw", is_flag=True, help="Print the RFC 822 source instead of JSON.")
@client_options
@click.pass_context
def show_message(ctx: click.Context, email_id: str, raw: bool) -> None:
    """Print one email as JSON (headers, text, html, attachments), or its source."""
    if raw:
        source = connect(ctx, lambda c: c.raw(email_id))
        click.echo(source.decode("utf-8", "replace"), nl=False)
    else:
        _echo_json(connect(ctx, lambda c: c.get(email_id)).data)


def _since(client: SandboxClient, since: str | None) -> str | None:
    """The `since` filter: the sandbox's now (new mail only), a span before it, a time, or none."""
    from gclap_sandbox.client import SandboxError

    if since == ALL_TIME:
        return None
    span = 0.0 if since is None else _span(since)
    if span is None:
        return _iso_time(since or "")
    try:
        now = datetime.fromisoformat(client.clock()["now"])
    except SandboxError as exc:
        if exc.status != 403:
            raise
        raise RequestFailed("Waiting for new mail reads the sandbox's clock, which this key may not "
                            "(scope sandbox:control); pass --since TIME or --since all.") from None
    return (now - timedelta(seconds=span)).isoformat()


def _span(text: str) -> float | None:
    """Seconds in a span like 10m or 1h30m; None when `text` is not one."""
    from gclap_sandbox.events.timeline import parse_duration

    try:
        return parse_duration(text)
    except ValueError:
        return None


def _iso_time(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is neither a span (10m, 2h, 1d) nor an ISO 8601 time, nor "
                                 f"'{ALL_TIME}'", param_hint="--since") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).isoformat()


@messages.command("wait")
@_filter_options
@click.option("--since", default=None, metavar="SPAN|TIME|all",
              help="Also accept mail captured since then: a span back from now (10m, 2h, 1d), an ISO 8601 "
              "time, or `all` [default: only mail that arrives after the command starts].")
@click.option("--timeout", type=click.FloatRange(min=0), default=10, show_default=True,
              help="Seconds to wait.")
@client_options
@click.pass_context
def wait_message(ctx: click.Context, to: str | None, from_: str | None, subject: str | None, tag: str | None,
                 since: str | None, timeout: float) -> None:
    """Wait for a new email matching every filter given and print it as JSON; exit 1 if none
    arrives within --timeout."""
    if since not in (None, ALL_TIME) and _span(since) is None:
        _iso_time(since)  # a bad value is a usage error before anything is asked
    filters = _filters(to, from_, subject, tag)
    email = connect(ctx, lambda c: c.wait(**filters, since=_since(c, since), timeout=timeout))
    if email is None:
        wanted = ", ".join(f"{name.rstrip('_')} {value!r}" for name, value in filters.items() if value)
        click.echo(f"No new email{' (' + wanted + ')' if wanted else ''} arrived within {timeout:g} s.", err=True)
        ctx.exit(1)
    _echo_json(email.data)


@messages.command("clear")
@client_options
@click.pass_context
def clear_messages(ctx: click.Context) -> None:
    """Delete all captured email."""
    deleted = connect(ctx, lambda c: c.clear())
    click.echo(f"Deleted {deleted} email{'' if deleted == 1 else 's'}.")
