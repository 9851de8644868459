"""Links and images: every one listed with its line, and the problems a reader or a filter would see."""
from __future__ import annotations

from checks_helpers import checks_of, problems_by_address, send_api

HTML = """<html><body>
<p><a href="https://shop.example/orders">Your orders</a></p>
<p><a href="http://shop.example/plain">Plain http</a></p>
<p><a href="https://198.51.100.4/login">Sign in</a></p>
<p><a href="https://bit.ly/abc">Read more</a></p>
<p><a href="https://track.mailer.example/c/123">www.paypal.com</a></p>
<p><a href="https://news.shop.example/a">shop.example</a></p>
<p><a href="javascript:alert(1)">Click</a> <a href="mailto:help@shop.example">help@shop.example</a></p>
<img src="https://shop.example/logo.png" alt="Shop" width="120" height="40">
<img src="https://shop.example/hero.png">
<img src="https://shop.example/badge.png" alt="" style="width: 20px; height: 20px">
<p><a href="#top">Back to top</a></p>
</body></html>"""


def test_every_link_and_image_is_listed_with_its_line_and_its_problems(api, unique):
    email = send_api(api, to=f"links-{unique}@example.com", subject="Links", html=HTML,
                     text="See https://shop.example/orders or http://shop.example/plain.")
    links = checks_of(api, email["id"])["links"]
    html_links = [(item["line"], item["url"]) for item in links["links"] if item["part"] == "html"]
    assert html_links == [(2, "https://shop.example/orders"), (3, "http://shop.example/plain"),
                          (4, "https://198.51.100.4/login"), (5, "https://bit.ly/abc"),
                          (6, "https://track.mailer.example/c/123"), (7, "https://news.shop.example/a"),
                          (8, "javascript:alert(1)"), (8, "mailto:help@shop.example")]
    assert [(item["line"], item["url"]) for item in links["links"] if item["part"] == "text"] == [
        (1, "https://shop.example/orders"), (1, "http://shop.example/plain")]
    problems = problems_by_address(links)
    assert problems == {
        "https://shop.example/orders": set(),
        "http://shop.example/plain": {"insecure"},
        "https://198.51.100.4/login": {"ip-host"},
        "https://bit.ly/abc": {"shortener"},
        "https://track.mailer.example/c/123": {"mismatched-text"},
        "https://news.shop.example/a": set(),  # a subdomain of the domain shown is the same site
        "javascript:alert(1)": {"unsafe-scheme"},
        "mailto:help@shop.example": set(),
        "https://shop.example/logo.png": set(),
        "https://shop.example/hero.png": {"missing-alt", "no-dimensions"},
        "https://shop.example/badge.png": set(),  # alt="" is decorative; inline style gives the size
    }
    mismatch = next(item for item in links["links"] if item["url"].startswith("https://track."))
    assert mismatch["text"] == "www.paypal.com"
    assert mismatch["problems"][0]["message"] == "The text shows www.paypal.com but the link goes to track.mailer.example."
    # insecure x2 (html and text), shortener, missing-alt, no-dimensions are warnings; the rest errors.
    assert (links["errors"], links["warnings"], links["problems"]) == (3, 5, 8)
    assert links["verdict"] == "fail"
    assert links["online"] is None  # nothing is requested unless --link-check online


def test_an_email_with_only_warnings_warns(api, unique):
    email = send_api(api, to=f"warn-{unique}@example.com", subject="Warn", text="x",
                     html='<p>Hello, see <a href="http://shop.example/">our shop</a></p>')
    links = checks_of(api, email["id"])["links"]
    assert (links["verdict"], links["errors"], links["warnings"]) == ("warn", 0, 1)


def test_the_online_check_is_off_by_default_and_requests_nothing(api, unique, link_target):
    email = send_api(api, to=f"offline-{unique}@example.com", subject="Offline", text="x",
                     html=f'<a href="{link_target.url}/ok">ok</a>')
    assert checks_of(api, email["id"])["links"]["online"] is None
    assert link_target.requests == []
