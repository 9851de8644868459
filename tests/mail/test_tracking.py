"""Real tracking over HTTP: the open pixel, click redirects and RFC 8058 one-click unsubscribe."""
from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Iterator

import httpx
import pytest
from lifecycle_helpers import assert_problem, events_of, send, statuses
from sandbox_process import RunningSandbox

HTML = ("<html><body>\n<p>Hi &amp; welcome <a href=\"https://shop.example/a?x=1&amp;y=2\">shop</a> "
        "<a href=\"mailto:help@shop.example\">help</a> <a href=\"#top\">top</a></p>\n</body></html>")


@pytest.fixture(scope="module")
def box(request: pytest.FixtureRequest) -> Iterator[RunningSandbox]:
    from sandbox_process import start_sandbox

    running = start_sandbox("--public-url", "https://mail-sandbox.example.net/")
    yield running
    running.stop()


@pytest.fixture
def api(box: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=box.extra["listen_url"], headers={"Authorization": f"Bearer {box.api_key}"},
                      timeout=30) as client:
        yield client


def _local(box: RunningSandbox, url: str) -> str:
    """Tracking URLs use --public-url; reach the same path on the local server."""
    assert url.startswith("https://mail-sandbox.example.net/t/"), url
    return box.extra["listen_url"] + url.removeprefix("https://mail-sandbox.example.net")


def _delivered(api: httpx.Client, email_id: str) -> EmailMessage:
    response = api.get(f"/api/v1/emails/{email_id}/raw/", params={"version": "delivered"})
    assert response.status_code == 200 and response.headers["content-type"] == "message/rfc822"
    return message_from_bytes(response.content, policy=policy.default)


def _tracked(api: httpx.Client, email_id: str) -> dict:
    """The email as the API shows it, with `html` as the recipient gets it (the delivered version)."""
    detail = api.get(f"/api/v1/emails/{email_id}/").json()
    html = _delivered(api, email_id).get_body(("html",)).get_content()
    return {**detail, "html": html.replace("\r\n", "\n").removesuffix("\n")}  # MIME line endings


def test_pixel_and_links_use_unguessable_public_urls(box: RunningSandbox, api: httpx.Client, unique: str) -> None:
    email = send(api, f"ana-{unique}@example.com", html=HTML, track_opens=True, track_clicks=True)
    html = _tracked(api, email["id"])["html"]
    click = re.search(r'<a href="([^"]+)">shop</a>', html).group(1)
    pixel = re.search(r'<img src="([^"]+)"', html).group(1)
    for url in (click, pixel):
        assert len(url.rsplit("/", 1)[1]) >= 32
    assert api.get(f"/api/v1/emails/{email['id']}/").json()["html"] == HTML  # the API gives back what was sent
    # Everything but the tracked link and the pixel is exactly as sent.
    assert html == HTML.replace("https://shop.example/a?x=1&amp;y=2", click).replace(
        "</body>", f'<img src="{pixel}" width="1" height="1" alt="" '
        'style="display:block;border:0;width:1px;height:1px" /></body>')


def test_opening_records_user_agent_ip_and_unique_opens(box: RunningSandbox, api: httpx.Client, unique: str) -> None:
    to = f"ben-{unique}@example.com"
    email = send(api, to, html=HTML, track_opens=True)
    pixel = re.search(r'<img src="([^"]+)"', _tracked(api, email["id"])["html"]).group(1)
    for agent in ("Thunderbird/1", "Phone/2"):
        response = httpx.get(_local(box, pixel), headers={"User-Agent": agent})
        assert response.status_code == 200 and response.headers["content-type"] == "image/gif"
        assert response.content.startswith(b"GIF89a")
        assert "no-store" in response.headers["cache-control"]
    opens = [e for e in events_of(api, email["id"]) if e["type"] == "email.opened"]
    assert [(e["recipient"], e["data"]["user_agent"], e["data"]["ip"], e["data"]["unique"]) for e in opens] == [
        (to, "Thunderbird/1", "127.0.0.1", True), (to, "Phone/2", "127.0.0.1", False)]
    assert statuses(api, email["id"]) == ("opened", {to: "opened"})


def test_clicking_redirects_to_the_original_link(box: RunningSandbox, api: httpx.Client, unique: str) -> None:
    email = send(api, f"cy-{unique}@example.com", html=HTML, track_clicks=True)
    html = _tracked(api, email["id"])["html"]
    assert "<img" not in html and 'href="mailto:help@shop.example"' in html and 'href="#top"' in html
    click = re.search(r'<a href="([^"]+)">shop</a>', html).group(1)
    response = httpx.get(_local(box, click), follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "https://shop.example/a?x=1&y=2"
    [clicked] = [e for e in events_of(api, email["id"]) if e["type"] == "email.clicked"]
    assert clicked["data"]["url"] == "https://shop.example/a?x=1&y=2" and clicked["data"]["unique"] is True


def test_tracking_is_off_unless_asked(api: httpx.Client, unique: str) -> None:
    email = send(api, f"dee-{unique}@example.com", html=HTML)
    detail = _tracked(api, email["id"])
    assert detail["html"] == HTML
    assert "List-Unsubscribe" not in {h["name"] for h in detail["headers"]}


def test_one_click_unsubscribe(box: RunningSandbox, api: httpx.Client, unique: str) -> None:
    to = f"eve-{unique}@example.com"
    email = send(api, to, html=HTML, category="marketing")
    assert b"List-Unsubscribe" not in api.get(f"/api/v1/emails/{email['id']}/raw/").content  # as received
    headers = _delivered(api, email["id"])
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(https://[^>]+)>", headers["List-Unsubscribe"]).group(1)
    local = _local(box, url)

    page = httpx.get(local)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert to in page.text and "<form method=post>" in page.text
    # `email.delivered` follows on its own a moment after sending; what the test drives is the rest.
    driven = lambda: [e["type"] for e in events_of(api, email["id"]) if e["type"] != "email.delivered"]  # noqa: E731
    assert driven() == ["email.sent"]  # GET changes nothing

    done = httpx.post(local, content=b"List-Unsubscribe=One-Click",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200 and "Unsubscribed" in done.text
    assert httpx.post(local, content=b"List-Unsubscribe=One-Click").status_code == 200  # idempotent
    assert driven() == ["email.sent", "email.unsubscribed"]
    assert api.get("/api/v1/suppressions/", params={"email": to}).json()["results"][0]["reason"] == "unsubscribe"
    later = send(api, to)
    assert [e["type"] for e in events_of(api, later["id"])] == ["email.suppressed"]


def test_unknown_tokens_are_404(box: RunningSandbox) -> None:
    for method, path in (("GET", "/t/open/nope"), ("GET", "/t/click/nope"), ("GET", "/t/unsubscribe/nope"),
                         ("POST", "/t/unsubscribe/nope")):
        assert_problem(httpx.request(method, box.extra["listen_url"] + path), 404)
