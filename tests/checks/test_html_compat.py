"""HTML compatibility: each kind of feature is found on its line and judged with caniemail's data."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from checks_helpers import checks_of, send_api

from gclap_sandbox.checks.html_compat import MAJOR_FAMILIES, caniemail, check_html
from gclap_sandbox.checks.html_scan import scan

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "gclap_sandbox" / "checks" / "data"


def _lines_of(html: str, feature: str) -> list[int]:
    return scan(html, caniemail()["slugs"]).get(feature, [])


@pytest.mark.parametrize("html, feature, lines", [
    ("<!DOCTYPE html>\n<p>x</p>", "html-doctype", [1]),
    ("<p>a</p>\n<!-- note -->", "html-comments", [2]),
    ("<div>\n<video src=a.mp4></video></div>", "html-video", [2]),
    ("<p>\n<h2>Title</h2>\n<h3>Sub</h3>", "html-h1-h6", [2, 3]),
    ("<section>\n<article>x</article></section>", "html-semantics", [1, 2]),
    ("<table>\n<tr><td valign=top>x</td></tr></table>", "html-valign", [2]),
    ('<img\n  srcset="a.png 1x, b.png 2x" src="a.png">', "html-srcset", [1]),
    ('<a href="#top">up</a>\n<a href="mailto:a@b.test">mail</a>', "html-mailto-links", [2]),
    ('<a href="#top">up</a>', "html-anchor-links", [1]),
    ('<form>\n<input type="checkbox"><input></form>', "html-input-checkbox", [2]),
    ('<meta name="color-scheme" content="light dark">', "html-meta-color-scheme", [1]),
    ('<p>\n<img src="https://cdn.example/hero.webp">', "image-webp", [2]),
    ('<img src="data:image/png;base64,iVBORw0KGgo=">', "image-base64", [1]),
    ('<div style="display: flex">x</div>', "css-display-flex", [1]),
    ('<div\n  class="a"\n  style="color: red;\n    width: calc(100% - 2rem)">', "css-unit-calc", [4]),
    ("<style>\n.a { color: red }\n.b {\n  border-radius: 4px;\n}\n</style>", "css-border-radius", [4]),
    ("<style>\n@media (prefers-color-scheme: dark) {\n  .a { color: white }\n}</style>",
     "css-at-media-prefers-color-scheme", [2]),
    ("<style>\n@media screen {\n  .a { color: white }\n}</style>", "css-at-media", [2]),
    ("<style>\n\n@font-face { font-family: X; src: url(x.woff2) }</style>", "css-at-font-face", [3]),
    ("<style>\na:hover { color: red }\n</style>", "css-pseudo-class-hover", [2]),
    ("<style>\np::before { content: 'x' }\n</style>", "css-pseudo-element-before", [2]),
    ("<style>\n.a > .b { color: red }\n</style>", "css-selector-child", [2]),
    ("<style>\n.a .b { color: red }\n</style>", "css-selector-descendant", [2]),
    ("<style>\np.a { color: red }\n</style>", "css-selector-chaining", [2]),
    ("<style>\n[data-x] { color: red }\n</style>", "css-selector-attribute", [2]),
    ("<style>\n.a, .b { color: red }\n</style>", "css-selector-grouping", [2]),
    ("<style>\n:root { --brand: red }\n.a { color: var(--brand) }\n</style>", "css-variables", [2, 3]),
    ("<style>\n.a { color: red !important }\n</style>", "css-important", [2]),
    ("<style>\n/* theme */\n.a { color: red }\n</style>", "css-comments", [2]),
    ("<style>\n.a { background: linear-gradient(red, blue) }\n</style>", "css-linear-gradient", [2]),
    ("<style>\n.a { width: 50vw }\n</style>", "css-unit-vw", [2]),
    ("<style>\n.a { margin-inline-start: 4px }\n</style>", "css-margin-inline-start-end", [2]),
    ("<style>\n.a {\n  color: red;\n  & .b { color: blue }\n}\n</style>", "css-nesting", [4]),
    ("<style>\n@keyframes spin { from { opacity: 0 } to { opacity: 1 } }\n</style>", "css-at-keyframes", [2]),
])
def test_each_kind_of_feature_is_found_on_its_line(html, feature, lines):
    assert _lines_of(html, feature) == lines


def test_universally_supported_html_raises_no_issue_and_scores_100():
    report = check_html("<p>Hello <strong>there</strong></p>")
    assert report["score"] == 100 and report["issues"] == [] and report["verdict"] == "pass"
    assert [client["family"] for client in report["clients"]] == list(MAJOR_FAMILIES)


def test_malformed_html_is_scanned_as_far_as_it_reads():
    report = check_html('<div style="display:flex"><p>unclosed <b>tags<style>.a{color:red')
    assert {"css-display-flex"} <= {issue["feature"] for issue in report["issues"]}


def test_an_email_using_flexbox_and_media_queries_is_told_which_clients_and_lines(api, unique):
    html = ("<html><head><style>\n"
            "@media (max-width: 600px) { .col { width: 100% } }\n"
            "</style></head>\n"
            "<body><div style=\"display: flex\"><p class=\"col\">Hello</p></div></body></html>")
    email = send_api(api, to=f"flex-{unique}@example.com", subject="Layout", html=html, text="Hello")
    checks = checks_of(api, email["id"])["html"]
    issues = {issue["feature"]: issue for issue in checks["issues"]}
    flex = issues["css-display-flex"]
    assert flex["line"] == 4 and flex["url"] == "https://www.caniemail.com/features/css-display-flex/"
    assert "windows" in flex["unsupported"]["outlook"]
    assert issues["css-at-media"]["line"] == 2
    scores = {client["family"]: client["score"] for client in checks["clients"]}
    assert scores["apple-mail"] > scores["outlook"]  # Apple Mail supports both, Outlook on Windows neither
    assert checks["score"] == round(sum(scores.values()) / len(scores))
    assert checks["data"]["licence"].startswith("MIT")


def test_an_email_without_html_scores_100_with_nothing_to_judge(api, unique):
    email = send_api(api, to=f"plain-{unique}@example.com", subject="Plain", text="Just text")
    html = checks_of(api, email["id"])["html"]
    assert html["has_html"] is False and html["score"] == 100 and html["verdict"] == "pass"


def test_the_shipped_data_is_caniemails_with_its_licence_next_to_it():
    document = json.loads((DATA / "caniemail.json").read_text(encoding="utf-8"))
    assert document["source"] == "https://github.com/hteumeuleu/caniemail"
    assert len(document["features"]) > 250
    licence = (DATA / "CANIEMAIL-LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and "Rémi Parmentier" in licence
    assert "caniemail.com" in (ROOT / "README.md").read_text(encoding="utf-8")


FEATURE_PAGE = """---
title: "display:flex"
category: css
last_test_date: "2021-11-02"
stats: {
apple-mail: {
\tmacos: {
\t\t"12.4": "y"
\t}
},
\toutlook: {
\t\twindows: {
\t\t\t"2016": "n",
\t\t\t"2019": "a #1",
\t\t},
\t}
}
"notes_by_num": {
\t"1": "Only in tables."
}
---
Text of the page.
"""


def test_the_refresh_script_rebuilds_the_data_from_a_caniemail_checkout(tmp_path):
    checkout = tmp_path / "caniemail"
    (checkout / "_features").mkdir(parents=True)
    (checkout / "_data").mkdir()
    (checkout / "_features" / "css-display-flex.md").write_text(FEATURE_PAGE, encoding="utf-8")
    (checkout / "_features" / "_template.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    (checkout / "_data" / "nicenames.yml").write_text('family:\n  outlook: "Outlook"\nplatform:\n  ios: "iOS"\n',
                                                      encoding="utf-8")
    (checkout / "LICENSE").write_text("MIT License\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "refresh_caniemail.py"), str(checkout),
                             "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    document = json.loads((out / "caniemail.json").read_text(encoding="utf-8"))
    assert document["families"] == {"outlook": "Outlook"}
    [feature] = document["features"]
    assert feature["slug"] == "css-display-flex" and feature["title"] == "display:flex"
    assert feature["support"] == {"apple-mail": {"macos": "y"}, "outlook": {"windows": "a #1"}}  # newest test
    assert feature["notes"] == {"1": "Only in tables."}
    assert (out / "CANIEMAIL-LICENSE").read_text(encoding="utf-8") == "MIT License\n"


def test_the_refresh_script_also_reads_the_published_json(tmp_path):
    download = tmp_path / "data.json"
    download.write_text(json.dumps({"nicenames": {"family": {"gmail": "Gmail"}}, "data": [
        {"slug": "html-video", "title": "<video>", "category": "html", "last_test_date": "2024-01-01",
         "stats": {"gmail": {"desktop-webmail": {"2019-02": "y", "2023-01": "n"}}}, "notes_by_num": None}]}),
        encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "refresh_caniemail.py"), str(download),
                             "--out", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    [feature] = json.loads((tmp_path / "caniemail.json").read_text(encoding="utf-8"))["features"]
    assert feature["support"] == {"gmail": {"desktop-webmail": "n"}}
