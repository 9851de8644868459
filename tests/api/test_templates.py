"""Templates: sandboxed rendering (escape attempts fail), CRUD, previews, and sending with template_id."""
from __future__ import annotations

import pytest

from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.templating.render import render_part, syntax_errors


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ self.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ x|attr('__class__') }}",
    "{{ 'a' * 100000000 }}",
    "{{ 2 ** 100000 }}",
])
def test_sandbox_escapes_are_refused(source):
    with pytest.raises(ValidationFailed) as caught:
        render_part(source, {"x": "s"}, html=True, field="html")
    assert "html" in caught.value.errors


@pytest.mark.parametrize("source", [
    "{% include '/etc/passwd' %}",
    "{% import 'macros.html' as m %}",
    "{% from 'x' import y %}",
    "{% extends '../../etc/passwd' %}",
])
def test_file_access_tags_are_refused_at_save(source):
    assert "is not available in templates" in syntax_errors(source)[0]


def test_autoescape_in_html_only_and_missing_variables_named():
    assert render_part("<p>{{ v }}</p>", {"v": "<b>&"}, html=True, field="html") == "<p>&lt;b&gt;&amp;</p>"
    assert render_part("{{ v }}", {"v": "<b>&"}, html=False, field="text") == "<b>&"
    with pytest.raises(ValidationFailed) as caught:
        render_part("Hi {{ name }}", {}, html=False, field="text")
    assert caught.value.errors == {"variables.name": ["The template uses `name`, which was not given."]}
    optional = "{% if coupon is defined %}{{ coupon }}{% endif %}{{ who|default('you') }}"
    assert render_part(optional, {}, html=False, field="text") == "you"


def test_template_crud_and_syntax_errors_at_save(api, unique):
    bad = api.post("/api/v1/templates/", json={"name": "x", "subject": "Hi {{ name",
                                               "html": "<p>\n{% for %}</p>"})
    assert bad.status_code == 400
    assert bad.json()["errors"]["subject"][0].startswith("Line 1:")
    assert bad.json()["errors"]["html"][0].startswith("Line 2:")
    assert api.post("/api/v1/templates/", json={"name": "x", "subject": "s"}).status_code == 400  # no body
    assert api.post("/api/v1/templates/", json={"name": "x", "html": "h"}).json()["errors"] == {
        "subject": ["This field is required."]}
    created = api.post("/api/v1/templates/", json={"name": f"Welcome {unique}", "subject": "Hi {{ name }}",
                                                   "html": "<p>Hello {{ name }}</p>", "text": "Hello {{ name }}"})
    assert created.status_code == 201
    url = f"/api/v1/templates/{created.json()['id']}/"
    assert api.get(url).json()["name"] == f"Welcome {unique}"
    assert api.patch(url, json={"html": "{% if %}"}).status_code == 400
    assert api.patch(url, json={"html": None}).json()["html"] is None
    assert api.patch(url, json={"text": None}).status_code == 400  # would leave no body
    assert any(t["id"] == created.json()["id"] for t in api.get("/api/v1/templates/",
                                                                params={"page_size": 500}).json()["results"])
    assert api.delete(url).status_code == 204 and api.get(url).status_code == 404


def test_render_preview_with_variables_and_contact(api, unique):
    contact = api.post("/api/v1/contacts/", json={"email": f"t.{unique}@x.com", "first_name": "Tia",
                                                  "attributes": {"plan": "pro"}}).json()
    template = api.post("/api/v1/templates/", json={
        "name": "p", "subject": "Hi {{ contact.first_name }}\n!",
        "html": "<p>{{ offer }} for {{ contact.attributes.plan }}</p>"}).json()
    render = f"/api/v1/templates/{template['id']}/render/"
    preview = api.post(render, json={"variables": {"offer": "<50% off>"}, "contact_id": contact["id"]})
    assert preview.json() == {"subject": "Hi Tia !", "html": "<p>&lt;50% off&gt; for pro</p>", "text": None}
    missing = api.post(render, json={"variables": {}, "contact_id": contact["id"]})
    assert missing.status_code == 400 and missing.json()["errors"] == {
        "variables.offer": ["The template uses `offer`, which was not given."]}
    escape = api.post("/api/v1/templates/", json={"name": "e", "subject": "s",
                                                  "text": "{{ ''.__class__.__mro__ }}"}).json()
    refused = api.post(f"/api/v1/templates/{escape['id']}/render/", json={})
    assert refused.status_code == 400 and "unsafe" in refused.json()["detail"]
    assert api.post(render, json={"contact_id": "00000000-0000-4000-8000-000000000000"}).status_code == 404
    assert api.post("/api/v1/templates/00000000-0000-4000-8000-000000000000/render/", json={}).status_code == 404


def test_send_with_template_id_fills_subject_and_bodies(api, unique):
    api.post("/api/v1/contacts/", json={"email": f"s.{unique}@x.com", "first_name": "Sam"})
    template = api.post("/api/v1/templates/", json={
        "name": "s", "subject": "Welcome {{ contact.first_name }}", "html": "<h1>{{ title }}</h1>",
        "text": "{{ title }}"}).json()
    sent = api.post("/api/v1/emails/send/", json={"to": f"Sam <S.{unique}@x.com>", "template_id": template["id"],
                                                  "variables": {"title": "Tom & Jerry"}})
    assert sent.status_code == 202, sent.text
    email = api.get(f"/api/v1/emails/{sent.json()['id']}/").json()
    assert email["subject"] == "Welcome Sam"
    assert email["html"].strip() == "<h1>Tom &amp; Jerry</h1>" and email["text"].strip() == "Tom & Jerry"
    override = api.post("/api/v1/emails/send/", json={"to": f"s.{unique}@x.com", "template_id": template["id"],
                                                      "subject": "Given", "variables": {"title": "t"}}).json()
    assert override["subject"] == "Given"


def test_send_with_template_bad_input(api, unique):
    template = api.post("/api/v1/templates/", json={"name": "b", "subject": "s", "text": "{{ title }}"}).json()
    missing_var = api.post("/api/v1/emails/send/", json={"to": "nobody@x.com", "template_id": template["id"]})
    assert missing_var.status_code == 400 and "variables.title" in missing_var.json()["errors"]
    no_contact = api.post("/api/v1/emails/send/", json={
        "to": "nobody@x.com", "template_id": template["id"], "variables": {"title": "{{ contact.email }}"}})
    assert no_contact.status_code == 202  # variables are data, never re-rendered as template source
    unknown = api.post("/api/v1/emails/send/", json={"to": "a@x.com",
                                                     "template_id": "00000000-0000-4000-8000-000000000000"})
    assert unknown.status_code == 404 and "template_id" in unknown.json()["errors"]
    stray = api.post("/api/v1/emails/send/", json={"to": "a@x.com", "subject": "s", "text": "t",
                                                   "variables": {"a": 1}})
    assert stray.status_code == 400 and "variables" in stray.json()["errors"]
    no_to = api.post("/api/v1/emails/send/", json={"template_id": template["id"], "variables": {"title": "t"}})
    assert no_to.status_code == 400 and "to" in no_to.json()["errors"]
    plain = api.post("/api/v1/emails/send/", json={"to": "a@x.com", "text": "t"})
    assert plain.status_code == 400 and "subject" in plain.json()["errors"]
    before = api.get("/api/v1/emails/", params={"to": "nobody@x.com"}).json()["count"]
    assert before == 1  # only the valid send above was captured


def test_openapi_documents_the_new_routes(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    for path in ["/api/v1/contacts/", "/api/v1/contacts/{contact_id}/emails/", "/api/v1/contacts/lists/{list_id}/members/",
                 "/api/v1/contacts/segments/{segment_id}/contacts/", "/api/v1/contacts/import/",
                 "/api/v1/contacts/export/", "/api/v1/templates/{template_id}/render/"]:
        assert path in paths, path
    assert "text/csv" in paths["/api/v1/contacts/import/"]["post"]["requestBody"]["content"]
    assert "template_id" in paths["/api/v1/emails/send/"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]["properties"]
