"""Only Host names that name this sandbox are answered (DNS-rebinding protection), over real HTTP."""
from __future__ import annotations

import re
import socket
from email import policy
from email.parser import BytesParser
from urllib.parse import urlsplit

import httpx
import pytest
from cli_runs import invoke_cli
from lifecycle_helpers import assert_problem, events_of, send
from ui_helpers import csrf_token

from gclap_sandbox.server.hosts import HostPolicy, host_of, parse_allowed_host
from gclap_sandbox.settings import Settings

ATTACKER = "rebind.attacker.example"
PUBLIC = "mail-sandbox.example.net"


def port_of(box) -> int:
    return urlsplit(box.extra["listen_url"]).port


def get(box, path: str, host: str, **kw) -> httpx.Response:
    """A request to the sandbox's real address that claims to be for `host`."""
    headers = {"Host": host, "Authorization": f"Bearer {box.api_key}", **kw.pop("headers", {})}
    return httpx.request(kw.pop("method", "GET"), box.extra["listen_url"] + path, headers=headers,
                         timeout=30, follow_redirects=False, **kw)


def assert_misdirected_html(response: httpx.Response, host: str) -> None:
    assert response.status_code == 421
    assert response.headers["content-type"].startswith("text/html")
    assert "Misdirected Request" in response.text and f"--allowed-host {host}" in response.text


@pytest.fixture(scope="module")
def box():
    from sandbox_process import start_sandbox

    running = start_sandbox("--public-url", f"https://{PUBLIC}/")
    yield running
    running.stop()


# --- the API, the UI and the other routes refuse a foreign Host ----------------------------

def test_an_api_request_for_a_foreign_host_is_a_421_problem_and_stores_nothing(box, unique):
    port = port_of(box)
    response = get(box, "/api/v1/emails/send/", f"{ATTACKER}:{port}", method="POST",
                   json={"to": f"x-{unique}@example.com", "subject": unique, "text": "hi"})
    problem = assert_problem(response, 421)
    assert problem["type"].endswith("/host-not-allowed") and problem["title"] == "Misdirected Request"
    assert ATTACKER in problem["detail"] and f"--allowed-host {ATTACKER}" in problem["detail"]
    listed = get(box, f"/api/v1/emails/?subject={unique}", f"127.0.0.1:{port}")
    assert listed.status_code == 200 and listed.json()["count"] == 0
    assert_problem(get(box, "/api/v1/emails/", ATTACKER), 421)
    assert_problem(get(box, "/api/v1/openapi.json", ATTACKER), 421)


@pytest.mark.parametrize("path", ["/", "/docs", "/settings/api-keys", "/login", "/static/app.css",
                                  "/no-such-page", "/t/open/" + "a" * 40])
def test_pages_docs_assets_and_tracking_for_a_foreign_host_get_a_short_html_page(box, path):
    response = get(box, path, f"{ATTACKER}:{port_of(box)}")
    assert_misdirected_html(response, ATTACKER)
    assert box.api_key not in response.text
    assert response.headers["cache-control"] == "no-store"


def test_the_uis_json_calls_for_a_foreign_host_get_a_problem(box):
    assert_problem(get(box, "/ui/api/emails/rows", ATTACKER), 421)
    assert_problem(get(box, "/ui/api/keys", ATTACKER, method="POST", json={"name": "x"}), 421)


def test_healthz_answers_on_the_loopback_address_docker_checks_but_not_a_foreign_host(box):
    assert get(box, "/healthz", f"127.0.0.1:{port_of(box)}").json()["status"] == "ok"
    assert_problem(get(box, "/healthz", ATTACKER), 421)


def test_a_malformed_or_doubled_host_header_is_refused(box):
    assert_problem(get(box, "/api/v1/emails/", "::1"), 421)  # IPv6 needs its brackets
    assert_problem(get(box, "/api/v1/emails/", "localhost:http"), 421)
    problem = assert_problem(get(box, "/api/v1/emails/", "evil<b>.example"), 421)
    assert "does not name a host" in problem["detail"]
    page = get(box, "/docs", "<script>x</script>")
    assert page.status_code == 421 and "<script>" not in page.text and "&lt;script&gt;" in page.text
    for head in ([b"Host: localhost", b"Host: " + ATTACKER.encode()], []):
        status = raw_status(box, b"GET /healthz HTTP/1.1\r\n" + b"".join(h + b"\r\n" for h in head)
                            + b"Connection: close\r\n\r\n")
        assert status == 421, head


def raw_status(box, request: bytes) -> int:
    """Send bytes no HTTP client library would, and read the status code back."""
    with socket.create_connection(("127.0.0.1", port_of(box)), timeout=30) as conn:
        conn.sendall(request)
        head = b""
        while b"\r\n" not in head:
            chunk = conn.recv(4096)
            if not chunk:
                break
            head += chunk
    return int(head.split(b" ", 2)[1])


# --- the names that are answered ------------------------------------------------------------

@pytest.mark.parametrize("host", [
    "localhost", "localhost:{port}", "LocalHost:{port}", "LOCALHOST", "localhost.:{port}", "localhost.",
    "127.0.0.1:{port}", "127.0.0.1", "[::1]:{port}", "[::1]", "[0:0:0:0:0:0:0:1]:{port}",
    "app.localhost:{port}", "localhost:1", PUBLIC, PUBLIC.upper() + ".:443",
])
def test_loopback_names_ip_literals_and_the_public_url_host_are_answered_on_any_port(box, host):
    response = get(box, "/api/v1/emails/?page_size=1", host.format(port=port_of(box)))
    assert response.status_code == 200, response.text
    assert get(box, "/healthz", host.format(port=port_of(box))).status_code == 200


def test_a_trailing_dot_does_not_sneak_a_foreign_name_in(box):
    assert_problem(get(box, "/api/v1/emails/", ATTACKER + "."), 421)
    assert_problem(get(box, "/api/v1/emails/", "localhost.attacker.example"), 421)
    assert_problem(get(box, "/api/v1/emails/", "localhost-attacker.example:80"), 421)


def test_this_machines_own_hostname_is_answered(box):
    name = socket.gethostname()
    if host_of(name) is None:
        pytest.skip(f"this machine's hostname {name!r} is not a valid host name")
    assert get(box, "/api/v1/emails/?page_size=1", f"{name}:{port_of(box)}").status_code == 200


def test_tracking_keeps_working_through_the_public_url_host(box, unique):
    listen = box.extra["listen_url"]
    with httpx.Client(base_url=listen, headers={"Authorization": f"Bearer {box.api_key}"}, timeout=30) as api:
        email = send(api, f"t-{unique}@example.com", html="<p>hi</p>", track_opens=True)
        delivered = api.get(f"/api/v1/emails/{email['id']}/raw/", params={"version": "delivered"}).content
        html = BytesParser(policy=policy.default).parsebytes(delivered).get_body(("html",)).get_content()
        pixel = urlsplit(re.search(r'<img src="([^"]+)"', html).group(1))
        assert pixel.hostname == PUBLIC
        assert get(box, pixel.path, f"{ATTACKER}:{port_of(box)}").status_code == 421
        assert not [e for e in events_of(api, email["id"]) if e["type"] == "email.opened"]
        opened = get(box, pixel.path, PUBLIC)
        assert opened.status_code == 200 and opened.content.startswith(b"GIF89a")
        assert [e["type"] for e in events_of(api, email["id"])].count("email.opened") == 1


# --- --allowed-host ---------------------------------------------------------------------------

def test_allowed_hosts_from_the_flag_and_the_environment(launch):
    box = launch("--allowed-host", "gclap", "--allowed-host", "*.example.test",
                 env={"GCLAP_SANDBOX_ALLOWED_HOST": "ignored-when-the-flag-is-given"})
    for host in ("gclap:8000", "GCLAP", "a.example.test", "b.c.example.test:9000"):
        assert get(box, "/api/v1/emails/?page_size=1", host).status_code == 200, host
    for host in ("example.test", "xexample.test", "gclap.attacker.example", "ignored-when-the-flag-is-given"):
        assert_problem(get(box, "/api/v1/emails/", host), 421)
    from_env = launch(env={"GCLAP_SANDBOX_ALLOWED_HOST": "gclap, mail.internal  other"})
    for host in ("gclap", "mail.internal", "other"):
        assert get(from_env, "/healthz", host).status_code == 200, host
    assert_problem(get(from_env, "/healthz", ATTACKER), 421)


def test_a_star_allows_every_host_and_says_so_in_the_log(launch):
    box = launch("--allowed-host", "*")
    assert get(box, "/api/v1/emails/?page_size=1", ATTACKER).status_code == 200
    assert "DNS rebinding" in box.log()


def test_docker_compose_reaches_the_sandbox_by_its_service_name_when_allowed(launch):
    """The README's compose example: bound to 0.0.0.0, reached as gclap:8000 by other containers."""
    box = launch("--http", "0.0.0.0:0", "--smtp", "0.0.0.0:0", "--allowed-host", "gclap")
    assert get(box, "/api/v1/emails/?page_size=1", "gclap:8000").status_code == 200
    assert get(box, "/healthz", "127.0.0.1:8000").status_code == 200  # the image's HEALTHCHECK
    plain = launch("--http", "0.0.0.0:0")
    problem = assert_problem(get(plain, "/api/v1/emails/", "gclap:8000"), 421)
    assert "--allowed-host gclap" in problem["detail"]


@pytest.mark.parametrize("value, message", [
    ("gclap:8000", "without a port"),
    ("a*b.example", "'*' is allowed alone or as the first label"),
    ("*.", "expected *.DOMAIN"),
    ("*.bad_name!", "expected *.DOMAIN"),
    ("bad/name", "is not a host name"),
    ("[::1", "is not a host name"),
])
def test_a_bad_allowed_host_is_a_usage_error(value, message):
    result = invoke_cli("serve", "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0", "--db", ":memory:",
                        "--allowed-host", value)
    assert result.exit_code == 1 and message in result.stderr, result.stderr
    assert result.stdout == ""


# --- the UI's Origin check compares with the allowed hosts -----------------------------------

@pytest.fixture
def guarded(launch):
    return launch("--ui-password", "pw", "--public-url", f"https://{PUBLIC}")


@pytest.fixture
def signed_in(guarded):
    ui = httpx.Client(base_url=guarded.extra["listen_url"], timeout=30, follow_redirects=False)
    with ui:
        signed = ui.post("/login", data={"password": "pw", "csrf_token": csrf_token(ui, "/login")})
        assert signed.status_code == 303, signed.text
        yield ui


def create_key(ui: httpx.Client, origin: str) -> httpx.Response:
    return ui.post("/ui/api/keys", json={"name": "from the ui"},
                   headers={"Origin": origin, "X-CSRF-Token": csrf_token(ui, "/settings/api-keys")})


def test_a_state_change_needs_an_origin_naming_an_allowed_host(guarded, signed_in):
    port = port_of(guarded)
    for origin in (f"http://{ATTACKER}:{port}", "null", f"file://{ATTACKER}/", f"http://{ATTACKER}"):
        refused = create_key(signed_in, origin)
        assert refused.status_code == 403 and refused.json()["type"].endswith("/csrf-failed"), origin
    # An allowed name other than the Host the request carries is fine (a proxy, a tunnel).
    for origin in (f"http://localhost:{port}", f"https://{PUBLIC}", f"http://[::1]:{port}"):
        assert create_key(signed_in, origin).status_code == 201, origin


def test_with_every_host_allowed_the_origin_must_match_the_host(launch):
    box = launch("--allowed-host", "*")
    with httpx.Client(base_url=box.extra["listen_url"], timeout=30) as ui:
        token = csrf_token(ui, "/settings/api-keys")
        host = urlsplit(box.extra["listen_url"]).netloc
        post = lambda origin: ui.post("/ui/api/keys", json={"name": "k"},  # noqa: E731
                                      headers={"Origin": origin, "X-CSRF-Token": token})
        assert post(f"http://{ATTACKER}").status_code == 403
        assert post(f"http://{host}").status_code == 201


# --- the policy itself -------------------------------------------------------------------------

def test_host_headers_are_read_without_port_brackets_case_or_final_dot():
    assert host_of("LocalHost.:8000") == "localhost"
    assert host_of("[::1]:8000") == "::1" and host_of("[::1]") == "::1"
    assert host_of("127.0.0.1:") == "127.0.0.1"
    for bad in (None, "", "::1", "[::1", "[::1]x", "[localhost]", "a b", "a..b", "x:99999999", "é.example"):
        assert host_of(bad) is None, bad


def test_the_policy_takes_the_http_and_public_url_hosts_and_the_machine_name():
    policy = HostPolicy.from_settings(
        Settings(http_host="devbox.lan", public_url="https://Mail.Example.NET:8443/x",
                 allowed_hosts=("*.corp.test", "gclap")), machine_name="laptop")
    for host in ("devbox.lan", "mail.example.net", "laptop", "gclap", "x.corp.test", "localhost",
                 "a.localhost", "10.1.2.3", "::1"):
        assert policy.allows(host), host
    for host in ("corp.test", "devbox", "example.net", None):
        assert not policy.allows(host), host
    assert not policy.allow_all and HostPolicy.from_settings(Settings(allowed_hosts=("*",))).allow_all


def test_allowed_host_values_are_normalized():
    assert parse_allowed_host(" Gclap. ") == "gclap"
    assert parse_allowed_host("[::1]") == "::1"
    assert parse_allowed_host("*.Example.Test") == "*.example.test"
    assert parse_allowed_host("*") == "*"
    assert parse_allowed_host("*.example.test.") == "*.example.test"
