"""Headless Chromium for the UI tests, through the PyPI `playwright` package.

Debian's chromium is used (`executable_path`), so no browser download is needed. With no
Chromium the browser tests skip with the reason, unless GCLAP_REQUIRE_BROWSER=1 (CI), where
a missing browser fails the run.
"""
from __future__ import annotations

import os
import shutil

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
