"""Contact lists (bulk membership) and segments (rules evaluated in SQL) over real HTTP."""
from __future__ import annotations


def _contacts(api, unique, n, **extra):
    return [api.post("/api/v1/contacts/", json={"email": f"u{i}.{unique}@x.com", **extra}).json()
            for i in range(n)]


def test_list_crud_and_member_count(api, unique):
    created = api.post("/api/v1/contacts/lists/", json={"name": f"News {unique}", "description": "weekly"})
    assert created.status_code == 201 and created.json()["member_count"] == 0
    url = f"/api/v1/contacts/lists/{created.json()['id']}/"
    assert api.patch(url, json={"name": "Renamed"}).json()["name"] == "Renamed"
    listed = api.get("/api/v1/contacts/lists/", params={"page_size": 500}).json()
    assert any(item["id"] == created.json()["id"] for item in listed["results"])
    assert api.delete(url).status_code == 204 and api.get(url).status_code == 404


def test_bulk_members_by_ids_and_emails_with_unknowns_reported(api, unique):
    people = _contacts(api, unique, 3)
    news = api.post("/api/v1/contacts/lists/", json={"name": f"n-{unique}"}).json()
    members = f"/api/v1/contacts/lists/{news['id']}/members/"
    unknown_id = "00000000-0000-4000-8000-000000000000"
    added = api.post(members, json={"contact_ids": [people[0]["id"], unknown_id],
                                    "emails": [f"U1.{unique}@x.com", "nobody@x.com", "garbage"]}).json()
    assert added == {"added": 2, "already_members": 0, "member_count": 2,
                     "not_found": {"contact_ids": [unknown_id], "emails": ["nobody@x.com", "garbage"]}}
    again = api.post(members, json={"emails": [f"u1.{unique}@x.com", f"u2.{unique}@x.com"]}).json()
    assert (again["added"], again["already_members"], again["member_count"]) == (1, 1, 3)
    removed = api.request("DELETE", members, json={"contact_ids": [people[0]["id"]],
                                                    "emails": ["nobody@x.com"]}).json()
    assert removed["removed"] == 1 and removed["member_count"] == 2
    assert removed["not_found"]["emails"] == ["nobody@x.com"]
    assert api.get(f"/api/v1/contacts/lists/{news['id']}/").json()["member_count"] == 2
    assert api.get(f"/api/v1/contacts/{people[1]['id']}/").json()["lists"] == [news["id"]]


def test_bulk_members_take_thousands_per_call(api, unique):
    big = api.post("/api/v1/contacts/lists/", json={"name": f"big-{unique}"}).json()
    emails = [f"nobody{i}.{unique}@x.com" for i in range(5000)]
    result = api.post(f"/api/v1/contacts/lists/{big['id']}/members/", json={"emails": emails}).json()
    assert result["added"] == 0 and len(result["not_found"]["emails"]) == 5000


def test_list_bad_input(api):
    assert api.post("/api/v1/contacts/lists/", json={"name": ""}).status_code == 400
    news = api.post("/api/v1/contacts/lists/", json={"name": "x"}).json()
    members = f"/api/v1/contacts/lists/{news['id']}/members/"
    empty = api.post(members, json={})
    assert empty.status_code == 400 and "contact_ids" in empty.json()["errors"]
    assert "contact_ids[0]" in api.post(members, json={"contact_ids": ["x"]}).json()["errors"]
    too_many = api.post(members, json={"emails": ["a@x.com"] * 10001})
    assert too_many.status_code == 400
    missing = "/api/v1/contacts/lists/00000000-0000-4000-8000-000000000000/members/"
    assert api.post(missing, json={"emails": ["a@x.com"]}).status_code == 404


def test_segment_with_nested_rules_counts_and_lists_its_contacts(api, unique):
    domain = f"@{unique}.example"
    for name, plan in [("ana", "pro"), ("bo", "free"), ("cy", "pro")]:
        api.post("/api/v1/contacts/", json={"email": f"{name}{domain}", "attributes": {"plan": plan}})
    api.post("/api/v1/contacts/", json={"email": f"dee.{unique}@elsewhere.example", "attributes": {"plan": "pro"}})
    rules = {"all": [{"field": "attributes.plan", "op": "eq", "value": "pro"},
                     {"any": [{"field": "email", "op": "ends_with", "value": domain},
                              {"field": "last_opened_at", "op": "within_days", "value": 30}]}]}
    created = api.post("/api/v1/contacts/segments/", json={"name": "Pro", "rules": rules})
    assert created.status_code == 201, created.text
    segment = created.json()
    assert segment["contact_count"] == 2
    members = api.get(f"/api/v1/contacts/segments/{segment['id']}/contacts/").json()
    assert members["count"] == 2 and {c["email"] for c in members["results"]} == {f"ana{domain}", f"cy{domain}"}
    filtered = api.get("/api/v1/contacts/", params={"segment": segment["id"], "search": "cy"}).json()
    assert [c["email"] for c in filtered["results"]] == [f"cy{domain}"]
    changed = api.patch(f"/api/v1/contacts/segments/{segment['id']}/",
                        json={"rules": {"field": "email", "op": "ends_with", "value": domain}})
    assert changed.json()["contact_count"] == 3
    assert api.delete(f"/api/v1/contacts/segments/{segment['id']}/").status_code == 204
    assert api.get(f"/api/v1/contacts/segments/{segment['id']}/contacts/").status_code == 404


def test_segment_rules_are_validated_on_save_naming_the_rule(api):
    response = api.post("/api/v1/contacts/segments/", json={"name": "Bad", "rules": {
        "all": [{"field": "email", "op": "eq", "value": "a@x.com"},
                {"any": [{"field": "attributes.plan", "op": "similar", "value": "pro"}]}]}})
    assert response.status_code == 400
    assert response.json()["errors"] == {"rules.all[1].any[0].op": [response.json()["errors"][
        "rules.all[1].any[0].op"][0]]}
    assert "rules.all[1].any[0].op" in response.json()["detail"]
    assert api.post("/api/v1/contacts/segments/", json={"name": "No rules"}).json()["errors"] == {
        "rules": ["This field is required."]}
    seg = api.post("/api/v1/contacts/segments/", json={"name": "ok", "rules": {"op": "never_opened"}}).json()
    bad_patch = api.patch(f"/api/v1/contacts/segments/{seg['id']}/", json={"rules": {"op": "opened_within_days"}})
    assert bad_patch.status_code == 400 and "rules.value" in bad_patch.json()["errors"]
