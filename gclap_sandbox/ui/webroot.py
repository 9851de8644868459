"""The Jinja2 environment that renders the web UI, and versioned URLs for its static files."""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import jinja2
from markupsafe import Markup, escape

from gclap_sandbox.web_files import web_root

__all__ = ["make_environment", "static_url", "static_version", "web_root", "prose"]


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
