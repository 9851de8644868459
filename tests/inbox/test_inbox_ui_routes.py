"""The inbox page's own routes over plain HTTP: the selection rule (never empty, never wider
than asked), tags, release's confirmed upstream, the page size and the tag list."""
from __future__ import annotations

import re

import httpx
import pytest
from helpers import assert_problem
from ui_helpers import csrf_token, send_api

ROUTES = [("POST", "/ui/api/emails/read", {}), ("POST", "/ui/api/emails/tags", {"add": ["x"]}),
          ("DELETE", "/ui/api/emails", {})]


@pytest.fixture
def ui(sandbox):
    with httpx.Client(base_url=sandbox.http_url, timeout=30) as client:
        yield client


def send(ui: httpx.Client, method: str, path: str, body: object = None) -> httpx.Response:
    extra = {} if body is None else {"json": body}
    return ui.request(method, path, headers={"X-CSRF-Token": csrf_token(ui)}, **extra)


@pytest.mark.parametrize("method, path, extra", ROUTES)
@pytest.mark.parametrize("selection", [None, {}, {"ids": []}, {"ids": None}, {"q": ""}, {"all": False},
                                       {"ids": ["00000000-0000-4000-8000-000000000000"], "all": True}],
                         ids=repr)
def test_an_empty_or_missing_selection_never_widens_an_inbox_action(api, ui, unique, method, path, extra, selection):
    email = send_api(api, subject=f"safe {unique}", tags=[f"s-{unique}"])
    body = None if selection is None else {**selection, **extra}
    assert_problem(send(ui, method, path, body), 400)
    after = api.get(f"/api/v1/emails/{email['id']}/").json()
    assert after["is_read"] is False and after["tags"] == [f"s-{unique}"]


def test_tagging_and_untagging_selected_ids_from_the_page(api, ui, unique):
    email = send_api(api, subject=f"tag me {unique}")
    added = send(ui, "POST", "/ui/api/emails/tags", {"ids": [email["id"]], "add": [f"ui-{unique}"]})
    assert added.status_code == 200 and added.json()["changed"] == 1
    assert api.get(f"/api/v1/emails/{email['id']}/").json()["tags"] == [f"ui-{unique}"]
    removed = send(ui, "POST", "/ui/api/emails/tags", {"ids": [email["id"]], "remove": [f"ui-{unique}"]})
    assert removed.json()["changed"] == 1
    assert_problem(send(ui, "POST", "/ui/api/emails/tags", {"ids": [email["id"]], "add": []}), 400)
    assert_problem(send(ui, "POST", "/ui/api/emails/tags", {"ids": [email["id"]], "add": ["a,b"]}), 400)


def test_renaming_from_the_page_needs_a_tag_that_exists(api, ui, unique):
    send_api(api, subject=unique, tags=[f"old-{unique}"])
    assert_problem(send(ui, "POST", "/ui/api/tags/rename", {"from": f"none-{unique}", "to": "x"}), 404)
    assert_problem(send(ui, "POST", "/ui/api/tags/rename", {"from": f"old-{unique}"}), 400)
    answer = send(ui, "POST", "/ui/api/tags/rename", {"from": f"old-{unique}", "to": f"new-{unique}"})
    assert answer.json() == {"changed": 1}


def test_release_from_the_list_needs_a_relay_and_the_upstream_the_user_confirmed(launch, smtp_sink):
    box = launch("--relay", smtp_sink.url, "--relay-mode", "manual")
    with box.client() as api, httpx.Client(base_url=box.http_url, timeout=30) as page:
        email = send_api(api, subject="go", to=["dev@example.com"])
        assert_problem(send(page, "POST", "/ui/api/emails/release", {"ids": [email["id"]]}), 400)
        assert_problem(send(page, "POST", "/ui/api/emails/release", {"ids": [], "confirm_upstream": smtp_sink.url}), 400)
        wrong = assert_problem(send(page, "POST", "/ui/api/emails/release",
                                    {"ids": [email["id"]], "confirm_upstream": "smtp://elsewhere.example:25"}), 409)
        assert wrong["upstream"] == smtp_sink.url
        assert smtp_sink.handler.messages == []
        sent = send(page, "POST", "/ui/api/emails/release", {"ids": [email["id"]], "confirm_upstream": smtp_sink.url})
        assert sent.status_code == 200 and sent.json()["released"] == 1
        assert smtp_sink.wait_for(1)[0].rcpt_tos == ["dev@example.com"]


def test_release_from_the_list_without_a_relay_is_a_conflict(api, ui, unique):
    email = send_api(api, subject=unique)
    assert_problem(send(ui, "POST", "/ui/api/emails/release", {"ids": [email["id"]], "confirm_upstream": "x"}), 409)


def test_the_page_size_comes_from_the_address_then_the_cookie_and_odd_values_fall_back(launch):
    box = launch()
    with box.client() as api, httpx.Client(base_url=box.http_url, timeout=30) as page:
        for n in range(60):
            send_api(api, subject=f"n{n}")

        def rows(**kw) -> int:
            return len(re.findall(r'<li class="row', page.get("/", **kw).text))

        assert rows() == 50
        assert rows(params={"size": "25"}) == 25
        assert rows(params={"size": "7"}) == 50
        assert rows(params={"size": "x"}) == 50
        page.cookies.set("gclap_inbox_size", "100")
        assert rows() == 60
        assert rows(params={"size": "25"}) == 25  # the address wins


def test_the_inbox_lists_tags_with_counts_as_filter_links(launch):
    box = launch()
    with box.client() as api, httpx.Client(base_url=box.http_url, timeout=30) as page:
        send_api(api, tags=["two words", "one"])
        send_api(api, tags=["one"])
        html = page.get("/").text
    links = re.findall(r'<a class="tag tag-filter" href="([^"]+)"[^>]*data-tag="([^"]+)">', html)
    assert links == [("/?q=tag%3Aone", "one"), ("/?q=tag%3A%22two%20words%22", "two words")]
    assert re.search(r'data-tag="one">one <span class="tag-count"><span class="visually-hidden">, </span>2', html)
