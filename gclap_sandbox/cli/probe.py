"""`gclap-sandbox readyz`: exit 0 when a sandbox is ready, 1 when not, for health checks
(Docker's HEALTHCHECK, CI wait loops). Standard library only, so each probe starts fast.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import click

from gclap_sandbox.settings import DEFAULT_HTTP, parse_addr

ENV = "GCLAP_SANDBOX_"


def default_url() -> str:
    """Where `serve` listens when started with this environment: GCLAP_SANDBOX_HTTP, else the default."""
    host, port = parse_addr(os.environ.get(ENV + "HTTP") or DEFAULT_HTTP)
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # any-address: ask loopback
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def probe(url: str, timeout: float) -> tuple[bool, str]:
    """(ready, one line saying so or why not)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    target = url.rstrip("/") + "/readyz"
    try:
        with opener.open(target, timeout=timeout) as response:
            return True, f"ready: {target} answered {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"not ready: {target} answered {exc.code} {_problem_detail(exc)}".rstrip()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return False, f"not ready: cannot reach {target} ({reason})"


def _problem_detail(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read() or b"{}")
    except ValueError:
        return ""
    down = [name for name in ("smtp", "database", "workers") if body.get(name) is False]
    return f"(down: {', '.join(down)})" if down else str(body.get("detail") or "")


@click.command("readyz")
@click.option("--url", default=None, envvar=ENV + "URL", metavar="URL",
              help="The sandbox's base URL [default: from GCLAP_SANDBOX_HTTP, as `serve` reads it; "
              f"else http://{DEFAULT_HTTP}].")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds to wait for the answer.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing; only the exit code tells.")
def readyz(url: str | None, timeout: float, quiet: bool) -> None:
    """Exit 0 if the sandbox is ready (GET /readyz answers 200: HTTP, SMTP, the database and
    the workers are up), 1 if not. For health checks: the image's HEALTHCHECK runs it."""
    try:
        base = url or default_url()
    except ValueError as exc:
        raise click.UsageError(f"{ENV}HTTP: {exc}") from None
    ready, line = probe(base, timeout)
    if not quiet:
        click.echo(line, err=not ready)
    raise SystemExit(0 if ready else 1)


__all__ = ["default_url", "probe", "readyz"]
