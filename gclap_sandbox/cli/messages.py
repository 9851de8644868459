"""`gclap-sandbox messages ...`: read, wait for and clear captured mail of a running sandbox.

Thin HTTP clients over `client.py`, for shell scripts and CI jobs. Exit codes: 0 success,
1 `wait` timed out, 2 the sandbox could not be reached or refused the request.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import click

if TYPE_CHECKING:
    from gclap_sandbox.client import SandboxClient

ENV = "GCLAP_SANDBOX_"
DEFAULT_URL = "http://127.0.0.1:8000"
T = TypeVar("T")


class RequestFailed(click.ClickException):
    exit_code = 2


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _call(ctx: click.Context, action: Callable[[SandboxClient], T]) -> T:
    """Run `action(client)`, turning transport and API errors into a clear message and exit 2."""
    import httpx

    from gclap_sandbox.client import SandboxClient, SandboxError

    url, api_key = ctx.obj["url"], ctx.obj["api_key"]
    if not api_key:
        raise RequestFailed(f"No API key: pass --api-key or set {ENV}API_KEY "
                            "(`serve` prints the key on start-up).")
    try:
        with SandboxClient(url, api_key) as client:
            return action(client)
    except SandboxError as exc:
        raise RequestFailed(f"The sandbox at {url} answered {exc}") from None
    except httpx.HTTPError as exc:
        raise RequestFailed(f"Could not reach the sandbox at {url}: {exc}") from None


@click.group()
@click.option("--url", default=DEFAULT_URL, show_default=True, envvar=ENV + "URL",
              help=f"Base URL of the running sandbox [env {ENV}URL].")
@click.option("--api-key", default=None, envvar=ENV + "API_KEY",
              help=f"API key of the sandbox (`serve` prints it) [env {ENV}API_KEY].")
@click.pass_context
def messages(ctx: click.Context, url: str, api_key: str | None) -> None:
    """Read, wait for and clear the mail a running sandbox captured."""
    ctx.obj = {"url": url.rstrip("/"), "api_key": api_key}


def _filters(to: str | None, subject: str | None, search: str | None) -> dict[str, Any]:
    return {"to": to, "subject": subject, "search": search}


@messages.command("list")
@click.option("--to", help="Only email sent to this address.")
@click.option("--subject", help="Only email whose subject contains this text.")
@click.option("--search", help="Words matched against sender, recipients and subject.")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the emails as a JSON array.")
@click.pass_context
def list_messages(ctx: click.Context, to: str | None, subject: str | None, search: str | None,
                  limit: int, as_json: bool) -> None:
    """List captured email, newest first."""
    emails = _call(ctx, lambda c: c.emails(**_filters(to, subject, search), page_size=limit))
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
@click.pass_context
def show_message(ctx: click.Context, email_id: str, raw: bool) -> None:
    """Print one email as JSON (headers, text, html, attachments), or its source."""
    if raw:
        source = _call(ctx, lambda c: c.raw(email_id))
        click.echo(source.decode("utf-8", "replace"), nl=False)
    else:
        _echo_json(_call(ctx, lambda c: c.get(email_id)).data)


@messages.command("wait")
@click.option("--to", required=True, help="The recipient to wait for.")
@click.option("--subject", help="Only email whose subject contains this text.")
@click.option("--timeout", type=click.FloatRange(min=0), default=10, show_default=True,
              help="Seconds to wait.")
@click.pass_context
def wait_message(ctx: click.Context, to: str, subject: str | None, timeout: float) -> None:
    """Wait for an email and print it as JSON; exit 1 if none arrives within --timeout."""
    email = _call(ctx, lambda c: c.wait(to=to, subject=subject, timeout=timeout))
    if email is None:
        wanted = f"to {to}" + (f" with {subject!r} in the subject" if subject else "")
        click.echo(f"No email {wanted} arrived within {timeout:g} s.", err=True)
        ctx.exit(1)
    _echo_json(email.data)


@messages.command("clear")
@click.pass_context
def clear_messages(ctx: click.Context) -> None:
    """Delete all captured email."""
    deleted = _call(ctx, lambda c: c.clear())
    click.echo(f"Deleted {deleted} email{'' if deleted == 1 else 's'}.")
