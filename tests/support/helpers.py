"""Small helpers the tests share: sending over SMTP and reading the API."""
from __future__ import annotations

import smtplib
import time
from email.message import EmailMessage
from typing import Any, Callable, TypeVar

import httpx

T = TypeVar("T")


def smtp_send(sandbox: Any, message: EmailMessage | bytes, sender: str, recipients: list[str],
              **kw: Any) -> dict:
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=30) as smtp:
        if isinstance(message, bytes):
            return smtp.sendmail(sender, recipients, message, **kw)
        return smtp.send_message(message, sender, recipients, **kw)


def simple_message(subject: str, to: str = "dev@example.com", sender: str = "app@example.com",
                   body: str = "Hello") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg.set_content(body)
    return msg


def emails_to(api: httpx.Client, address: str, **params: Any) -> list[dict]:
    response = api.get("/api/v1/emails/", params={"to": address, "page_size": 500, **params})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def total_count(api: httpx.Client) -> int:
    return api.get("/api/v1/emails/", params={"page_size": 1}).json()["count"]


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The response's JSON (None when empty), once its status is `status`; else fail naming the request."""
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json() if response.content else None


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    assert {"type", "title", "detail"} <= problem.keys()
    assert "Traceback" not in response.text
    return problem


def run_async(coro: Any) -> Any:
    """asyncio.run in a thread of its own: Playwright's sync API keeps a loop in the main thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def wait_until(check: Callable[[], T], what: str, within: float = 30.0) -> T:
    """Call `check` until it returns something truthy, and return that; fail naming `what` after
    `within` seconds. The deadline is a safety net for a slow machine, never a timing assertion."""
    deadline = time.monotonic() + within
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {within} s waiting for {what}")
        time.sleep(0.02)
    return result
