"""The `gclap-sandbox` command line. `serve` runs the sandbox; other commands talk to one."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from gclap_sandbox import __version__
from gclap_sandbox.cli.database import db_option
from gclap_sandbox.observability.logs import FORMATS
from gclap_sandbox.settings import (
    DEFAULT_HTTP,
    DEFAULT_MAX_EMAILS,
    DEFAULT_MAX_RECIPIENTS,
    DEFAULT_SMTP,
    MAX_RECIPIENTS_CEILING,
    default_db_path,
    parse_addr,
)

if TYPE_CHECKING:
    from gclap_sandbox.settings import Settings

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


class StartupFailure(click.ClickException):
    """Printed as one line (`Error: ...`), exit 1: every reason `serve` cannot start."""

    exit_code = 1


def _one_line(exc: click.UsageError) -> str:
    """A usage error as one line (click names the option and its environment variable)."""
    message = exc.format_message().replace("\n", " ").rstrip(".")
    return f"{message}; see `gclap-sandbox serve --help`."


class ServeCommand(click.Command):
    """`serve` reports a bad option or value as one line and exits 1, like any start-up failure."""

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def]
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise StartupFailure(_one_line(exc)) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise StartupFailure(_one_line(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gclap-sandbox")
def main() -> None:
    """gclap-sandbox: a local stand-in for the Gclap email API."""


@main.command(cls=ServeCommand)
@click.option("--http", "http_addr", type=AddrType(), default=DEFAULT_HTTP, show_default=True,
              envvar=ENV + "HTTP", help="HTTP address for the API and inbox: HOST:PORT or PORT; 0 picks a free port. "
              "0.0.0.0 exposes it to the network.")
@click.option("--smtp", "smtp_addr", type=AddrType(), default=DEFAULT_SMTP, show_default=True,
              envvar=ENV + "SMTP", help="SMTP address: HOST:PORT or PORT; 0 picks a free port.")
@db_option
@click.option("--api-key", default=None, envvar=ENV + "API_KEY",
              help="Also accept this API key (so CI can use a fixed one).")
@click.option("--max-message-size", type=click.IntRange(min=1024), default=25 * 1024 * 1024,
              show_default=True, envvar=ENV + "MAX_MESSAGE_SIZE", help="Largest message accepted, in bytes.")
@click.option("--max-recipients", type=click.IntRange(min=1, max=MAX_RECIPIENTS_CEILING),
              default=DEFAULT_MAX_RECIPIENTS, show_default=True, envvar=ENV + "MAX_RECIPIENTS",
              help="Most recipients one message may have (API: to + cc + bcc; SMTP: further RCPT TO "
              "get 452).")
@click.option("--public-url", default=None, envvar=ENV + "PUBLIC_URL",
              help="Base URL others reach this sandbox at (tracking pixel, click and unsubscribe links), "
              "e.g. a LAN address or a tunnel [default: the HTTP address].")
@click.option("--allowed-host", "allowed_hosts", multiple=True, envvar=ENV + "ALLOWED_HOST", metavar="HOST",
              help="Also answer requests whose Host is this name (always answered: IP addresses, localhost, "
              "this machine's name, the --http and --public-url hosts): NAME, *.DOMAIN for any name under "
              "DOMAIN, or * for any host (turns off the DNS-rebinding protection). Repeatable; the env var "
              "takes several, separated by spaces or commas.")
@click.option("--simulate", type=click.Choice(["none", "realistic"]), default="none", show_default=True,
              envvar=ENV + "SIMULATE", help="What happens after sending: `none` (delivered, nothing more "
              "unless asked) or `realistic` (bounces, opens, clicks... at realistic rates and delays).")
@click.option("--seed", type=int, default=None, envvar=ENV + "SEED",
              help="Seed for random choices (--simulate realistic outcomes and delays, chaos "
              "probabilities): the same seed replays the same run.  [default: 0 for simulation, "
              "random for chaos]")
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
@click.option("--ui-password", default=None, envvar=ENV + "UI_PASSWORD",
              help="Password for the web UI (sign-in with a session cookie). Required for the UI "
              "when --http is not a loopback address.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              default="INFO", show_default=True, envvar=ENV + "LOG_LEVEL",
              help="INFO logs one line per captured email, webhook attempt and relay attempt.")
@click.option("--log-format", type=click.Choice(FORMATS), default="text", show_default=True,
              envvar=ENV + "LOG_FORMAT", help="json: one JSON object per line (time, level, logger, message "
              "and the line's fields).")
@click.option("--quiet", "-q", is_flag=True, envvar=ENV + "QUIET",
              help="Log errors only (the ready line is still printed on stdout).")
@click.option("--webhook-concurrency", type=click.IntRange(min=1, max=1024), default=64, show_default=True,
              envvar=ENV + "WEBHOOK_CONCURRENCY", help="Webhook requests in flight at once (one endpoint gets "
              "at most half, so a slow endpoint cannot hold up the others).")
@click.option("--webhook-timeout", type=click.FloatRange(min=0.1, max=300), default=10.0, show_default=True,
              envvar=ENV + "WEBHOOK_TIMEOUT", help="Seconds a webhook endpoint has to answer with a 2xx.")
@click.option("--webhook-disable-after", default="5d", show_default=True, metavar="SPAN",
              callback=lambda _ctx, _param, value: _disable_span(value), envvar=ENV + "WEBHOOK_DISABLE_AFTER",
              help="Disable an endpoint once every attempt to it has failed for this long (sandbox time: "
              "5d, 36h, 90m; 0: never). A success restarts the count, so a short outage never disables it.")
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
@click.option("--dns", "dns", default="sandbox", show_default=True, envvar=ENV + "DNS",
              metavar="sandbox|system|IP[:PORT]", callback=lambda _ctx, _param, value: _dns_setting(value),
              help="Where sending domains' DNS records are checked: the sandbox's own zone "
              "(PUT /api/v1/sandbox/dns/), real DNS, or this name server.")
@click.option("--link-check", type=click.Choice(["off", "online"]), default="off", show_default=True,
              envvar=ENV + "LINK_CHECK", help="online: the email checks also request every link and image.")
@click.option("--spamassassin", type=AddrType(), default=None, envvar=ENV + "SPAMASSASSIN", metavar="HOST:PORT",
              help="A SpamAssassin daemon (spamd) whose report the email checks include.")
@click.option("--max-emails", type=click.IntRange(min=0), default=DEFAULT_MAX_EMAILS, show_default=True,
              envvar=ENV + "MAX_EMAILS", help="Keep at most this many emails; the oldest are pruned, with "
              "their events, attachments and search entries (0: no limit).")
@click.option("--max-age", default="0", show_default=True, metavar="SPAN", envvar=ENV + "MAX_AGE",
              callback=lambda _ctx, _param, value: _max_age(value),
              help="Prune emails older than this span of sandbox time: 7d, 12h, 90m, 2w (0: no limit).")
@click.option("--stop-with-parent", is_flag=True, help="Stop when the process that started this one exits "
              "(or closes this one's stdin): for launchers and test fixtures, so no sandbox outlives them.")
@click.option("--tags-from", default="", envvar=ENV + "TAGS_FROM", metavar="SOURCE,...",
              callback=lambda _ctx, _param, value: _tag_sources(value),
              help="Also tag emails by how they were addressed, comma-separated: plus-addresses "
              "(user+TAG@ recipients), x-tags (the X-Tags header). Off by default: an email's tags "
              "are then exactly those its sender gave.")
def serve(**options):  # type: ignore[no-untyped-def]
    """Run the sandbox: the Gclap API, the SMTP server and the inbox.

    Once both ports accept connections it prints one JSON line on stdout with the
    addresses and the API key; logs go to stderr.
    """
    from gclap_sandbox.observability.logs import configure_logging
    from gclap_sandbox.retention.heap import few_arenas
    from gclap_sandbox.server.lifecycle import StartupError
    from gclap_sandbox.server.lifecycle import serve as run

    few_arenas()  # before any thread starts: a long stream's memory stays in two heaps
    configure_logging(options["log_level"], options["log_format"], options["quiet"])
    settings = settings_from_options(options)
    _check_relay(settings)
    if options["stop_with_parent"]:
        from gclap_sandbox.server.parent_watch import stop_with_parent

        stop_with_parent()
    try:
        run(settings)
    except StartupError as exc:
        raise StartupFailure(str(exc)) from None  # exit 1, one line, no traceback


for _param in serve.params:  # every option also reads an environment variable: say which
    _param.show_envvar = True


def settings_from_options(options: dict[str, Any]) -> "Settings":
    """Turn `serve`'s parsed options into Settings; combinations that do not go together are usage errors."""
    from gclap_sandbox.settings import Settings

    if bool(options["smtp_tls_cert"]) != bool(options["smtp_tls_key"]):
        raise click.UsageError("--smtp-tls-cert and --smtp-tls-key go together.")
    if options["smtp_tls"] and options["smtp_tls_cert"]:
        raise click.UsageError("Use either --smtp-tls self-signed or --smtp-tls-cert/--smtp-tls-key.")
    public_url = options["public_url"]
    return Settings(
        http_host=options["http_addr"][0], http_port=options["http_addr"][1],
        smtp_host=options["smtp_addr"][0], smtp_port=options["smtp_addr"][1],
        db_path=options["db_path"] or default_db_path(), api_key=options["api_key"],
        max_message_size=options["max_message_size"], max_recipients=options["max_recipients"],
        public_url=public_url.rstrip("/") if public_url else None,
        allowed_hosts=_allowed_hosts(options["allowed_hosts"]),
        plan=options["plan"], smtp_auth=options["smtp_auth"],
        smtp_tls_cert=options["smtp_tls_cert"], smtp_tls_key=options["smtp_tls_key"],
        smtp_tls_self_signed=options["smtp_tls"] == "self-signed",
        simulate=options["simulate"], seed=options["seed"],
        ui_password=options["ui_password"] or None,
        relay_url=options["relay_url"], relay_mode=options["relay_mode"],
        relay_allow=tuple(options["relay_allow"]), relay_deny=tuple(options["relay_deny"]),
        relay_retry_delays=_retry_delays(options["relay_retry_delays"]),
        chaos=_chaos_document(options["chaos_rules"]),
        webhook_concurrency=options["webhook_concurrency"], webhook_timeout=options["webhook_timeout"],
        webhook_disable_after=options["webhook_disable_after"],
        dns=options["dns"],
        link_check=options["link_check"], spamassassin=options["spamassassin"],
        max_emails=options["max_emails"], max_age=options["max_age"],
        tags_from=options["tags_from"],
    )


def _max_age(text: str) -> float:
    from gclap_sandbox.retention.policy import parse_max_age

    try:
        return parse_max_age(str(text))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _tag_sources(text: str) -> tuple[str, ...]:
    from gclap_sandbox.inbox.auto_tags import parse_sources

    try:
        return parse_sources(str(text or ""))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _dns_setting(text: str) -> str:
    from gclap_sandbox.domains.resolver import parse_dns_setting

    try:
        return parse_dns_setting(str(text))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _disable_span(text: str) -> float:
    from gclap_sandbox.webhooks.health import parse_span

    try:
        return parse_span(str(text))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _allowed_hosts(values: tuple[str, ...]) -> tuple[str, ...]:
    from gclap_sandbox.server.hosts import parse_allowed_host

    try:
        # Click splits the env var at whitespace; commas separate names as well.
        return tuple(parse_allowed_host(part) for value in values
                     for part in value.split(",") if part.strip())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--allowed-host") from None


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
    from gclap_sandbox.chaos.rules import load_document

    try:
        return load_document(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--chaos") from None


def _check_relay(settings) -> None:  # type: ignore[no-untyped-def]
    from gclap_sandbox.relay.config import RelayConfig

    try:
        RelayConfig.from_settings(settings)
    except ValueError as exc:
        raise click.UsageError(f"relay: {exc}") from None


from gclap_sandbox.cli.control import COMMANDS as _CLIENT_COMMANDS
from gclap_sandbox.cli.database import db_group
from gclap_sandbox.cli.messages import messages
from gclap_sandbox.cli.probe import readyz
from gclap_sandbox.cli.sendmail import sendmail_command

for _command in [*_CLIENT_COMMANDS, messages, readyz, sendmail_command, db_group]:
    main.add_command(_command)
