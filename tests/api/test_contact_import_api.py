"""POST /api/v1/contacts/import/ and GET /api/v1/contacts/export/ over real HTTP."""
from __future__ import annotations

import csv
import io

IMPORT = "/api/v1/contacts/import/"


def post_csv(api, text: str | bytes, **params):
    body = text.encode("utf-8") if isinstance(text, str) else text
    return api.post(IMPORT, params=params, content=body, headers={"Content-Type": "text/csv"})


def count(api, unique):
    return api.get("/api/v1/contacts/", params={"search": unique}).json()["count"]


def test_import_creates_updates_and_reports_bad_rows(api, unique):
    api.post("/api/v1/contacts/", json={"email": f"old.{unique}@x.com", "first_name": "Old",
                                        "attributes": {"city": "Oslo"}})
    news = api.post("/api/v1/contacts/lists/", json={"name": f"imp-{unique}"}).json()
    text = ("\ufeffEmail,First Name,Last Name,plan,seats\r\n"
            f'"new.{unique}@x.com","Ana, ""A""",Lima,pro,12\r\n'
            "\r\n"
            f"OLD.{unique}@x.com,,Smith,team,\r\n"
            "not-an-email,X,,,\r\n"
            f"new.{unique}@x.com,Dup,,,\r\n")
    result = post_csv(api, text, list=news["id"]).json()
    assert (result["created"], result["updated"], result["skipped"]) == (1, 1, 2)
    assert [(e["row"], e["email"]) for e in result["errors"]] == [(5, "not-an-email"), (6, f"new.{unique}@x.com")]
    new = api.get("/api/v1/contacts/", params={"search": f"new.{unique}"}).json()["results"][0]
    assert new["first_name"] == 'Ana, "A"' and new["attributes"] == {"plan": "pro", "seats": 12}
    old = api.get("/api/v1/contacts/", params={"search": f"old.{unique}"}).json()["results"][0]
    assert old["first_name"] == "Old" and old["last_name"] == "Smith"  # blank cells change nothing
    assert old["attributes"] == {"city": "Oslo", "plan": "team"}
    assert api.get(f"/api/v1/contacts/lists/{news['id']}/").json()["member_count"] == 2


def test_multipart_upload_and_dry_run_change_nothing(api, unique):
    files = {"file": ("people.csv", f"email\nd1.{unique}@x.com\nd2.{unique}@x.com\n".encode(), "text/csv")}
    result = api.post(IMPORT, files=files, data={"dry_run": "true"}).json()
    assert result["dry_run"] is True and result["created"] == 2
    assert count(api, unique) == 0
    real = api.post(IMPORT, files=files).json()
    assert real["created"] == 2 and count(api, unique) == 2


def test_a_broken_file_changes_nothing(api, unique):
    for text in [f'email,plan\nok.{unique}@x.com,pro\n"broken.{unique}@x.com,pro\n',
                 f"email,plan,plan\nok.{unique}@x.com,a,b\n",
                 f"name\nok.{unique}@x.com\n",
                 ""]:
        response = post_csv(api, text)
        assert response.status_code == 400, text
        assert response.headers["content-type"] == "application/problem+json"
        assert "file" in response.json()["errors"]
    assert count(api, unique) == 0


def test_wrong_encoding_is_refused_then_accepted_when_named(api, unique):
    latin = f"email,city\nenc.{unique}@x.com,Malmö\n".encode("latin-1")
    refused = post_csv(api, latin)
    assert refused.status_code == 400 and "encoding" in refused.json()["detail"]
    assert post_csv(api, latin, encoding="latin-1").json()["created"] == 1
    charset = api.post(IMPORT, content=f"email\nenc2.{unique}@x.com\n".encode("utf-16"),
                       headers={"Content-Type": "text/csv; charset=utf-16"})
    assert charset.json()["created"] == 1
    assert post_csv(api, latin, encoding="klingon").json()["errors"] == {"encoding": ["Unknown encoding 'klingon'."]}


def test_import_bad_options(api):
    assert post_csv(api, "email\na@x.com\n", list="00000000-0000-4000-8000-000000000000").json()[
        "errors"] == {"list": ["No list with id 00000000-0000-4000-8000-000000000000."]}
    assert api.post(IMPORT, json={"email": "a@x.com"}).status_code == 400
    assert api.post(IMPORT, files={"other": ("x.csv", b"email\n")}).json()["errors"] == {
        "file": ["Attach the CSV as the multipart field `file`."]}
    assert post_csv(api, "email\n", dry_run="maybe").status_code == 400


def test_export_streams_csv_that_imports_back(api, unique):
    tagged = api.post("/api/v1/contacts/lists/", json={"name": f"exp-{unique}"}).json()
    for i in range(3):
        api.post("/api/v1/contacts/", json={"email": f"e{i}.{unique}@x.com", "first_name": f"N{i}",
                                            "attributes": {"tier": i, "status": "vip"}, "lists": [tagged["id"]]})
    response = api.get("/api/v1/contacts/export/", params={"list": tagged["id"]})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["email"] for r in rows] == [f"e{i}.{unique}@x.com" for i in range(3)]  # oldest first
    assert rows[1]["first_name"] == "N1" and rows[1]["tier"] == "1" and rows[1]["lists"] == tagged["id"]
    assert rows[0]["attributes.status"] == "vip" and rows[0]["status"] == "subscribed"
    again = post_csv(api, response.text).json()
    assert (again["created"], again["updated"], again["skipped"]) == (0, 3, 0)
    assert api.get("/api/v1/contacts/export/", params={"segment": "00000000-0000-4000-8000-000000000000"}
                   ).status_code == 404


def test_export_of_many_contacts_spans_batches(api, unique):
    lines = "".join(f"big{i}.{unique}@x.com,{i}\n" for i in range(2500))
    assert post_csv(api, "email,n\n" + lines).json()["created"] == 2500
    rows = list(csv.DictReader(io.StringIO(api.get("/api/v1/contacts/export/", params={"search": unique}).text)))
    assert len(rows) == 2500 and len({r["id"] for r in rows}) == 2500
