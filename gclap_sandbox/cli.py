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
              help="Base URL others reach this sandbox at (tracking pixel, click and unsubscribe links), "
              "e.g. a LAN address or a tunnel [default: the HTTP address].")
@click.option("--simulate", type=click.Choice(["none", "realistic"]), default="none", show_default=True,
              envvar=ENV + "SIMULATE", help="What happens after sending: `none` (delivered, nothing more "
              "unless asked) or `realistic` (bounces, opens, clicks... at realistic rates and delays).")
@click.option("--seed", type=int, default=0, show_default=True, envvar=ENV + "SEED",
              help="Seed for --simulate realistic: the same seed gives the same outcomes and delays.")
@click.option("--plan", type=click.Choice(["free", "pro", "business", "unlimited"]), default=None,
              envvar=ENV + "PLAN", help="Put the default organization on this plan (rate limit and monthly "
              "quota) [default: keep its plan; new sandboxes start on the sandbox-only 'unlimited'].")
@click.option("--smtp-auth", type=click.Choice(["optional", "required", "off"]), default="optional",
              show_default=True, envvar=ENV + "SMTP_AUTH", help="SMTP AUTH (user `apikey`, an API key as "
              "password): optional accepts unauthenticated mail into the default organization.")
@click.option("--smtp-tls", type=click.Choice(["self-signed"]), default=None, envvar=ENV + "SMTP_TLS",
              help="Offer STARTTLS with a certificate generated at start.")
@click.option("--smtp-tls-cert", type=click.Path(exists=True, dir_okay=False), default=None,
              envvar=ENV + "SMTP_TLS_CERT", help="PEM certificate (chain) for STARTTLS.")
@click.option("--smtp-tls-key", type=click.Path(exists=True, dir_okay=False), default=None,
              envvar=ENV + "SMTP_TLS_KEY", help="PEM private key for --smtp-tls-cert.")
@click.option("--webhook-concurrency", type=click.IntRange(min=1, max=1024), default=64, show_default=True,
              envvar=ENV + "WEBHOOK_CONCURRENCY", help="Webhook requests in flight at once (one endpoint gets "
              "at most half, so a slow endpoint cannot hold up the others).")
@click.option("--webhook-timeout", type=click.FloatRange(min=0.1, max=300), default=10.0, show_default=True,
              envvar=ENV + "WEBHOOK_TIMEOUT", help="Seconds a webhook endpoint has to answer with a 2xx.")
@click.option("--webhook-disable-after", type=click.IntRange(min=0), default=50, show_default=True,
              envvar=ENV + "WEBHOOK_DISABLE_AFTER", help="Disable an endpoint after this many failed "
              "delivery attempts in a row (0: never).")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              default="INFO", show_default=True, envvar=ENV + "LOG_LEVEL")
def serve(http_addr, smtp_addr, db_path, api_key, max_message_size, public_url, simulate, seed, plan,  # type: ignore[no-untyped-def]
          smtp_auth, smtp_tls, smtp_tls_cert, smtp_tls_key, webhook_concurrency, webhook_timeout,
          webhook_disable_after, log_level):
    """Run the sandbox: the Gclap API, the SMTP server and the inbox.

    Once both ports accept connections it prints one JSON line on stdout with the
    addresses and the API key; logs go to stderr.
    """
    from gclap_sandbox.lifecycle import configure_logging, serve as run
    from gclap_sandbox.settings import Settings

    if bool(smtp_tls_cert) != bool(smtp_tls_key):
        raise click.UsageError("--smtp-tls-cert and --smtp-tls-key go together.")
    if smtp_tls and smtp_tls_cert:
        raise click.UsageError("Use either --smtp-tls self-signed or --smtp-tls-cert/--smtp-tls-key.")
    configure_logging(log_level)
    settings = Settings(
        http_host=http_addr[0], http_port=http_addr[1], smtp_host=smtp_addr[0], smtp_port=smtp_addr[1],
        db_path=db_path or default_db_path(), api_key=api_key, max_message_size=max_message_size,
        public_url=public_url.rstrip("/") if public_url else None, plan=plan, smtp_auth=smtp_auth,
        smtp_tls_cert=smtp_tls_cert, smtp_tls_key=smtp_tls_key, smtp_tls_self_signed=smtp_tls == "self-signed",
        simulate=simulate, seed=seed, webhook_concurrency=webhook_concurrency,
        webhook_timeout=webhook_timeout, webhook_disable_after=webhook_disable_after,
    )
    run(settings)


from gclap_sandbox.cli_client import COMMANDS as _CLIENT_COMMANDS  # noqa: E402  (trigger, clock)

for _command in _CLIENT_COMMANDS:
    main.add_command(_command)
