"""Long polling: hold a list request until something new may match, without polling or threads.

A `Waiters` registry keeps one asyncio future per held request, grouped by channel
("emails", "events", ...) and organization. Whatever stores new items calls the registry's
listener on the loop (the bus's committed topics do, see server/wiring.py); that wakes every
waiter of that channel and organization, and each one re-runs its real query, so filters
apply exactly as without `wait`. A waiter may bring a quick test of the new item
(`may_match`): when it says the item cannot be in the waiter's results, that waiter sleeps on
instead of querying again, so a hundred waiters for a hundred addresses cost one query each
per arrival of their own mail, not one per arrival of anyone's. Plugging in another resource
takes two lines:

    topic.subscribe(on_loop(inbox, ctx.waiters.listener("events")))     # server/wiring.py
    count, rows = await hold_until_found(ctx.waiters, "events", org, seconds, fetch)  # route

`GET /api/v1/sandbox/held-requests/` reports how many requests are held right now, so a
test can send its mail only once its long poll is really waiting.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any, Awaitable, Callable, TypeVar

# The longest a request may be held; clients wanting longer ask again (see client.py).
MAX_WAIT_SECONDS = 120
WAIT_DESCRIPTION = (f"Seconds (at most {MAX_WAIT_SECONDS}) to hold the request while nothing matches; "
                    "it answers as soon as something does, or with an empty page when time runs out.")

# The channels that list routes hold requests on (`?wait=` on /emails/ and /events/).
CHANNELS = ("emails", "events")

Page = TypeVar("Page", bound=tuple)
# Whether a newly stored item may be among a held request's results; False only when it surely is not.
MayMatch = Callable[[Any], bool]


class Waiters:
    """Futures of held requests by (channel, organization id); resolved on the loop."""

    def __init__(self) -> None:
        # Each held future with its `may_match` test (None: any new item may match).
        self._futures: dict[tuple[str, str], dict[asyncio.Future[None], MayMatch | None]] = defaultdict(dict)
        # Futures whose request has looked, found nothing and is now waiting for news.
        self._parked: set[asyncio.Future[None]] = set()

    def register(self, channel: str, organization_id: str,
                 may_match: MayMatch | None = None) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._futures[(channel, organization_id)][future] = may_match
        return future

    def park(self, future: asyncio.Future[None]) -> None:
        """The request owning `future` found nothing and now waits: it counts as held."""
        self._parked.add(future)

    def discard(self, channel: str, organization_id: str, future: asyncio.Future[None]) -> None:
        self._parked.discard(future)
        key = (channel, organization_id)
        pending = self._futures.get(key)
        if pending is not None:
            pending.pop(future, None)
            if not pending:
                del self._futures[key]

    def notify(self, channel: str, organization_id: str, item: Any = None) -> None:
        """Something new was stored: wake every request held on this channel and organization
        that `item` may match (every one when `item` is None)."""
        key = (channel, organization_id)
        pending = self._futures.get(key)
        if not pending:
            return
        woken = [future for future, may_match in pending.items()
                 if item is None or may_match is None or may_match(item)]
        for future in woken:
            del pending[future]
            self._parked.discard(future)  # woken: no longer held, it is about to look again
            if not future.done():
                future.set_result(None)
        if not pending:
            del self._futures[key]

    def listener(self, channel: str) -> Callable[[str, Any], None]:
        """A callback with the `fn(organization_id, item)` shape of `ctx.*_listeners`."""

        def on_new_item(organization_id: str, item: Any) -> None:
            self.notify(channel, organization_id, item)

        return on_new_item

    def count(self, channel: str | None = None) -> int:
        return sum(len(f) for (ch, _), f in self._futures.items() if channel in (None, ch))

    def held(self, channel: str, organization_id: str) -> int:
        """Requests of this channel and organization waiting right now after finding nothing."""
        return sum(1 for f in self._futures.get((channel, organization_id), ()) if f in self._parked)


async def hold_until_found(waiters: Waiters, channel: str, organization_id: str, seconds: float,
                           fetch: Callable[[], Awaitable[Page]], may_match: MayMatch | None = None) -> Page:
    """Run `fetch()` (returning `(count, rows, ...)`); while count is 0, wait for news up to `seconds`.

    The future is registered before each query, so an item stored while the query runs
    still wakes us; after the deadline the last (empty) result is returned, not an error.
    `may_match(item)` answering False lets an item that cannot be in `fetch()`'s results pass
    without a new query.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(0.0, seconds)
    while True:
        future = waiters.register(channel, organization_id, may_match)
        try:
            page = await fetch()
            remaining = deadline - loop.time()
            if page[0] or remaining <= 0:
                return page
            waiters.park(future)
            try:
                await asyncio.wait_for(future, remaining)
            except asyncio.TimeoutError:
                pass
        finally:
            waiters.discard(channel, organization_id, future)
