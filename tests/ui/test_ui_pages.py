"""The web UI over plain HTTP: pages, search, paging, the JSON calls and their bad input."""
from __future__ import annotations

import re

import httpx
import pytest
from ui_helpers import PNG, csrf_token, rich_email, send_api, send_smtp


@pytest.fixture
def ui(sandbox):
    with httpx.Client(base_url=sandbox.http_url, timeout=30, follow_redirects=False) as client:
        yield client


def subjects(html: str) -> list[str]:
    return re.findall(r'<span class="subject">([^<]*)</span>', html)


def test_inbox_lists_mail_newest_first_with_its_markers(api, ui, unique):
    send_api(api, subject=f"first {unique}")
    rich_email(api, f"second {unique}")
    page = ui.get("/", params={"q": unique})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert subjects(page.text) == [f"second {unique}", f"first {unique}"]
    assert "Billing Team" in page.text and "receipt</span>" in page.text  # sender, tag
    assert 'class="clip"' in page.text and 'class="row unread"' in page.text
    assert "status-sent" in page.text
    assert "db;dur=" in page.headers["server-timing"]


@pytest.mark.parametrize("query, expected", [
    ("subject:alpha-{u}", ["alpha-{u}"]),
    ("from:carol-{u}", ["beta-{u}"]),
    ("to:dave-{u}", ["gamma-{u}"]),
    ("tag:t-{u}", ["alpha-{u}"]),
    ("has:attachment {u}", ["gamma-{u}"]),
    ("-subject:alpha {u}", ["gamma-{u}", "beta-{u}"]),
    ("{u} is:unread", ["gamma-{u}", "beta-{u}", "alpha-{u}"]),
    ("{u} before:2000-01-01", []),
    ("{u} after:2000-01-01", ["gamma-{u}", "beta-{u}", "alpha-{u}"]),
])
def test_search_language_narrows_the_inbox(api, ui, unique, query, expected):
    send_api(api, subject=f"alpha-{unique}", tags=[f"t-{unique}"])
    send_api(api, subject=f"beta-{unique}", from_email=f"carol-{unique}@example.com")
    rich_email(api, f"gamma-{unique}", bcc=[f"dave-{unique}@example.com"])
    page = ui.get("/", params={"q": query.format(u=unique)})
    assert page.status_code == 200
    assert subjects(page.text) == [s.format(u=unique) for s in expected]


def test_free_text_matches_the_preview_too(api, ui, unique):
    send_api(api, subject="plain", text=f"the code is zz{unique}")
    assert subjects(ui.get("/", params={"q": f"zz{unique}"}).text) == ["plain"]


@pytest.mark.parametrize("query, message", [
    ("is:maybe", "Unknown is:maybe"),
    ("status:lost", "Unknown status:lost"),
    ("from:", "from: needs a value"),
    ('subject:"order 42', "The quote in subject:&#34;order 42 is not closed"),
    ("before:soon", "before:soon is not a date"),
    ("-", "Nothing to search for"),
    ("x" * 501, "the limit is 500"),
])
def test_bad_searches_say_what_is_wrong_and_disable_the_bulk_buttons(ui, query, message):
    page = ui.get("/", params={"q": query})
    assert page.status_code == 200
    assert re.search(r'class="notice notice-warn" role="alert">[^<]*' + re.escape(message), page.text), page.text
    assert re.search(r'data-action="mark-read" disabled', page.text)
    assert re.search(r'data-action="delete" disabled', page.text)


def test_paging_walks_every_email_once(launch):
    box = launch()
    with box.client() as api:
        for n in range(120):
            send_api(api, subject=f"m{n:03d}")
    seen: list[str] = []
    with httpx.Client(base_url=box.http_url) as ui:
        page = ui.get("/")
        assert "1–50 of 120" in page.text
        for _ in range(10):  # three pages expected; a pager that loops fails instead of hanging
            seen.extend(subjects(page.text))
            older = re.search(r'href="/\?before=([^"&]+)"', page.text)
            if not older:
                break
            page = ui.get(f"/?before={older.group(1)}")
        else:
            pytest.fail(f"the Older link never ran out; pages so far: {len(seen)} rows")
        assert seen == [f"m{n:03d}" for n in reversed(range(120))]
        assert "101–120 of 120" in page.text
        newer = re.search(r'href="/\?after=([^"&]+)"', page.text).group(1)
        back = ui.get(f"/?after={newer}")
        assert subjects(back.text) == [f"m{n:03d}" for n in reversed(range(20, 70))]
        assert "51–100 of 120" in back.text


@pytest.mark.parametrize("param", ["before", "after"])
def test_bad_cursor_is_a_400_page(ui, param):
    page = ui.get("/", params={param: "not-a-cursor"})
    assert page.status_code == 400
    assert "text/html" in page.headers["content-type"]
    assert "Not a page cursor" in page.text


def test_live_rows_endpoint_returns_only_newer_matching_rows(api, ui, unique):
    send_api(api, subject=f"old {unique}")
    top = re.search(r'data-top="([^"]+)"', ui.get("/", params={"q": unique}).text).group(1)
    send_api(api, subject=f"new {unique}")
    send_api(api, subject="unrelated")
    data = ui.get("/ui/api/emails/rows", params={"q": unique, "above": top}).json()
    assert data["count"] == 1 and subjects(data["html"]) == [f"new {unique}"]
    assert data["total"] == 2 and data["unread"] >= 2


def test_live_rows_bad_cursor_is_problem_json(ui):
    response = ui.get("/ui/api/emails/rows", params={"above": "x"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "above" in response.json()["errors"]


def test_email_page_shows_every_view(api, ui, unique):
    email = rich_email(api, f"receipt {unique}")
    page = ui.get(f"/emails/{email['id']}")
    assert page.status_code == 200
    text = page.text
    assert f"receipt {unique}" in text
    assert f'src="/ui/emails/{email["id"]}/html"' in text
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in text  # no scripts, no same-origin
    assert "Thanks for your order.\nView it at" in text  # text part
    assert "Content-Type: multipart/" in text  # source
    assert "<th scope=\"row\">Message-ID</th>" in text  # headers
    assert "https://shop.example/orders/42" in text  # links
    assert "receipt.txt" in text and "logo.png" in text
    assert "ops@example.com" in text and ">cc<" in text  # recipients panel


def test_viewing_an_email_marks_it_read(api, ui, unique):
    email = send_api(api, subject=f"unread {unique}")
    assert 'class="row unread"' in ui.get("/", params={"q": unique}).text
    ui.get(f"/emails/{email['id']}")
    assert 'class="row unread"' not in ui.get("/", params={"q": unique}).text
    assert api.get(f"/api/v1/emails/{email['id']}/").json()["is_read"] is True


def test_unknown_email_is_a_404_page(ui):
    page = ui.get("/emails/00000000-0000-4000-8000-000000000000")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]


def test_html_body_is_served_under_a_script_free_sandbox_csp(api, ui, unique):
    email = rich_email(api, f"csp {unique}", html='<p>hi</p><script>alert(1)</script><img src="cid:logo@shop">')
    response = ui.get(f"/ui/emails/{email['id']}/html")
    csp = response.headers["content-security-policy"]
    assert csp.startswith("sandbox ") and "allow-scripts" not in csp and "allow-same-origin" not in csp
    assert "script-src 'none'" in csp
    assert f'src="/ui/emails/{email["id"]}/cid/logo%40shop"' in response.text


def test_inline_image_and_attachment_download(api, ui, unique):
    email = rich_email(api, f"files {unique}")
    image = ui.get(f"/ui/emails/{email['id']}/cid/logo%40shop")
    assert image.status_code == 200 and image.content == PNG and image.headers["content-type"] == "image/png"
    detail = api.get(f"/api/v1/emails/{email['id']}/").json()
    receipt = next(a for a in detail["attachments"] if a["filename"] == "receipt.txt")
    download = ui.get(f"/ui/emails/{email['id']}/attachments/{receipt['id']}")
    assert download.content == b"Order 42: 3 items"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in download.headers["content-security-policy"]
    assert ui.get(f"/ui/emails/{email['id']}/cid/nope").status_code == 404
    raw = ui.get(f"/ui/emails/{email['id']}/raw")
    assert raw.headers["content-type"] == "message/rfc822" and b"Subject: files" in raw.content


def test_state_changes_need_the_csrf_token(api, ui, unique):
    email = send_api(api, subject=f"keep {unique}")
    assert ui.delete(f"/ui/api/emails/{email['id']}").status_code == 403
    wrong = ui.delete(f"/ui/api/emails/{email['id']}", headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403 and wrong.json()["type"].endswith("csrf-failed")
    assert api.get(f"/api/v1/emails/{email['id']}/").status_code == 200
    token = csrf_token(ui)
    evil = ui.delete(f"/ui/api/emails/{email['id']}",
                     headers={"X-CSRF-Token": token, "Origin": "http://evil.example"})
    assert evil.status_code == 403
    ok = ui.delete(f"/ui/api/emails/{email['id']}", headers={"X-CSRF-Token": token})
    assert ok.status_code == 200 and ok.json()["deleted"] == 1
    assert api.get(f"/api/v1/emails/{email['id']}/").status_code == 404


def test_mark_read_and_unread(api, ui, unique):
    one, two = send_api(api, subject=f"a {unique}"), send_api(api, subject=f"b {unique}")
    token = csrf_token(ui)
    response = ui.post("/ui/api/emails/read", json={"ids": [one["id"], two["id"]]}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200 and response.json()["changed"] == 2
    response = ui.post("/ui/api/emails/read", json={"ids": [one["id"]], "read": False},
                       headers={"X-CSRF-Token": token})
    assert response.json()["changed"] == 1
    assert api.get(f"/api/v1/emails/{one['id']}/").json()["is_read"] is False


@pytest.mark.parametrize("body", [
    {}, {"ids": ["nope"]}, {"ids": [], "all": True}, {"all": "yes"}, {"ids": "x"}, [1],
    {"all": False}, {"q": ""}, {"q": "  "}, {"q": "from:"}, {"q": "x", "ids": []}, {"q": 5},
    {"ids": [], "expected": 0}, {"all": True, "expected": -1},
])
def test_mark_read_bad_input_is_400_and_changes_nothing(api, ui, unique, body):
    email = send_api(api, subject=f"bad {unique}")
    response = ui.post("/ui/api/emails/read", json=body, headers={"X-CSRF-Token": csrf_token(ui)})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert api.get(f"/api/v1/emails/{email['id']}/").json()["is_read"] is False


def test_mark_read_needs_a_json_body(ui):
    response = ui.post("/ui/api/emails/read", content=b"{", headers={"X-CSRF-Token": csrf_token(ui)})
    assert response.status_code == 400


def test_delete_all_and_mark_all_read_take_an_explicit_all(launch):
    box = launch()
    with box.client() as api, httpx.Client(base_url=box.http_url) as ui:
        for n in range(3):
            send_api(api, subject=f"x{n}")
        token = csrf_token(ui)
        marked = ui.post("/ui/api/emails/read", json={"all": True}, headers={"X-CSRF-Token": token}).json()
        assert marked == {"changed": 3, "unread": 0}
        assert ui.request("DELETE", "/ui/api/emails", headers={"X-CSRF-Token": token}).status_code == 400
        assert ui.request("DELETE", "/ui/api/emails", json={}, headers={"X-CSRF-Token": token}).status_code == 400
        assert api.get("/api/v1/emails/").json()["count"] == 3
        deleted = ui.request("DELETE", "/ui/api/emails", json={"all": True}, headers={"X-CSRF-Token": token})
        assert deleted.json() == {"deleted": 3, "unread": 0}
        assert api.get("/api/v1/emails/").json()["count"] == 0
        assert "Waiting for mail" in ui.get("/").text


def test_server_sent_events_announce_new_mail(sandbox, api, unique):
    with httpx.Client(base_url=sandbox.http_url, timeout=30) as ui:
        with ui.stream("GET", "/ui/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines()
            assert next(lines).startswith("retry:")
            send_smtp(sandbox, f"live {unique}")
            for line in lines:
                if line.startswith("data:") and unique in line:
                    assert '"unread":' in line
                    break


def test_docs_page_examples_are_prefilled_for_this_sandbox(sandbox, ui):
    import html as html_lib

    page = ui.get("/docs")
    assert page.status_code == 200
    text = html_lib.unescape(page.text)
    assert f"curl -X POST '{sandbox.http_url}/api/v1/emails/send/'" in text
    assert f"-H 'Authorization: Bearer {sandbox.api_key}'" in text  # curl
    assert f"headers={{'Authorization': 'Bearer {sandbox.api_key}'}}" in text  # Python
    assert f"fetch('{sandbox.http_url}/api/v1/emails/send/'" in text  # JavaScript
    assert "YOUR_API_KEY" not in text
    assert f"smtplib.SMTP('localhost', {sandbox.smtp_port})" in text


def test_docs_page_lists_every_route_of_the_openapi_document_with_its_scope(api, ui):
    import html as html_lib

    document = api.get("/api/v1/openapi.json").json()
    text = html_lib.unescape(ui.get("/docs").text)
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            anchor = re.sub(r"[^a-z0-9]+", "-", f"{method}-{path}".lower()).strip("-")
            article = text[text.index(f'id="{anchor}"'):]
            article = article[:article.index("</article>")]
            assert f"<code>{path}</code>" in article and method.upper() in article, (method, path)
            if operation.get("x-required-scope"):
                assert f"Scope <code>{operation['x-required-scope']}</code>" in article, (method, path)


def test_docs_page_is_in_our_own_words(ui):
    text = ui.get("/docs").text
    for borrowed in ("Everything you need to integrate Gclap", "Sign up and create an API key",
                     "Our team is here to help"):
        assert borrowed not in text


def test_static_assets_are_served_with_hashed_urls(ui):
    page = ui.get("/").text
    css = re.search(r'href="(/static/app\.css\?v=[0-9a-f]+)"', page).group(1)
    response = ui.get(css)
    assert response.status_code == 200 and "color-scheme: light dark" in response.text
    assert ui.get("/static/../pyproject.toml").status_code in (400, 404)


def test_an_asset_asked_for_by_its_current_hash_is_cached_for_good_and_any_other_is_checked_each_time(ui):
    page = ui.get("/").text
    script = re.search(r'src="(/static/app\.js\?v=[0-9a-f]+)"', page).group(1)
    assert ui.get(script).headers["cache-control"] == "public, max-age=31536000, immutable"
    unversioned, stale = script.split("?")[0], script.split("?")[0] + "?v=0000000000"
    assert ui.get(unversioned).headers["cache-control"] == "no-cache"
    assert ui.get(stale).headers["cache-control"] == "no-cache"
    assert ui.get("/static/no-such-file.js?v=0000000000").status_code == 404
