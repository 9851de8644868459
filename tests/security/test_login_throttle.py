"""Failed sign-ins to the web UI are throttled per client with a doubling wait."""
from __future__ import annotations

import html
from typing import Iterator

import httpx
import pytest
from ui_helpers import csrf_token

from gclap_sandbox.ui.login_throttle import (
    FIRST_DELAY,
    FORGET_SECONDS,
    FREE_FAILURES,
    MAX_CLIENTS,
    MAX_DELAY,
    LoginThrottle,
    client_key,
)

PASSWORD = "s3cret pass"


@pytest.fixture
def guarded(launch):
    return launch("--ui-password", PASSWORD)


def ui_client(box, source: str = "127.0.0.1") -> httpx.Client:
    """A browser stand-in connecting from `source` (any 127.x address reaches a loopback server)."""
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(base_url=box.http_url, timeout=30, follow_redirects=False, transport=transport)


def visible_text(response: httpx.Response) -> str:
    return " ".join(html.unescape(response.text).split())


def sign_in(ui: httpx.Client, password: str) -> httpx.Response:
    return ui.post("/login", data={"password": password, "next": "/", "csrf_token": csrf_token(ui, "/login")})


@pytest.fixture
def ui(guarded) -> Iterator[httpx.Client]:
    with ui_client(guarded) as client:
        yield client


def test_the_first_wrong_passwords_are_just_wrong(ui):
    for _ in range(FREE_FAILURES):
        response = sign_in(ui, "guess")
        assert response.status_code == 401 and "Wrong password" in response.text
        assert "Retry-After" not in response.headers and "Too many" not in response.text


def test_after_that_every_attempt_is_refused_with_a_doubling_retry_after(ui):
    for _ in range(FREE_FAILURES):
        sign_in(ui, "guess")
    waits = []
    for _ in range(6):
        response = sign_in(ui, "guess")
        assert response.status_code == 429
        waits.append(int(response.headers["Retry-After"]))
        assert f"Too many failed sign-ins; try again in {waits[-1]} seconds." in visible_text(response)
        assert "set-cookie" not in response.headers
    assert waits == [int(FIRST_DELAY * 2 ** n) for n in range(6)]
    # Even the right password is not checked while the client must wait.
    refused = sign_in(ui, PASSWORD)
    assert refused.status_code == 429 and "set-cookie" not in refused.headers
    assert "Wrong password" not in refused.text
    assert ui.get("/").status_code == 303  # still signed out


def test_moving_the_sandbox_clock_does_not_lift_the_wait(guarded, ui):
    for _ in range(FREE_FAILURES + 6):  # the last wait is 64 s, far longer than the steps below
        sign_in(ui, "guess")
    with guarded.client() as api:
        moved = api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 30 * 24 * 3600})
        assert moved.status_code == 200, moved.text
    assert sign_in(ui, PASSWORD).status_code == 429


def test_a_right_password_clears_the_count(ui):
    for _ in range(FREE_FAILURES - 1):
        assert sign_in(ui, "guess").status_code == 401
    assert sign_in(ui, PASSWORD).status_code == 303
    ui.cookies.clear()
    for _ in range(FREE_FAILURES):
        assert sign_in(ui, "guess").status_code == 401


def test_one_clients_failures_do_not_slow_down_another(guarded, ui):
    for _ in range(FREE_FAILURES + 5):
        sign_in(ui, "guess")
    assert sign_in(ui, PASSWORD).status_code == 429
    with ui_client(guarded, source="127.0.0.2") as other:
        assert sign_in(other, PASSWORD).status_code == 303
        assert other.get("/").status_code == 200


def test_the_sign_in_page_shows_the_wait_in_a_browser(guarded, page):
    def submit(password: str) -> str:
        page.fill("#password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        wait = page.locator("#login-wait")
        return " ".join(wait.inner_text().split()) if wait.count() else ""

    page.goto(guarded.http_url + "/login")
    for _ in range(FREE_FAILURES):
        assert submit("guess") == ""
        assert page.locator("#login-error").inner_text() == "Wrong password."
    for n in range(4):
        shown = submit("guess")
        assert shown == f"Too many failed sign-ins; try again in {int(FIRST_DELAY * 2 ** n)} seconds."
    assert "Too many failed sign-ins" in submit(PASSWORD)
    assert page.url.startswith(guarded.http_url + "/login")
    assert page.locator("#login-error").count() == 0  # refused unchecked: not called wrong


# --- the rules, on a clock the test moves -----------------------------------------------------

class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def throttle(clock) -> LoginThrottle:
    return LoginThrottle(now=clock)


def fail_freely(throttle: LoginThrottle, client: str = "a") -> None:
    for _ in range(FREE_FAILURES):
        assert throttle.refuse(client) is None and throttle.failed(client) is None


def test_waiting_out_the_delay_allows_one_more_check(throttle, clock):
    fail_freely(throttle)
    assert throttle.failed("a") == FIRST_DELAY
    clock.now += FIRST_DELAY
    assert throttle.refuse("a") is None  # checked again...
    assert throttle.failed("a") == FIRST_DELAY * 2  # ...and still wrong: twice as long


def test_the_delay_stops_growing_at_its_cap(throttle):
    fail_freely(throttle)
    waits = [throttle.failed("a") for _ in range(20)]
    assert max(waits) == MAX_DELAY and waits[-1] == MAX_DELAY


def test_waiting_each_capped_delay_out_never_resets_it(throttle, clock):
    fail_freely(throttle)
    for _ in range(20):
        throttle.failed("a")
    for _ in range(5):
        clock.now += MAX_DELAY
        assert throttle.refuse("a") is None
        assert throttle.failed("a") == MAX_DELAY


def test_a_client_quiet_for_long_enough_starts_afresh(throttle, clock):
    fail_freely(throttle)
    throttle.failed("a")
    clock.now += FORGET_SECONDS + FIRST_DELAY + 1
    fail_freely(throttle)


def test_success_forgets_the_client(throttle, clock):
    fail_freely(throttle)
    throttle.failed("a")
    clock.now += FIRST_DELAY
    throttle.succeeded("a")
    fail_freely(throttle)


def test_records_are_bounded_and_the_least_recent_go_first(throttle):
    for n in range(MAX_CLIENTS + 1):
        throttle.failed(f"c{n}")
    fail_freely(throttle, "c0")  # forgotten: five free failures again
    for _ in range(FREE_FAILURES - 1):
        throttle.failed(f"c{MAX_CLIENTS}")
    assert throttle.failed(f"c{MAX_CLIENTS}") == FIRST_DELAY  # remembered


def test_ipv6_clients_count_per_64_network_and_mapped_ipv4_as_ipv4():
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:10.0.0.1") == client_key("10.0.0.1") == "10.0.0.1"
