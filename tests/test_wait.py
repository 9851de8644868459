"""`GET /api/v1/emails/?wait=`: long polling for email that has not arrived yet."""
from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from helpers import run_async
from mailing import send_later, send_smtp


def test_wait_answers_as_soon_as_matching_mail_arrives(sandbox, api, unique):
    to = f"soon-{unique}@example.com"
    sender = send_later(0.3, sandbox, to, "Your code")
    started = time.monotonic()
    page = api.get("/api/v1/emails/", params={"to": to, "wait": 60}).json()
    elapsed = time.monotonic() - started
    sender.join()
    assert [e["subject"] for e in page["results"]] == ["Your code"]
    assert page["count"] == 1
    assert elapsed < 30  # answered on arrival, far before the 60 s it could have waited


def test_wait_returns_at_once_when_mail_is_already_there(sandbox, api, unique):
    to = f"there-{unique}@example.com"
    send_smtp(sandbox, to, "Already here")
    started = time.monotonic()
    page = api.get("/api/v1/emails/", params={"to": to, "wait": 60}).json()
    assert page["results"][0]["subject"] == "Already here"
    assert time.monotonic() - started < 30


def test_wait_times_out_with_an_empty_page(api, unique):
    started = time.monotonic()
    response = api.get("/api/v1/emails/", params={"to": f"never-{unique}@example.com", "wait": 0.5})
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert time.monotonic() - started >= 0.5


def test_wait_keeps_waiting_through_mail_that_does_not_match(sandbox, api, unique):
    to = f"picky-{unique}@example.com"
    noise = send_later(0.1, sandbox, f"other-{unique}@example.com", "Not for you")
    wrong_subject = send_later(0.2, sandbox, to, "Newsletter")
    wanted = send_later(0.6, sandbox, to, "Reset your password")
    page = api.get("/api/v1/emails/", params={"to": to, "subject": "password", "wait": 60}).json()
    for thread in (noise, wrong_subject, wanted):
        thread.join()
    assert [e["subject"] for e in page["results"]] == ["Reset your password"]


def test_subject_filter_matches_any_case_substring(sandbox, api, unique):
    to = f"subject-{unique}@example.com"
    send_smtp(sandbox, to, "Welcome to Acme")
    send_smtp(sandbox, to, "Invoice 100%")
    assert [e["subject"] for e in api.get("/api/v1/emails/", params={"to": to, "subject": "WELCOME"}).json()["results"]] == ["Welcome to Acme"]
    assert [e["subject"] for e in api.get("/api/v1/emails/", params={"to": to, "subject": "100%"}).json()["results"]] == ["Invoice 100%"]
    assert api.get("/api/v1/emails/", params={"to": to, "subject": "nothing"}).json()["count"] == 0


def test_many_concurrent_waiters_each_get_their_own_email(sandbox, unique):
    count = 150
    addresses = [f"crowd{i}-{unique}@example.com" for i in range(count)]

    async def wait_all() -> list[dict]:
        limits = httpx.Limits(max_connections=count + 10)
        headers = {"Authorization": f"Bearer {sandbox.api_key}"}
        async with httpx.AsyncClient(base_url=sandbox.http_url, headers=headers, limits=limits,
                                     timeout=120) as client:
            async def wait_one(address: str) -> dict:
                response = await client.get("/api/v1/emails/", params={"to": address, "wait": 60})
                return response.json()

            waiting = [asyncio.create_task(wait_one(a)) for a in addresses]
            await asyncio.sleep(0.5)  # let the requests reach the server and be held
            await asyncio.to_thread(lambda: [send_smtp(sandbox, a, f"Hi {a}") for a in addresses])
            return await asyncio.gather(*waiting)

    pages = run_async(wait_all())
    assert [p["results"][0]["subject"] for p in pages] == [f"Hi {a}" for a in addresses]


@pytest.mark.parametrize("wait", ["-1", "soon", "121"])
def test_bad_wait_is_a_400_problem(api, wait):
    response = api.get("/api/v1/emails/", params={"wait": wait})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "wait" in response.json()["errors"]


def test_a_waiter_hears_of_mail_the_sandbox_writes_itself(launch, unique):
    """A hard bounce's report (RFC 3464) is captured by the sandbox, not sent in: waiters see it too."""
    from concurrent.futures import ThreadPoolExecutor

    own = launch()
    sender = f"app-{unique}@example.com"
    with own.client() as api, ThreadPoolExecutor(max_workers=1) as pool:
        def wait_for_report() -> dict:
            with own.client() as waiter:
                return waiter.get("/api/v1/emails/", params={"to": sender, "wait": 30}).json()

        waiting = pool.submit(wait_for_report)
        sent = api.post("/api/v1/emails/send/", json={
            "to": f"bounced+{unique}@simulator.gclap.test", "from_email": sender, "subject": "hi", "text": "hi"})
        assert sent.status_code == 202
        assert api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 3600}).status_code == 200
        page = waiting.result()
    assert page["count"] == 1 and page["results"][0]["from_email"].lower().startswith("mailer-daemon@")
