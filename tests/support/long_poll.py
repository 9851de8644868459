"""Long polls (`?wait=`) run in a thread while the test acts, and proof that they are held.

`GET /api/v1/sandbox/held-requests/` counts requests that looked, found nothing and now wait.
A test that sends its mail only after `wait_until_held` knows the answer came from the
arrival waking the request, not from a first look that already found the mail.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Iterator

import httpx
from helpers import wait_until

HELD = "/api/v1/sandbox/held-requests/"
# How long a test lets a long poll run. Tests ask the server to hold for longer (`wait=120`),
# so a request still held when the mail had arrived fails here instead of passing slowly.
POLL_DEADLINE = 60.0


def held(api: httpx.Client, channel: str = "emails") -> int:
    response = api.get(HELD)
    assert response.status_code == 200, response.text
    return response.json()[channel]


def wait_until_held(api: httpx.Client, count: int, channel: str = "emails") -> None:
    """Block until exactly `count` requests are held on `channel`."""
    wait_until(lambda: held(api, channel) == count, f"{count} held {channel} request(s)")


@contextmanager
def long_polls(sandbox: Any, params: list[dict[str, Any]], path: str = "/api/v1/emails/",
               ) -> Iterator[list[Future[dict[str, Any]]]]:
    """Start one `GET path?params` per entry, each in a thread of its own; yields their futures
    (the response bodies). Each request fails the test after POLL_DEADLINE seconds."""
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}

    def poll(query: dict[str, Any]) -> dict[str, Any]:
        with httpx.Client(base_url=sandbox.http_url, headers=headers, timeout=POLL_DEADLINE) as client:
            response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        return response.json()

    with ThreadPoolExecutor(max_workers=len(params)) as pool:
        yield [pool.submit(poll, query) for query in params]


@contextmanager
def long_poll(sandbox: Any, path: str = "/api/v1/emails/", **params: Any) -> Iterator[Future[dict[str, Any]]]:
    with long_polls(sandbox, [params], path) as (future,):
        yield future
