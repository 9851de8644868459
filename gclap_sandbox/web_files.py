"""Where the package's `web/` folder lives: the UI's templates and static files, and the
templates of the emails the sandbox writes itself (scheduled reports).

A wheel ships `web/` inside the package (`gclap_sandbox/web`, see pyproject's force-include);
a checkout keeps it next to the package. `web_root()` is the one place that knows both.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent  # gclap_sandbox/


def web_root() -> Path:
    """The `web/` folder: inside the installed package, else beside it in a checkout."""
    for candidate in (PACKAGE_DIR / "web", PACKAGE_DIR.parent / "web"):
        if (candidate / "templates").is_dir():
            return candidate
    raise FileNotFoundError(f"gclap-sandbox's web/ folder is missing (looked in {PACKAGE_DIR} and its parent)")
