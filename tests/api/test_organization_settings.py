"""The organization's tracking defaults and plan switches, over real HTTP."""
from __future__ import annotations

from email import message_from_bytes, policy

from lifecycle_helpers import send

ORG = "/api/v1/accounts/organization/"
HTML = '<html><body><p><a href="https://shop.example/sale">sale</a></p></body></html>'


def _html(api, email_id: str) -> str:
    """The HTML as delivered (tracking changes the delivered version, never what was sent)."""
    raw = api.get(f"/api/v1/emails/{email_id}/raw/", params={"version": "delivered"}).content
    return message_from_bytes(raw, policy=policy.default).get_body(("html",)).get_content()


def test_tracking_defaults_apply_to_mail_that_does_not_set_them(launch):
    with launch().client() as api:
        assert api.get(ORG).json()["tracking"] == {"track_opens": False, "track_clicks": False}
        changed = api.patch(ORG, json={"track_clicks": True})
        assert changed.status_code == 200
        assert changed.json()["tracking"] == {"track_opens": False, "track_clicks": True}
        tracked = _html(api, send(api, "ana@example.com", html=HTML)["id"])
        assert "https://shop.example/sale" not in tracked and "/t/" in tracked and "<img" not in tracked
        # The message's own choice still wins over the default.
        assert "https://shop.example/sale" in _html(api, send(api, "ana@example.com", html=HTML,
                                                               track_clicks=False)["id"])

        api.patch(ORG, json={"track_clicks": False, "track_opens": True})
        assert api.get(ORG).json()["tracking"] == {"track_opens": True, "track_clicks": False}
        untracked = _html(api, send(api, "ben@example.com", html=HTML)["id"])
        assert "https://shop.example/sale" in untracked and "<img" in untracked


def test_bad_tracking_defaults_get_400_and_change_nothing(launch):
    with launch().client() as api:
        for body in ({"track_clicks": "yes"}, {"track_opens": None}, {"track_opens": 1}):
            refused = api.patch(ORG, json=body)
            assert refused.status_code == 400, body
            assert refused.headers["content-type"] == "application/problem+json"
            assert list(refused.json()["errors"]) == list(body)
        assert api.get(ORG).json()["tracking"] == {"track_opens": False, "track_clicks": False}


def test_a_plan_switch_starts_a_fresh_rate_limit_window(launch):
    with launch().client() as api:
        for _ in range(150):
            assert api.get("/api/v1/emails/").status_code == 200
        switched = api.patch(ORG, json={"plan": "free"})
        assert switched.status_code == 200, switched.text
        assert switched.json()["rate_limit"]["remaining"] == 100
        first = api.get("/api/v1/emails/")
        assert first.status_code == 200 and first.headers["X-RateLimit-Remaining"] == "99"


def test_the_plan_can_be_switched_back_while_over_the_limit(launch):
    with launch("--plan", "free").client() as api:
        statuses = [api.get("/api/v1/emails/").status_code for _ in range(101)]
        assert statuses[-1] == 429 and statuses.count(200) == 100
        back = api.patch(ORG, json={"plan": "unlimited"})
        assert back.status_code == 200, back.text
        assert back.headers["X-RateLimit-Limit"] == "1000000"
        assert api.get("/api/v1/emails/").status_code == 200
