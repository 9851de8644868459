"""Live updates for the UI: an in-process hub that server-sent-event streams subscribe to.

Anything can publish `(organization, kind, data)`; each open stream of that organization gets
it. New mail arrives through `on_email`, subscribed in server/wiring.py. Other areas
(delivery events, webhooks) publish their own kinds on the same hub.
"""
from __future__ import annotations

import asyncio
import json
from contextlib import contextmanager
from typing import Any, Iterator

QUEUE_LIMIT = 200  # a stream that falls this far behind is told to reload instead
_CLOSE = ("close", None)


class LiveHub:
    def __init__(self) -> None:
        self._streams: dict[str, set[asyncio.Queue[tuple[str, Any]]]] = {}

    def publish(self, organization_id: str, kind: str, data: Any) -> None:
        for queue in list(self._streams.get(organization_id, ())):
            try:
                queue.put_nowait((kind, data))
            except asyncio.QueueFull:
                queue.get_nowait()  # make room for one "reload" notice; the rest is stale
                queue.put_nowait(("reload", None))

    def on_email(self, organization_id: str, summary: dict[str, Any]) -> None:
        self.publish(organization_id, "email", {"id": summary["id"], "subject": summary["subject"]})

    def on_event(self, organization_id: str, event: dict[str, Any]) -> None:
        """A lifecycle event was committed: open email pages refresh."""
        self.publish(organization_id, "event", {"email_id": event["email_id"], "type": event["type"],
                                                "recipient": event["recipient"]})

    @contextmanager
    def subscribe(self, organization_id: str) -> Iterator[asyncio.Queue[tuple[str, Any]]]:
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue(QUEUE_LIMIT)
        self._streams.setdefault(organization_id, set()).add(queue)
        try:
            yield queue
        finally:
            self._streams.get(organization_id, set()).discard(queue)

    def close(self) -> None:
        """End every stream (server shutdown), so none holds the stop back."""
        for queues in self._streams.values():
            for queue in queues:
                try:
                    queue.put_nowait(_CLOSE)
                except asyncio.QueueFull:
                    queue.get_nowait()
                    queue.put_nowait(_CLOSE)


def sse_message(kind: str, data: Any) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def is_close(item: tuple[str, Any]) -> bool:
    return item is _CLOSE
