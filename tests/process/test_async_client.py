"""`AsyncSandboxClient` and the fixture's async wait, inside an event loop where the app sends."""
from __future__ import annotations

import asyncio
import time

import aiosmtplib
import pytest

from gclap_sandbox.client import AsyncSandboxClient, SandboxError
from helpers import run_async

DEADLINE_SECONDS = 60


async def until_held(client: AsyncSandboxClient) -> None:
    """Until the sandbox holds one long poll of ours (it looked, found nothing, and waits)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while (await client.http.get("/api/v1/sandbox/held-requests/")).json()["emails"] != 1:
        if time.monotonic() > deadline:
            pytest.fail(f"no long poll was held within {DEADLINE_SECONDS} s")
        await asyncio.sleep(0.02)


async def app_sends(sandbox, to: str) -> None:
    """What the app under test does on the same loop: send over SMTP."""
    message = f"From: app@example.com\r\nTo: {to}\r\nSubject: Welcome\r\n\r\nHello from the app\r\n"
    await aiosmtplib.send(message, sender="app@example.com", recipients=[to],
                          hostname=sandbox.smtp_host, port=sandbox.smtp_port, timeout=DEADLINE_SECONDS)


def test_an_awaited_wait_lets_the_app_send_on_the_same_loop(sandbox, unique):
    to = f"async-{unique}@example.com"

    async def scenario():
        async with AsyncSandboxClient(sandbox.http_url, sandbox.api_key) as client:
            waiting = asyncio.create_task(client.wait(to=to, timeout=DEADLINE_SECONDS))
            await until_held(client)  # the wait is pending on the server...
            await app_sends(sandbox, to)  # ...and the loop still runs the app's send
            return await waiting

    email = run_async(scenario())
    assert email is not None and email.subject == "Welcome"
    assert email.text.strip() == "Hello from the app"  # the full email, as the sync client gives


def test_the_async_client_reads_lists_and_reports_errors(sandbox, unique):
    to = f"async-list-{unique}@example.com"

    async def scenario():
        async with AsyncSandboxClient(sandbox.http_url, sandbox.api_key) as client:
            await app_sends(sandbox, to)
            [summary] = await client.emails(to=to)
            raw = await client.raw(summary.id)
            missing = await client.wait(to=f"nobody-{unique}@example.com", timeout=0)
            try:
                await client.get("00000000-0000-4000-8000-000000000000")
            except SandboxError as exc:
                return summary, raw, missing, exc
            pytest.fail("an unknown email was found")

    summary, raw, missing, error = run_async(scenario())
    assert summary.to == [to] and b"Subject: Welcome" in raw
    assert missing is None
    assert error.status == 404 and error.problem["status"] == 404


def test_the_fixtures_async_wait_inside_an_event_loop(pytester):
    pytester.makepyfile(test_app='''
import asyncio

import httpx


def test_signup_in_async_code(gclap):
    async def app_signup(to):
        async with httpx.AsyncClient(base_url=gclap.api_url,
                                     headers={"Authorization": "Bearer " + gclap.api_key}) as http:
            response = await http.post("/api/v1/emails/send/", json={"to": to, "subject": "Welcome", "text": "hi"})
            assert response.status_code == 202

    async def scenario():
        waiting = asyncio.create_task(gclap.wait_for_email_async(to="ana@example.com", timeout=30))
        await asyncio.sleep(0)  # the wait starts first
        await app_signup("ana@example.com")
        return await waiting

    assert asyncio.run(scenario()).subject == "Welcome"


def test_an_async_wait_that_times_out_fails_with_what_arrived(gclap):
    async def scenario():
        async with gclap.async_client() as client:
            await client.http.post("/api/v1/emails/send/", json={"to": "bo@example.com", "subject": "Hi Bo", "text": "x"})
        await gclap.wait_for_email_async(to="cy@example.com", timeout=0.3)

    asyncio.run(scenario())
''')
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*No email (to='cy@example.com') arrived within 0.3 s. Captured: 'Hi Bo' to bo@example.com*"])
