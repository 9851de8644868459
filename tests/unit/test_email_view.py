"""How an email's HTML and links are prepared for the UI (pure functions)."""
from __future__ import annotations

from gclap_sandbox.ui.email_view import (
    cid_path,
    extract_links,
    frame_document,
    rewrite_cids,
)


def test_cid_references_point_at_the_inline_part_route():
    html = '<img src="cid:logo@x"><div style="background:url(cid:bg)"></div>'
    out = rewrite_cids(html, lambda cid: f"/p/{cid}")
    assert out == '<img src="/p/logo@x"><div style="background:url(/p/bg)"></div>'


def test_cid_path_escapes():
    assert cid_path("e1", "<a/b@c>") == "/ui/emails/e1/cid/a%2Fb%40c"


def test_links_open_outside_the_frame():
    assert frame_document("<html><head><title>t</title></head></html>", str).startswith(
        '<html><head><base target="_blank">')
    assert frame_document("<p>x</p>", str) == '<base target="_blank"><p>x</p>'


def test_extract_links_from_html_and_text_without_duplicates():
    links = extract_links('<a href="https://a.example/x">Open <b>it</b></a><a href="#top">top</a>'
                          '<a href="javascript:alert(1)">bad</a><img src="cid:z">',
                          "See https://a.example/x and https://b.example/y.")
    assert [(l["url"], l["text"], l["part"], l["openable"]) for l in links] == [
        ("https://a.example/x", "Open it", "html", True),
        ("javascript:alert(1)", "bad", "html", False),
        ("https://b.example/y", "", "text", True),
    ]


def test_extract_links_survives_garbage():
    assert isinstance(extract_links("<a href='https://x.example'<<<", None), list)
    assert extract_links(None, None) == []
