"""Which `Host` names this sandbox answers to, so a web page elsewhere cannot reach the local
UI and API through DNS rebinding (an attacker's name that resolves to 127.0.0.1).

Always answered: IP addresses (a browser sends one only when it connected to that very
address, so no DNS is involved), `localhost` and names under it (RFC 6761 keeps them on
loopback), this machine's hostname, the `--http` host and the `--public-url` host. Add more
with `--allowed-host`: `NAME`, `*.DOMAIN` (any name under DOMAIN, not DOMAIN itself), or `*`
(every host: the protection is off). Ports are not compared: port mappings (Docker) and
proxies change them, and rebinding needs a name anyway. Names compare case-insensitively and
without a final dot. Every other request gets 421 Misdirected Request before any route runs:
RFC 9110's answer for a request this server will not answer authoritatively for that name,
and distinct from 403, which here means a missing scope or a locked UI.
"""
from __future__ import annotations

import functools
import html
import ipaddress
import logging
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from sanic import Request, Sanic
from sanic.response import HTTPResponse

from gclap_sandbox.api.responses import problem_response
from gclap_sandbox.errors import ApiError
from gclap_sandbox.settings import Settings

log = logging.getLogger("gclap_sandbox")

ALLOW_ALL = "*"
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_PORT = re.compile(r"[0-9]{0,5}")
# Routes whose callers read JSON; every other path (pages, docs, assets, tracking) gets HTML.
_MACHINE_PREFIXES = ("/api/", "/ui/", "/healthz", "/readyz", "/livez", "/metrics")


class HostNotAllowed(ApiError):
    status = 421
    title = "Misdirected Request"
    slug = "host-not-allowed"


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_name(text: str) -> bool:
    return len(text) <= 253 and all(_LABEL.fullmatch(label) for label in text.split("."))


@functools.lru_cache(maxsize=256)  # a pure function asked the same few values on every request
def host_of(authority: str | None) -> str | None:
    """The host of a `Host` header (or a URL's `host[:port]`): lowercase, without the port,
    the IPv6 brackets or a final dot. None when it is missing or not a valid host."""
    value = (authority or "").strip().lower()
    if value.startswith("["):
        inside, bracket, port = value[1:].partition("]")
        if not bracket or (port and not (port[0] == ":" and _PORT.fullmatch(port[1:]))):
            return None
        return inside if ":" in inside and _is_ip(inside) else None
    name, colon, port = value.rpartition(":")
    if not colon:
        name = value
    elif not _PORT.fullmatch(port):
        return None  # a bare IPv6 address, or junk after the colon
    if name.endswith("."):
        name = name[:-1]
    return name if name and (_is_ip(name) or _is_name(name)) else None


def parse_allowed_host(value: str) -> str:
    """One `--allowed-host` value, normalized; ValueError says what is wrong with it."""
    text = value.strip().lower()
    if text == ALLOW_ALL:
        return text
    if text.startswith("*."):
        domain = text[2:].removesuffix(".")
        if not domain or not _is_name(domain):
            raise ValueError(f"{value!r}: expected *.DOMAIN with a valid domain name")
        return "*." + domain
    if "*" in text:
        raise ValueError(f"{value!r}: '*' is allowed alone or as the first label (*.example.test)")
    name = text.removesuffix(".")
    if name.startswith("[") and name.endswith("]") and _is_ip(name[1:-1]):
        return name[1:-1]
    if name and (_is_ip(name) or _is_name(name)):
        return name
    if host_of(text):
        raise ValueError(f"{value!r}: give the host without a port (ports are not checked)")
    raise ValueError(f"{value!r} is not a host name")


@dataclass(frozen=True)
class HostPolicy:
    names: frozenset[str] = frozenset({"localhost"})
    domains: tuple[str, ...] = ("localhost",)  # from `*.DOMAIN`: any name under DOMAIN
    allow_all: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, machine_name: str = "") -> HostPolicy:
        given = [parse_allowed_host(value) for value in settings.allowed_hosts]
        names = {"localhost", *(value for value in given if not value.startswith("*"))}
        for candidate in (machine_name, settings.http_host,
                          urlsplit(settings.public_url or "").hostname or ""):
            host = host_of(candidate)
            if host:
                names.add(host)
        domains = ("localhost", *(value[2:] for value in given if value.startswith("*.")))
        return cls(frozenset(names), domains, ALLOW_ALL in given)

    def allows(self, host: str | None) -> bool:
        """Whether a host from `host_of` names this sandbox."""
        if host is None:
            return False
        if self.allow_all or host in self.names or _is_ip(host):
            return True
        return any(host.endswith("." + domain) for domain in self.domains)

    def allows_header(self, authority: str | None) -> bool:
        return self.allows(host_of(authority))


def refusal_detail(hosts: list[str]) -> str:
    if not hosts:
        return "The request has no Host header."
    if len(hosts) > 1:
        return "The request carries more than one Host header."
    name = host_of(hosts[0])
    if name is None:
        return f"The Host header {hosts[0][:255]!r} does not name a host."
    return (f"This sandbox does not answer to the host name {name!r}. If you reach it under that "
            f"name on purpose, start it with --allowed-host {name} (or GCLAP_SANDBOX_ALLOWED_HOST={name}).")


def refusal(request: Request, hosts: list[str]) -> HTTPResponse:
    """421 in the caller's format: problem+json for the API and the UI's JSON calls, else HTML."""
    detail = refusal_detail(hosts)
    error = HostNotAllowed(detail)
    if request.path.startswith(_MACHINE_PREFIXES):
        return problem_response(error.to_problem(request.path))
    page = ("<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Misdirected request</title>"
            "<h1>421 Misdirected Request</h1>"
            f"<p>{html.escape(detail)}</p></html>\n")
    return HTTPResponse(page, status=421, content_type="text/html; charset=utf-8", headers={
        "Cache-Control": "no-store", "Content-Security-Policy": "default-src 'none'",
        "X-Content-Type-Options": "nosniff"})


async def refuse_unknown_hosts(request: Request) -> HTTPResponse | None:
    hosts = request.headers.getall("host", [])
    if len(hosts) == 1 and request.app.ctx.sandbox.hosts.allows_header(hosts[0]):
        return None
    return refusal(request, hosts)


def install(app: Sanic) -> None:
    """Build the policy from the settings and check every request's Host before anything else."""
    ctx = app.ctx.sandbox
    ctx.hosts = HostPolicy.from_settings(ctx.settings, socket.gethostname())
    if ctx.hosts.allow_all:
        log.warning("--allowed-host '*': any Host is answered, so a web page elsewhere can reach this "
                    "sandbox through DNS rebinding. Prefer naming the hosts you use.")
    # The highest priority runs first: before chaos, the UI's guard and every route.
    app.register_middleware(refuse_unknown_hosts, "request", priority=1000)
