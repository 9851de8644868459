"""A small typed client of a running sandbox's API, for tests, scripts and the CLI.

    from gclap_sandbox.client import SandboxClient
    with SandboxClient("http://127.0.0.1:8000", api_key) as sandbox:
        email = sandbox.wait(to="ana@example.com", subject="Welcome", timeout=10)

Errors come back as `SandboxError` carrying the problem+json document.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

API = "/api/v1"
# Each held request asks the server to wait at most this long; longer waits ask again.
WAIT_CHUNK_SECONDS = 60.0


class SandboxError(Exception):
    """The sandbox answered with an error (`status`, and its problem+json as `problem`)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{status}: {problem.get('detail') or problem.get('title') or problem}")
        self.status = status
        self.problem = problem


@dataclass(frozen=True)
class Email:
    """A captured email. Listing gives the summary; `get`/`wait` also fill text, html, headers."""

    id: str
    subject: str
    from_email: str | None
    to: list[str]
    cc: list[str]
    bcc: list[str]
    status: str
    source: str
    created_at: str
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    snippet: str = ""
    text: str | None = None
    html: str | None = None
    headers: list[dict[str, str]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict, repr=False)  # the whole JSON object

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Email:
        return cls(
            id=data["id"], subject=data.get("subject", ""), from_email=data.get("from_email"),
            to=data.get("to", []), cc=data.get("cc", []), bcc=data.get("bcc", []),
            status=data.get("status", ""), source=data.get("source", ""),
            created_at=data.get("created_at", ""), tags=data.get("tags", []),
            metadata=data.get("metadata", {}), snippet=data.get("snippet", ""),
            text=data.get("text"), html=data.get("html"), headers=data.get("headers", []),
            attachments=data.get("attachments", []), data=data,
        )

    def header(self, name: str) -> str | None:
        """The first header called `name` (any case), when the full email was fetched."""
        return next((h["value"] for h in self.headers if h["name"].lower() == name.lower()), None)


class SandboxClient:
    """Synchronous client; `http` is the underlying `httpx.Client` for anything not wrapped."""

    def __init__(self, url: str, api_key: str | None, *, timeout: float = 30.0,
                 http: httpx.Client | None = None) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.url = url.rstrip("/")
        self.http = http or httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def __enter__(self) -> SandboxClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def _request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        response = self.http.request(method, API + path, **kw)
        if response.is_error:
            try:
                problem = response.json()
            except ValueError:
                problem = {"detail": response.text}
            raise SandboxError(response.status_code, problem)
        return response

    # Email

    def emails(self, **filters: Any) -> list[Email]:
        """Captured email, newest first; filters as the API's (to, subject, search, tag, ...)."""
        params = {k.removesuffix("_"): v for k, v in filters.items() if v is not None}
        return [Email.from_json(row) for row in self._request("GET", "/emails/", params=params).json()["results"]]

    def get(self, email_id: str) -> Email:
        return Email.from_json(self._request("GET", f"/emails/{email_id}/").json())

    def raw(self, email_id: str) -> bytes:
        """The RFC 822 source exactly as captured."""
        return self._request("GET", f"/emails/{email_id}/raw/").content

    def wait(self, *, to: str | None = None, subject: str | None = None, timeout: float = 10.0,
             **filters: Any) -> Email | None:
        """The newest matching email, in full, as soon as there is one; None after `timeout` s."""
        params = {k.removesuffix("_"): v for k, v in {"to": to, "subject": subject, **filters}.items()
                  if v is not None}
        params["page_size"] = 1
        deadline = time.monotonic() + timeout
        while True:
            wait = max(0.0, min(WAIT_CHUNK_SECONDS, deadline - time.monotonic()))
            page = self._request("GET", "/emails/", params={**params, "wait": f"{wait:.3f}"},
                                 timeout=wait + 30).json()
            if page["results"]:
                return self.get(page["results"][0]["id"])
            if time.monotonic() >= deadline:
                return None

    def delete(self, email_id: str) -> None:
        self._request("DELETE", f"/emails/{email_id}/")

    def clear(self) -> int:
        """Delete all captured email; how many were deleted."""
        # The API deletes everything only when asked by name: a bare DELETE is a 400.
        return int(self._request("DELETE", "/emails/", params={"all": "true"}).json()["deleted"])

    # Sandbox control

    def reset(self, *, all: bool = False) -> dict[str, Any]:
        """Wipe captured data (keys and settings stay), or everything with all=True."""
        return self._request("POST", "/sandbox/reset/", json={"all": all}).json()

    def events(self, **filters: Any) -> list[dict[str, Any]]:
        """Delivery events (`GET /api/v1/events/`), newest first; filters as the API's."""
        params = {k.removesuffix("_"): v for k, v in filters.items() if v is not None}
        return self._request("GET", "/events/", params=params).json()["results"]

    def simulate(self, email_id: str, event: str, *, recipient: str | None = None,
                 url: str | None = None) -> dict[str, Any]:
        """Make an event happen to a captured email now (delivered, opened, clicked, bounced, ...)."""
        body: dict[str, Any] = {"event": event}
        if recipient is not None:
            body["recipient"] = recipient
        if url is not None:
            body["url"] = url
        return self._request("POST", f"/emails/{email_id}/simulate/", json=body).json()

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the sandbox clock forward and run everything that became due."""
        return self._request("POST", "/sandbox/clock/advance/", json={"seconds": seconds}).json()
