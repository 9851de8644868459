"""Several processes on one database as one sandbox: what this process learns of the others'.

Everything durable is shared through the database already (mail, jobs, deliveries, clocks), and
shared work is claimed so that each piece runs once (events/jobs.py, storage/claims.py). What a
process keeps in memory has to hear of the others' changes:

* mail another process stored is published on this process's `email_committed` topic, as if
  captured here, so live inbox pages and `?wait=` requests connected here see it at once;
* organizations' clock offsets are read again, so every process reads the same times;
* once another process has written anything, what this one caches of the tables (keys,
  organizations and their plans, webhook subscriptions, stored sequences) is read again, so a
  key revoked or a plan changed through one process holds in all (SQLite tells it by
  `data_version`; on PostgreSQL these caches stay per process for now).

On SQLite the background loop asks every POLL_SECONDS (one indexed read each); on PostgreSQL
new mail comes by LISTEN/NOTIFY (storage/peer_feed.py) and only the clocks are polled.
"""
from __future__ import annotations

import asyncio
import collections
import logging
from typing import TYPE_CHECKING, Any

from gclap_sandbox.events import timeline
from gclap_sandbox.inbox.queries import summary
from gclap_sandbox.models import Email
from gclap_sandbox.storage import peer_feed
from gclap_sandbox.worker_loop import cancel_and_wait

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

log = logging.getLogger("gclap_sandbox.peers")
POLL_SECONDS = 0.5
BATCH = 200  # emails published per look; more wait for the next one
REMEMBERED = 10_000  # ids of mail stored here, so that it is not announced twice


class Peers:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._tasks: list[asyncio.Task] = []
        self._ours: collections.deque[str] = collections.deque(maxlen=REMEMBERED)
        self._ours_set: set[str] = set()
        self._marker = 0
        self._changes: int | None = None  # the database's change marker when last looked

    def stored_here(self, _organization_id: str, item: dict[str, Any]) -> None:
        """On `email_committed` (any thread): mail this process stored, or already announced."""
        if len(self._ours) == self._ours.maxlen:
            self._ours_set.discard(self._ours[0])
        self._ours.append(item["id"])
        self._ours_set.add(item["id"])

    async def start(self) -> None:
        self.ctx.bus.email_committed.subscribe(self.stored_here)
        notifies, self._marker = await self.ctx.db.run(_start_point)
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self._poll(not notifies), name="gclap-peers"))
        if notifies:
            settings = await self.ctx.db.run(peer_feed.connection_settings)
            self._tasks.append(loop.create_task(self._listen(settings), name="gclap-peers-listen"))

    async def stop(self) -> None:
        self.ctx.bus.email_committed.unsubscribe(self.stored_here)
        for task in self._tasks:
            await cancel_and_wait(task)
        self._tasks = []

    async def _poll(self, with_mail: bool) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                offsets, changes, self._marker, emails = await self.ctx.db.run(
                    _look, self._marker if with_mail else None)
                if not self.ctx.clock_lock.locked():  # a move in progress here saves its own offset
                    timeline.apply_offsets(self.ctx.clock, offsets)
                if changes != self._changes:
                    if self._changes is not None:
                        await self._forget_cached()
                    self._changes = changes
                self._announce(emails)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("looking for other processes' changes failed; trying again")

    async def _listen(self, settings: dict[str, Any]) -> None:
        while True:
            try:
                async for _organization_id, email_id in peer_feed.listen(settings):
                    if email_id not in self._ours_set:
                        self._announce(await self.ctx.db.run(peer_feed.emails_by_id, [email_id]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("listening for other processes' mail failed; listening again")
                await asyncio.sleep(POLL_SECONDS)

    async def _forget_cached(self) -> None:
        """Another process wrote: read keys, organizations, plans and subscriptions afresh."""
        await self.ctx.db.run(self.ctx.db.forget_caches)
        self.ctx.keys.clear()
        self.ctx.limiter.forget_plans()

    def _announce(self, emails: list[Email]) -> None:
        for email in emails:
            if email.id not in self._ours_set:  # publishing it marks it as ours (stored_here)
                self.ctx.bus.email_committed.publish(email.organization_id, summary(email))


def _start_point() -> tuple[bool, int]:
    notifies = peer_feed.notifies()
    return notifies, 0 if notifies else peer_feed.newest_marker()


def _look(marker: int | None) -> tuple[dict[str, float], int | None, int, list[Email]]:
    """The stored clock offsets, the database's change marker, and (with a marker) the emails
    stored since it."""
    offsets, changes = timeline.load_offsets(), peer_feed.change_marker()
    if marker is None:
        return offsets, changes, 0, []
    marker, emails = peer_feed.emails_after(marker, BATCH)
    return offsets, changes, marker, emails


def announce_on_postgresql(email: Email, _incoming: Any) -> None:
    """On `email_stored` (DB thread, in the capture's transaction): NOTIFY the other processes."""
    if peer_feed.notifies():
        peer_feed.announce(email)
