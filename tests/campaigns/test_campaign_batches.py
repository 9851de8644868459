"""Large campaigns are sent in small pieces: the recipients written a chunk at a time, each batch
rendered off the database thread and stored in short units of work. Whatever the pieces, every
contact gets exactly one email, a cancel stops the sending between batches, and a campaign
left sending by a restart goes on. (The pieces are made tiny here so that a few contacts
span many of them.)"""
from __future__ import annotations

from typing import Iterator

import httpx
import pytest
from campaign_helpers import CAMPAIGNS, campaign, emails_of, get, ok, send
from lifecycle_helpers import advance

from gclap_sandbox.campaigns import runner, sender


@pytest.fixture
def api(own_sandbox) -> Iterator[httpx.Client]:
    with own_sandbox.client() as client:
        yield client


@pytest.fixture
def tiny_pieces(monkeypatch):
    """Chunks of 5 recipients, batches of 4, renders of 3, one email per unit of work."""
    monkeypatch.setattr(sender, "FILL_CHUNK", 5)
    monkeypatch.setattr(sender, "BATCH_SIZE", 4)
    monkeypatch.setattr(sender, "TIME_SLICE", 0.0)
    monkeypatch.setattr(runner, "RENDER_CHUNK", 3)


def _imported_list(api: httpx.Client, name: str, addresses: list[str], extra: str = "") -> str:
    members = ok(api.post("/api/v1/contacts/lists/", json={"name": name}), 201)["id"]
    rows = "".join(f"{address},First{n}{extra}\n" for n, address in enumerate(addresses))
    ok(api.post("/api/v1/contacts/import/", params={"list": members}, content="email,first_name\n" + rows,
                headers={"Content-Type": "text/csv"}))
    return members


def test_a_campaign_spanning_many_chunks_and_batches_reaches_every_contact_once(api, unique, tiny_pieces):
    people = [f"p{n}-{unique}@example.com" for n in range(23)]
    members = _imported_list(api, f"Big {unique}", people)
    ok(api.post("/api/v1/contacts/import/", content=f"email,status\n{people[7]},unsubscribed\n",
                headers={"Content-Type": "text/csv"}))
    created = campaign(api, subject="Hi {{ contact.first_name }}", text="For {{ contact.email }}",
                       audience={"lists": [members]})
    send(api, created["id"])
    advance(api, seconds=60)

    done = get(api, created["id"])
    assert done["status"] == "sent"
    stats = done["stats"]
    assert (stats["recipients"], stats["sent"], stats["skipped"], stats["pending"]) == (23, 22, 1, 0)
    assert stats["skipped_reasons"]["unsubscribed"] == 1
    emails = emails_of(api, created["id"])
    assert sorted(e["to"][0] for e in emails) == sorted(p for p in people if p != people[7])
    assert {e["subject"] for e in emails} == {f"Hi First{n}" for n in range(23) if n != 7}


def test_cancelling_a_sending_campaign_stops_it_between_batches(api, unique, tiny_pieces):
    people = [f"c{n}-{unique}@example.com" for n in range(10)]
    created = campaign(api, subject="Slowly", text="x", rate_per_minute=3,
                       audience={"lists": [_imported_list(api, f"Slow {unique}", people)]})
    send(api, created["id"])
    advance(api, seconds=1)
    assert get(api, created["id"])["status"] == "sending" and len(emails_of(api, created["id"])) == 3
    ok(api.post(f"{CAMPAIGNS}{created['id']}/cancel/"))
    advance(api, seconds=600)
    stopped = get(api, created["id"])
    assert stopped["status"] == "cancelled" and stopped["completed_at"] is None
    assert stopped["stats"]["sent"] == 3 and stopped["stats"]["pending"] == 7
    assert len(emails_of(api, created["id"])) == 3


def test_a_campaign_left_sending_by_a_restart_goes_on_where_it_stopped(launch, tmp_path, unique):
    db = str(tmp_path / "sandbox.sqlite3")
    people = [f"r{n}-{unique}@example.com" for n in range(6)]
    first = launch(db=db)
    with first.client() as api:
        created = campaign(api, subject="Twice a minute", text="x", rate_per_minute=2,
                           audience={"lists": [_imported_list(api, f"Restart {unique}", people)]})
        send(api, created["id"])
        advance(api, seconds=1)
        assert len(emails_of(api, created["id"])) == 2
    first.stop()
    second = launch(db=db)
    with second.client() as api:
        advance(api, seconds=180)
        finished = get(api, created["id"])
        assert finished["status"] == "sent" and finished["stats"]["sent"] == 6
        assert sorted(e["to"][0] for e in emails_of(api, created["id"])) == sorted(people)
