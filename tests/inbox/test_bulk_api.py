"""The bulk routes of the emails API: read/unread, tags, delete, release, the tag list and rename.
A selection is `ids`, `q` or `all: true`; nothing empty or missing ever widens to the inbox."""
from __future__ import annotations

import subprocess
import sys
from email.message import EmailMessage

import pytest
from helpers import assert_problem, smtp_send
from ui_helpers import send_api


def email_of(api, email_id: str) -> dict:
    return api.get(f"/api/v1/emails/{email_id}/").json()


def tagged(api, tag: str) -> list[dict]:
    return api.get("/api/v1/emails/", params={"tag": tag, "page_size": 100}).json()["results"]


def test_mark_read_and_unread_by_ids_changes_only_those_emails(api, unique):
    picked = [send_api(api, subject=f"pick {n} {unique}") for n in range(2)]
    other = send_api(api, subject=f"other {unique}")
    answer = api.post("/api/v1/emails/bulk/read/", json={"ids": [e["id"] for e in picked]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["changed"] == 2
    assert [email_of(api, e["id"])["is_read"] for e in picked] == [True, True]
    assert email_of(api, other["id"])["is_read"] is False
    again = api.post("/api/v1/emails/bulk/read/", json={"ids": [picked[0]["id"]], "read": False})
    assert again.json()["changed"] == 1 and email_of(api, picked[0]["id"])["is_read"] is False


def test_tags_are_added_and_removed_on_a_search_across_every_page(api, unique):
    emails = [send_api(api, subject=f"batch {unique} {n}", tags=[f"old-{unique}"]) for n in range(3)]
    answer = api.post("/api/v1/emails/bulk/tags/", json={
        "q": f"tag:old-{unique}", "add": [f"New-{unique}", f"new-{unique}"], "remove": [f"OLD-{unique}"],
        "expected": 3})
    assert answer.status_code == 200, answer.text
    assert answer.json()["changed"] == 3
    assert [email_of(api, e["id"])["tags"] for e in emails] == [[f"New-{unique}"]] * 3
    assert tagged(api, f"old-{unique}") == []
    assert len(tagged(api, f"New-{unique}")) == 3  # the tag filter sees the new rows too


def test_adding_a_tag_an_email_already_has_changes_nothing(api, unique):
    email = send_api(api, subject=unique, tags=["keep", f"t-{unique}"])
    answer = api.post("/api/v1/emails/bulk/tags/", json={"ids": [email["id"]], "add": [f"T-{unique}"]})
    assert answer.json()["changed"] == 0
    assert email_of(api, email["id"])["tags"] == ["keep", f"t-{unique}"]


def test_delete_by_ids_removes_those_and_skips_ids_that_do_not_exist(api, unique):
    gone, kept = send_api(api, subject=f"gone {unique}"), send_api(api, subject=f"kept {unique}")
    answer = api.post("/api/v1/emails/bulk/delete/",
                      json={"ids": [gone["id"], "00000000-0000-4000-8000-000000000000"]})
    assert answer.status_code == 200 and answer.json()["deleted"] == 1
    assert api.get(f"/api/v1/emails/{gone['id']}/").status_code == 404
    assert api.get(f"/api/v1/emails/{kept['id']}/").status_code == 200


@pytest.mark.parametrize("path", ["read", "tags", "delete"])
@pytest.mark.parametrize("body", [
    {}, {"ids": []}, {"q": ""}, {"q": "   "}, {"q": "from:"}, {"q": 'subject:"open'}, {"all": False},
    {"ids": None}, {"q": None}, {"ids": ["not-a-uuid"]}, {"q": "tag:a", "all": True},
    {"ids": ["00000000-0000-4000-8000-000000000000"], "q": "tag:a"},
    {"ids": ["00000000-0000-4000-8000-000000000000"], "expected": 1},
], ids=lambda body: repr(body))
def test_an_empty_missing_or_faulty_selection_is_refused_and_changes_nothing(api, unique, path, body):
    email = send_api(api, subject=f"untouched {unique}", tags=[f"u-{unique}"])
    extra = {"add": ["x"]} if path == "tags" else {}
    problem = assert_problem(api.post(f"/api/v1/emails/bulk/{path}/", json={**body, **extra}), 400)
    assert problem["errors"]
    after = email_of(api, email["id"])
    assert after["is_read"] is False and after["tags"] == [f"u-{unique}"]


@pytest.mark.parametrize("tags", [{}, {"add": []}, {"add": [" "]}, {"add": ["a,b"]}, {"remove": ["line\nbreak"]},
                                  {"add": ["x" * 201]}, {"add": "solo"}])
def test_a_tag_change_needs_real_tags(api, unique, tags):
    email = send_api(api, subject=f"tags {unique}")
    problem = assert_problem(api.post("/api/v1/emails/bulk/tags/", json={"ids": [email["id"]], **tags}), 400)
    assert set(problem["errors"]) & {"add", "remove", "add[0]", "remove[0]"}
    assert email_of(api, email["id"])["tags"] == []


def test_a_search_action_is_refused_when_the_confirmed_count_changed(api, unique):
    for n in range(2):
        send_api(api, subject=f"c{n}", tags=[f"cnt-{unique}"])
    problem = assert_problem(api.post("/api/v1/emails/bulk/delete/",
                                      json={"q": f"tag:cnt-{unique}", "expected": 5}), 409)
    assert problem["count"] == 2
    assert len(tagged(api, f"cnt-{unique}")) == 2


def test_bulk_routes_need_the_write_scope(sandbox, api, unique):
    key = api.post("/api/v1/accounts/api-keys/", json={"name": f"ro-{unique}", "scopes": ["emails:read"]}).json()
    email = send_api(api, subject=unique)
    with sandbox.client(api_key=key["key"]) as reader:
        for path, body in (("read", {"ids": [email["id"]]}), ("tags", {"ids": [email["id"]], "add": ["x"]}),
                           ("delete", {"ids": [email["id"]]})):
            assert_problem(reader.post(f"/api/v1/emails/bulk/{path}/", json=body), 403)
        assert_problem(reader.post("/api/v1/emails/bulk/release/", json={"ids": [email["id"]]}), 403)
        assert reader.get("/api/v1/emails/tags/").status_code == 200
        assert_problem(reader.post("/api/v1/emails/tags/rename/", json={"from": "a", "to": "b"}), 403)
    assert email_of(api, email["id"])["is_read"] is False


def test_the_tag_list_counts_each_tag_once_whatever_its_case(launch):
    box = launch()
    with box.client() as api:
        send_api(api, tags=["Welcome", "billing"])
        send_api(api, tags=["welcome"])
        send_api(api)
        answer = api.get("/api/v1/emails/tags/")
    assert answer.json() == {"results": [{"tag": "billing", "count": 1}, {"tag": "Welcome", "count": 2}]}


def test_rename_changes_the_tag_on_every_email_and_merges_duplicates(launch):
    box = launch()
    with box.client() as api:
        a = send_api(api, tags=["promo", "x"])
        b = send_api(api, tags=["Promo", "sale"])
        c = send_api(api, tags=["other"])
        answer = api.post("/api/v1/emails/tags/rename/", json={"from": "PROMO", "to": "sale"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["changed"] == 2
        assert [email_of(api, e["id"])["tags"] for e in (a, b, c)] == [["sale", "x"], ["sale"], ["other"]]
        assert api.get("/api/v1/emails/", params={"tag": "promo"}).json()["count"] == 0
        assert_problem(api.post("/api/v1/emails/tags/rename/", json={"from": "nope", "to": "y"}), 404)
        assert api.post("/api/v1/emails/tags/rename/", json={"from": "sale", "to": "sale"}).json()["changed"] == 0
        assert_problem(api.post("/api/v1/emails/tags/rename/", json={"from": "sale", "to": ""}), 400)
        assert_problem(api.post("/api/v1/emails/tags/rename/", json={"from": "sale"}), 400)


def test_bulk_release_sends_each_email_to_its_own_recipients(launch, smtp_sink):
    box = launch("--relay", smtp_sink.url, "--relay-mode", "manual")
    with box.client() as api:
        first = send_api(api, subject="one", to=["a@example.com"])
        second = send_api(api, subject="two", to=["b@example.com"])
        missing = "00000000-0000-4000-8000-000000000000"
        answer = api.post("/api/v1/emails/bulk/release/", json={"ids": [first["id"], second["id"], missing]})
        assert answer.status_code == 200, answer.text
        result = answer.json()
        assert (result["released"], result["failed"]) == (2, 1)
        assert [r["released"] for r in result["results"]] == [True, True, False]
        assert result["results"][2]["problem"]["status"] == 404
        got = smtp_sink.wait_for(2)
        assert sorted(m.rcpt_tos[0] for m in got) == ["a@example.com", "b@example.com"]
        assert_problem(api.post("/api/v1/emails/bulk/release/", json={"ids": []}), 400)
        assert_problem(api.post("/api/v1/emails/bulk/release/", json={}), 400)


def test_bulk_release_without_a_relay_is_a_conflict(api, unique):
    email = send_api(api, subject=unique)
    problem = assert_problem(api.post("/api/v1/emails/bulk/release/", json={"ids": [email["id"]]}), 409)
    assert "not configured" in problem["detail"]


# --- tags from how mail was addressed -------------------------------------------------------

def x_tags_message(to: str, tags: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "app@example.com", to, "tagged"
    msg["X-Tags"] = tags
    msg.set_content("Hello")
    return msg


def test_plus_addresses_and_x_tags_become_tags_when_asked_for(launch):
    box = launch("--tags-from", "plus-addresses,x-tags")
    with box.client() as api:
        smtp_send(box, x_tags_message("Ana <ana+Signup@example.com>", "alpha, Beta,,alpha"),
                  "app@example.com", ["ana+Signup@example.com"])
        api_sent = send_api(api, to=["bo+orders@example.com"], tags=["given"], headers={"X-Tags": "from-header"})
        emails = {e["subject"]: e for e in api.get("/api/v1/emails/").json()["results"]}
    assert emails["tagged"]["tags"] == ["Signup", "alpha", "Beta"]
    assert api_sent["tags"] == ["given", "orders", "from-header"]


@pytest.mark.parametrize("sources, expected", [
    ("x-tags", ["alpha"]), ("plus-addresses", ["plus"]), ("", [])])
def test_each_source_of_automatic_tags_is_asked_for_on_its_own_and_none_by_default(launch, sources, expected):
    box = launch("--tags-from", sources) if sources else launch()
    smtp_send(box, x_tags_message("ana+plus@example.com", "alpha"), "app@example.com", ["ana+plus@example.com"])
    with box.client() as api:
        assert api.get("/api/v1/emails/").json()["results"][0]["tags"] == expected


def test_an_unknown_source_of_automatic_tags_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "gclap_sandbox", "serve", "--tags-from", "subjects"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1  # serve's usage errors are start-up failures: one line, exit 1
    assert "unknown tag source subjects (choose from plus-addresses, x-tags)" in result.stderr
