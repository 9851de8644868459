"""The `gclap-sandbox` command line. `serve` runs the sandbox; other commands talk to one."""
from __future__ import annotations

import click

from gclap_sandbox import __version__
from gclap_sandbox.settings import DEFAULT_HTTP, DEFAULT_SMTP, MEMORY_DB, default_db_path, parse_addr

ENV = "GCLAP_SANDBOX_"


class AddrType(click.ParamType):
    name = "ADDR"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, tuple):
            return value
        try:
            return parse_addr(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gclap-sandbox")
def main() -> None:
    """gclap-sandbox: a local stand-in for the Gclap email API."""


@main.command()
@click.option("--http", "http_addr", type=AddrType(), default=DEFAULT_HTTP, show_default=True,
              envvar=ENV + "HTTP", help="HTTP address for the API and inbox: HOST:PORT or PORT; 0 picks a free port. "
              "0.0.0.0 exposes it to the network.")
@click.option("--smtp", "smtp_addr", type=AddrType(), default=DEFAULT_SMTP, show_default=True,
              envvar=ENV + "SMTP", help="SMTP address: HOST:PORT or PORT; 0 picks a free port.")
@click.option("--db", "db_path", default=None, envvar=ENV + "DB",
              help=f"SQLite file to keep mail in [default: {default_db_path()}]; "
              f"'{MEMORY_DB}' for a throw-away sandbox.")
@click.option("--api-key", default=None, envvar=ENV + "API_KEY",
              help="Also accept this API key (so CI can use a fixed one).")
@click.option("--max-message-size", type=click.IntRange(min=1024), default=25 * 1024 * 1024,
              show_default=True, envvar=ENV + "MAX_MESSAGE_SIZE", help="Largest message accepted, in bytes.")
@click.option("--public-url", default=None, envvar=ENV + "PUBLIC_URL",
              help="Base URL others reach this sandbox at (for links it generates).")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              default="INFO", show_default=True, envvar=ENV + "LOG_LEVEL")
@click.option("--relay", "relay_url", default=None, envvar=ENV + "RELAY", metavar="URL",
              help="Also relay captured mail to this SMTP server: smtp://[user:pass@]host:port "
              "(STARTTLS when offered; ?starttls=require|off) or smtps://... (TLS); ?verify=false "
              "accepts a self-signed certificate.")
@click.option("--relay-mode", type=click.Choice(["all", "matching", "manual"]), default=None,
              envvar=ENV + "RELAY_MODE", help="all: relay every recipient not denied; matching: only "
              "recipients matching --relay-allow; manual: only on release.  [default: matching when "
              "--relay-allow is given, else all]")
@click.option("--relay-allow", multiple=True, envvar=ENV + "RELAY_ALLOW", metavar="PATTERN",
              help="Recipient pattern to relay (glob like '*@example.com' or 're:REGEX'). Repeatable.")
@click.option("--relay-deny", multiple=True, envvar=ENV + "RELAY_DENY", metavar="PATTERN",
              help="Recipient pattern never relayed; deny wins over allow. Repeatable.")
@click.option("--relay-retry-delays", default="5,30,120,600,1800", show_default=True,
              envvar=ENV + "RELAY_RETRY_DELAYS", metavar="SECONDS,...",
              help="Waits before each retry of a failed relay; the count is the number of retries.")
@click.option("--chaos", "chaos_rules", default=None, envvar=ENV + "CHAOS", metavar="FILE_OR_JSON",
              help="Fault-injection rules for SMTP and the API (the document of PUT /api/v1/sandbox/chaos/).")
@click.option("--seed", type=int, default=None, envvar=ENV + "SEED",
              help="Seed for random choices (chaos probabilities), so a run can be replayed.")
def serve(http_addr, smtp_addr, db_path, api_key, max_message_size, public_url, log_level,  # type: ignore[no-untyped-def]
          relay_url, relay_mode, relay_allow, relay_deny, relay_retry_delays, chaos_rules, seed):
    """Run the sandbox: the Gclap API, the SMTP server and the inbox.

    Once both ports accept connections it prints one JSON line on stdout with the
    addresses and the API key; logs go to stderr.
    """
    from gclap_sandbox.lifecycle import configure_logging, serve as run
    from gclap_sandbox.settings import Settings

    configure_logging(log_level)
    settings = Settings(
        http_host=http_addr[0], http_port=http_addr[1], smtp_host=smtp_addr[0], smtp_port=smtp_addr[1],
        db_path=db_path or default_db_path(), api_key=api_key, max_message_size=max_message_size,
        public_url=public_url.rstrip("/") if public_url else None,
        relay_url=relay_url, relay_mode=relay_mode, relay_allow=tuple(relay_allow), relay_deny=tuple(relay_deny),
        relay_retry_delays=_retry_delays(relay_retry_delays), chaos=_chaos_document(chaos_rules), seed=seed,
    )
    _check_relay(settings)
    run(settings)


def _retry_delays(text: str) -> tuple[float, ...]:
    try:
        delays = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(f"expected comma-separated seconds, got {text!r}",
                                 param_hint="--relay-retry-delays") from None
    if any(d < 0 for d in delays):
        raise click.BadParameter("delays may not be negative", param_hint="--relay-retry-delays")
    return delays


def _chaos_document(text: str | None) -> dict | None:
    if text is None:
        return None
    from gclap_sandbox.chaos import load_document

    try:
        return load_document(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--chaos") from None


def _check_relay(settings) -> None:  # type: ignore[no-untyped-def]
    from gclap_sandbox.relay import RelayConfig

    try:
        RelayConfig.from_settings(settings)
    except ValueError as exc:
        raise click.UsageError(f"relay: {exc}") from None
