"""A small typed client of a running sandbox's API, for tests, scripts and the CLI.

    from gclap_sandbox.client import SandboxClient
    with SandboxClient("http://127.0.0.1:8000", api_key) as sandbox:
        email = sandbox.wait(to="ana@example.com", subject="Welcome", timeout=10)

    from gclap_sandbox.client import AsyncSandboxClient
    async with AsyncSandboxClient("http://127.0.0.1:8000", api_key) as sandbox:
        email = await sandbox.wait(to="ana@example.com", timeout=10)  # the loop keeps running

Both clients make the same calls (described once, by the `_Call`s below) over `httpx.Client`
or `httpx.AsyncClient`. Errors come back as `SandboxError` carrying the problem+json document.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, TypeVar

import httpx

API = "/api/v1"
# Each held request asks the server to wait at most this long; longer waits ask again.
WAIT_CHUNK_SECONDS = 60.0
T = TypeVar("T")


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


@dataclass(frozen=True)
class _Call(Generic[T]):
    """One API request and how to read its answer; either client can run it."""

    method: str
    path: str
    read: Callable[[httpx.Response], T]
    params: dict[str, Any] | None = None
    json: Any = None
    timeout: float | None = None  # None: the client's own

    def send_kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {"params": self.params, "json": self.json}
        if self.timeout is not None:
            kw["timeout"] = self.timeout
        return kw

    def answer(self, response: httpx.Response) -> T:
        if response.is_error:
            try:
                problem = response.json()
            except ValueError:
                problem = {"detail": response.text}
            raise SandboxError(response.status_code, problem)
        return self.read(response)


def _query(filters: dict[str, Any]) -> dict[str, Any]:
    """Keyword filters as query parameters: `from_=` is `from`, None means not given."""
    return {k.removesuffix("_"): v for k, v in filters.items() if v is not None}


def _json(response: httpx.Response) -> Any:
    return response.json()


def _email_list(response: httpx.Response) -> list[Email]:
    return [Email.from_json(row) for row in response.json()["results"]]


class _Calls:
    """Every request the clients make."""

    @staticmethod
    def emails(filters: dict[str, Any]) -> _Call[list[Email]]:
        return _Call("GET", "/emails/", _email_list, params=_query(filters))

    @staticmethod
    def get(email_id: str) -> _Call[Email]:
        return _Call("GET", f"/emails/{email_id}/", lambda r: Email.from_json(r.json()))

    @staticmethod
    def raw(email_id: str) -> _Call[bytes]:
        return _Call("GET", f"/emails/{email_id}/raw/", lambda r: r.content)

    @staticmethod
    def delete(email_id: str) -> _Call[None]:
        return _Call("DELETE", f"/emails/{email_id}/", lambda r: None)

    @staticmethod
    def clear() -> _Call[int]:
        # The API deletes everything only when asked by name: a bare DELETE is a 400.
        return _Call("DELETE", "/emails/", lambda r: int(r.json()["deleted"]), params={"all": "true"})

    @staticmethod
    def reset(everything: bool) -> _Call[dict[str, Any]]:
        return _Call("POST", "/sandbox/reset/", _json, json={"all": everything})

    @staticmethod
    def events(filters: dict[str, Any]) -> _Call[list[dict[str, Any]]]:
        return _Call("GET", "/events/", lambda r: r.json()["results"], params=_query(filters))

    @staticmethod
    def simulate(email_id: str, event: str, recipient: str | None, url: str | None) -> _Call[dict[str, Any]]:
        body = {"event": event, **_query({"recipient": recipient, "url": url})}
        return _Call("POST", f"/emails/{email_id}/simulate/", _json, json=body)

    @staticmethod
    def clock() -> _Call[dict[str, Any]]:
        return _Call("GET", "/sandbox/clock/", _json)

    @staticmethod
    def advance_clock(seconds: float) -> _Call[dict[str, Any]]:
        return _Call("POST", "/sandbox/clock/advance/", _json, json={"seconds": seconds})


class _Wait:
    """A wait for the newest matching email, as held list requests of at most WAIT_CHUNK_SECONDS."""

    def __init__(self, timeout: float, filters: dict[str, Any]) -> None:
        self.params = {**_query(filters), "page_size": 1}
        self.deadline = time.monotonic() + timeout

    def next_look(self) -> _Call[list[Email]]:
        wait = max(0.0, min(WAIT_CHUNK_SECONDS, self.deadline - time.monotonic()))
        return _Call("GET", "/emails/", _email_list, params={**self.params, "wait": f"{wait:.3f}"},
                     timeout=wait + 30)

    def over(self) -> bool:
        return time.monotonic() >= self.deadline


class SandboxClient:
    """Synchronous client; `http` is the underlying `httpx.Client` for anything not wrapped."""

    def __init__(self, url: str, api_key: str | None, *, timeout: float = 30.0,
                 http: httpx.Client | None = None) -> None:
        self.url = url.rstrip("/")
        self.http = http or httpx.Client(base_url=self.url, headers=_auth(api_key), timeout=timeout)

    def __enter__(self) -> SandboxClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def use_key(self, api_key: str) -> None:
        """Send this key from now on (e.g. the one a full reset returned)."""
        self.http.headers.update(_auth(api_key))

    def run(self, call: _Call[T]) -> T:
        return call.answer(self.http.request(call.method, API + call.path, **call.send_kwargs()))

    def call_api(self, method: str, path: str, json: Any = None) -> Any:
        """Any other route (path under /api/v1): its JSON answer; an error raises SandboxError."""
        return self.run(_Call(method, path, _json, json=json))

    def emails(self, **filters: Any) -> list[Email]:
        """Captured email, newest first; filters as the API's (to, subject, search, tag, from_, since...)."""
        return self.run(_Calls.emails(filters))

    def get(self, email_id: str) -> Email:
        return self.run(_Calls.get(email_id))

    def raw(self, email_id: str) -> bytes:
        """The RFC 822 source exactly as captured."""
        return self.run(_Calls.raw(email_id))

    def wait(self, *, to: str | None = None, subject: str | None = None, timeout: float = 10.0,
             **filters: Any) -> Email | None:
        """The newest matching email, in full, as soon as there is one; None after `timeout` s.
        Mail already stored counts: pass `since=` (ISO time) to wait for newer mail only."""
        waiting = _Wait(timeout, {"to": to, "subject": subject, **filters})
        while True:
            found = self.run(waiting.next_look())
            if found:
                return self.get(found[0].id)
            if waiting.over():
                return None

    def delete(self, email_id: str) -> None:
        self.run(_Calls.delete(email_id))

    def clear(self) -> int:
        """Delete all captured email; how many were deleted."""
        return self.run(_Calls.clear())

    def reset(self, *, all: bool = False) -> dict[str, Any]:
        """Wipe captured data (keys and settings stay), or put the sandbox back as it started with all=True."""
        return self.run(_Calls.reset(all))

    def events(self, **filters: Any) -> list[dict[str, Any]]:
        """Delivery events (`GET /api/v1/events/`), newest first; filters as the API's."""
        return self.run(_Calls.events(filters))

    def simulate(self, email_id: str, event: str, *, recipient: str | None = None,
                 url: str | None = None) -> dict[str, Any]:
        """Make an event happen to a captured email now (delivered, opened, clicked, bounced, ...)."""
        return self.run(_Calls.simulate(email_id, event, recipient, url))

    def clock(self) -> dict[str, Any]:
        """The sandbox's time (`now`, `offset_seconds`, ...)."""
        return self.run(_Calls.clock())

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the sandbox clock forward and run everything that became due."""
        return self.run(_Calls.advance_clock(seconds))


class AsyncSandboxClient:
    """The same calls for async code: every wait yields to the event loop, so the app under test
    keeps running (and sending) while a test awaits its email. `http` is the `httpx.AsyncClient`."""

    def __init__(self, url: str, api_key: str | None, *, timeout: float = 30.0,
                 http: httpx.AsyncClient | None = None) -> None:
        self.url = url.rstrip("/")
        self.http = http or httpx.AsyncClient(base_url=self.url, headers=_auth(api_key), timeout=timeout)

    async def __aenter__(self) -> AsyncSandboxClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    def use_key(self, api_key: str) -> None:
        self.http.headers.update(_auth(api_key))

    async def run(self, call: _Call[T]) -> T:
        return call.answer(await self.http.request(call.method, API + call.path, **call.send_kwargs()))

    async def call_api(self, method: str, path: str, json: Any = None) -> Any:
        return await self.run(_Call(method, path, _json, json=json))

    async def emails(self, **filters: Any) -> list[Email]:
        return await self.run(_Calls.emails(filters))

    async def get(self, email_id: str) -> Email:
        return await self.run(_Calls.get(email_id))

    async def raw(self, email_id: str) -> bytes:
        return await self.run(_Calls.raw(email_id))

    async def wait(self, *, to: str | None = None, subject: str | None = None, timeout: float = 10.0,
                   **filters: Any) -> Email | None:
        """As `SandboxClient.wait`, awaited."""
        waiting = _Wait(timeout, {"to": to, "subject": subject, **filters})
        while True:
            found = await self.run(waiting.next_look())
            if found:
                return await self.get(found[0].id)
            if waiting.over():
                return None

    async def delete(self, email_id: str) -> None:
        await self.run(_Calls.delete(email_id))

    async def clear(self) -> int:
        return await self.run(_Calls.clear())

    async def reset(self, *, all: bool = False) -> dict[str, Any]:
        return await self.run(_Calls.reset(all))

    async def events(self, **filters: Any) -> list[dict[str, Any]]:
        return await self.run(_Calls.events(filters))

    async def simulate(self, email_id: str, event: str, *, recipient: str | None = None,
                       url: str | None = None) -> dict[str, Any]:
        return await self.run(_Calls.simulate(email_id, event, recipient, url))

    async def clock(self) -> dict[str, Any]:
        return await self.run(_Calls.clock())

    async def advance_clock(self, seconds: float) -> dict[str, Any]:
        return await self.run(_Calls.advance_clock(seconds))


def _auth(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}
