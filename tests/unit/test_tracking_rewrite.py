"""Pure parts of tracking and lifecycle: HTML rewriting, durations, the bounce report."""
from __future__ import annotations

from datetime import datetime, timezone
from email import message_from_bytes, policy

import pytest

from gclap_sandbox.events.timeline import parse_duration
from gclap_sandbox.pipeline.bounce_report import build_report
from gclap_sandbox.pipeline.tracking import find_links, rewrite_html

HTML = ("<!DOCTYPE html>\r\n<html><head><style>a { color: red }</style>\r\n"
        "<script>var s = '<a href=\"https://in.script/\">';</script></head>\n"
        "<BODY class=\"x\">\n<p>Caf\u00e9 &amp; co &nbsp; <a class=btn HREF='https://shop.example/p?a=1&amp;b=2'>Buy</a>\n"
        "<a href=\"mailto:help@shop.example\">mail</a> <a href=\"#top\">top</a>\n"
        "<!-- <a href=\"https://commented.example/\"> -->\n"
        "<a data-gclap-track=\"off\" href=\"https://skip.example/\">skip</a>\n"
        "<a href=https://bare.example/x>bare</a><a data-href=\"https://d.example\" href=\"https://shop.example/p?a=1&amp;b=2\">again</a>\n"
        "</BODY></html>\n")


def test_only_link_targets_change_and_the_pixel_goes_before_body_end() -> None:
    seen: list[str] = []

    def click(url: str) -> str:
        seen.append(url)
        return f"https://sb.test/t/click/T{len(seen)}"

    result = rewrite_html(HTML, click_url=click, pixel_url="https://sb.test/t/open/P")
    expected = (HTML.replace("HREF='https://shop.example/p?a=1&amp;b=2'", 'HREF="https://sb.test/t/click/T1"')
                .replace("href=https://bare.example/x", 'href="https://sb.test/t/click/T2"')
                .replace('href="https://shop.example/p?a=1&amp;b=2"', 'href="https://sb.test/t/click/T3"')
                .replace("</BODY>", '<img src="https://sb.test/t/open/P" width="1" height="1" alt="" '
                         'style="display:block;border:0;width:1px;height:1px" /></BODY>'))
    assert result.html == expected
    assert seen == ["https://shop.example/p?a=1&b=2", "https://bare.example/x", "https://shop.example/p?a=1&b=2"]
    assert result.links == seen


def test_without_body_the_pixel_is_appended_and_clicks_can_stay_off() -> None:
    result = rewrite_html("<p><a href='https://x.example/'>x</a></p>", pixel_url="https://sb/t/open/P")
    assert result.html == "<p><a href='https://x.example/'>x</a></p>" + result.html[len("<p><a href='https://x.example/'>x</a></p>"):]
    assert result.html.endswith('<img src="https://sb/t/open/P" width="1" height="1" alt="" '
                                'style="display:block;border:0;width:1px;height:1px" />')
    assert result.links == []


def test_find_links_skips_what_is_not_tracked() -> None:
    assert find_links(HTML) == ["https://shop.example/p?a=1&b=2", "https://bare.example/x",
                                "https://shop.example/p?a=1&b=2"]


@pytest.mark.parametrize("text, seconds", [("3d", 259200), ("1h30m", 5400), ("90s", 90), ("2w", 1209600),
                                           ("45", 45), ("1.5h", 5400), ("1d 2h", 93600)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "3x", "d", "3d junk", "-"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_bounce_report_is_an_rfc3464_delivery_status_notification() -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    report = build_report(sender="app@shop.example", recipient="gone@example.com",
                          undelivered=b"From: app@shop.example\r\nSubject: Hi\r\n\r\nbody\r\n",
                          smtp_code=550, enhanced_code="5.1.1", reason="550 5.1.1 No such user",
                          arrival=now, bounced_at=now)
    parsed = message_from_bytes(report.as_bytes(), policy=policy.default)
    assert parsed.get_content_type() == "multipart/report"
    assert parsed.get_param("report-type") == "delivery-status"
    assert parsed["To"] == "app@shop.example"
    assert parsed["Auto-Submitted"] == "auto-replied"
    parts = parsed.get_payload()
    assert [p.get_content_type() for p in parts] == ["text/plain", "message/delivery-status", "text/rfc822-headers"]
    per_message, per_recipient = parts[1].get_payload()
    assert per_message["Reporting-MTA"] == "dns; gclap-sandbox.test"
    assert per_recipient["Final-Recipient"] == "rfc822; gone@example.com"
    assert per_recipient["Action"] == "failed"
    assert per_recipient["Status"] == "5.1.1"
    assert per_recipient["Diagnostic-Code"] == "smtp; 550 5.1.1 No such user"
    assert "Subject: Hi" in parts[2].get_content()
