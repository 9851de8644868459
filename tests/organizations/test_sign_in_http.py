"""The sign-in's organization choice over plain HTTP: checked, and possible without a password."""
from __future__ import annotations

import httpx
from organization_helpers import new_organization, ok
from ui_helpers import csrf_token


def choose(ui: httpx.Client, organization_id: str, **form: str) -> httpx.Response:
    return ui.post("/login", data={"organization": organization_id, "next": "/",
                                   "csrf_token": csrf_token(ui, "/login"), **form})


def test_without_a_password_the_sign_in_page_only_chooses_the_organization(launch):
    box = launch()
    with box.client() as admin:
        organization, key = new_organization(admin, "Open team")
        with box.client(key) as team:
            ok(team.post("/api/v1/emails/send/", json={"to": ["qa@example.com"], "subject": "Team mail",
                                                      "text": "x", "from_email": "a@example.com"}), 202)
    with httpx.Client(base_url=box.http_url, timeout=30) as ui:
        form = ui.get("/login").text
        assert 'type="password"' not in form and "Open team" in form
        assert "Team mail" not in ui.get("/").text  # the default organization until chosen
        assert choose(ui, organization["id"]).status_code == 303
        assert "Team mail" in ui.get("/").text


def test_an_unknown_organization_is_refused_and_changes_nothing(launch):
    box = launch("--ui-password", "pw")
    with box.client() as admin:
        new_organization(admin, "Real team")
    with httpx.Client(base_url=box.http_url, timeout=30) as ui:
        for bogus in ("00000000-0000-4000-8000-000000000000", "", "x" * 300):
            response = choose(ui, bogus or "-", password="pw")
            assert response.status_code == 400 and 'id="organization-error"' in response.text
            assert "gclap_ui_session" not in ui.cookies
        assert ui.get("/", follow_redirects=False).status_code == 303  # still signed out


def test_the_keys_page_offers_the_admin_scope_only_in_the_default_organization(launch):
    box = launch()
    with box.client() as admin:
        organization, _ = new_organization(admin, "Scoped team")
    with httpx.Client(base_url=box.http_url, timeout=30) as ui:
        assert 'value="sandbox:admin"' in ui.get("/settings/api-keys").text
        assert choose(ui, organization["id"]).status_code == 303
        page = ui.get("/settings/api-keys").text
        assert 'value="sandbox:admin"' not in page and 'value="sandbox:control"' in page


def test_the_docs_examples_carry_the_start_key_only_for_the_default_organization(launch):
    box = launch()
    with box.client() as admin:
        organization, _ = new_organization(admin, "Docs team")
    with httpx.Client(base_url=box.http_url, timeout=30) as ui:
        assert box.api_key in ui.get("/docs").text
        assert choose(ui, organization["id"]).status_code == 303
        page = ui.get("/docs").text
        assert box.api_key not in page and "YOUR_API_KEY" in page
