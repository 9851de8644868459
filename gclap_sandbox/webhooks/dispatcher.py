"""The dispatcher: an asyncio task that posts due deliveries, many at once but within bounds.

* At most `concurrency` requests are in flight in all, and at most half of them for any one
  endpoint, so a slow or hanging endpoint cannot starve the others; capture never waits.
* Deliveries for the same email and endpoint go out one after another, in the order their
  events happened.
* Each attempt has a total `timeout`; success is any 2xx. Outcomes are recorded by
  `outbox.record_attempt`, which also schedules the retry on the sandbox clock.
* `run_due()` posts everything due now and waits for it: the clock's advance calls it, so a
  jump forward runs the whole retry schedule before answering.

The HTTP client is injected (`httpx.AsyncClient`), so tests may pass a MockTransport one.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from gclap_sandbox import clock
from gclap_sandbox.webhooks import outbox, signing
from gclap_sandbox.webhooks.outbox import AttemptResult, Work

if TYPE_CHECKING:
    import httpx

    from gclap_sandbox.server.context import AppContext

log = logging.getLogger("gclap_sandbox.webhooks")
FAR_AHEAD = timedelta(days=3650)
IDLE_WAIT = 5.0  # seconds between looks at the outbox when nothing is due sooner
MAX_RESPONSE_BODY = 16 * 1024  # bytes of a response body kept in the delivery log
MAX_RESPONSE_HEADER = 1024  # characters of each response header value kept


class Dispatcher:
    def __init__(self, ctx: AppContext, client: httpx.AsyncClient | None = None, *,
                 concurrency: int = 64, timeout: float = 10.0, disable_after: float = 0.0) -> None:
        self.ctx = ctx
        self.concurrency = max(1, concurrency)
        self.per_endpoint = max(1, self.concurrency // 2)
        self.timeout = timeout
        self.disable_after = disable_after
        self._client = client
        self._owns_client = client is None
        self._slots = asyncio.Semaphore(self.concurrency)
        self._busy: set[str] = set()  # delivery ids claimed and not yet recorded
        self._lanes: dict[tuple[str, str], asyncio.Task] = {}  # order key -> the task posting it
        self._per_endpoint: Counter[str] = Counter()
        self._wake = asyncio.Event()
        self._claiming = asyncio.Lock()
        self._task: asyncio.Task | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="gclap-webhooks")

    @property
    def running(self) -> bool:
        """Its task is alive (the readiness probe asks)."""
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._lanes.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._owns_client and self._client is not None:
            await self._client.aclose()

    def wake(self) -> None:
        """Look for due deliveries now (new ones were queued, or an endpoint came back)."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            upcoming = None
            try:
                await self._start_due()
                upcoming = await self.ctx.db.run(outbox.next_due, clock.now() + FAR_AHEAD)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook dispatcher hit an error; retrying")
            wait = IDLE_WAIT
            if upcoming is not None:
                wait = min(IDLE_WAIT, max(0.0, (upcoming - clock.now()).total_seconds()))
            if wait > 0 or self._wake.is_set():
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=wait or None)
                except asyncio.TimeoutError:
                    pass
            else:  # due but blocked (busy lanes): wait for a lane to finish
                await self._wake.wait()

    # --- the clock's and the API's entry points --------------------------------------------

    async def next_due(self, limit: datetime) -> datetime | None:
        return await self.ctx.db.run(outbox.next_due, limit)

    async def run_due(self) -> int:
        """Post everything due now (and what is already in flight); return when all is recorded."""
        done = 0
        while True:
            await self._start_due()
            lanes = list(self._lanes.values())
            if not lanes:
                return done
            results = await asyncio.gather(*lanes, return_exceptions=True)
            done += sum(r for r in results if isinstance(r, int))

    async def send_now(self, delivery_id: str) -> None:
        """Post one delivery at once (test events) and wait until its attempt is recorded."""
        self._busy.add(delivery_id)
        work = await self.ctx.db.run(outbox.claim_due, [], 1, [delivery_id], self.timeout)
        if not work:
            self._busy.discard(delivery_id)
            return
        await self._lane(work)

    # --- posting ---------------------------------------------------------------------------

    async def _start_due(self) -> None:
        async with self._claiming:  # one claim at a time, so two never post the same delivery
            await self._claim_and_start()

    async def _claim_and_start(self) -> None:
        work = await self.ctx.db.run(outbox.claim_due, list(self._busy), self.concurrency * 4, None, self.timeout)
        lanes: dict[tuple[str, str], list[Work]] = defaultdict(list)
        for item in work:
            lanes[item.order_key].append(item)
        for key, items in lanes.items():
            if key in self._lanes or self._per_endpoint[key[0]] >= self.per_endpoint:
                continue  # ordered behind a running lane, or the endpoint has its share
            self._busy.update(item.delivery_id for item in items)
            self._per_endpoint[key[0]] += 1
            task = asyncio.get_running_loop().create_task(self._lane(items))
            self._lanes[key] = task
            task.add_done_callback(lambda _t, key=key: self._lane_done(key))

    def _lane_done(self, key: tuple[str, str]) -> None:
        self._lanes.pop(key, None)
        self._per_endpoint[key[0]] -= 1
        if self._per_endpoint[key[0]] <= 0:
            del self._per_endpoint[key[0]]
        self._wake.set()

    async def _lane(self, items: list[Work]) -> int:
        try:
            for item in items:
                async with self._slots:
                    result = await self._post(item)
                summary = await self.ctx.db.run(outbox.record_attempt, item.delivery_id, result,
                                                self.disable_after)
                if summary is not None:
                    self.ctx.bus.webhook_attempted.publish(summary["organization_id"], {
                        **summary, "url": item.url, "response_status": result.status,
                        "duration_ms": result.duration_ms, "error": result.error})
            return len(items)
        finally:
            self._busy.difference_update(item.delivery_id for item in items)

    async def _post(self, item: Work) -> AttemptResult:
        # webhook-timestamp is real time: receivers check it against their own clock.
        headers = signing.headers(item.secrets, item.message_id, int(time.time()), item.body)
        result = AttemptResult(url=item.url, started_at=clock.now_of(item.organization_id), request_headers=headers,
                               request_body=item.body, duration_ms=0.0)
        httpx = _httpx()
        if self._client is None:  # made on first use: importing httpx at start slows `serve`
            self._client = httpx.AsyncClient(
                timeout=self.timeout, follow_redirects=False, trust_env=False,
                limits=httpx.Limits(max_connections=self.concurrency,
                                    max_keepalive_connections=self.concurrency))
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout):
                async with self._client.stream("POST", item.url, content=item.body.encode(),
                                               headers=headers) as response:
                    result.status = response.status_code
                    result.response_headers = {k: v[:MAX_RESPONSE_HEADER] for k, v in response.headers.items()}
                    body, result.response_truncated = await _read_limited(response)
                    result.response_body = body.decode(response.encoding or "utf-8", errors="replace")
        except TimeoutError:
            result.error = f"No answer within {self.timeout:g} s."
        except httpx.HTTPError as exc:
            result.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        except OSError as exc:
            result.error = f"{type(exc).__name__}: {exc}"
        result.duration_ms = (time.perf_counter() - started) * 1000
        return result


def _httpx() -> Any:
    import httpx

    return httpx


async def _read_limited(response: httpx.Response) -> tuple[bytes, bool]:
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_RESPONSE_BODY:
            return b"".join(chunks)[:MAX_RESPONSE_BODY], True
    return b"".join(chunks), False
