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
def serve(http_addr, smtp_addr, db_path, api_key, max_message_size, public_url, log_level):  # type: ignore[no-untyped-def]
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
    )
    run(settings)


from gclap_sandbox.cli_messages import messages  # noqa: E402  (cheap: imports only click)

main.add_command(messages)
