"""The web folder is found from a checkout (and, via force-include, inside the wheel)."""
from __future__ import annotations

import tomllib
from pathlib import Path

from gclap_sandbox.ui.webroot import static_url, web_root


def test_web_root_holds_templates_and_assets():
    root = web_root()
    for name in ("templates/base.html", "templates/inbox.html", "templates/email.html",
                 "templates/docs.html", "static/app.css", "static/app.js", "static/docs.js"):
        assert (root / name).is_file(), name


def test_the_wheel_ships_web_inside_the_package():
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]["web"] == "gclap_sandbox/web"


def test_static_urls_carry_a_content_hash():
    assert static_url("app.css").startswith("/static/app.css?v=")
