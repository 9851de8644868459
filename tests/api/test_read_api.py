"""Listing, filtering, reading and deleting captured email."""
from __future__ import annotations

import uuid

from helpers import assert_problem, emails_to, simple_message, smtp_send, total_count


def _send(api, **body):
    body.setdefault("text", "hello")
    response = api.post("/api/v1/emails/send/", json=body)
    assert response.status_code == 202, response.text
    return response.json()


def test_pages_are_newest_first_with_next_and_previous(api, unique):
    address = f"page-{unique}@example.com"
    sent = [_send(api, to=address, subject=f"n{n}")["id"] for n in range(5)]
    first = api.get("/api/v1/emails/", params={"to": address, "page_size": 2}).json()
    assert first["count"] == 5 and first["previous"] is None
    assert [e["id"] for e in first["results"]] == sent[::-1][:2]
    second = api.get(first["next"]).json()
    assert [e["id"] for e in second["results"]] == sent[::-1][2:4]
    assert api.get(second["previous"]).json() == first
    third = api.get(second["next"]).json()
    assert [e["id"] for e in third["results"]] == sent[::-1][4:] and third["next"] is None


def test_search_matches_sender_recipients_and_subject(sandbox, api, unique):
    _send(api, to=f"s1-{unique}@example.com", subject=f"Invoice {unique}")
    _send(api, to=f"Kim Search{unique} <s2-{unique}@example.com>", subject="other")
    _send(api, to="x@example.com", subject="other", from_email=f"sender-{unique}@shop.example")
    found = api.get("/api/v1/emails/", params={"search": unique}).json()
    assert found["count"] == 3
    assert api.get("/api/v1/emails/", params={"search": f"invoice {unique}"}).json()["count"] == 1
    assert api.get("/api/v1/emails/", params={"search": f"kim search{unique}"}).json()["count"] == 1
    assert api.get("/api/v1/emails/", params={"search": f"%{unique}_"}).json()["count"] == 0


def test_filters_by_tag_source_status_and_to(sandbox, api, unique):
    _send(api, to=f"t-{unique}@example.com", subject="tagged", tags=[f"tag-{unique}"])
    smtp_send(sandbox, simple_message("by smtp", to=f"t-{unique}@example.com"), "a@example.com",
              [f"t-{unique}@example.com"])
    assert [e["subject"] for e in emails_to(api, f"t-{unique}@example.com", tag=f"tag-{unique}")] == ["tagged"]
    assert [e["subject"] for e in emails_to(api, f"t-{unique}@example.com", source="smtp")] == ["by smtp"]
    assert [e["subject"] for e in emails_to(api, f"t-{unique}@example.com", source="api")] == ["tagged"]
    assert len(emails_to(api, f"t-{unique}@example.com", status="sent")) == 2
    assert emails_to(api, f"T-{unique.upper()}@EXAMPLE.COM") != []  # addresses match case-insensitively


def test_bad_list_parameters(api):
    for params, field in [({"page": "0"}, "page"), ({"page": "x"}, "page"),
                          ({"page_size": "100000"}, "page_size"), ({"source": "fax"}, "source"),
                          ({"since": "yesterday"}, "since"), ({"colour": "red"}, "colour")]:
        problem = assert_problem(api.get("/api/v1/emails/", params=params), 400)
        assert field in problem["errors"]


def test_page_past_the_end_is_empty(api, unique):
    _send(api, to=f"end-{unique}@example.com", subject="x")
    page = api.get("/api/v1/emails/", params={"to": f"end-{unique}@example.com", "page": 9}).json()
    assert page["count"] == 1 and page["results"] == [] and page["next"] is None


def test_unknown_ids_are_404_problems(api):
    missing = uuid.uuid4()
    for path in (f"/api/v1/emails/{missing}/", f"/api/v1/emails/{missing}/raw/",
                 f"/api/v1/emails/{missing}/attachments/{uuid.uuid4()}/", "/api/v1/emails/not-a-uuid/"):
        assert_problem(api.get(path), 404)
    assert_problem(api.delete(f"/api/v1/emails/{missing}/"), 404)


def test_attachment_of_another_email_is_404(api, unique):
    a = _send(api, to=f"a-{unique}@example.com", subject="a",
              attachments=[{"filename": "f.txt", "content": "aGk="}])
    b = _send(api, to=f"b-{unique}@example.com", subject="b")
    attachment = api.get(f"/api/v1/emails/{a['id']}/").json()["attachments"][0]
    assert_problem(api.get(f"/api/v1/emails/{b['id']}/attachments/{attachment['id']}/"), 404)


def test_delete_one(api, unique):
    keep = _send(api, to=f"d-{unique}@example.com", subject="keep")
    gone = _send(api, to=f"d-{unique}@example.com", subject="gone")
    assert api.delete(f"/api/v1/emails/{gone['id']}/").status_code == 204
    assert [e["id"] for e in emails_to(api, f"d-{unique}@example.com")] == [keep["id"]]
    assert_problem(api.get(f"/api/v1/emails/{gone['id']}/raw/"), 404)


def test_delete_all(launch):
    own = launch()
    with own.client() as api:
        for n in range(3):
            _send(api, to="all@example.com", subject=str(n))
        assert api.delete("/api/v1/emails/", params={"all": "true"}).json() == {"deleted": 3}
        assert total_count(api) == 0
        assert api.delete("/api/v1/emails?all=true").json() == {"deleted": 0}  # trailing slash optional


def test_wrong_method_is_a_405_problem(api):
    assert_problem(api.put("/api/v1/emails/send/", json={}), 405)


def test_delete_takes_the_list_filters(launch):
    own = launch()
    with own.client() as api:
        for n, to in enumerate(["keep@example.com", "drop@example.com", "drop@example.com"]):
            _send(api, to=to, subject=str(n))
        assert api.delete("/api/v1/emails/", params={"to": "drop@example.com"}).json() == {"deleted": 2}
        assert [e["subject"] for e in api.get("/api/v1/emails/").json()["results"]] == ["0"]
        assert_problem(api.delete("/api/v1/emails/", params={"colour": "red"}), 400)
        assert_problem(api.request("DELETE", "/api/v1/emails/", json={"to": "keep@example.com"}), 400)
        assert total_count(api) == 1


def test_unknown_query_parameters_are_refused_everywhere(api):
    problem = assert_problem(api.get("/api/v1/accounts/organization/", params={"x": "1"}), 400)
    assert "x" in problem["errors"]


def test_huge_page_numbers_are_a_clear_400(api):
    problem = assert_problem(api.get("/api/v1/emails/", params={"page": "9" * 25}), 400)
    assert "page" in problem["errors"]
