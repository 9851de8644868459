"""Contacts created and edited in a real browser (fields, lists, typed custom fields, status),
with every mistake shown beside its field and nothing stored, at desktop and phone sizes."""
from __future__ import annotations

import pytest
from ui_layout import SIZES, assert_fits_the_width

SIZE_IDS = [name for name, _ in SIZES]


def _size(page, size: str) -> None:
    width, height = dict(SIZES)[size]
    page.set_viewport_size({"width": width, "height": height})


def _list(api, name: str) -> dict:
    response = api.post("/api/v1/contacts/lists/", json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()


def _contact_by_email(api, email: str) -> dict | None:
    results = api.get("/api/v1/contacts/", params={"search": email}).json()["results"]
    return next((c for c in results if c["email"] == email), None)


def _add_field(form, name: str, kind: str, value: str) -> None:
    form.get_by_role("button", name="Add a field").click()
    row = form.locator("[data-attribute-row]").last
    row.get_by_label("Field name").fill(name)
    row.get_by_label("Type").select_option(kind)
    row.get_by_label("Value").fill(value)


@pytest.mark.parametrize("size", SIZE_IDS)
def test_a_contact_is_created_then_edited_in_the_page(page, own_sandbox, unique, size):
    from playwright.sync_api import expect

    _size(page, size)
    with own_sandbox.client() as api:
        news, vip = _list(api, f"News {unique}"), _list(api, f"VIP {unique}")
    email = f"Ana.{unique}@Example.com"
    page.goto(f"{own_sandbox.http_url}/contacts")
    page.get_by_role("link", name="New contact").click()
    form = page.locator("[data-contact-form]")
    form.get_by_label("Email").fill(email)
    form.get_by_label("First name").fill("Ana")
    form.get_by_label("Last name").fill("Lima")
    form.get_by_label(f"News {unique}").check()
    _add_field(form, "plan", "text", "pro")
    _add_field(form, "seats", "number", "3")
    _add_field(form, "trial", "boolean", "false")
    _add_field(form, "address", "json", '{"city": "Porto"}')
    assert_fits_the_width(page)
    form.get_by_role("button", name="Create contact").click()
    expect(page.locator("#contact-title")).to_have_text(email.lower())
    with own_sandbox.client() as api:
        made = _contact_by_email(api, email.lower())
    assert made["first_name"] == "Ana" and made["last_name"] == "Lima" and made["status"] == "subscribed"
    assert made["lists"] == [news["id"]]
    assert made["attributes"] == {"plan": "pro", "seats": 3, "trial": False, "address": {"city": "Porto"}}

    page.get_by_role("link", name="Edit contact").click()
    form.get_by_label("First name").fill("Ana Maria")
    form.get_by_label("Status").select_option("unsubscribed")
    form.get_by_label(f"News {unique}").uncheck()
    form.get_by_label(f"VIP {unique}").check()
    form.get_by_role("button", name="Remove field trial").click()
    form.get_by_label("Value of seats").fill("5")
    form.get_by_role("button", name="Save changes").click()
    expect(page.locator(".page-head .status")).to_have_text("unsubscribed")
    with own_sandbox.client() as api:
        changed = api.get(f"/api/v1/contacts/{made['id']}/").json()
    assert changed["first_name"] == "Ana Maria" and changed["status"] == "unsubscribed"
    assert changed["lists"] == [vip["id"]]
    assert changed["attributes"] == {"plan": "pro", "seats": 5, "address": {"city": "Porto"}}


@pytest.mark.parametrize("size", SIZE_IDS)
def test_mistakes_in_the_contact_form_are_named_beside_their_fields_and_store_nothing(page, own_sandbox, unique,
                                                                                     size):
    from playwright.sync_api import expect

    _size(page, size)
    taken = f"taken-{unique}@example.com"
    with own_sandbox.client() as api:
        existing = api.post("/api/v1/contacts/", json={"email": taken}).json()
        before = api.get("/api/v1/contacts/", params={"page_size": 1}).json()["count"]
    page.goto(f"{own_sandbox.http_url}/contacts/new")
    form = page.locator("[data-contact-form]")
    form.get_by_label("Email").fill("not an address")
    _add_field(form, "bad name!", "text", "x")
    form.get_by_role("button", name="Create contact").click()
    expect(form.locator('[data-error-for="email"]')).to_contain_text("Not a valid email address")
    expect(form.locator('[data-error-for="attributes"]')).to_contain_text("Attribute names are")
    expect(form.get_by_label("Email")).to_have_attribute("aria-invalid", "true")

    form.locator("[data-attribute-row]").last.get_by_label("Field name").fill("seats")
    form.locator("[data-attribute-row]").last.get_by_label("Type").select_option("number")
    form.locator("[data-attribute-row]").last.get_by_label("Value").fill("many")
    form.get_by_role("button", name="Create contact").click()
    expect(form.locator('[data-error-for="attributes"]')).to_contain_text("seats: not a number")

    form.locator("[data-attribute-row]").last.get_by_label("Value").fill("4")
    form.get_by_label("Email").fill(taken)
    form.get_by_role("button", name="Create contact").click()
    email_error = form.locator('[data-error-for="email"]')
    expect(email_error).to_contain_text("already exists")
    expect(email_error.get_by_role("link", name="Open that contact")).to_have_attribute(
        "href", f"/contacts/{existing['id']}")
    assert_fits_the_width(page)
    with own_sandbox.client() as api:
        assert api.get("/api/v1/contacts/", params={"page_size": 1}).json()["count"] == before
