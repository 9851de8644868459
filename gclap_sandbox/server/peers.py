"""Several processes on one database as one sandbox: what this process learns of the others'.

Everything durable is shared through the database already (mail, jobs, deliveries, clocks), and
shared work is claimed so that each piece runs once (events/jobs.py, storage/claims.py). What a
process keeps in memory has to hear of the others' changes:

* mail and events another process stored are published on this process's `email_committed` /
  `event_committed` topics, as if stored here, so live pages and `?wait=` long polls connected
  here see them at once;
* organizations' clock offsets are read again, so every process reads the same times;
* once another process has written anything, what this one caches of the tables (keys,
  organizations and their plans, webhook subscriptions, stored sequences) is read again, so a
  key revoked or a plan changed through one process holds in all (SQLite tells it by
  `data_version`; PostgreSQL has no such marker, so there they are read again at every look).

On SQLite the background loop asks every POLL_SECONDS (one indexed read per table); on
PostgreSQL new rows come by LISTEN/NOTIFY (storage/peer_feed.py) and the rest is polled.
"""
from __future__ import annotations

import asyncio
import collections
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import peewee

from gclap_sandbox.events import record, timeline
from gclap_sandbox.events.bus import EventBus, Topic
from gclap_sandbox.inbox.queries import summary
from gclap_sandbox.models import Email, Event
from gclap_sandbox.storage import peer_feed
from gclap_sandbox.worker_loop import cancel_and_wait

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

log = logging.getLogger("gclap_sandbox.peers")
POLL_SECONDS = 0.5
BATCH = 2000  # new rows of a table looked at per look (most are this process's own); more wait for the next one
REMEMBERED = 10_000  # ids of rows stored (or announced) here, so that none is announced twice


@dataclass(frozen=True)
class Feed:
    """One table whose new rows are announced, on which topic, in which form."""

    model: type[peewee.Model]
    topic: Callable[[EventBus], Topic]
    payload: Callable[[Any], dict[str, Any]]


FEEDS = (
    Feed(Email, lambda bus: bus.email_committed, summary),
    Feed(Event, lambda bus: bus.event_committed, record.serialize),
)


class Peers:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._tasks: list[asyncio.Task] = []
        self._ours: collections.deque[str] = collections.deque(maxlen=REMEMBERED)
        self._ours_set: set[str] = set()
        self._markers: list[int] = []  # per feed: the last rowid seen (SQLite)
        self._changes: int | None = None  # the database's change marker when last looked

    def stored_here(self, _organization_id: str, item: dict[str, Any]) -> None:
        """On the feeds' topics (any thread): a row this process stored, or already announced."""
        if len(self._ours) == self._ours.maxlen:
            self._ours_set.discard(self._ours[0])
        self._ours.append(item["id"])
        self._ours_set.add(item["id"])

    async def start(self) -> None:
        for feed in FEEDS:
            feed.topic(self.ctx.bus).subscribe(self.stored_here)
        notifies, self._markers = await self.ctx.db.run(_start_point)
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self._poll(not notifies), name="gclap-peers"))
        if notifies:
            settings = await self.ctx.db.run(peer_feed.connection_settings)
            self._tasks.append(loop.create_task(self._listen(settings), name="gclap-peers-listen"))

    async def stop(self) -> None:
        for feed in FEEDS:
            feed.topic(self.ctx.bus).unsubscribe(self.stored_here)
        for task in self._tasks:
            await cancel_and_wait(task)
        self._tasks = []

    async def _poll(self, with_rows: bool) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                offsets, changes, self._markers, found = await self.ctx.db.run(
                    _look, self._markers if with_rows else None, frozenset(self._ours_set), self._changes)
                if not self.ctx.clock_lock.locked():  # a move in progress here saves its own offset
                    timeline.apply_offsets(self.ctx.clock, offsets)
                # No marker (PostgreSQL): anything may have changed since the last look.
                stale = changes is None or (self._changes is not None and changes != self._changes)
                self._changes = changes
                if stale:
                    await self._forget_cached()
                for feed, rows in zip(FEEDS, found):
                    self._announce(feed, rows)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("looking for other processes' changes failed; trying again")

    async def _listen(self, settings: dict[str, Any]) -> None:
        feeds = {feed.model._meta.table_name: feed for feed in FEEDS}
        while True:
            try:
                async for table, row_id in peer_feed.listen(settings):
                    feed = feeds.get(table)
                    if feed is not None and row_id not in self._ours_set:
                        self._announce(feed, await self.ctx.db.run(peer_feed.rows_by_id, feed.model, [row_id]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("listening for other processes' rows failed; listening again")
                await asyncio.sleep(POLL_SECONDS)

    async def _forget_cached(self) -> None:
        """Another process wrote: read keys, organizations, plans and subscriptions afresh."""
        await self.ctx.db.run(self.ctx.db.forget_caches, False)  # spamd's answers stay (checks/online.py)
        self.ctx.keys.clear()
        self.ctx.limiter.forget_plans()

    def _announce(self, feed: Feed, rows: list[Any]) -> None:
        topic = feed.topic(self.ctx.bus)
        for row in rows:
            if row.id not in self._ours_set:  # publishing it marks it as ours (stored_here)
                topic.publish(row.organization_id, feed.payload(row))


def _start_point() -> tuple[bool, list[int]]:
    notifies = peer_feed.notifies()
    return notifies, [0 if notifies else peer_feed.newest_marker(feed.model) for feed in FEEDS]


def _look(markers: list[int] | None, ours: frozenset[str] = frozenset(), last_changes: int | None = None
          ) -> tuple[dict[str, float], int | None, list[int], list[list[Any]]]:
    """The stored clock offsets, the database's change marker, and (with markers) each feed's
    rows added since its marker but not stored here (`ours`), with the markers to ask from next."""
    offsets, changes = timeline.load_offsets(), peer_feed.change_marker()
    if markers is None:
        return offsets, changes, [], [[] for _ in FEEDS]
    if changes is not None and changes == last_changes:
        # No other connection committed since the last look, so every row added since is this
        # process's own: skip them without reading them (a stream of mail adds thousands). The
        # unit of work holds the write lock, so nobody commits between the marker and the rowids.
        return offsets, changes, [peer_feed.newest_marker(feed.model) for feed in FEEDS], [[] for _ in FEEDS]
    found = [peer_feed.rows_after(feed.model, marker, BATCH, ours) for feed, marker in zip(FEEDS, markers)]
    return offsets, changes, [marker for marker, _ in found], [rows for _, rows in found]


def announce_email(email: Email, _incoming: Any) -> None:
    """On `email_stored` (DB thread, in the capture's transaction): NOTIFY the other processes."""
    if peer_feed.notifies():
        peer_feed.announce(Email, email.id)


def announce_event(event: Event, _payload: Any) -> None:
    """On `event_recorded` (DB thread, in its transaction): NOTIFY the other processes."""
    if peer_feed.notifies():
        peer_feed.announce(Event, event.id)
