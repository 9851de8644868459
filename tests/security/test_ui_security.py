"""Who may use the web UI: locked when exposed without a password, else a password login."""
from __future__ import annotations

import httpx
import pytest
from ui_helpers import csrf_token, send_api


def client(box) -> httpx.Client:
    return httpx.Client(base_url=box.http_url, timeout=30, follow_redirects=False)


def login(ui: httpx.Client, password: str) -> httpx.Response:
    return ui.post("/login", data={"password": password, "next": "/docs",
                                   "csrf_token": csrf_token(ui, "/login")})


def test_exposed_without_password_keeps_the_ui_locked(launch):
    box = launch("--http", "0.0.0.0:0")
    with client(box) as ui, box.client() as api:
        page = ui.get("/")
        assert page.status_code == 403 and "--ui-password" in page.text
        assert ui.get("/ui/api/emails/rows").status_code == 403
        assert ui.get("/docs").status_code == 403
        assert api.get("/api/v1/emails/").status_code == 200  # the API keeps its own key auth


@pytest.fixture
def guarded(launch):
    return launch("--http", "0.0.0.0:0", "--ui-password", "s3cret pass")


def test_pages_redirect_to_login_and_json_calls_are_401(guarded):
    with client(guarded) as ui:
        page = ui.get("/emails/00000000-0000-4000-8000-000000000000?x=1")
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2Femails%2F00000000-0000-4000-8000-000000000000%3Fx%3D1"
        assert ui.get("/ui/api/emails/rows").status_code == 401
        assert ui.get("/ui/events").status_code == 401
        assert ui.get("/ui/emails/00000000-0000-4000-8000-000000000000/html").status_code == 401
        assert ui.get("/login").status_code == 200
        assert ui.get("/static/app.css").status_code == 200  # assets hold no mail


def test_wrong_password_is_refused(guarded):
    with client(guarded) as ui:
        response = login(ui, "guess")
        assert response.status_code == 401 and "Wrong password" in response.text
        assert "set-cookie" not in response.headers
        assert ui.get("/").status_code == 303


def test_login_sets_an_httponly_samesite_cookie_and_opens_the_ui(guarded):
    with client(guarded) as ui, guarded.client() as api:
        email = send_api(api, subject="guarded")
        response = login(ui, "s3cret pass")
        assert response.status_code == 303 and response.headers["location"] == "/docs"
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        assert ui.get("/").status_code == 200
        assert ui.get(f"/emails/{email['id']}").status_code == 200
        # The docs never show the key when the sandbox is exposed.
        assert guarded.api_key not in ui.get("/docs").text


def test_state_changes_need_the_session_csrf_token(guarded):
    with client(guarded) as ui, guarded.client() as api:
        email = send_api(api, subject="keep me")
        login(ui, "s3cret pass")
        assert ui.delete(f"/ui/api/emails/{email['id']}").status_code == 403
        with client(guarded) as stranger:  # a token from another (anonymous) page is no good
            foreign = csrf_token(stranger, "/login")
        assert ui.delete(f"/ui/api/emails/{email['id']}", headers={"X-CSRF-Token": foreign}).status_code == 403
        assert api.get(f"/api/v1/emails/{email['id']}/").status_code == 200
        token = csrf_token(ui)
        assert ui.delete(f"/ui/api/emails/{email['id']}", headers={"X-CSRF-Token": token}).status_code == 200


def test_login_form_needs_its_csrf_token(guarded):
    with client(guarded) as ui:
        response = ui.post("/login", data={"password": "s3cret pass"})
        assert response.status_code == 403
        assert "set-cookie" not in response.headers


def test_logout_ends_the_session(guarded):
    with client(guarded) as ui:
        login(ui, "s3cret pass")
        token = csrf_token(ui)
        assert ui.post("/logout", data={"csrf_token": token}).status_code == 303
        ui.cookies.clear()
        assert ui.get("/").status_code == 303


def test_a_stolen_cookie_stops_working_after_logout(guarded):
    with client(guarded) as ui:
        login(ui, "s3cret pass")
        session = dict(ui.cookies)
        ui.post("/logout", data={"csrf_token": csrf_token(ui)})
        with client(guarded) as replay:
            replay.cookies.update(session)
            assert replay.get("/").status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_login_never_redirects_off_site(guarded, target):
    with client(guarded) as ui:
        response = ui.post("/login", data={"password": "s3cret pass", "next": target,
                                           "csrf_token": csrf_token(ui, "/login")})
        assert response.headers["location"] == "/"


def test_password_from_the_environment(launch):
    box = launch("--http", "0.0.0.0:0", env={"GCLAP_SANDBOX_UI_PASSWORD": "from-env"})
    with client(box) as ui:
        assert ui.get("/").status_code == 303
        assert login(ui, "from-env").status_code == 303
        assert ui.get("/").status_code == 200


def test_loopback_with_a_password_also_asks_for_it(launch):
    box = launch("--ui-password", "pw")
    with client(box) as ui:
        assert ui.get("/").status_code == 303
