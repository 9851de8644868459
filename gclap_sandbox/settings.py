"""Run-time settings: one frozen object built from CLI flags (each also an env var)."""
from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_HTTP = "127.0.0.1:8000"
DEFAULT_SMTP = "127.0.0.1:1025"
MEMORY_DB = ":memory:"
DEFAULT_MAX_RECIPIENTS = 1000  # as Postfix's smtpd_recipient_limit
MAX_RECIPIENTS_CEILING = 10_000  # the most --max-recipients may allow
# Emails kept (the newest); older ones are pruned. ~30 MB of file: a day of heavy local testing
# fits, and the per-user database never grows without bound (README "Retention").
DEFAULT_MAX_EMAILS = 10_000


def parse_addr(value: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """`host:port`, `[v6]:port` or just `port` -> (host, port). Port 0 picks a free one."""
    value = value.strip()
    if value.isdigit():
        host, port = default_host, value
    elif value.startswith("["):
        host, _, port = value[1:].partition("]:")
    else:
        host, sep, port = value.rpartition(":")
        if not sep or not host:
            raise ValueError(f"expected HOST:PORT or PORT, got {value!r}")
    try:
        number = int(port)
    except ValueError:
        raise ValueError(f"port must be a number, got {port!r}") from None
    if not 0 <= number <= 65535:
        raise ValueError(f"port must be 0-65535, got {number}")
    return host, number


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_db_path() -> str:
    """The per-user data file, so mail survives restarts unless --db says otherwise."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return os.path.join(base, "gclap-sandbox", "sandbox.sqlite3")


# What --db takes, said in every refusal of a value it does not take.
DB_FORMS = f"a file path, '{MEMORY_DB}', sqlite:///PATH, or postgresql://USER:PASSWORD@HOST:PORT/DBNAME"
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+)://")  # two letters or more: not a drive letter
POSTGRES_SCHEME = "postgresql://"


def database_location(value: str) -> str:
    """What --db names: a SQLite file path, ':memory:', or a PostgreSQL URL.

    `sqlite:///PATH` is taken as PATH (the form SQLAlchemy and peewee use: three slashes and a
    relative path, four for an absolute one). `postgresql://` and `postgres://` (with or without
    a `+psycopg` driver) come back as `postgresql://...`. Any other `scheme://` is refused
    (ValueError), rather than taken as a folder name."""
    scheme = _URL_SCHEME.match(value)
    if scheme is None:
        return value
    name = scheme.group(1).lower()
    if name.split("+")[0] in ("postgresql", "postgres"):
        url = urlsplit(value)
        try:
            url.port  # noqa: B018  (reading it checks it)
        except ValueError:
            url = None  # type: ignore[assignment]
        if url is None or (not url.hostname and not url.path.strip("/") and not url.query):
            raise ValueError(f"expected postgresql://USER:PASSWORD@HOST:PORT/DBNAME, got {database_label(value)!r}")
        return POSTGRES_SCHEME + value[scheme.end():]
    if name != "sqlite":
        raise ValueError(f"{name}:// is not a database this sandbox can use; give {DB_FORMS}")
    url = urlsplit(value)
    path = unquote(url.path[1:])
    if url.netloc or url.query or url.fragment or not path:
        raise ValueError(f"expected sqlite:///PATH (sqlite:////PATH for an absolute path), got {value!r}")
    return path


def is_postgres(location: str) -> bool:
    """True for a location `database_location` gave for a PostgreSQL server."""
    return location.startswith(POSTGRES_SCHEME)


def database_label(location: str) -> str:
    """The location as logs and messages show it: a URL's password masked."""
    url = urlsplit(location) if _URL_SCHEME.match(location) else None
    if url is None or url.password is None:
        return location
    return location.replace(f":{url.password}@", ":***@", 1) if url.password else location


@dataclass(frozen=True)
class Settings:
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    db_path: str = MEMORY_DB
    api_key: str | None = None
    # Largest message accepted over SMTP or the API, in bytes (raw RFC 822 size).
    max_message_size: int = 25 * 1024 * 1024
    # Recipients one message may have: to + cc + bcc in the API, accepted RCPT TO over SMTP.
    max_recipients: int = DEFAULT_MAX_RECIPIENTS
    public_url: str | None = None
    # More Host names to answer to (hosts.py): NAME, *.DOMAIN or * (any host).
    allowed_hosts: tuple[str, ...] = ()
    smtp_hostname: str = "gclap-sandbox"
    plan: str | None = None  # emulate this plan for the default organization (limits.PLANS)
    smtp_auth: str = "optional"  # optional | required | off
    smtp_tls_cert: str | None = None
    smtp_tls_key: str | None = None
    smtp_tls_self_signed: bool = False
    # Simulation profile (simulate.PROFILES); `seed` below makes `realistic` repeatable.
    simulate: str = "none"
    # Password for the web UI; required to use the UI when HTTP is bound off loopback.
    ui_password: str | None = None
    # Relay (relay.py): upstream URL, recipient patterns, mode, retry schedule in seconds.
    relay_url: str | None = None
    relay_mode: str | None = None  # None: "matching" when allow patterns are given, else "all"
    relay_allow: tuple[str, ...] = ()
    relay_deny: tuple[str, ...] = ()
    relay_retry_delays: tuple[float, ...] = (5, 30, 120, 600, 1800)
    # Fault injection (chaos.py): a validated rule document, and the seed for its rolls.
    chaos: dict | None = None
    # Seed for --simulate realistic and for chaos rolls; None: chaos picks one at random.
    seed: int | None = None
    # Webhook deliveries: requests in flight at once, seconds an attempt may take, and the seconds
    # of sandbox time an endpoint may fail continuously before it is disabled (0: never).
    webhook_concurrency: int = 64
    webhook_timeout: float = 10.0
    webhook_disable_after: float = 5 * 86400.0
    # Where sending domains' DNS records are looked up (domains/resolver.py): "sandbox" (the
    # sandbox's own zone), "system" (real DNS) or a name server "IP[:PORT]".
    dns: str = "sandbox"
    # Content checks (checks/): "online" also fetches every link; spamd's address for SpamAssassin.
    link_check: str = "off"
    spamassassin: tuple[str, int] | None = None
    # Retention (retention/): keep at most this many emails (0: no limit) and none older than
    # this many seconds of sandbox time (0: no limit); the oldest go first, in the background.
    max_emails: int = DEFAULT_MAX_EMAILS
    max_age: float = 0.0
    # Automatic tags asked for (inbox/auto_tags.py): "plus-addresses", "x-tags"; none by default.
    tags_from: tuple[str, ...] = ()

    @property
    def exposed(self) -> bool:
        return not (is_loopback(self.http_host) and is_loopback(self.smtp_host))
