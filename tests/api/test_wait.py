"""`GET /api/v1/emails/?wait=`: long polling for email that has not arrived yet."""
from __future__ import annotations

import asyncio
import smtplib

import httpx
import pytest
from helpers import run_async
from long_poll import held, long_poll, wait_until_held
from mailing import send_smtp

from gclap_sandbox.events.waiters import MAX_WAIT_SECONDS


def test_a_held_wait_is_answered_by_the_matching_mail_when_it_arrives(sandbox, api, unique):
    to = f"soon-{unique}@example.com"
    with long_poll(sandbox, to=to, wait=120) as waiting:
        wait_until_held(api, 1)  # it looked, found nothing and is waiting
        send_smtp(sandbox, to, "Your code")
        page = waiting.result()  # the poll's deadline is far below `wait`: only the arrival answers it
    assert [e["subject"] for e in page["results"]] == ["Your code"]
    assert page["count"] == 1
    assert held(api) == 0


def test_wait_answers_at_once_when_mail_is_already_there(sandbox, api, unique):
    to = f"there-{unique}@example.com"
    send_smtp(sandbox, to, "Already here")
    with long_poll(sandbox, to=to, wait=120) as waiting:
        page = waiting.result()  # a request held for its whole `wait` would fail at the poll's deadline
    assert [e["subject"] for e in page["results"]] == ["Already here"]


def test_a_wait_with_no_match_is_held_then_answers_an_empty_page(sandbox, api, unique):
    with long_poll(sandbox, to=f"never-{unique}@example.com", wait=3) as waiting:
        wait_until_held(api, 1)
        page = waiting.result()
    assert page == {"count": 0, "next": None, "previous": None, "results": []}
    assert held(api) == 0  # nothing left behind


def test_wait_keeps_waiting_through_mail_that_does_not_match(sandbox, api, unique):
    to = f"picky-{unique}@example.com"
    with long_poll(sandbox, to=to, subject="password", wait=120) as waiting:
        wait_until_held(api, 1)
        send_smtp(sandbox, f"other-{unique}@example.com", "Not for you")
        send_smtp(sandbox, to, "Newsletter")
        wait_until_held(api, 1)  # still held: mail that does not match never answers it
        assert not waiting.done()
        send_smtp(sandbox, to, "Reset your password")
        page = waiting.result()
    assert [e["subject"] for e in page["results"]] == ["Reset your password"]


def test_subject_filter_matches_any_case_substring(sandbox, api, unique):
    to = f"subject-{unique}@example.com"
    send_smtp(sandbox, to, "Welcome to Acme")
    send_smtp(sandbox, to, "Invoice 100%")
    assert [e["subject"] for e in api.get("/api/v1/emails/", params={"to": to, "subject": "WELCOME"}).json()["results"]] == ["Welcome to Acme"]
    assert [e["subject"] for e in api.get("/api/v1/emails/", params={"to": to, "subject": "100%"}).json()["results"]] == ["Invoice 100%"]
    assert api.get("/api/v1/emails/", params={"to": to, "subject": "nothing"}).json()["count"] == 0


def test_a_wait_for_a_recipient_only_the_envelope_names_is_answered_by_its_mail(sandbox, api, unique):
    hidden = f"hidden-{unique}@example.com"  # a Bcc: in RCPT TO, in no header
    with long_poll(sandbox, to=hidden.upper(), wait=120) as waiting:
        wait_until_held(api, 1)
        message = f"From: app@example.com\r\nTo: team-{unique}@example.com\r\nSubject: Minutes\r\n\r\nHi\r\n"
        with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
            smtp.sendmail("app@example.com", [f"team-{unique}@example.com", hidden], message.encode())
        page = waiting.result()
    assert [e["subject"] for e in page["results"]] == ["Minutes"]


@pytest.mark.long(seconds=8)
def test_many_concurrent_waiters_each_get_their_own_email(sandbox, unique):
    count = 150
    addresses = [f"crowd{i}-{unique}@example.com" for i in range(count)]

    async def wait_all() -> list[dict]:
        limits = httpx.Limits(max_connections=count + 10)
        headers = {"Authorization": f"Bearer {sandbox.api_key}"}
        async with httpx.AsyncClient(base_url=sandbox.http_url, headers=headers, limits=limits,
                                     timeout=MAX_WAIT_SECONDS + 60) as client:
            async def wait_one(address: str) -> dict:
                # The longest wait: on a busy machine, holding 150 and sending 150 takes a while.
                response = await client.get("/api/v1/emails/", params={"to": address, "wait": MAX_WAIT_SECONDS})
                return response.json()

            waiting = [asyncio.create_task(wait_one(a)) for a in addresses]
            with sandbox.client() as api:  # send only once every request is really held
                await asyncio.to_thread(wait_until_held, api, count)
            await asyncio.to_thread(lambda: [send_smtp(sandbox, a, f"Hi {a}") for a in addresses])
            return await asyncio.gather(*waiting)

    pages = run_async(wait_all())
    assert [[e["subject"] for e in p["results"]] for p in pages] == [[f"Hi {a}"] for a in addresses]


@pytest.mark.parametrize("wait", ["-1", "soon", "121"])
def test_bad_wait_is_a_400_problem(api, wait):
    response = api.get("/api/v1/emails/", params={"wait": wait})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "wait" in response.json()["errors"]


def test_a_waiter_hears_of_mail_the_sandbox_writes_itself(launch, unique):
    """A hard bounce's report (RFC 3464) is captured by the sandbox, not sent in: waiters see it too."""
    own = launch()
    sender = f"app-{unique}@example.com"
    with own.client() as api, long_poll(own, to=sender, wait=120) as waiting:
        wait_until_held(api, 1)
        sent = api.post("/api/v1/emails/send/", json={
            "to": f"bounced+{unique}@simulator.gclap.test", "from_email": sender, "subject": "hi", "text": "hi"})
        assert sent.status_code == 202
        assert api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 3600}).status_code == 200
        page = waiting.result()
    assert page["count"] == 1 and page["results"][0]["from_email"].lower().startswith("mailer-daemon@")
