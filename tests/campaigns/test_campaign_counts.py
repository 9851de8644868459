"""A campaign's stats are running counts kept as its events are recorded: they must say exactly
what the events say (totals, recipients, clicks per link), survive the deletion of an email, and
be rebuilt from the events for a file written by a version that kept no counts."""
from __future__ import annotations

from collections import Counter

import httpx
from campaign_helpers import campaign, contact, contact_list, emails_of, get, ok, send
from lifecycle_helpers import advance
from older_files import as_before_versioning

SALE, GUIDE = "https://shop.example/sale", "https://shop.example/guide"


def _sent_campaign(api: httpx.Client, unique: str, people: int = 3) -> tuple[dict, list[dict]]:
    contacts = [contact(api, f"p{i}-{unique}@example.com") for i in range(people)]
    audience = contact_list(api, f"Readers {unique}", contacts)
    created = campaign(api, subject="Two links", html=f'<a href="{SALE}">Sale</a> <a href="{GUIDE}">Guide</a>',
                       from_email="news@shop.example", track_opens=False, track_clicks=True,
                       audience={"lists": [audience["id"]]})
    send(api, created["id"])
    advance(api, seconds=600)
    assert get(api, created["id"])["status"] == "sent"
    return created, emails_of(api, created["id"])


def _simulate(api: httpx.Client, email_id: str, event: str, **body: str) -> None:
    ok(api.post(f"/api/v1/emails/{email_id}/simulate/", json={"event": event, **body}), 201)


def _stats_from_events(api: httpx.Client, campaign_id: str) -> dict[str, tuple[int, int]]:
    events = ok(api.get("/api/v1/events/", params={"campaign": campaign_id, "page_size": 500}))["results"]
    totals = Counter(e["type"] for e in events)
    people = {kind: len({e["recipient"] for e in events if e["type"] == kind}) for kind in totals}
    return {kind: (totals[kind], people[kind]) for kind in totals}


def test_repeated_opens_and_clicks_count_in_total_and_once_per_recipient_and_per_link(emptied_sandbox, unique):
    with emptied_sandbox.client() as api:
        created, emails = _sent_campaign(api, unique)
        first, second = emails[0]["id"], emails[1]["id"]
        for _ in range(3):
            _simulate(api, first, "opened")
        _simulate(api, second, "opened")
        _simulate(api, first, "clicked", url=SALE)
        _simulate(api, first, "clicked", url=SALE)
        _simulate(api, first, "clicked", url=GUIDE)
        _simulate(api, second, "clicked", url=SALE)

        stats = get(api, created["id"])["stats"]
        assert stats["opened"] == {"unique": 2, "total": 4}
        assert stats["clicked"] == {"unique": 2, "total": 4}
        assert stats["links"] == [{"url": SALE, "total": 3, "unique": 2}, {"url": GUIDE, "total": 1, "unique": 1}]
        assert (stats["sent"], stats["delivered"]) == (3, 3)
        assert stats["click_rate"] == round(2 / 3, 4)

        told = _stats_from_events(api, created["id"])
        assert (stats["opened"]["total"], stats["opened"]["unique"]) == told["email.opened"]
        assert (stats["clicked"]["total"], stats["clicked"]["unique"]) == told["email.clicked"]
        assert stats["sent"] == told["email.sent"][1] and stats["delivered"] == told["email.delivered"][1]


def test_stats_stay_when_one_of_the_campaigns_emails_is_deleted(emptied_sandbox, unique):
    with emptied_sandbox.client() as api:
        created, emails = _sent_campaign(api, unique)
        _simulate(api, emails[0]["id"], "clicked", url=SALE)
        before = get(api, created["id"])["stats"]

        assert api.delete(f"/api/v1/emails/{emails[0]['id']}/").status_code == 204
        after = get(api, created["id"])["stats"]
        assert after == before and after["clicked"] == {"unique": 1, "total": 1}


def test_a_file_from_a_version_without_counts_gets_them_from_its_events_at_start(launch, tmp_path, unique):
    path = str(tmp_path / "older.sqlite3")
    first = launch(db=path)
    with first.client() as api:
        created, emails = _sent_campaign(api, unique, people=2)
        _simulate(api, emails[0]["id"], "opened")
        _simulate(api, emails[0]["id"], "opened")
        _simulate(api, emails[1]["id"], "clicked", url=GUIDE)
        expected = get(api, created["id"])["stats"]
    first.stop()

    as_before_versioning(path, 'DROP TABLE "campaign_count"')  # a file written before counts were kept
    with launch(db=path).client() as api:
        assert get(api, created["id"])["stats"] == expected
        assert expected["opened"] == {"unique": 1, "total": 2}
        assert expected["links"] == [{"url": GUIDE, "total": 1, "unique": 1}]
