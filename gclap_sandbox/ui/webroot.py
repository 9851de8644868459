"""Where the web UI's files live, and the Jinja2 environment that renders them.

A wheel ships `web/` inside the package (`gclap_sandbox/web`, see pyproject's force-include);
a checkout keeps it next to the package. `web_root()` is the one place that knows both.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # gclap_sandbox/, above ui/


def web_root() -> Path:
    """The `web/` folder: inside the installed package, else beside it in a checkout."""
    for candidate in (PACKAGE_DIR / "web", PACKAGE_DIR.parent / "web"):
        if (candidate / "templates").is_dir():
            return candidate
    raise FileNotFoundError(f"gclap-sandbox's web/ folder is missing (looked in {PACKAGE_DIR} and its parent)")


@lru_cache(maxsize=None)
def static_version(name: str) -> str:
    """A short content hash, appended to asset URLs so browsers never keep a stale copy."""
    return hashlib.sha256((web_root() / "static" / name).read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    return f"/static/{name}?v={static_version(name)}"


def make_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(web_root() / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["static_url"] = static_url
    env.filters["prose"] = prose
    return env


def prose(text: str) -> Markup:
    """Short descriptive text with `code` spans and paragraph breaks, escaped."""
    escaped = str(escape(text))
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return Markup(escaped.replace("\n\n", "<br><br>"))
