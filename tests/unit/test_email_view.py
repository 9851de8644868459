"""How an email's HTML and attachments are prepared for the UI (pure functions)."""
from __future__ import annotations

from gclap_sandbox.ui.email_view import (
    as_text,
    cid_path,
    frame_document,
    preview_kind,
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


def test_only_raster_images_get_a_thumbnail_and_svg_or_html_previews_only_as_text():
    assert preview_kind("image/png") == "image"
    assert preview_kind("image/svg+xml") == "text"
    assert preview_kind("text/html") == "text"
    assert preview_kind("application/json") == "text"
    assert preview_kind("application/pdf") == "pdf"
    assert preview_kind("application/zip") is None


def test_a_text_preview_names_its_charset_so_the_browser_never_guesses():
    assert as_text("héllo".encode()) == ("héllo".encode(), "utf-8")
    assert as_text("héllo".encode("latin-1"))[1] == "windows-1252"
