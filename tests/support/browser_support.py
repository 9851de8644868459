"""Headless Chromium for the UI tests, through the PyPI `playwright` package: the session
`browser` and per-test `page` fixtures (conftest.py makes them available to every module).

Debian's chromium is used (`executable_path`), so no browser download is needed. With no
Chromium the browser tests skip with the reason, unless GCLAP_REQUIRE_BROWSER=1 (CI), where
a missing browser fails the run.
"""
from __future__ import annotations

import os
import shutil
import time
from typing import Iterator

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    configured = os.environ.get("GCLAP_CHROMIUM")
    if configured:
        return configured if os.path.exists(configured) else None
    for name in CANDIDATES:
        path = name if os.path.isabs(name) and os.path.exists(name) else shutil.which(name)
        if path:
            return path
    return None


def unavailable(reason: str) -> None:
    if os.environ.get("GCLAP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"GCLAP_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


WAIT_MS = 30_000  # how long a browser expectation may wait; generous for a busy CI machine


@pytest.fixture(scope="session")
def browser() -> Iterator:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the `playwright` package is not installed (pip install -e '.[test]')")
    path = find_chromium()
    if path is None:
        unavailable("no Chromium found (install Debian's `chromium` or set GCLAP_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the UI: {errors}"


def wait_for_script(page, expression: str, timeout: float = 30.0) -> None:
    """Wait until `expression` is true in the page, asking from here. Playwright's own
    `wait_for_function` polls by evaluating the text inside the page, which the sandbox's
    Content-Security-Policy (no 'unsafe-eval') refuses whenever the first answer is false."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"{expression} was still false after {timeout:.0f} s")
        page.wait_for_timeout(50)
