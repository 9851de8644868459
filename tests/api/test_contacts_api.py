"""/api/v1/contacts/: create, find, change and delete contacts over real HTTP."""
from __future__ import annotations

PROBLEM = "application/problem+json"


def test_create_normalises_email_and_refuses_duplicates_pointing_at_the_original(api, unique):
    created = api.post("/api/v1/contacts/", json={
        "email": f"  Ana.{unique}@Example.COM ", "first_name": "Ana", "last_name": "Lima",
        "attributes": {"plan": "pro", "seats": 3}})
    assert created.status_code == 201
    contact = created.json()
    assert contact["email"] == f"ana.{unique}@example.com"
    assert contact["status"] == "subscribed" and contact["attributes"] == {"plan": "pro", "seats": 3}
    duplicate = api.post("/api/v1/contacts/", json={"email": f"ANA.{unique}@example.com"})
    assert duplicate.status_code == 409
    assert duplicate.headers["content-type"] == PROBLEM
    assert duplicate.json()["existing_id"] == contact["id"]
    assert api.get(duplicate.json()["existing_url"]).json()["email"] == contact["email"]


def test_get_patch_delete_one(api, unique):
    contact = api.post("/api/v1/contacts/", json={"email": f"bo.{unique}@x.com",
                                                  "attributes": {"plan": "free", "city": "Oslo"}}).json()
    url = f"/api/v1/contacts/{contact['id']}/"
    assert api.get(url).json()["email"] == f"bo.{unique}@x.com"
    changed = api.patch(url, json={"first_name": "Bo", "attributes": {"plan": "pro", "city": None},
                                   "status": "unsubscribed"})
    assert changed.status_code == 200
    assert changed.json()["attributes"] == {"plan": "pro"}
    assert changed.json()["first_name"] == "Bo" and changed.json()["status"] == "unsubscribed"
    assert api.patch(url, json={"status": "subscribed"}).json()["status"] == "subscribed"  # re-subscribe
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert api.delete(url).status_code == 404


def test_patch_to_an_existing_email_is_a_conflict(api, unique):
    first = api.post("/api/v1/contacts/", json={"email": f"c1.{unique}@x.com"}).json()
    second = api.post("/api/v1/contacts/", json={"email": f"c2.{unique}@x.com"}).json()
    response = api.patch(f"/api/v1/contacts/{second['id']}/", json={"email": f"C1.{unique}@x.com"})
    assert response.status_code == 409 and response.json()["existing_id"] == first["id"]


def test_search_is_partial_and_case_insensitive_over_email_and_names(api, unique):
    api.post("/api/v1/contacts/", json={"email": f"zed.{unique}@x.com", "first_name": "Zed"})
    api.post("/api/v1/contacts/", json={"email": f"other.{unique}@x.com", "last_name": f"Kim{unique}"})
    found = api.get("/api/v1/contacts/", params={"search": unique.upper()}).json()
    assert found["count"] == 2
    by_name = api.get("/api/v1/contacts/", params={"search": f"kim{unique}"}).json()
    assert [c["email"] for c in by_name["results"]] == [f"other.{unique}@x.com"]
    newest_first = [c["email"] for c in found["results"]]
    assert newest_first == [f"other.{unique}@x.com", f"zed.{unique}@x.com"]
    assert api.get("/api/v1/contacts/", params={"search": f"{unique}%"}).json()["count"] == 0


def test_filters_by_list_and_status_and_pages(api, unique):
    members = api.post("/api/v1/contacts/lists/", json={"name": f"m-{unique}"}).json()
    for i in range(3):
        api.post("/api/v1/contacts/", json={"email": f"p{i}.{unique}@x.com", "lists": [members["id"]],
                                            "status": "unsubscribed" if i == 0 else "subscribed"})
    page = api.get("/api/v1/contacts/", params={"list": members["id"], "page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert page["results"][0]["lists"] == [members["id"]]
    rest = api.get(page["next"]).json()
    assert len(rest["results"]) == 1 and rest["previous"]
    unsubscribed = api.get("/api/v1/contacts/", params={"list": members["id"], "status": "unsubscribed"}).json()
    assert [c["email"] for c in unsubscribed["results"]] == [f"p0.{unique}@x.com"]


def test_contact_emails_lists_mail_sent_to_the_contact(api, unique):
    contact = api.post("/api/v1/contacts/", json={"email": f"mail.{unique}@x.com"}).json()
    api.post("/api/v1/emails/send/", json={"to": f"Mail <MAIL.{unique}@x.com>", "subject": "one", "text": "1"})
    api.post("/api/v1/emails/send/", json={"to": "someone@x.com", "bcc": f"mail.{unique}@x.com",
                                           "subject": "two", "text": "2"})
    api.post("/api/v1/emails/send/", json={"to": "someone@x.com", "subject": "not theirs", "text": "3"})
    emails = api.get(f"/api/v1/contacts/{contact['id']}/emails/").json()
    assert [e["subject"] for e in emails["results"]] == ["two", "one"]
    events = api.get(f"/api/v1/contacts/{contact['id']}/events/").json()
    assert events["count"] >= 2  # email.sent for each, then delivery as it happens
    sent = [e for e in events["results"] if e["type"] == "email.sent"]
    assert {e["email_id"] for e in sent} == {e["id"] for e in emails["results"]}
    assert {e["recipient"] for e in events["results"]} == {f"mail.{unique}@x.com"}


def test_bad_input_is_a_problem_naming_each_field_and_stores_nothing(api, unique):
    bad = api.post("/api/v1/contacts/", json={
        "email": "not-an-address", "first_name": 5, "attributes": {"bad key": 1},
        "lists": ["nope"], "status": "bounced", "surprise": True})
    assert bad.status_code == 400 and bad.headers["content-type"] == PROBLEM
    assert set(bad.json()["errors"]) == {"email", "first_name", "attributes.bad key", "lists[0]", "status",
                                         "surprise"}
    missing = api.post("/api/v1/contacts/", json={"first_name": "x"})
    assert missing.json()["errors"] == {"email": ["This field is required."]}
    unknown_list = api.post("/api/v1/contacts/", json={"email": f"l.{unique}@x.com",
                                                       "lists": ["00000000-0000-4000-8000-000000000000"]})
    assert unknown_list.status_code == 404 and "lists[0]" in unknown_list.json()["errors"]
    assert api.get("/api/v1/contacts/", params={"search": f"l.{unique}@"}).json()["count"] == 0
    assert api.post("/api/v1/contacts/", content=b"{not json").status_code == 400
    assert api.get("/api/v1/contacts/", params={"status": "happy"}).status_code == 400
    assert api.get("/api/v1/contacts/", params={"segment": "00000000-0000-4000-8000-000000000000"}
                   ).status_code == 404
    assert api.get("/api/v1/contacts/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_contacts_need_a_key(sandbox):
    with sandbox.client(api_key="") as anonymous:
        assert anonymous.get("/api/v1/contacts/").status_code == 401
        assert anonymous.post("/api/v1/templates/", json={}).status_code == 401
